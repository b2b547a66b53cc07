// SPDX-License-Identifier: GPL-2.0
/*
 * MIPS: no frame pointers, so the kernel's prologue analyser
 * unwind_stack_by_address() is stepped from the kprobe's trap registers
 * (cp0_epc, sp, ra).  Starting from the trap, not from inside the handler,
 * is what keeps handle_bp_int and the kprobe frames out of the stack.  It
 * bounds its stack reads to the task or IRQ stack it is given.
 */
#include <linux/kprobes.h>
#include <linux/sched.h>
#include <linux/thread_info.h>
#include <asm/stacktrace.h>

#include "stacktap.h"

notrace unsigned int st_unwind_regs(struct pt_regs *regs, bool at_entry,
				    unsigned long *entries, unsigned int max)
{
	unsigned long sp = regs->regs[29];
	unsigned long ra = regs->regs[31];
	unsigned long pc = regs->cp0_epc;
	unsigned long stack_page = sp & ~(THREAD_SIZE - 1);
	unsigned int nr = 0;

	while (pc && nr < max) {
		entries[nr++] = pc;
		pc = unwind_stack_by_address(stack_page, &sp, pc, &ra);
	}
	return nr;
}
NOKPROBE_SYMBOL(st_unwind_regs);
