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

/* TASK_COMM_LEN, which the unit test's host build does not have */
#define ST_COMM_LEN		16
/* MODULE_NAME_LEN on 64-bit, the smaller: what both may hold */
#define ST_MODULE_NAME_MAX	56

/* ret< ret== lat>...: an r: probe's condition on its outcome. */
enum st_cmp_op {
	ST_CMP_NONE,
	ST_CMP_LT,
	ST_CMP_LE,
	ST_CMP_GT,
	ST_CMP_GE,
	ST_CMP_EQ,
	ST_CMP_NE,
};

struct st_cond {
	unsigned char op;		/* enum st_cmp_op, ST_CMP_NONE: not set */
	long long val;			/* ret: the value; lat: ns */
};

/* An argument option: [NAME=]FETCH[:TYPE] (the uapi header). */
#define ST_ARG_DEREF_MAX	4
#define ST_ARG_REG_MAX		8	/* register names, with the NUL */
#define ST_ARG_OFF_MAX		0x7fffffffL

enum st_arg_base {
	ST_ARG_ARGN,			/* argN at the function's entry */
	ST_ARG_REG,			/* %REG */
};

struct st_arg {
	char name[STACKTAP_ARG_NAME_MAX];
	char reg[ST_ARG_REG_MAX];	/* ST_ARG_REG: its name */
	unsigned char base;		/* enum st_arg_base */
	unsigned char argn;		/* ST_ARG_ARGN: N, from 1 */
	unsigned char type;		/* enum stacktap_arg_type */
	unsigned char nderef;		/* OFF(...) around the base */
	bool named;			/* NAME= given */
	unsigned short reg_off;		/* the module's: offset in pt_regs */
	int off[ST_ARG_DEREF_MAX];	/* innermost first */
};

struct st_spec {
	enum stacktap_probe_kind kind;
	bool glob;
	unsigned long offset;
	char symbol[STACKTAP_SYMBOL_MAX];	/* "MOD:SYM" with a module */
	size_t module_len;			/* length of "MOD", 0 without */
	size_t path_len;			/* u: "PATH:SYM": length of PATH */
	/* options, after the spec; zero means not given */
	unsigned int maxactive;		/* r: instances, 0: the kernel's default */
	bool count_only;		/* mode=count: aggregate, write no records */
	bool key_args;			/* key=args: count per stack and arguments */
	unsigned char ring;		/* ST_RING_*: a full ring, by ring= */
	unsigned char ustack;		/* ST_USTACK_*: the user stack too, by ustack= */
	unsigned int ucopy_size;	/* ustack=copy,SIZE: bytes of user stack */
	unsigned int depth;		/* frames kept, 0: the module's depth= */
	unsigned int filters;		/* ST_FILTER_*: which of these are set */
	unsigned int pid;		/* thread group id */
	unsigned int cpu;
	char comm[ST_COMM_LEN];
	/* r: only, decided at the return, before anything is written */
	struct st_cond ret_cond;
	struct st_cond lat_cond;
	unsigned int nargs;
	struct st_arg args[STACKTAP_ARGS_MAX];
};

/* ustack=: how the user stack of the task is taken; 0: not at all. */
#define ST_USTACK_FP		1	/* walked by its frame pointers at the hit */
#define ST_USTACK_COPY		2	/* registers and stack copied, unwound later */

/* ring=: what a hit does when the ring is full; 0: the module's overwrite=. */
#define ST_RING_OVERWRITE	1	/* frees the oldest records */
#define ST_RING_DROP		2	/* is dropped and counted */

#define ST_MAXACTIVE_MAX	4096
#define ST_PID_MAX		4194304		/* PID_MAX_LIMIT */
#define ST_CPU_MAX		8191

/* Filters: a hit that fails one is counted as filtered and not unwound. */
#define ST_FILTER_PID		0x1u
#define ST_FILTER_COMM		0x2u
#define ST_FILTER_CPU		0x4u

/* Longest lat: value, in ns: an hour. */
#define ST_LAT_MAX_NS		3600000000000LL

/* Whether @v meets @c (true when @c is not set); hit path, so inline. */
static inline bool st_cond_true(const struct st_cond *c, long long v)
{
	switch (c->op) {
	case ST_CMP_LT: return v < c->val;
	case ST_CMP_LE: return v <= c->val;
	case ST_CMP_GT: return v > c->val;
	case ST_CMP_GE: return v >= c->val;
	case ST_CMP_EQ: return v == c->val;
	case ST_CMP_NE: return v != c->val;
	default: return true;
	}
}

int st_spec_parse(struct st_spec *spec, const char *text, size_t len,
		  const char **why);
int st_spec_parse_text(struct st_spec *spec, const char *text, size_t len,
		       const char **why);
int st_spec_format(const struct st_spec *spec, char *buf, size_t size);
int st_spec_format_options(const struct st_spec *spec, char *buf, size_t size);
int st_arg_format_fetch(const struct st_arg *arg, char *buf, size_t size);
extern const char *const st_arg_type_names[__STACKTAP_ARG_LAST];
bool st_spec_equal(const struct st_spec *a, const struct st_spec *b);
const char *st_spec_kind_prefix(enum stacktap_probe_kind kind);

#endif /* _STACKTAP_SPEC_H */
