// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64 with ORC: a walker of the common case that reads the kernel's own
 * ORC tables through a per-CPU cache of entries keyed by address, so a
 * frame costs one cache probe, two stack loads and a few compares instead
 * of the kernel's lookups (ORC table, module tree, kernel-text checks).
 *
 * It follows the kernel's unwind_next_frame() exactly for call frames
 * whose CFA is SP or BP based, on the task stack, and stops where the
 * kernel stops: user-mode registers (syscall entry) or a kernel thread's
 * end.  Anything else (interrupt and exception stacks, other register
 * bases, a return address the graph tracer or a rethook replaced, code
 * without ORC such as BPF or ftrace trampolines) makes it give up, and the
 * caller unwinds with the kernel's unwinder from the start instead.  A
 * kretprobe's trampoline (5.10) it replaces by the real return address
 * from the pending instances (wrapper/kretprobe.h) and goes on.
 *
 * The tables are not exported: their addresses come from kallsyms, through
 * kprobes.  Nor is __module_address(): modules' text ranges and tables are
 * kept here, from the module list and a module notifier.  Cached entries
 * are dropped when any module goes; entries are only made for core text
 * and live modules' core text.
 */
#include <linux/atomic.h>
#include <linux/hash.h>
#include <linux/irqflags.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/rculist.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/orc_lookup.h>
#include <asm/pgtable_64_types.h>
#include <asm/ptrace.h>

#include "stacktap.h"
#include "wrapper/orc.h"

#define ST_ORC_CACHE_BITS	10
/* Bytes past a kprobe's address where its function returns from ftrace */
#define ST_ORC_HOOK_ENTRY	16

struct st_orc_slot {
	unsigned long key;		/* address looked up; 0 = empty */
	struct orc_entry orc;
};

struct st_orc_cpu {
	unsigned int gen;		/* st_orc_gen when last emptied */
	struct st_orc_slot slot[1 << ST_ORC_CACHE_BITS];
};

/* The kernel's tables (arch/x86/kernel/unwind_orc.c) */
static struct {
	int *ip;			/* __start_orc_unwind_ip */
	struct orc_entry *orc;		/* __start_orc_unwind */
	unsigned int nr;		/* entries */
	unsigned int *lookup;		/* orc_lookup: first entry per block */
	unsigned int blocks;
	unsigned long stext, etext;	/* what orc_lookup covers */
	unsigned long graph_tramp;	/* return_to_handler */
	unsigned long rethook_tramp;	/* arch_rethook_trampoline */
} st_orc;

static struct st_orc_cpu __percpu *st_orc_cpu;
static atomic_t st_orc_gen = ATOMIC_INIT(0);

/* Loaded modules' core text and ORC tables, replaced whole under RCU. */
struct st_orc_mod {
	unsigned long base, size;
	struct module *mod;
};

struct st_orc_mods {
	struct rcu_head rcu;
	unsigned int nr;
	struct st_orc_mod m[];
};

static struct st_orc_mods __rcu *st_orc_mods;
static DEFINE_MUTEX(st_orc_mods_mutex);

static __always_inline unsigned long st_orc_ip(const int *ip)
{
	return (unsigned long)ip + *ip;
}

/* The kernel's __orc_find(): the last entry at or below @ip. */
static notrace struct orc_entry *st_orc_bsearch(int *ip_table, struct orc_entry *u_table,
						unsigned int num, unsigned long ip)
{
	int *first = ip_table, *last = ip_table + num - 1, *mid, *found = first;

	if (!num)
		return NULL;
	while (first <= last) {
		mid = first + (last - first) / 2;
		if (st_orc_ip(mid) <= ip) {
			found = mid;
			first = mid + 1;
		} else {
			last = mid - 1;
		}
	}
	return u_table + (found - ip_table);
}
NOKPROBE_SYMBOL(st_orc_bsearch);

/*
 * The ORC entry for @key as orc_find() has it, when @text (@key itself,
 * or the return address after it) is kernel text as __kernel_text_address()
 * has it: core text, or a module's core text.  NULL elsewhere.
 * *@cacheable when it may be kept: not a module coming or going.
 * Preemption is off, so no module goes meanwhile.
 */
