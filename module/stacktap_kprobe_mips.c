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
#include <linux/kdebug.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/notifier.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "stacktap.h"
#include "stacktap_mips_insn.h"

/*
 * MIPS's break handler reads the break instruction with
 * get_kernel_nofault() before kprobes see the trap (do_bp(),
 * arch/mips/kernel/access-helper.h).  A kprobe on what that read calls
 * traps again inside the read, forever: the kernel's own kprobe_events
 * hangs the machine the same way.
 */
bool st_kprobe_arch_refuses(const char *symbol)
{
	static const char *const in_do_bp[] = {
		"copy_from_kernel_nofault", "copy_from_kernel_nofault_allowed",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(in_do_bp); i++)
		if (!strcmp(symbol, in_do_bp[i]))
			return true;
	return false;
}

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
	return register_die_notifier(&st_kprobe_die_nb);
}

void st_kprobe_arch_exit(void)
{
	unregister_die_notifier(&st_kprobe_die_nb);
}
