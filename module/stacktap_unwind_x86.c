// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64: the kernel's own unwinder (ORC on Debian's kernels), started
 * from the probe's trap registers rather than from inside the handler, so
 * no int3, kprobe or ftrace frame is ever seen.  __unwind_start() with
 * regs already steps past the regs frame, to the caller.
 */
#include <linux/kprobes.h>
#include <linux/sched.h>
#include <asm/unwind.h>

#include "stacktap.h"

notrace unsigned int st_unwind_regs(struct pt_regs *regs, bool at_entry,
				    unsigned long *entries, unsigned int max)
{
	struct unwind_state state;
	unsigned long addr;
	unsigned int nr = 0;

	if (!max)
		return 0;
	entries[nr++] = instruction_pointer(regs);
	for (__unwind_start(&state, current, regs, NULL);
	     nr < max && !unwind_done(&state); unwind_next_frame(&state)) {
		addr = unwind_get_return_address(&state);
		if (!addr)
			break;
		entries[nr++] = addr;
	}
	return nr;
}
NOKPROBE_SYMBOL(st_unwind_regs);