static notrace struct orc_entry *st_orc_table_find(unsigned long key, unsigned long text,
						   bool *cacheable)
{
	const struct st_orc_mods *mods;
	const struct st_orc_mod *m;
	unsigned int idx, start, stop, i;
	unsigned long size;

	if (key >= st_orc.stext && text < st_orc.etext) {
		idx = (key - st_orc.stext) / LOOKUP_BLOCK_SIZE;
		if (idx >= st_orc.blocks - 1)
			return NULL;
		start = st_orc.lookup[idx];
		stop = st_orc.lookup[idx + 1] + 1;
		if (start >= st_orc.nr || stop > st_orc.nr)
			return NULL;
		*cacheable = true;
		return st_orc_bsearch(st_orc.ip + start, st_orc.orc + start, stop - start, key);
	}
	/* A module's init text is left to the kernel's unwinder. */
	mods = rcu_dereference_raw(st_orc_mods);	/* irqs are off */
	for (i = 0; mods && i < mods->nr; i++) {
		m = &mods->m[i];
		size = READ_ONCE(m->size);	/* 0 once the module goes */
		if (text - m->base >= size)
			continue;
		if (key - m->base >= size)
			return NULL;
		*cacheable = READ_ONCE(m->mod->state) == MODULE_STATE_LIVE;
		return st_orc_bsearch(m->mod->arch.orc_unwind_ip, m->mod->arch.orc_unwind,
				      m->mod->arch.num_orcs, key);
	}
	return NULL;
}
NOKPROBE_SYMBOL(st_orc_table_find);

static notrace const struct orc_entry *st_orc_find(struct st_orc_cpu *c, unsigned long key,
						   unsigned long text)
{
	struct st_orc_slot *s = &c->slot[hash_long(key, ST_ORC_CACHE_BITS)];
	struct orc_entry *orc;
	bool cacheable = false;

	if (s->key == key)
		return &s->orc;
	orc = st_orc_table_find(key, text, &cacheable);
	if (orc && cacheable) {
		s->key = key;
		s->orc = *orc;
	}
	return orc;
}
NOKPROBE_SYMBOL(st_orc_find);

/* Only what is on this task's stack, below its top. */
static __always_inline bool st_orc_read(unsigned long *val, unsigned long addr,
					unsigned long lo, unsigned long hi)
{
	if (addr < lo || addr > hi - sizeof(long))
		return false;
	return st_read_ulong_nofault(val, (void *)addr);
}

/*
 * The real return address a pending kretprobe hid in the slot at @slot,
 * or 0: on rethook the instances are not walked here (wrapper/kretprobe.h)
 * and the kernel's unwinder recovers them instead.  Two kretprobes on one
 * function leave two instances for one slot; the later one saved the
 * trampoline the earlier put there, and is passed over.
 */
static notrace unsigned long st_orc_kretprobe_ret(unsigned long slot)
{
	struct st_kretprobe_iter it;
	unsigned long ret, fp;

	st_kretprobe_first(&it);
	while (st_kretprobe_next(&it, &ret, &fp))
		if (fp == slot && ret != st_orc.rethook_tramp)
			return ret;
	return 0;
}
NOKPROBE_SYMBOL(st_orc_kretprobe_ret);

/*
 * For the kernel's unwinder: @addr, read from @slot, or the real return
 * address behind it if it is a kretprobe's trampoline that the kernel
 * left there (5.10; later kernels recover it themselves), or if @addr is
 * 0 where the slot holds one (no instance yet: stacktap_hooking.c, for
 * the frame at @callee).
 */
notrace unsigned long st_orc_kretprobe_real(unsigned long addr, unsigned long slot,
				    unsigned long callee)
{
	unsigned long tramp, ret;

	if (!addr) {
		/* Later kernels: 0 where they found no instance. */
		if (!st_read_ulong_nofault(&tramp, (void *)slot) || !tramp ||
		    tramp != st_orc.rethook_tramp)
			return 0;
	} else if (addr != st_orc.rethook_tramp) {
		return addr;
	}
	/* The frame returning through it is at its function's ftrace site. */
	ret = st_orc_kretprobe_ret(slot) ?: st_hook_find(slot, callee, ST_ORC_HOOK_ENTRY, NULL);
	/* (A note taken over another kretprobe's hook holds its trampoline.) */
	return ret && ret != st_orc.rethook_tramp ? ret : addr;
}
NOKPROBE_SYMBOL(st_orc_kretprobe_real);

/*
 * Walk from @regs while every frame is one this walker follows; returns
 * the frames, or 0, with @entries zeroed again, when the kernel's unwinder
 * must do it instead.
 */
