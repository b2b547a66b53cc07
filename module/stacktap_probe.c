// SPDX-License-Identifier: GPL-2.0
/*
 * The probe registry: every armed probe, keyed by its canonical spec.  One
 * mutex serialises add and del from every interface (the probes= parameter,
 * debugfs control, later netlink); the hit path never takes it.
 */
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/preempt.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "stacktap.h"

static LIST_HEAD(st_probes);
static DEFINE_MUTEX(st_probes_mutex);

/* Set on this CPU while a pre-handler holds softirqs off for its post-handler. */
static DEFINE_PER_CPU(bool, st_softirq_held);

static notrace int st_kprobe_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct st_probe *p = container_of(kp, struct st_probe, kp);

	if (ST_KPROBE_HOLD_SOFTIRQ && !in_interrupt()) {
		preempt_count_add(SOFTIRQ_DISABLE_OFFSET);
		__this_cpu_write(st_softirq_held, true);
	}
	st_capture(p, regs, (unsigned long)kp->addr, !p->spec.offset);
	return 0;
}
NOKPROBE_SYMBOL(st_kprobe_pre);

/* Pending softirqs run at the next interrupt exit, not in here. */
static notrace void st_kprobe_post(struct kprobe *kp, struct pt_regs *regs,
				   unsigned long flags)
{
	if (__this_cpu_read(st_softirq_held)) {
		__this_cpu_write(st_softirq_held, false);
		preempt_count_sub(SOFTIRQ_DISABLE_OFFSET);
	}
}
NOKPROBE_SYMBOL(st_kprobe_post);

/* Log why @text was refused, once, without echoing raw bytes. */
static void st_probe_refused(const char *op, const char *text, size_t len,
			     const char *why, int err)
{
	pr_warn("%s '%*pE': %s (%d)\n", op, (int)min_t(size_t, len, 64), text,
		why, err);
}

static const char *st_kprobe_error(int err)
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

static struct st_probe *st_probe_find(const struct st_spec *spec)
{
	struct st_probe *p;

	lockdep_assert_held(&st_probes_mutex);
	list_for_each_entry(p, &st_probes, list)
		if (st_spec_equal(&p->spec, spec))
			return p;
	return NULL;
}

static void st_probe_free(struct st_probe *p)
{
	free_percpu(p->stats);
	kfree(p);
}

int st_probe_add(const char *text, size_t len)
{
	struct st_probe *p;
	struct st_spec spec;
	const char *why;
	int ret;

	ret = st_spec_parse(&spec, text, len, &why);
	if (ret)
		goto err_refused;
	if (spec.kind != STACKTAP_KIND_KPROBE) {
		why = "r: and f: probes are not supported yet";
		ret = -EOPNOTSUPP;
		goto err_refused;
	}

	ret = -ENOMEM;
	why = "out of memory";
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		goto err_refused;
	p->stats = alloc_percpu(struct st_probe_stats);
	if (!p->stats)
		goto err_free_probe;
	p->spec = spec;
	p->name_len = st_spec_format(&spec, p->name, sizeof(p->name));
	p->kp.symbol_name = p->spec.symbol;
	p->kp.offset = p->spec.offset;
	p->kp.pre_handler = st_kprobe_pre;
	if (ST_KPROBE_HOLD_SOFTIRQ)
		p->kp.post_handler = st_kprobe_post;

	mutex_lock(&st_probes_mutex);
	if (st_probe_find(&spec)) {
		why = "probe exists";
		ret = -EEXIST;
		goto err_unlock;
	}
	ret = register_kprobe(&p->kp);
	if (ret) {
		why = st_kprobe_error(ret);
		goto err_unlock;
	}
	list_add_tail(&p->list, &st_probes);
	mutex_unlock(&st_probes_mutex);
	pr_info("armed %s at %pS\n", p->name, p->kp.addr);
	return 0;

err_unlock:
	mutex_unlock(&st_probes_mutex);
	free_percpu(p->stats);
err_free_probe:
	kfree(p);
err_refused:
	st_probe_refused("add", text, len, why, ret);
	return ret;
}

int st_probe_del(const char *text, size_t len)
{
	struct st_probe *p;
	struct st_spec spec;
	const char *why;
	int ret;

	ret = st_spec_parse(&spec, text, len, &why);
	if (ret)
		goto err_refused;

	mutex_lock(&st_probes_mutex);
	p = st_probe_find(&spec);
	if (!p) {
		mutex_unlock(&st_probes_mutex);
		why = "no such probe";
		ret = -ENOENT;
		goto err_refused;
	}
	list_del(&p->list);
	/* Waits for running handlers: nothing references p afterwards. */
	unregister_kprobe(&p->kp);
	mutex_unlock(&st_probes_mutex);
	pr_info("disarmed %s\n", p->name);
	st_probe_free(p);
	return 0;

err_refused:
	st_probe_refused("del", text, len, why, ret);
	return ret;
}

/* Arm a comma-separated list of specs; stops at the first refusal. */
int st_probe_add_list(const char *list)
{
	const char *s = list, *end;
	int ret;

	while (s && *s) {
		end = strchrnul(s, ',');
		while (s < end && *s == ' ')
			s++;
		ret = st_probe_add(s, end - s);
		if (ret)
			return ret;
		s = *end ? end + 1 : end;
	}
	return 0;
}

void st_probe_del_all(void)
{
	struct kprobe **kps;
	struct st_probe *p, *tmp;
	unsigned int n = 0, i = 0;

	mutex_lock(&st_probes_mutex);
	list_for_each_entry(p, &st_probes, list)
		n++;
	kps = n ? kcalloc(n, sizeof(*kps), GFP_KERNEL) : NULL;
	if (kps) {
		/* One batch: one RCU grace period instead of one per probe. */
		list_for_each_entry(p, &st_probes, list)
			kps[i++] = &p->kp;
		unregister_kprobes(kps, n);
		kfree(kps);
	} else {
		list_for_each_entry(p, &st_probes, list)
			unregister_kprobe(&p->kp);
	}
	list_for_each_entry_safe(p, tmp, &st_probes, list) {
		list_del(&p->list);
		st_probe_free(p);
	}
	mutex_unlock(&st_probes_mutex);
}

int st_probe_show(struct seq_file *m)
{
	unsigned long hits, misses;
	struct st_probe *p;
	int cpu;

	mutex_lock(&st_probes_mutex);
	list_for_each_entry(p, &st_probes, list) {
		hits = 0;
		misses = p->kp.nmissed;
		for_each_possible_cpu(cpu) {
			hits += local_read(&per_cpu_ptr(p->stats, cpu)->hits);
			misses += local_read(&per_cpu_ptr(p->stats, cpu)->misses);
		}
		seq_printf(m, "%s %lu %lu\n", p->name, hits, misses);
	}
	mutex_unlock(&st_probes_mutex);
	return 0;
}
