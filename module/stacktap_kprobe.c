// SPDX-License-Identifier: GPL-2.0
/*
 * p: probes, on kprobes.  The stack is unwound from the trap registers the
 * pre-handler receives, so no int3, brk or break frame is ever in it.
 */
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/preempt.h>
#include <linux/string.h>

#include "stacktap.h"

/* Set on this CPU while a pre-handler holds softirqs off for its post-handler. */
static DEFINE_PER_CPU(bool, st_softirq_held);

/* See ST_KPROBE_HOLD_SOFTIRQ; pair with st_kprobe_post() as post_handler. */
notrace void st_kprobe_hold_softirq(void)
{
	if (ST_KPROBE_HOLD_SOFTIRQ && !in_interrupt()) {
		preempt_count_add(SOFTIRQ_DISABLE_OFFSET);
		__this_cpu_write(st_softirq_held, true);
	}
}
NOKPROBE_SYMBOL(st_kprobe_hold_softirq);

/* Pending softirqs run at the next interrupt exit, not in here. */
notrace void st_kprobe_post(struct kprobe *kp, struct pt_regs *regs,
			    unsigned long flags)
{
	st_kprobe_step_done();
	if (__this_cpu_read(st_softirq_held)) {
		__this_cpu_write(st_softirq_held, false);
		preempt_count_sub(SOFTIRQ_DISABLE_OFFSET);
	}
}
NOKPROBE_SYMBOL(st_kprobe_post);

/*
 * After a pre-handler's work: emulate kp's instruction and skip the
 * single-step (return 1), or keep softirqs held until the post-handler
 * (return 0).  Not when kp shares its address (kprobes then chains it on
 * an aggregate probe's list): a non-zero return would skip the others'
 * handlers, and the aggregate calls its members' post-handlers only if
 * one had a post-handler when it joined (a kretprobe joins without), so
 * softirqs go now.  Call with softirqs held (st_kprobe_hold_softirq()).
 */
notrace int st_kprobe_step_over(struct kprobe *kp, struct pt_regs *regs)
{
	bool shared = !list_empty(&kp->list);

	if (!shared && st_kprobe_emulate(kp, regs)) {
		st_kprobe_post(kp, regs, 0);	/* no single-step: release now */
		return 1;
	}
	if (shared)
		st_kprobe_post(kp, regs, 0);
	st_kprobe_expect_step(kp, regs);
	return 0;
}
NOKPROBE_SYMBOL(st_kprobe_step_over);

static notrace int st_kprobe_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct st_probe *p = container_of(kp, struct st_probe, kp);

	st_kprobe_hold_softirq();
	st_capture_regs(p, regs, (unsigned long)kp->addr, !p->spec.offset,
			st_kprobe_trapped(kp));
	return st_kprobe_step_over(kp, regs);
}
NOKPROBE_SYMBOL(st_kprobe_pre);

/*
 * Where the arch forbids a kprobe kprobes would take (MIPS: what its break
 * handler calls first; x86_64: where the kprobe optimizer would oops).
 */
int st_kprobe_check_arch(const struct st_probe *p, const char **why)
{
	const char *refused = st_kprobe_arch_refuses(p->spec.symbol, p->spec.offset);

	if (!refused)
		return 0;
	*why = refused;
	return -EINVAL;
}

/* Why register_kprobe() and friends refused, for the user. */
const char *st_kprobe_error(int err)
{
	switch (err) {
	case -ENOENT:
		return "symbol not found";
	case -EINVAL:
		return "address cannot be kprobed (blacklisted, notrace, an ftrace site without KPROBES_ON_FTRACE, or not kernel text)";
	case -EILSEQ:
		return "offset is not on an instruction boundary";
	case -ENOMEM:
		return "out of memory";
	default:
		return "kprobe registration failed";
	}
}

/*
 * Whether kallsyms knows @symbol, traceable or not.  kallsyms_lookup_name()
 * is not exported; kprobes resolves names for us.  The probe stays
 * disabled and is gone before we return.
 */
bool st_kprobe_symbol_exists(const char *symbol)
{
	struct kprobe kp = {
		.symbol_name = symbol,
		.flags = KPROBE_FLAG_DISABLED,
	};
	int ret = register_kprobe(&kp);

	if (!ret)
		unregister_kprobe(&kp);
	return ret != -ENOENT;
}

/*
 * Why kprobes refused @symbol's entry with EINVAL, where the arch lacks
 * KPROBES_ON_FTRACE: an ftrace call site there (a MIPS module's frameless
 * leaf starts with its mcount sequence) leaves the instructions after it
 * kprobe-able; the kprobe blacklist (NOKPROBE_SYMBOL), notrace sections
 * or no text at all refuse every one.  Two tries: a disabled MIPS site
 * is a branch, and kprobes refuse its delay slot.
 */
