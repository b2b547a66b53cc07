// SPDX-License-Identifier: GPL-2.0
/*
 * MIPS: step over a probed instruction by emulating it, for the few forms
 * a function's first instruction takes, so no single-step break follows.
 * That break is where kprobes trip over kprobe_flush_task() clearing
 * current_kprobe (see ST_KPROBE_HOLD_SOFTIRQ); without it the probe no
 * longer depends on current_kprobe after its pre-handler, and costs one
 * exception instead of two.  Where the break must come, finish a step
 * kprobes disowned that way (st_kprobe_die()).
 */
#include <linux/atomic.h>
#include <linux/hashtable.h>
#include <linux/kdebug.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "stacktap.h"
#include "stacktap_mips_insn.h"
#include "wrapper/die_notifier.h"

/*
 * MIPS's break handler reads the break instruction with
 * get_kernel_nofault() before kprobes see the trap (do_bp(),
 * arch/mips/kernel/access-helper.h).  A kprobe on what that read calls
 * traps again inside the read, forever: the kernel's own kprobe_events
 * hangs the machine the same way.
 */
const char *st_kprobe_arch_refuses(const char *symbol, unsigned long offset)
{
	static const char *const in_do_bp[] = {
		"copy_from_kernel_nofault", "copy_from_kernel_nofault_allowed",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(in_do_bp); i++)
		if (!strcmp(symbol, in_do_bp[i]))
			return "the arch's break handler calls it before kprobes run: a kprobe there traps forever (f: can probe it)";
	return NULL;
}

/*
 * The instruction each of stacktap's kprobes replaced with a break, by
 * address, for the walker: a probe in a prologue hides the "addiu sp" or
 * "sw ra" that tells how the frame is laid out.  Noted while the probe is
 * registered disabled, before its break goes in, and forgotten once the
 * break is out; the walker reads it with interrupts off (RCU).
 */
struct st_kprobe_insn {
	struct hlist_node node;
	struct rcu_head rcu;
	const struct kprobe *kp;
	unsigned long addr;
	u32 insn;
};
static DEFINE_HASHTABLE(st_kprobe_insns, 6);
static DEFINE_MUTEX(st_kprobe_insns_mutex);

int st_kprobe_note_insn(const struct kprobe *kp)
{
	struct st_kprobe_insn *i = kmalloc(sizeof(*i), GFP_KERNEL);

	if (!i)
		return -ENOMEM;
	i->kp = kp;
	i->addr = (unsigned long)kp->addr;
	i->insn = kp->opcode.word;
	mutex_lock(&st_kprobe_insns_mutex);
	hash_add_rcu(st_kprobe_insns, &i->node, i->addr);
	mutex_unlock(&st_kprobe_insns_mutex);
	/* A walk may have cached a break here (another tracer's probe). */
	st_unwind_code_changed();
	return 0;
}

void st_kprobe_forget_insn(const struct kprobe *kp)
{
	struct st_kprobe_insn *i;
	struct hlist_node *tmp;

	mutex_lock(&st_kprobe_insns_mutex);
	hash_for_each_possible_safe(st_kprobe_insns, i, tmp, node, (unsigned long)kp->addr) {
		if (i->kp == kp) {
			hash_del_rcu(&i->node);
			kfree_rcu(i, rcu);
			break;
		}
	}
	mutex_unlock(&st_kprobe_insns_mutex);
}

/* Walker, interrupts off: what a break of ours at @addr replaced. */
notrace bool st_kprobe_orig_insn(unsigned long addr, u32 *insn)
{
	struct st_kprobe_insn *i;

	hash_for_each_possible_rcu_notrace(st_kprobe_insns, i, node, addr) {
		/* Gone: kprobes dropped it with the init text it sat in. */
		if (i->addr == addr && !(READ_ONCE(i->kp->flags) & KPROBE_FLAG_GONE)) {
			*insn = READ_ONCE(i->insn);
			return true;
		}
	}
	return false;
}
NOKPROBE_SYMBOL(st_kprobe_orig_insn);

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

/*
 * A single-step a probe of ours has left pending, per CPU and context (a
 * hit in an interrupt completes inside the one it interrupts).
 */
struct st_kprobe_step {
	unsigned long brk;	/* the break after the slot's copy, 0 if none */
	unsigned long resume;	/* where the probed instruction's successor is */
	unsigned long ie;	/* Status.IE, which the step clears */
	struct task_struct *task;	/* whose hit noted it */
};
static DEFINE_PER_CPU(struct st_kprobe_step, st_kprobe_steps[ST_MAX_NEST]);
static atomic_long_t st_kprobe_recovered;
static atomic_long_t st_kprobe_faulted;

/*
 * Called by a pre-handler that leaves @kp's instruction to kprobes'
 * single-step: note how kprobes would finish it (resume_execution()).
 * Not for a branch: kprobes step its delay slot and resume at a target
 * only they know, so that step keeps the kernel's own exposure.  An
 * aggregate probe's members share its slot.
 */
