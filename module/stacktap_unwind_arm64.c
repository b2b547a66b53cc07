// SPDX-License-Identifier: GPL-2.0
/*
 * arm64: walk AAPCS64 frame records (x29 -> {next fp, lr}) from the probe's
 * trap registers.  At a function's first instruction the caller is only
 * in LR, which the kernel's unwinder ignores; take it from there.  Return
 * addresses saved on the stack carry pointer-authentication bits.  Every
 * read is bounded to the stack sp is on and done with
 * copy_from_kernel_nofault().
 */
#include <linux/kprobes.h>
#include <linux/sched.h>
#include <linux/thread_info.h>
#include <linux/uaccess.h>

#include "stacktap.h"

notrace unsigned int st_unwind_regs(struct pt_regs *regs, bool at_entry,
				    unsigned long *entries, unsigned int max)
{
	unsigned long low = regs->sp & ~(THREAD_SIZE - 1);
	unsigned long high = low + THREAD_SIZE;
	unsigned long fp = regs->regs[29];
	unsigned long record[2];	/* { caller's fp, return address } */
	unsigned int nr = 0;

	if (!max)
		return 0;
	entries[nr++] = regs->pc;
	if (at_entry && nr < max)
		entries[nr++] = st_strip_pac(regs->regs[30]);

	while (nr < max) {
		if (fp < low || fp > high - sizeof(record) || (fp & 7))
			break;
		if (copy_from_kernel_nofault(record, (void *)fp, sizeof(record)))
			break;
		if (!record[1])
			break;	/* the final record in the task's pt_regs */
		entries[nr++] = st_strip_pac(record[1]);
		if (record[0] <= fp)
			break;	/* records must go up the stack */
		fp = record[0];
	}
	return nr;
}
NOKPROBE_SYMBOL(st_unwind_regs);

/* Unreachable here: ftrace saves registers for f: probes on this arch. */
notrace unsigned int st_unwind_ftrace(unsigned long ip, unsigned long parent_ip,
				      unsigned long *entries, unsigned int max)
{
	return 0;
}
NOKPROBE_SYMBOL(st_unwind_ftrace);
