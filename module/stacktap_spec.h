/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Probe spec parsing.  Plain C with no kernel dependencies so that the
 * same file is compiled into the module and into the host unit test
 * (selftests/unit/).
 */
#ifndef _STACKTAP_SPEC_H
#define _STACKTAP_SPEC_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stddef.h>
#include <stdbool.h>
#endif
#include "../include/uapi/linux/stacktap.h"

struct st_spec {
	enum stacktap_probe_kind kind;
	bool glob;
	unsigned long offset;
	char symbol[STACKTAP_SYMBOL_MAX];
	/* options, after the spec */
	unsigned int maxactive;		/* r: instances, 0: the kernel's default */
};

#define ST_MAXACTIVE_MAX	4096

int st_spec_parse(struct st_spec *spec, const char *text, size_t len,
		  const char **why);
int st_spec_parse_text(struct st_spec *spec, const char *text, size_t len,
		       const char **why);
int st_spec_format(const struct st_spec *spec, char *buf, size_t size);
bool st_spec_equal(const struct st_spec *a, const struct st_spec *b);
char st_spec_kind_char(enum stacktap_probe_kind kind);

#endif /* _STACKTAP_SPEC_H */
