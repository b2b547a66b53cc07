// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64: started from the probe's trap registers rather than from inside
 * the handler, so no int3, kprobe or ftrace frame is ever seen.  With ORC,
 * the cached walker of stacktap_unwind_x86_orc.c takes the common case;
 * the kernel's own unwinder takes the rest, and every stack without ORC.
 * __unwind_start() with regs already steps past the regs frame, to the
 * caller.
 */
#include <linux/kprobes.h>
#include <linux/sched.h>
#include <asm/unwind.h>

#include "stacktap.h"

int st_unwind_init(void)
{
	st_kretprobe_wrapper_init();
	return st_orc_init();
}

void st_unwind_exit(void)
{
	st_orc_exit();
}

/* The kernel's own walk from @regs (the benchmark checks the cache by it). */
notrace unsigned int st_unwind_regs_kernel(struct pt_regs *regs, unsigned long *entries,
					   unsigned int max)
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
		/*
		 * 5.10 leaves a kretprobe's trampoline in place, and cannot
		 * unwind past it: go on from the real return address.  A
		 * frame without regs read it just below its CFA, state.sp.
		 */
		if (!state.regs) {
			addr = st_orc_kretprobe_real(addr, state.sp - sizeof(long));
			state.ip = addr;
		}
		entries[nr++] = addr;
	}
	return nr;
}
NOKPROBE_SYMBOL(st_unwind_regs_kernel);

notrace unsigned int st_unwind_regs(struct pt_regs *regs, bool at_entry,
				    unsigned long *entries, unsigned int max)
{
	/* The common case from the ORC cache; the kernel's walk otherwise. */
	return st_orc_unwind_regs(regs, entries, max) ?:
	       st_unwind_regs_kernel(regs, entries, max);
}
NOKPROBE_SYMBOL(st_unwind_regs);
