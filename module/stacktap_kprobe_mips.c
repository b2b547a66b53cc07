// SPDX-License-Identifier: GPL-2.0
/*
 * MIPS: step over a probed instruction by emulating it, for the few forms
 * a function's first instruction takes, so no single-step break follows.
 * That break is where kprobes trip over kprobe_flush_task() clearing
 * current_kprobe (see ST_KPROBE_HOLD_SOFTIRQ); without it the probe no
 * longer depends on current_kprobe after its pre-handler, and costs one
 * exception instead of two.
 */
#include <linux/kprobes.h>
#include <linux/ptrace.h>

#include "stacktap.h"
#include "stacktap_mips_insn.h"

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