notrace void st_kprobe_expect_step(struct kprobe *kp, struct pt_regs *regs)
{
	struct st_kprobe_step *s = this_cpu_ptr(&st_kprobe_steps[st_context()]);

	if (st_may_branch(kp->opcode.word)) {
		s->brk = 0;
		return;
	}
	s->resume = (unsigned long)kp->addr + sizeof(kprobe_opcode_t);
	s->ie = regs->cp0_status & ST0_IE;
	s->task = current;
	s->brk = (unsigned long)(kp->ainsn.insn + 1);
}
NOKPROBE_SYMBOL(st_kprobe_expect_step);

/* The post-handler ran: kprobes finished the step themselves. */
notrace void st_kprobe_step_done(void)
{
	this_cpu_write(st_kprobe_steps[st_context()].brk, 0);
}
NOKPROBE_SYMBOL(st_kprobe_step_done);

/* Where @kp's single-step runs; unregistering it clears the pointer. */
unsigned long st_kprobe_step_slot(struct kprobe *kp)
{
	return (unsigned long)kp->ainsn.insn;
}

/* The kprobe that stepped at @slot is gone: the slot may serve another. */
void st_kprobe_forget_steps(unsigned long slot)
{
	unsigned long brk = slot + sizeof(kprobe_opcode_t);
	unsigned int i;
	int cpu;

	for_each_possible_cpu(cpu)
		for (i = 0; i < ST_MAX_NEST; i++)
			cmpxchg(&per_cpu(st_kprobe_steps[i], cpu).brk, brk, 0);
}

unsigned long st_kprobe_steps_recovered(void)
{
	return atomic_long_read(&st_kprobe_recovered);
}

unsigned long st_kprobe_steps_faulted(void)
{
	return atomic_long_read(&st_kprobe_faulted);
}

/*
 * A page fault in a step of ours.  kprobes' own notifier, which runs
 * first, has given the step up and calls no post-handler; it resumes past
 * the probed instruction (kprobe_fault_handler()), so the instruction
 * would never run and its exception fixup would not be found at that pc.
 * Point the fault back at the probed instruction, as x86's kprobes do: a
 * fault the kernel serves runs it again (and hits the probe again), one
 * it cannot takes the instruction's fixup.  And let softirqs go: held,
 * they would make do_page_fault() take the fault for an atomic one.
 */
static notrace int st_kprobe_fault(struct pt_regs *regs)
{
	struct st_kprobe_step *s;

	/* A step of ours runs with interrupts off: never preemptible. */
	if (preemptible())
		return NOTIFY_DONE;
	s = this_cpu_ptr(&st_kprobe_steps[st_context()]);
	if (!s->brk || s->task != current || regs->cp0_epc != s->resume)
		return NOTIFY_DONE;
	regs->cp0_epc = s->resume - sizeof(kprobe_opcode_t);
	st_kprobe_post(NULL, regs, 0);
	atomic_long_inc(&st_kprobe_faulted);
	return NOTIFY_DONE;
}
NOKPROBE_SYMBOL(st_kprobe_fault);

/*
 * A single-step break kprobes did not claim: current_kprobe was cleared
 * while the step was pending (kprobe_flush_task() in an RCU callback, see
 * ST_KPROBE_HOLD_SOFTIRQ).  If it is the break of the step noted on this
 * CPU, finish the step as kprobes would have: resume after the probed
 * instruction, give back Status.IE and the preemption kprobe_handler()
 * disabled, and let softirqs go.  Otherwise do_bp() oopses as before.
 */
static notrace int st_kprobe_die(struct notifier_block *nb, unsigned long val,
				 void *data)
{
	struct die_args *args = data;
	struct pt_regs *regs = args->regs;
	struct st_kprobe_step *s;

	if (val == DIE_PAGE_FAULT && !user_mode(regs))
		return st_kprobe_fault(regs);
	if (val != DIE_SSTEPBP || user_mode(regs))
		return NOTIFY_DONE;
	s = this_cpu_ptr(&st_kprobe_steps[st_context()]);
	if (!s->brk || regs->cp0_epc != s->brk || s->task != current)
		return NOTIFY_DONE;
	s->brk = 0;
	regs->cp0_epc = s->resume;
	regs->cp0_status |= s->ie;
	st_kprobe_post(NULL, regs, 0);
	atomic_long_inc(&st_kprobe_recovered);
	/*
	 * preempt_enable_no_resched(), which modules may not call; without
	 * PREEMPT_COUNT kprobe_handler()'s preempt_disable() counted nothing.
	 */
	barrier();
	if (IS_ENABLED(CONFIG_PREEMPT_COUNT))
		preempt_count_dec();
	return NOTIFY_STOP;
}
NOKPROBE_SYMBOL(st_kprobe_die);

/* After kprobes' own notifier, which claims every step it still knows. */
static struct notifier_block st_kprobe_die_nb = {
	.notifier_call = st_kprobe_die,
	.priority = INT_MAX - 1,
};

int st_kprobe_arch_init(void)
{
	/* Run at every die event: a page fault's stack may show it. */
	st_tracer_add((unsigned long)st_kprobe_die);
	return st_register_die_notifier(&st_kprobe_die_nb);
}

void st_kprobe_arch_exit(void)
{
	unregister_die_notifier(&st_kprobe_die_nb);
}
