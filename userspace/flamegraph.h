/* SPDX-License-Identifier: GPL-2.0 */
/* An interactive flame-graph SVG from folded stacks (flamegraph.c). */
#ifndef STACKTAPCTL_FLAMEGRAPH_H
#define STACKTAPCTL_FLAMEGRAPH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct fg_stack {
	const char *stack;	/* folded: "root;...;leaf" */
	uint64_t count;
};

/* Write the SVG to @f; 0, or -1 (out of memory or a write error). */
int flamegraph_svg(FILE *f, const char *title, const struct fg_stack *stacks, size_t n);

#endif
