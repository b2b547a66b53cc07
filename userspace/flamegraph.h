/* SPDX-License-Identifier: GPL-2.0 */
/* An interactive flame-graph SVG from folded stacks (flamegraph.c). */
#ifndef STACKTAPCTL_FLAMEGRAPH_H
#define STACKTAPCTL_FLAMEGRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct fg_stack {
	const char *stack;	/* folded: "root;...;leaf" */
	uint64_t count;		/* its width */
	uint64_t a, b;		/* differential only: its counts in A and B */
};

/* Write the SVG to @f; 0, or -1 (out of memory or a write error). */
int flamegraph_svg(FILE *f, const char *title, const struct fg_stack *stacks, size_t n);
/* A differential one: width max(a, b), red for growth, blue for shrinking. */
int flamegraph_diff_svg(FILE *f, const char *title, const struct fg_stack *stacks, size_t n);

/*
 * Write it to @path, titled "stacktap: @what" ("stacktap diff: ..."),
 * saying so on stderr as command @cmd; 0 or -1 (said).
 */
int flamegraph_file(const char *path, const char *cmd, const char *what,
		    const struct fg_stack *stacks, size_t n, bool diff);

#endif
