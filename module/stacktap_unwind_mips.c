// SPDX-License-Identifier: GPL-2.0
/*
 * MIPS: no frame pointers, so the kernel's prologue analyser
 * unwind_stack_by_address() is stepped from the probe's own view of the
 * traced function: the kprobe's trap registers (cp0_epc, sp, ra), or the
 * frame ftrace_caller saved.  Starting there, not from inside the handler,
 * is what keeps handle_bp_int, mcount.S and kprobe frames out of the
 * stack.  It bounds its stack reads to the task or IRQ stack it is given.
 */
#include <linux/kprobes.h>
#include <linux/sched.h>
#include <linux/thread_info.h>
#include <linux/uaccess.h>
#include <asm/stacktrace.h>

#include "stacktap.h"

/* Step the kernel's prologue analyser from (pc, sp, ra) to the stack top. */
static notrace unsigned int st_mips_walk(unsigned long pc, unsigned long sp,
					 unsigned long ra, unsigned long *entries,
					 unsigned int max)
{
	unsigned long stack_page = sp & ~(THREAD_SIZE - 1);
	unsigned int nr = 0;

	while (pc && nr < max) {
		entries[nr++] = pc;
		pc = unwind_stack_by_address(stack_page, &sp, pc, &ra);
	}
	return nr;
}
NOKPROBE_SYMBOL(st_mips_walk);

notrace unsigned int st_unwind_regs(struct pt_regs *regs, bool at_entry,
				    unsigned long *entries, unsigned int max)
{
	return st_mips_walk(regs->cp0_epc, regs->regs[29], regs->regs[31],
			    entries, max);
}
NOKPROBE_SYMBOL(st_unwind_regs);

/* How far above the callback's frame ftrace_caller's frame may sit. */
#define ST_MCOUNT_SCAN	2048

/*
 * ftrace_caller (mcount.S) runs after the traced function F's prologue and
 * saves a pt_regs-sized frame right below F's frame, holding F's return
 * address into its caller at regs[1] (the AT register the mcount call
 * sequence copied ra into) and its own return address at regs[31]: C + 8
 * for a call site C in core kernel text, C + 20 for a module's long-call
 * sequence (C being the lui that starts it), C + 24 with -mmcount-ra-address
 * on 32-bit.  The callback gets ip = C and parent_ip = F's return address,
 * so the frame is the first one above us holding both.
 */
static notrace unsigned long st_mips_mcount_frame(unsigned long ip,
						  unsigned long parent_ip)
{
	unsigned long sp = (unsigned long)__builtin_frame_address(0);
	unsigned long top = (sp & ~(THREAD_SIZE - 1)) + THREAD_SIZE;
	unsigned long x, r1, r31;

	for (x = ALIGN(sp, sizeof(long));
	     x + sizeof(struct pt_regs) <= top && x < sp + ST_MCOUNT_SCAN;
	     x += sizeof(long)) {
		if (copy_from_kernel_nofault(&r1, (void *)x + offsetof(struct pt_regs, regs[1]),
					     sizeof(r1)))
			return 0;
		if (r1 != parent_ip)
			continue;
		if (copy_from_kernel_nofault(&r31, (void *)x + offsetof(struct pt_regs, regs[31]),
					     sizeof(r31)))
			return 0;
		if (r31 - ip == 8 || r31 - ip == 20 || r31 - ip == 24)
			return x;
	}
	return 0;
}
NOKPROBE_SYMBOL(st_mips_mcount_frame);

/*
 * MIPS passes ftrace callbacks no registers.  Resume the walk where F's
 * own frame begins, just above ftrace_caller's: pc = ip inside F (its
 * prologue already ran), sp = F's sp, ra = parent_ip for a leaf F.
 */
notrace unsigned int st_unwind_ftrace(unsigned long ip, unsigned long parent_ip,
				      unsigned long *entries, unsigned int max)
{
	unsigned long frame = st_mips_mcount_frame(ip, parent_ip);

	if (!frame)
		return 0;
	return st_mips_walk(ip, frame + sizeof(struct pt_regs), parent_ip,
			    entries, max);
}
NOKPROBE_SYMBOL(st_unwind_ftrace);
