// SPDX-License-Identifier: GPL-2.0
/*
 * 32-bit MIPS: a die notifier in module memory, made safe against the
 * page fault of a process created before that memory was mapped
 * (wrapper/die_notifier.h says why).  pgd_alloc() is the kernel's own,
 * exported copy of init_mm's kernel entries; each entry init_mm has and
 * a directory lacks (invalid_pte_table, with the pmd folded into the
 * pgd) is copied in, as vmalloc_fault() would on that mm's first touch.
 *
 * Filled: the mm of every task, and the mm each CPU has loaded now (a
 * kernel thread or idle task borrows the last one, which may be the mm
 * of a task that has exited).  Still open: an mm under construction
 * while this runs, by a fork not yet on the task list or an exec not yet
 * past exec_mmap(), made before the module's memory was mapped; or one a
 * driver holds to adopt later (kthread_use_mm()).  Such an mm still
 * faults recursively on its first page fault.
 */
#include <linux/kdebug.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/smp.h>
#include <asm/pgalloc.h>

#include "die_notifier.h"

static void st_pgd_fill(pgd_t *pgd, const pgd_t *ref)
{
	unsigned int i;

	for (i = USER_PTRS_PER_PGD; i < PTRS_PER_PGD; i++) {
		if (pgd_val(ref[i]) != (unsigned long)invalid_pte_table &&
		    pgd_val(READ_ONCE(pgd[i])) == (unsigned long)invalid_pte_table)
			WRITE_ONCE(pgd[i], ref[i]);
	}
}

/* Interrupts off: this CPU's active_mm stays, and so loaded. */
static void st_pgd_fill_active(void *ref)
{
	st_pgd_fill(current->active_mm->pgd, ref);
}

/*
 * Once per load: stacktap's memory is all mapped before its init runs,
 * and an mm made after the fill copies init_mm whole.  Registrations run
 * in init only, one after another.
 */
static bool st_pgds_filled;

int st_register_die_notifier(struct notifier_block *nb)
{
	struct task_struct *g, *t;
	pgd_t *ref;

	if (st_pgds_filled)
		return register_die_notifier(nb);
	ref = pgd_alloc(current->active_mm);
	if (!ref)
		return -ENOMEM;
	rcu_read_lock();
	for_each_process_thread(g, t) {
		/* Holds t->mm: exit_mm() clears it under this lock. */
		task_lock(t);
		if (t->mm)
			st_pgd_fill(t->mm->pgd, ref);
		task_unlock(t);
	}
	rcu_read_unlock();
	on_each_cpu(st_pgd_fill_active, ref, 1);
	pgd_free(current->active_mm, ref);
	st_pgds_filled = true;
	return register_die_notifier(nb);
}
