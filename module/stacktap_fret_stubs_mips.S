/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MIPS: where an r: function returns when its return was taken through
 * ftrace_caller (stacktap_fret_mips.c).  One stub per return slot puts
 * its number in t0, a register dead at any return, so the handler finds
 * its slot without a search; the common part keeps the return value
 * (v0, and v1 for a 64-bit value on o32), asks st_fret_return() for the
 * real return address and goes there.
 */
#include <asm/asm.h>
#include <asm/regdef.h>

#include "stacktap_fret.h"

/* o32 callees may store a0-a3 in the 16 bytes at sp: keep them free. */
#define ST_FRET_FRAME	(8 * SZREG)
#define ST_FRET_V0	(4 * SZREG)
#define ST_FRET_V1	(5 * SZREG)
#define ST_FRET_RA	(6 * SZREG)

	.text
	.set	noreorder
	.align	3
	.globl	st_fret_stubs
	.type	st_fret_stubs, @function
st_fret_stubs:
	.set	st_fret_i, 0
	.rept	ST_FRET_SLOTS
	b	st_fret_common
	 addiu	t0, zero, st_fret_i
	.set	st_fret_i, st_fret_i + 1
	.endr
	.size	st_fret_stubs, . - st_fret_stubs

/*
 * The walker reads this prologue: a frame of ST_FRET_FRAME bytes with ra
 * (the stub's address until st_fret_return() puts the real one there,
 * before it frees the slot) in its slot, so a walk from an interrupt here
 * goes on in the caller.
 */
	.type	st_fret_common, @function
st_fret_common:
	PTR_ADDIU	sp, sp, -ST_FRET_FRAME
	PTR_S	ra, ST_FRET_RA(sp)
	PTR_S	v0, ST_FRET_V0(sp)
	PTR_S	v1, ST_FRET_V1(sp)
	move	a0, t0
	move	a1, v0
	PTR_ADDIU	a2, sp, ST_FRET_RA
	PTR_LA	t9, st_fret_return
	jalr	t9
	 nop
	move	ra, v0
	PTR_L	v0, ST_FRET_V0(sp)
	PTR_L	v1, ST_FRET_V1(sp)
	jr	ra
	 PTR_ADDIU	sp, sp, ST_FRET_FRAME
	.size	st_fret_common, . - st_fret_common