static notrace unsigned int st_orc_walk(struct st_orc_cpu *c, struct pt_regs *regs,
					unsigned long *entries, unsigned int max)
{
	unsigned long lo = (unsigned long)task_stack_page(current);
	unsigned long hi = lo + THREAD_SIZE;
	unsigned long ip = regs->ip, sp = regs->sp, bp = regs->bp, cfa, cs;
	const struct orc_entry *orc;
	unsigned int nr = 0;

	if (sp < lo || sp >= hi)
		return 0;
	/* Trap registers: the frame's own address, not a return address. */
	orc = st_orc_find(c, ip, ip);
	entries[nr++] = ip;
	while (nr < max) {
		if (!orc)
			goto err_clear_entries;
		if (st_orc_is_end(orc))
			break;			/* a kernel thread's first frame */
		if (orc->sp_reg == ORC_REG_SP)
			cfa = sp + orc->sp_offset;
		else if (orc->sp_reg == ORC_REG_BP)
			cfa = bp + orc->sp_offset;
		else
			goto err_clear_entries;	/* ORC_REG_UNDEFINED among them */
		if (orc->type == ST_ORC_TYPE_REGS) {
			/* Entry code's pt_regs: the end if they are user mode. */
			if (!st_orc_read(&cs, cfa + offsetof(struct pt_regs, cs), lo, hi) ||
			    !(cs & 3))
				goto err_clear_entries;
			break;
		}
		if (orc->type != ST_ORC_TYPE_CALL || cfa <= sp ||
		    !st_orc_read(&ip, cfa - sizeof(long), lo, hi))
			goto err_clear_entries;
		if (ip == st_orc.rethook_tramp)
			ip = st_orc_kretprobe_ret(cfa - sizeof(long));
		if (!ip || ip == st_orc.graph_tramp)
			goto err_clear_entries;
		if (orc->bp_reg == ORC_REG_PREV_SP) {
			if (!st_orc_read(&bp, cfa + orc->bp_offset, lo, hi))
				goto err_clear_entries;
		} else if (orc->bp_reg == ORC_REG_BP) {
			if (!st_orc_read(&bp, bp + orc->bp_offset, lo, hi))
				goto err_clear_entries;
		} else if (orc->bp_reg != ORC_REG_UNDEFINED) {
			goto err_clear_entries;
		}
		sp = cfa;
		/* A return address: the call is the byte before it. */
		orc = st_orc_find(c, ip - 1, ip);
		if (!orc)
			goto err_clear_entries;	/* not text the tables know */
		entries[nr++] = ip;
	}
	return nr;

err_clear_entries:
	/* As found: @entries may be ring space that must read as zero. */
	memset(entries, 0, nr * sizeof(*entries));
	return 0;
}
NOKPROBE_SYMBOL(st_orc_walk);

notrace unsigned int st_orc_unwind_regs(struct pt_regs *regs, unsigned long *entries,
					unsigned int max)
{
	struct st_orc_cpu *c;
	unsigned long flags;
	unsigned int nr, gen;

	/* NMIs may interrupt a walk: they leave the cache alone. */
	if (!st_orc_cpu || st_context() == 3 || !max)
		return 0;
	raw_local_irq_save(flags);
	c = this_cpu_ptr(st_orc_cpu);
	gen = atomic_read_acquire(&st_orc_gen);
	if (unlikely(c->gen != gen)) {
		memset(c->slot, 0, sizeof(c->slot));
		c->gen = gen;
	}
	nr = st_orc_walk(c, regs, entries, max);
	raw_local_irq_restore(flags);
	return nr;
}
NOKPROBE_SYMBOL(st_orc_unwind_regs);

/*
 * The kernel's module list is a ring through every module's list entry
 * and one head in the kernel image: any entry outside the module area is
 * that head.
 */
static bool st_orc_is_module(const struct list_head *n)
{
	return (unsigned long)n >= MODULES_VADDR && (unsigned long)n < MODULES_END;
}

