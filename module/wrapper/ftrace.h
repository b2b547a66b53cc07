/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ftrace_ops callbacks, per kernel version: what a callback is handed,
 * the registers stacktap unwinds from, the recursion guard, freeing a
 * filter, and the size of a filter (private state).
 */
#ifndef _STACKTAP_WRAPPER_FTRACE_H
#define _STACKTAP_WRAPPER_FTRACE_H

#include <linux/ftrace.h>
#include <linux/rcupdate.h>
#include <linux/version.h>

/*
 * A struct ftrace_regs * since 5.11, a struct pt_regs * before; the
 * recursion helpers came with it (before them, stacktap's per-CPU context
 * guard in st_capture_enter() stops any recursion).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 11, 0)
#define st_ftrace_regs ftrace_regs
#define st_ftrace_get_regs(fregs) ftrace_get_regs(fregs)
#else
#define st_ftrace_regs pt_regs
#define st_ftrace_get_regs(regs) (regs)
static inline int ftrace_test_recursion_trylock(unsigned long ip,
						unsigned long parent_ip)
{
	return 0;
}

static inline void ftrace_test_recursion_unlock(int bit)
{
}
#endif

/*
 * An f: probe's ftrace_ops flags: registers where the arch saves them.
 * Elsewhere none: without DYNAMIC_FTRACE_WITH_REGS the kernel still marks
 * the call sites for regs, and one shared with an ops without them (the
 * graph tracer's) then needs its call changed, which MIPS cannot do
 * (ftrace_bug, "Updating ftrace call site to call a different ftrace
 * function"); there are no registers to gain.
 */
#ifdef CONFIG_DYNAMIC_FTRACE_WITH_REGS
#define ST_FTRACE_OPS_FLAGS	(FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_SAVE_REGS_IF_SUPPORTED)
#else
#define ST_FTRACE_OPS_FLAGS	0
#endif

/*
 * The registers to unwind an f: hit from.  x86_64 saves them whole for an
 * ops with FTRACE_OPS_FL_SAVE_REGS.  arm64 does only until 6.1: since 6.2
 * it has DYNAMIC_FTRACE_WITH_ARGS alone, ftrace_get_regs() is NULL, and
 * the unwinder's pc, sp, fp and lr come from ftrace_partial_regs() (6.12
 * here; 6.2 to 6.11 are not supported for f:, whose hits count as misses).
 * MIPS passes none (ST_UNWIND_FTRACE_NOREGS).
 */
#if defined(CONFIG_ARM64) && !defined(CONFIG_DYNAMIC_FTRACE_WITH_REGS) && \
	LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
struct st_ftrace_scratch {
	struct pt_regs regs;
};

static __always_inline struct pt_regs *st_ftrace_pt_regs(struct ftrace_regs *fregs,
							 struct st_ftrace_scratch *s)
{
	return ftrace_partial_regs(fregs, &s->regs);
}
#else
struct st_ftrace_scratch {
};

static __always_inline struct pt_regs *st_ftrace_pt_regs(struct st_ftrace_regs *fregs,
							 struct st_ftrace_scratch *s)
{
	return st_ftrace_get_regs(fregs);
}
#endif

/*
 * Free an ops' filter: ftrace_free_filter() is exported since 6.1.y.
 * Before, resetting the filter to nothing leaves the shared empty hash.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0)
#define st_ftrace_free_filter(ops) ftrace_free_filter(ops)
#else
static inline void st_ftrace_free_filter(struct ftrace_ops *ops)
{
	ftrace_set_filter(ops, NULL, 0, 1);
}
#endif

/*
 * How many functions an ftrace_ops' filter holds.  ftrace keeps the count
 * in its private struct ftrace_hash (kernel/trace/trace.h), whose leading
 * fields are the same from 5.10 to 7.2.  Only for an ops not registered
 * yet, which nothing else can touch.
 */
struct st_ftrace_hash_head {
	unsigned long size_bits;
	struct hlist_head *buckets;
	unsigned long count;
};

static inline unsigned long st_ftrace_filter_count(struct ftrace_ops *ops)
{
	const struct st_ftrace_hash_head *h;

	h = (const void *)rcu_dereference_protected(ops->func_hash->filter_hash, true);
	return h ? h->count : 0;
}

#endif /* _STACKTAP_WRAPPER_FTRACE_H */
