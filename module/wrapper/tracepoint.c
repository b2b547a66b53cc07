// SPDX-License-Identifier: GPL-2.0
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "tracepoint.h"

struct st_tracepoint_want {
	const char *name;
	struct tracepoint *tp;
};

static void st_tracepoint_match(struct tracepoint *tp, void *priv)
{
	struct st_tracepoint_want *want = priv;

	if (!strcmp(tp->name, want->name))
		want->tp = tp;
}

struct tracepoint *st_tracepoint_find(const char *name)
{
	struct st_tracepoint_want want = { .name = name };

	for_each_kernel_tracepoint(st_tracepoint_match, &want);
	return want.tp;
}