/* Rebuild the module table from the list, reached through our own entry. */
static int st_orc_mods_update(void)
{
	struct list_head *self = &THIS_MODULE->list, *n;
	struct st_orc_mods *new, *old;
	unsigned int cap = 0;
	struct module *mod;

	mutex_lock(&st_orc_mods_mutex);
	rcu_read_lock_sched();
	for (n = rcu_dereference_sched(list_next_rcu(self)); n != self;
	     n = rcu_dereference_sched(list_next_rcu(n)))
		cap++;
	rcu_read_unlock_sched();
	/* Room for modules that come meanwhile: their notifier rebuilds. */
	cap += 8;
	new = kzalloc(struct_size(new, m, cap), GFP_KERNEL);
	if (!new) {
		mutex_unlock(&st_orc_mods_mutex);
		return -ENOMEM;
	}
	rcu_read_lock_sched();
	n = self;
	do {
		if (!st_orc_is_module(n))
			continue;
		mod = list_entry(n, struct module, list);
		if (mod->state == MODULE_STATE_UNFORMED || mod->state == MODULE_STATE_GOING ||
		    !mod->arch.orc_unwind || !mod->arch.orc_unwind_ip || new->nr == cap)
			continue;
		st_module_core_text(mod, &new->m[new->nr].base, &new->m[new->nr].size);
		new->m[new->nr++].mod = mod;
	} while ((n = rcu_dereference_sched(list_next_rcu(n))) != self);
	rcu_read_unlock_sched();
	old = rcu_dereference_protected(st_orc_mods, lockdep_is_held(&st_orc_mods_mutex));
	rcu_assign_pointer(st_orc_mods, new);
	mutex_unlock(&st_orc_mods_mutex);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

/*
 * A going module's entry covers nothing from now on.  In place, so it
 * cannot fail: the table must never point at a freed module, and the
 * rebuild after it needs memory.  Walkers still inside its tables run
 * with interrupts off, and the module's memory is freed only after an
 * RCU grace period.
 */
static void st_orc_mods_forget(const struct module *mod)
{
	struct st_orc_mods *mods;
	unsigned int i;

	mutex_lock(&st_orc_mods_mutex);
	mods = rcu_dereference_protected(st_orc_mods, lockdep_is_held(&st_orc_mods_mutex));
	for (i = 0; mods && i < mods->nr; i++)
		if (mods->m[i].mod == mod)
			WRITE_ONCE(mods->m[i].size, 0);
	mutex_unlock(&st_orc_mods_mutex);
}

/*
 * A module coming joins the table (if the rebuild fails, the kernel's
 * unwinder walks its code).  One going leaves it, and may take code
 * whose entries are cached: every CPU empties its cache before its next
 * walk.
 */
static int st_orc_module_event(struct notifier_block *nb, unsigned long state, void *data)
{
	if (state == MODULE_STATE_GOING) {
		atomic_inc(&st_orc_gen);
		st_orc_mods_forget(data);
	}
	if (state == MODULE_STATE_COMING || state == MODULE_STATE_GOING)
		st_orc_mods_update();
	return NOTIFY_DONE;
}

static struct notifier_block st_orc_module_nb = {
	.notifier_call = st_orc_module_event,
};

/*
 * Find the kernel's tables; without all of them the fast walker stays off
 * and the kernel's unwinder does every walk.
 */
int st_orc_init(void)
{
	unsigned long ip_end, lookup_end;
	int ret;

	st_orc.ip = (int *)st_kernel_symbol("__start_orc_unwind_ip");
	ip_end = st_kernel_symbol("__stop_orc_unwind_ip");
	st_orc.orc = (struct orc_entry *)st_kernel_symbol("__start_orc_unwind");
	st_orc.lookup = (unsigned int *)st_kernel_symbol("orc_lookup");
	lookup_end = st_kernel_symbol("orc_lookup_end");
	st_orc.stext = st_kernel_symbol("_stext");
	st_orc.etext = st_kernel_symbol("_etext");
	st_orc.graph_tramp = st_kernel_symbol("return_to_handler");
	st_orc.rethook_tramp = st_kernel_symbol("arch_rethook_trampoline") ?:
			       st_kernel_symbol("__kretprobe_trampoline") ?:
			       st_kernel_symbol("kretprobe_trampoline");
	if (!st_orc.ip || ip_end <= (unsigned long)st_orc.ip || !st_orc.orc ||
	    !st_orc.lookup || lookup_end <= (unsigned long)st_orc.lookup ||
	    !st_orc.stext || st_orc.etext <= st_orc.stext || !st_orc.rethook_tramp) {
		pr_info("ORC tables not found: the kernel's unwinder does every walk\n");
		return 0;
	}
	st_orc.nr = (ip_end - (unsigned long)st_orc.ip) / sizeof(int);
	st_orc.blocks = (lookup_end - (unsigned long)st_orc.lookup) / sizeof(unsigned int);

	/* Built in, there is no list entry of our own: core text only. */
	if (IS_ENABLED(MODULE)) {
		ret = register_module_notifier(&st_orc_module_nb);
		if (ret)
			return ret;
		ret = st_orc_mods_update();
		if (ret)
			goto err_unregister_notifier;
	}
	st_orc_cpu = alloc_percpu(struct st_orc_cpu);
	if (!st_orc_cpu) {
		ret = -ENOMEM;
		goto err_free_mods;
	}
	return 0;

err_free_mods:
	kfree(rcu_dereference_protected(st_orc_mods, true));
	RCU_INIT_POINTER(st_orc_mods, NULL);
err_unregister_notifier:
	if (IS_ENABLED(MODULE))
		unregister_module_notifier(&st_orc_module_nb);
	return ret;
}

/* After every hit has left the walker (the probes are gone by then). */
void st_orc_exit(void)
{
	if (!st_orc_cpu)
		return;
	free_percpu(st_orc_cpu);
	st_orc_cpu = NULL;
	if (IS_ENABLED(MODULE))
		unregister_module_notifier(&st_orc_module_nb);
	synchronize_rcu();
	kfree(rcu_dereference_protected(st_orc_mods, true));
	RCU_INIT_POINTER(st_orc_mods, NULL);
}
