/* SPDX-License-Identifier: GPL-2.0 */
/*
 * register_die_notifier() for a notifier that lives in module memory.
 *
 * 32-bit MIPS maps modules and vmalloc in kseg2 through each process's
 * own page directory, whose kernel half is a copy of init_mm's made when
 * the process was created; a region mapped later reaches an older process
 * lazily, by vmalloc_fault() in do_page_fault().  But do_page_fault()
 * walks the die chain first (notify_die(DIE_PAGE_FAULT), for kprobes):
 * a notifier in a region that process lacks faults there again, and the
 * recursion runs the kernel stack down through whatever memory lies
 * below it, exception vectors included.  So there the wrapper first
 * copies init_mm's kernel entries into the directories in use (what it
 * cannot reach: wrapper/die_notifier.c).
 * Elsewhere (64-bit MIPS walks kernel addresses in swapper_pg_dir, and
 * other arches share kernel tables) it is register_die_notifier().
 */
#ifndef _STACKTAP_WRAPPER_DIE_NOTIFIER_H
#define _STACKTAP_WRAPPER_DIE_NOTIFIER_H

#include <linux/kdebug.h>

#if defined(CONFIG_MIPS) && defined(CONFIG_32BIT)
int st_register_die_notifier(struct notifier_block *nb);
#else
static inline int st_register_die_notifier(struct notifier_block *nb)
{
	return register_die_notifier(nb);
}
#endif

#endif /* _STACKTAP_WRAPPER_DIE_NOTIFIER_H */
