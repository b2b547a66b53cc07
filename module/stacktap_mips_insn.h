/* SPDX-License-Identifier: GPL-2.0 */
/* Fields of a MIPS32/64 instruction word (classic encoding). */
#ifndef _STACKTAP_MIPS_INSN_H
#define _STACKTAP_MIPS_INSN_H

#include <linux/types.h>

#define MIPS_AT	1
#define MIPS_SP	29
#define MIPS_RA	31

static inline unsigned int st_op(u32 insn) { return insn >> 26; }
static inline unsigned int st_rs(u32 insn) { return (insn >> 21) & 31; }
static inline unsigned int st_rt(u32 insn) { return (insn >> 16) & 31; }
static inline unsigned int st_rd(u32 insn) { return (insn >> 11) & 31; }
static inline unsigned int st_shamt(u32 insn) { return (insn >> 6) & 31; }
static inline unsigned int st_funct(u32 insn) { return insn & 63; }
static inline s16 st_imm(u32 insn) { return (s16)(insn & 0xffff); }

/*
 * Whether @insn may be a branch or jump, with a delay slot or (R6) a
 * compact one: kprobes step its delay slot and resume at the target.
 * Errs on the side of yes.
 */
static inline bool st_may_branch(u32 insn)
{
	switch (st_op(insn)) {
	case 0x00:			/* jr, jalr */
		return st_funct(insn) == 0x08 || st_funct(insn) == 0x09;
	case 0x01:			/* regimm: bltz, bgez, bal ... */
	case 0x02: case 0x03:		/* j, jal */
	case 0x04: case 0x05: case 0x06: case 0x07:	/* beq, bne, blez, bgtz */
	case 0x14: case 0x15: case 0x16: case 0x17:	/* the likely forms */
	case 0x1d:			/* jalx */
	case 0x32: case 0x36: case 0x3a: case 0x3e:	/* R6 compact branches */
		return true;
	case 0x10: case 0x11: case 0x12: case 0x13:	/* cop branches: rs 8..15 */
		return (st_rs(insn) & 0x18) == 0x08;
	default:
		return false;
	}
}

#endif /* _STACKTAP_MIPS_INSN_H */
