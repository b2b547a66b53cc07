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

#endif /* _STACKTAP_MIPS_INSN_H */
