// SPDX-License-Identifier: GPL-2.0
/*
 * What the MIPS walker and kprobe helpers the floor links call into from
 * the rest of stacktap: the floor takes no return through ftrace (no
 * return stubs to see through) and has no kprobe post handler to run
 * for a step the helpers finish.
 */
#include <linux/kprobes.h>

#include "module/stacktap.h"
#include "module/stacktap_fret.h"

notrace bool st_fret_is_stub(unsigned long addr)
{
	return false;
}

notrace unsigned long st_fret_real(unsigned long addr)
{
	return addr;
}

notrace void st_kprobe_post(struct kprobe *kp, struct pt_regs *regs, unsigned long flags)
{
}
