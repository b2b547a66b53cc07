// SPDX-License-Identifier: GPL-2.0
/*
 * MIPS: step over a probed instruction by emulating it, for the few forms
 * a function's first instruction takes, so no single-step break follows.
 * That break is where kprobes trip over kprobe_flush_task() clearing
 * current_kprobe (see ST_KPROBE_HOLD_SOFTIRQ); without it the probe no
 * longer depends on current_kprobe after its pre-handler, and costs one
 * exception instead of two.
 */
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/string.h>

#include "stacktap.h"
#include "stacktap_mips_insn.h"

/*
 * MIPS's break handler reads the break instruction with
 * get_kernel_nofault() before kprobes see the trap (do_bp(),
 * arch/mips/kernel/access-helper.h).  A kprobe on what that read calls
 * traps again inside the read, forever: the kernel's own kprobe_events
 * hangs the machine the same way.
 */
bool st_kprobe_arch_refuses(const char *symbol)
{
	static const char *const in_do_bp[] = {
		"copy_from_kernel_nofault", "copy_from_kernel_nofault_allowed",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(in_do_bp); i++)
		if (!strcmp(symbol, in_do_bp[i]))
			return true;
	return false;
}

/*
 * Emulate @kp's instruction on @regs and move past it: addiu, daddiu,
 * lui, move (or/addu/daddu rd, rs, zero) and nop.  False for anything
 * else, which kprobes then single-steps.
 */
notrace bool st_kprobe_emulate(struct kprobe *kp, struct pt_regs *regs)
{
	u32 insn = kp->opcode.word;
	unsigned int dst;
	unsigned long val;

	switch (st_op(insn)) {
	case 0x09:	/* addiu: 32-bit sum, sign-extended */
		dst = st_rt(insn);
		val = (long)(s32)((u32)regs->regs[st_rs(insn)] + (u32)(s32)st_imm(insn));
		break;
#ifdef CONFIG_64BIT
	case 0x19:	/* daddiu */
		dst = st_rt(insn);
		val = regs->regs[st_rs(insn)] + (long)st_imm(insn);
		break;
#endif
	case 0x0f:	/* lui */
		dst = st_rt(insn);
		val = (long)(s32)((u32)(u16)st_imm(insn) << 16);
		break;
	case 0x00:
		if (insn == 0) {	/* nop */
			dst = 0;
			val = 0;
			break;
		}
		if (st_rt(insn) || st_shamt(insn))
			return false;
		switch (st_funct(insn)) {
		case 0x25:	/* or: move */
			val = regs->regs[st_rs(insn)];
			break;
		case 0x21:	/* addu: 32-bit move */
			val = (long)(s32)regs->regs[st_rs(insn)];
			break;
#ifdef CONFIG_64BIT
		case 0x2d:	/* daddu: move */
			val = regs->regs[st_rs(insn)];
			break;
#endif
		default:
			return false;
		}
		dst = st_rd(insn);
		break;
	default:
		return false;
	}
	if (dst)
		regs->regs[dst] = val;
	regs->cp0_epc += 4;
	return true;
}
NOKPROBE_SYMBOL(st_kprobe_emulate);