bool st_kprobe_entry_is_ftrace_site(const char *symbol)
{
	struct kprobe kp;
	unsigned int i;

	if (IS_ENABLED(CONFIG_KPROBES_ON_FTRACE))
		return false;
	for (i = 1; i <= 2; i++) {
		memset(&kp, 0, sizeof(kp));
		kp.symbol_name = symbol;
		kp.offset = i * ST_INSN_ALIGN;
		kp.flags = KPROBE_FLAG_DISABLED;
		if (!register_kprobe(&kp)) {
			unregister_kprobe(&kp);
			return true;
		}
	}
	return false;
}

/*
 * Without KPROBES_ON_FTRACE kprobes refuse a function entry that is an
 * ftrace call site.  ftrace sees the same moment there: serve the p:
 * probe from an ftrace_ops, and say so in 'probes'.  Not for a function
 * kprobes refuse for another reason (the blacklist): ftrace would put a
 * probe where the user was told there can be none.
 */
static int st_kprobe_arm_ftrace(struct st_probe *p, const char **why)
{
	unsigned int i;
	int ret;

	if (!st_kprobe_entry_is_ftrace_site(p->spec.symbol)) {
		*why = st_kprobe_error(-EINVAL);
		return -EINVAL;
	}
	/* ftrace saves the argument registers, not always the rest (MIPS). */
	for (i = 0; i < p->spec.nargs; i++) {
		if (p->spec.args[i].base == ST_ARG_REG) {
			*why = "its entry is an ftrace call site, served by ftrace, which does not save every register: fetch argN, not %REG";
			return -EINVAL;
		}
	}
	memset(&p->ops, 0, sizeof(p->ops));	/* register_kprobe() wrote to kp */
	p->kind = &st_fprobe_kind;
	ret = p->kind->arm(p, why);
	if (!ret) {
		p->via_ftrace = true;
		return 0;
	}
	p->kind = &st_kprobe_kind;
	if (ret == -ENOTUNIQ)
		return ret;	/* *why says which name */
	*why = st_kprobe_error(-EINVAL);
	return -EINVAL;
}

/*
 * kprobes splits SYMBOL+OFFSET again by kallsyms, so an offset past the
 * end lands in whatever function follows.  It is where the user asked
 * only if the symbol holding kp->addr has it at the same offset.
 */
static bool st_kprobe_offset_within(const struct st_probe *p)
{
	char sym[KSYM_SYMBOL_LEN], *plus, *slash;
	unsigned long off;

	if (!p->spec.offset)
		return true;
	sprint_symbol(sym, (unsigned long)p->kp.addr);
	plus = strchr(sym, '+');
	slash = plus ? strchr(plus, '/') : NULL;
	if (!slash)
		return false;
	*slash = '\0';
	return !kstrtoul(plus + 1, 16, &off) && off == p->spec.offset;
}

static int st_kprobe_arm(struct st_probe *p, const char **why)
{
	int ret;

	ret = st_kprobe_check_arch(p, why);
	if (ret)
		return ret;
	/* kprobes checks alignment on arm64 only; MIPS would patch mid-word. */
	if (!IS_ALIGNED(p->spec.offset, ST_INSN_ALIGN)) {
		*why = st_kprobe_error(-EILSEQ);
		return -EILSEQ;
	}
	p->kp.symbol_name = p->spec.symbol;
	p->kp.offset = p->spec.offset;
	p->kp.pre_handler = st_kprobe_pre;
	if (ST_KPROBE_HOLD_SOFTIRQ)
		p->kp.post_handler = st_kprobe_post;
	/* Disabled until the address is checked: no hit lands elsewhere. */
	p->kp.flags = KPROBE_FLAG_DISABLED;
	ret = register_kprobe(&p->kp);
	if (ret == -EINVAL && !p->spec.offset && !IS_ENABLED(CONFIG_KPROBES_ON_FTRACE))
		return st_kprobe_arm_ftrace(p, why);
	if (ret) {
		*why = st_kprobe_error(ret);
		return ret;
	}
	if (!st_kprobe_offset_within(p)) {
		*why = "offset is past the end of the function";
		ret = -ERANGE;
		goto err_unregister;
	}
	/* Before the break goes in: the walker reads through it. */
	ret = st_kprobe_note_insn(&p->kp);
	if (ret) {
		*why = "out of memory";
		goto err_unregister;
	}
	ret = enable_kprobe(&p->kp);
	if (ret) {
		*why = "kprobe could not be enabled";
		goto err_forget_insn;
	}
	return 0;

err_forget_insn:
	unregister_kprobe(&p->kp);
	st_kprobe_forget_insn(&p->kp);
	return ret;
err_unregister:
	unregister_kprobe(&p->kp);
	return ret;
}

static void st_kprobe_disarm(struct st_probe *p)
{
	unsigned long slot = st_kprobe_step_slot(&p->kp);

	unregister_kprobe(&p->kp);
	st_kprobe_forget_insn(&p->kp);
	st_kprobe_forget_steps(slot);
}

static unsigned long st_kprobe_nmissed(struct st_probe *p)
{
	return p->kp.nmissed;
}

const struct st_probe_kind st_kprobe_kind = {
	.arm = st_kprobe_arm,
	.disarm = st_kprobe_disarm,
	.nmissed = st_kprobe_nmissed,
};
