// SPDX-License-Identifier: GPL-2.0
/*
 * r: probes, on kretprobes.  The stack is captured at entry, from the
 * entry kprobe's trap registers, into the instance's data; the return
 * handler writes it with the return value and the latency.  So an r:
 * record reads like a p: record, never through the return trampoline.
 */
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "stacktap.h"

struct st_kretprobe_data {
	u64 entry_ns;
	unsigned int nr;
	/* st_capture_max(p) frames, then p->args_max bytes of arguments */
	unsigned long frames[];
};

static __always_inline u8 *st_kretprobe_args(struct st_probe *p, struct st_kretprobe_data *d)
{
	return (u8 *)&d->frames[st_capture_max(p)];
}

static notrace int st_kretprobe_entry(struct kretprobe_instance *ri,
				      struct pt_regs *regs)
{
	struct st_kretprobe_data *d = (struct st_kretprobe_data *)ri->data;
	struct st_probe *p = container_of(get_kretprobe(ri), struct st_probe, rp);

	/*
	 * Filtered, or a hit from inside stacktap's own hit path: non-zero, so
	 * no return handler for this call and the instance is freed.
	 */
	d->nr = st_capture_entry(p, regs, (unsigned long)p->rp.kp.addr, d->frames,
				 st_kretprobe_args(p, d), st_kprobe_trapped(&p->rp.kp));
	if (!d->nr)
		return 1;
	d->entry_ns = ktime_get_mono_fast_ns();
	/* The kretprobe hooks the return next (stacktap_hooking.c). */
	st_hook_note_regs(&p->rp.kp, regs, ri);
	return 0;
}
NOKPROBE_SYMBOL(st_kretprobe_entry);

static notrace int st_kretprobe_return(struct kretprobe_instance *ri,
				       struct pt_regs *regs)
{
	struct st_kretprobe_data *d = (struct st_kretprobe_data *)ri->data;
	struct st_probe *p = container_of(get_kretprobe(ri), struct st_probe, rp);
	struct st_ret ret = {
		.value = regs_return_value(regs),
		.lat_ns = ktime_get_mono_fast_ns() - d->entry_ns,
	};

	st_hook_forget();
	st_capture_return(p, d->frames, d->nr, st_kretprobe_args(p, d), &ret);
	return 0;
}
NOKPROBE_SYMBOL(st_kretprobe_return);

/*
 * MIPS: the kretprobe's own entry pre-handler runs first, before ours and
 * with interrupts on; wrap it so softirqs are held from the very start
 * (see ST_KPROBE_HOLD_SOFTIRQ) and the single-step is skipped where the
 * entry instruction can be emulated.
 */
static notrace int st_kretprobe_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct st_probe *p = container_of(kp, struct st_probe, rp.kp);

	st_kprobe_hold_softirq();
	if (p->kret_pre(kp, regs)) {
		st_kprobe_post(kp, regs, 0);
		return 1;
	}
	return st_kprobe_step_over(kp, regs);
}
NOKPROBE_SYMBOL(st_kretprobe_pre);

/*
 * A kernel without KPROBES_ON_FTRACE takes no kretprobe on an entry that
 * is an ftrace call site.  On MIPS ftrace takes the return there, as the
 * graph tracer does (stacktap_fret_mips.c); 'probes' says via=ftrace.
 */
static int st_kretprobe_arm_ftrace(struct st_probe *p, const char **why)
{
	int ret;

	if (!ST_HAVE_FRET) {
		*why = "its entry is an ftrace call site, where a kernel without KPROBES_ON_FTRACE takes no kretprobe; p: or f: on it records its entry";
		return -EINVAL;
	}
	memset(&p->ops, 0, sizeof(p->ops));	/* register_kretprobe() wrote to rp */
	p->kind = &st_fret_kind;
	ret = p->kind->arm(p, why);
	if (ret) {
		p->kind = &st_kretprobe_kind;
		return ret;
	}
	p->via_ftrace = true;
	return 0;
}

static int st_kretprobe_arm(struct st_probe *p, const char **why)
{
	int ret;

	ret = st_kprobe_check_arch(p, why);
	if (ret)
		return ret;
	/* gcc's split-off cold code is jumped to, never called. */
	if (strstr(p->spec.symbol, ".cold")) {
		*why = "a .cold fragment is jumped to, not called: it has no return to take (r: its function instead)";
		return -EINVAL;
	}
	p->rp.kp.symbol_name = p->spec.symbol;
	p->rp.entry_handler = st_kretprobe_entry;
	p->rp.handler = st_kretprobe_return;
	p->rp.maxactive = p->spec.maxactive;
	p->rp.data_size = sizeof(struct st_kretprobe_data) +
			  st_capture_max(p) * sizeof(unsigned long) + p->args_max;
	/* ustack=fp doubles the frames each pending call keeps. */
	if (p->rp.data_size > KRETPROBE_MAX_DATA_SIZE) {
		*why = "r: keeps its entry stack for each pending call, 4 KiB at most: lower depth= (ustack=fp keeps twice as many frames)";
		return -ERANGE;
	}
	/*
	 * register_kretprobe() sets the entry kprobe's handlers; where
	 * softirqs must be held across it, register disarmed, install ours
	 * around them, then arm.
	 */
	if (ST_KPROBE_HOLD_SOFTIRQ)
		p->rp.kp.flags |= KPROBE_FLAG_DISABLED;
	ret = register_kretprobe(&p->rp);
	if (ret == -EINVAL && st_kprobe_entry_is_ftrace_site(p->spec.symbol))
		return st_kretprobe_arm_ftrace(p, why);
	if (ret) {
		*why = st_kprobe_error(ret);
		return ret;
	}
	if (ST_KPROBE_HOLD_SOFTIRQ) {
		p->kret_pre = p->rp.kp.pre_handler;
		p->rp.kp.pre_handler = st_kretprobe_pre;
		p->rp.kp.post_handler = st_kprobe_post;
		/* Before the break goes in: the walker reads through it. */
		ret = st_kprobe_note_insn(&p->rp.kp);
		if (ret) {
			*why = "out of memory";
			goto err_unregister;
		}
		ret = enable_kretprobe(&p->rp);
		if (ret) {
			*why = "kretprobe could not be enabled";
			goto err_forget_insn;
		}
	}
	return 0;

err_forget_insn:
	unregister_kretprobe(&p->rp);
	st_kprobe_forget_insn(&p->rp.kp);
	return ret;
err_unregister:
	unregister_kretprobe(&p->rp);
	return ret;
}

static void st_kretprobe_disarm(struct st_probe *p)
{
	unsigned long slot = st_kprobe_step_slot(&p->rp.kp);

	unregister_kretprobe(&p->rp);
	st_kprobe_forget_insn(&p->rp.kp);
	st_kprobe_forget_steps(slot);
}

static unsigned long st_kretprobe_nmissed(struct st_probe *p)
{
	return p->rp.nmissed + p->rp.kp.nmissed;
}

const struct st_probe_kind st_kretprobe_kind = {
	.arm = st_kretprobe_arm,
	.disarm = st_kretprobe_disarm,
	.nmissed = st_kretprobe_nmissed,
};
