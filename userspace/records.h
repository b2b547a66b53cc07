/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stacktap's debugfs text, read back: trace records and counted stacks
 * are blocks of lines ending in a blank line, a header then " => " frames.
 */
#ifndef STACKTAPCTL_RECORDS_H
#define STACKTAPCTL_RECORDS_H

#include <stdbool.h>
#include <stdio.h>

#include "../include/uapi/linux/stacktap.h"
#include "json.h"

/* A header, args, STACKTAP_FRAMES_MAX frames, marks, latency and its histogram. */
#define BLOCK_LINES	(STACKTAP_FRAMES_MAX + 64)
#define LINE_MAX_LEN	1024

struct block {
	unsigned int n;
	char line[BLOCK_LINES][LINE_MAX_LEN];
	/* A frame line's address, where it came from netlink (JSON "addr"). */
	uint64_t addr[BLOCK_LINES];
	bool has_addr[BLOCK_LINES];
};

/* User frame names on the target (usyms.h), for a block from debugfs. */
struct st_usyms;
void block_user_names(struct block *b, struct st_usyms *us);
void debugfs_maps(struct st_usyms *us);

/* Where debugfs is mounted, into @mnt; 0, or -1 (quietly) when it is not. */
int debugfs_root(char *mnt, size_t size);

/* Fill @path with stacktap's debugfs file @name; 0 or -1 with a message. */
int debugfs_file(char *path, size_t size, const char *name, const char *cmd);

/* Add one line (without its newline); returns 1 when @b holds a block. */
int block_add_line(struct block *b, const char *line);

/* The next block from @f: 1, or 0 at the end. */
int block_read(FILE *f, struct block *b);

int block_lost(const struct block *b, unsigned int *cpu, unsigned int *lost);
/* A trace record as one JSON object, no newline. */
void record_print_json(const struct block *b);

/* A block as text, blank line included. */
void block_print(const struct block *b);

/*
 * An r: stack's latencies as the stacks file prints them after its frames
 * (" lat: count N, min A ns, mean B ns, max C ns", then a histogram line
 * per log2 bucket, first to last in use).
 */
struct blat {
	unsigned long long count, min, mean, max;
	unsigned int hist[STACKTAP_LAT_BUCKETS];
};
/* @l's lines added to @b, as the kernel prints them; none when empty. */
void block_add_latency(struct block *b, const struct blat *l);
/* @b's latencies read back into @l: 1, or 0 when it has none. */
int block_latency(const struct block *b, struct blat *l);
/* STACKS_GET's raw latencies as the stacks file gives them. */
void blat_from(struct blat *l, const struct stacktap_latency *raw);
/* @l as a JSON object, no newline. */
void blat_json(const struct blat *l);

/* report: stacks of @probe (NULL: all) as text, JSON or folded. */
enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_FOLDED };
/* @callers: frame 1 of @probe's stacks, counted, instead of the stacks. */
int report_stacks(FILE *f, const char *probe, enum report_format fmt, bool callers,
		  bool latency, struct st_usyms *us);

/* The same, block by block from any source: begin, block..., end (0 or 1). */
struct folded {
	char *stack;
	unsigned long long count;
	uint64_t addr;		/* --callers: the call site's, when has_addr */
	bool has_addr;
};
struct report {
	enum report_format fmt;
	const char *probe;	/* NULL: every probe */
	char want[512];
	struct folded *fold;
	size_t nfold;
	unsigned int n;
	bool callers;		/* the call sites, not the stacks */
	bool latency;		/* the probe's latencies over all its stacks */
	struct blat lat;
	unsigned long long lat_sum;	/* of the stacks' mean * count */
	int err;
};
void report_begin(struct report *r, const char *probe, enum report_format fmt);
/* 1: stop (out of memory, said); blocks that are no stack are passed over. */
int report_block(struct report *r, const struct block *b);
int report_end(struct report *r);

/* A frame's name for folded stacks: "func" or "func_[module]", one word. */
void folded_frame(char *out, size_t size, const char *frame);

/* Whether a probe's canonical @spec is the one a user named (@want, canonical). */
int probe_matches(const char *spec, const char *want);
/* @want as the kernel spells it: '_' for '-' in a module's name. */
void probe_canonical(char *out, size_t size, const char *want);

#endif
