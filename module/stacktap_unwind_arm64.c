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

/* The walker keeps no state on arm64. */
int st_unwind_init(void)
{
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
 * entry), whatever it holds.
 */
static notrace unsigned long st_arm64_ret(struct llist_node *pending,
					  unsigned long fp, unsigned long lr)
{
	struct llist_node *node;
	unsigned long func, ret;
	int i;

	for (node = pending; node; node = node->next)
		if (st_kretprobe_node_fp(node) == fp)
			return st_kretprobe_node_ret_addr(node);
	for (i = st_graph_top(current); i >= 0; i--) {
		if (st_graph_retp(current, i) != fp)
			continue;
		st_graph_entry(current, i, &func, &ret);
		return ret;
	}
	return st_strip_pac(lr);
}
NOKPROBE_SYMBOL(st_arm64_ret);

notrace unsigned int st_unwind_regs(struct pt_regs *regs, bool at_entry,
				    unsigned long *entries, unsigned int max)
{
	struct llist_node *pending = st_kretprobe_pending(current);
	unsigned long task_low = (unsigned long)task_stack_page(current);
	unsigned long low = regs->sp & ~(THREAD_SIZE - 1);
	unsigned long fp = regs->regs[29];
	unsigned long record[2];	/* { caller's fp, return address } */
	unsigned int nr = 0;

	if (!max)
		return 0;
	entries[nr++] = regs->pc;
	/* A kretprobe sharing this entry may have run first and swapped LR. */
	if (at_entry && nr < max)
		entries[nr++] = st_arm64_ret(pending, regs->regs[29], regs->regs[30]);

	while (nr < max) {
		/* From an IRQ stack the records lead to the task stack, once. */
		if (fp - low > THREAD_SIZE - sizeof(record)) {
			if (low == task_low || fp - task_low > THREAD_SIZE - sizeof(record))
				break;
			low = task_low;
		}
		if ((fp & 7) || !st_read_ulong_nofault(&record[0], (void *)fp) ||
		    !st_read_ulong_nofault(&record[1], (void *)(fp + sizeof(record[0]))))
			break;
		if (!record[1])
			break;	/* the final record in the task's pt_regs */
		entries[nr++] = st_arm64_ret(pending, record[0], record[1]);
		if (record[0] <= fp && record[0] - low <= THREAD_SIZE)
			break;	/* on one stack, records must go up */
		fp = record[0];
	}
	return nr;
}
NOKPROBE_SYMBOL(st_unwind_regs);
