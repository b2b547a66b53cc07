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

static inline unsigned int st_op(u32 insn) { return insn >> 26; }
static inline unsigned int st_rs(u32 insn) { return (insn >> 21) & 31; }
static inline unsigned int st_rt(u32 insn) { return (insn >> 16) & 31; }
static inline unsigned int st_rd(u32 insn) { return (insn >> 11) & 31; }
static inline unsigned int st_funct(u32 insn) { return insn & 63; }
static inline s16 st_imm(u32 insn) { return (s16)(insn & 0xffff); }
static inline unsigned int st_insn_shamt(u32 insn) { return (insn >> 6) & 31; }

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
		if (st_rt(insn) || st_insn_shamt(insn))
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
