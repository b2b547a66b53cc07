/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MIPS: r: probes whose return is taken through ftrace_caller, where
 * kprobes cannot sit (stacktap_fret_mips.c, its stubs in
 * stacktap_fret_stubs_mips.S).
 */
#ifndef STACKTAP_FRET_H
#define STACKTAP_FRET_H

/* Returns pending at once, over every such r: probe: one stub each. */
#define ST_FRET_SLOTS		256
/* Bytes of one stub: "b st_fret_common; addiu t0, zero, N". */
#define ST_FRET_STUB_SIZE	8

#ifndef __ASSEMBLY__
struct st_probe_kind;
extern const struct st_probe_kind st_fret_kind;

/* Whether @addr is a return stub: a function whose return we took. */
bool st_fret_is_stub(unsigned long addr);
/*
 * The real return address behind @addr, a stub of the current task's or
 * a chain of them; @addr itself when it is none; 0 when it is a stub but
 * not of a pending return of the current task.
 */
unsigned long st_fret_real(unsigned long addr);
/* Wait until no return is pending or under way in a stub. */
void st_fret_exit(void);
#endif

#endif
