// SPDX-License-Identifier: GPL-2.0
/*
 * arm64: walk AAPCS64 frame records (x29 -> {next fp, lr}) from the probe's
 * trap registers.  At a function's first instruction the caller is only
 * in LR, which the kernel's unwinder ignores; take it from there.  Return
 * addresses saved on the stack carry pointer-authentication bits.  Every
 * read is bounded to the stack sp is on (and, from an IRQ stack, the
 * task's stack) and done with st_read_ulong_nofault().
 */
#include <linux/kprobes.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/thread_info.h>
#include <linux/uaccess.h>

#include "stacktap.h"
#include "wrapper/arm64_frame.h"

/* Where kretprobes make the functions they probe return */
static unsigned long st_arm64_kretprobe_tramp;
/* return_to_handler, where the graph tracer makes hooked functions return */
static unsigned long st_arm64_graph_tramp;

/* Every tracer of arm64 runs in text kallsyms names. */
notrace bool st_unwind_tracer_text(unsigned long addr)
{
	return false;
}
NOKPROBE_SYMBOL(st_unwind_tracer_text);

int st_unwind_init(void)
{
	st_kretprobe_wrapper_init();
	st_tracer_init();
	st_arm64_graph_tramp = st_kernel_symbol("return_to_handler");
	st_arm64_kretprobe_tramp = st_kernel_symbol("kretprobe_trampoline") ?:
				   st_kernel_symbol("__kretprobe_trampoline");
	return 0;
}

void st_unwind_exit(void)
{
}

/*
 * A kretprobe on function F saved the caller's fp (x29 at F's entry) as
 * ri->fp and put its trampoline in F's LR; the function graph tracer
 * records that same fp as the entry's retp and puts return_to_handler
 * there.  F's frame record is then { that fp, hook }.  Give the real
 * return address for @lr found with @fp (a record's saved fp, or x29 at
 * entry), whatever it holds.  Before 5.15 ri->fp is not x29: the
 * instances are taken in order as the trampoline turns up (@order).
 * Two kretprobes on one function leave two instances for one return; the
 * later one saved the trampoline the earlier put in LR, so instances
 * holding the trampoline are passed over.
 */
static notrace unsigned long st_arm64_ret(struct st_kretprobe_iter *order,
					  unsigned long fp, unsigned long lr)
{
	struct st_kretprobe_iter it;
	unsigned long func, ret, retp, ri_fp;
	int i;

	if (ST_KRETPROBE_BY_ORDER) {
		if (st_strip_pac(lr) == st_arm64_kretprobe_tramp)
			while (st_kretprobe_next(order, &ret, &ri_fp))
				if (st_strip_pac(ret) != st_arm64_kretprobe_tramp)
					return ret;
	} else {
		st_kretprobe_first(&it);
		while (st_kretprobe_next(&it, &ret, &ri_fp))
			if (ri_fp == fp && st_strip_pac(ret) != st_arm64_kretprobe_tramp)
				return ret;
	}
	for (i = st_graph_first(current); i >= 0; i = st_graph_next(current, i)) {
		st_graph_entry(current, i, &func, &ret, &retp);
		/* A tail call leaves an entry that returns to the hook again. */
		if (retp == fp && ret != st_arm64_graph_tramp)
			return ret;
	}
	return st_strip_pac(lr);
}
NOKPROBE_SYMBOL(st_arm64_ret);

notrace unsigned int st_unwind_regs(struct pt_regs *regs, bool at_entry,
				    unsigned long *entries, unsigned int max)
{
	struct st_kretprobe_iter order;
	unsigned long task_low = (unsigned long)task_stack_page(current);
	unsigned long low = regs->sp & ~(THREAD_SIZE - 1);
	unsigned long fp = regs->regs[29];
	unsigned long record[2];	/* { caller's fp, return address } */
	struct pt_regs *boundary;
	struct st_emit e;

	if (!max)
		return 0;
	st_kretprobe_first(&order);
	st_emit_start(&e, entries, max);
	st_emit(&e, regs->pc);
	/* A kretprobe sharing this entry may have run first and swapped LR. */
	if (at_entry && e.nr < max)
		st_emit(&e, st_arm64_ret(&order, regs->regs[29], regs->regs[30]));

	while (e.nr < max) {
		/* From an IRQ stack the records lead to the task stack, once. */
		if (fp - low > THREAD_SIZE - sizeof(record)) {
			if (low == task_low || fp - task_low > THREAD_SIZE - sizeof(record))
				break;
			low = task_low;
		}
		if ((fp & 7) || !st_read_ulong_nofault(&record[0], (void *)fp) ||
		    !st_read_ulong_nofault(&record[1], (void *)(fp + sizeof(record[0]))))
			break;
		if (!record[1]) {
			/* A task's end, or (6.13 on) an exception boundary. */
			boundary = st_arm64_boundary_regs(fp);
			if (!boundary ||
			    !st_read_ulong_nofault(&record[1], &boundary->pc) ||
			    !st_read_ulong_nofault(&record[0], &boundary->regs[29]))
				break;
			st_emit_crossed(&e);
		}
		st_emit(&e, st_arm64_ret(&order, record[0], record[1]));
		if (record[0] <= fp && record[0] - low <= THREAD_SIZE)
			break;	/* on one stack, records must go up */
		fp = record[0];
	}
	return e.nr;
}
NOKPROBE_SYMBOL(st_unwind_regs);
