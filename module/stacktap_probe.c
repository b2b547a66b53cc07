// SPDX-License-Identifier: GPL-2.0
/*
 * The probe registry: every armed probe, keyed by its canonical spec.  One
 * mutex serialises add and del from every interface (the probes= parameter,
 * debugfs control, later netlink); the hit path never takes it.
 */
#include <linux/cpumask.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/mutex.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "stacktap.h"

static LIST_HEAD(st_probes);
static DEFINE_MUTEX(st_probes_mutex);
static u32 st_probes_next_id = 1;	/* ids rise along the list */
static u32 st_probes_gen;		/* changes with every add and del */

static const struct st_probe_kind *const st_kinds[__STACKTAP_KIND_LAST] = {
	[STACKTAP_KIND_KPROBE] = &st_kprobe_kind,
	[STACKTAP_KIND_KRETPROBE] = &st_kretprobe_kind,
	[STACKTAP_KIND_FTRACE] = &st_fprobe_kind,
	[STACKTAP_KIND_UPROBE] = &st_uprobe_kind,
	[STACKTAP_KIND_URETPROBE] = &st_uretprobe_kind,
};

/* Log why @text was refused, once, without echoing raw bytes. */
static void st_probe_refused(const char *op, const char *text, size_t len,
			     const char *why, int err)
{
	pr_warn("%s '%*pE': %s (%d)\n", op, (int)min_t(size_t, len, 64), text,
		why, err);
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

unsigned long st_probe_no_misses(struct st_probe *p)
{
	return 0;
}

/* What the spec grammar cannot know: this machine's CPUs and depth=. */
static int st_probe_check_options(const struct st_spec *spec, const char **why)
{
	if ((spec->filters & ST_FILTER_CPU) &&
	    (spec->cpu >= nr_cpu_ids || !cpu_possible(spec->cpu))) {
		*why = "cpu= names no possible CPU";
		return -EINVAL;
	}
	if (spec->depth > st_capture_depth()) {
		*why = "depth= is deeper than the module's depth= parameter";
		return -ERANGE;
	}
	return st_ustack_check(spec, why);
}

/* Under lockdown, what kprobe_events and tracefs refuse, from every door. */
static int st_probe_check_lockdown(const struct st_spec *spec, const char **why)
{
	if (spec->kind == STACKTAP_KIND_FTRACE) {
		if (!security_locked_down(LOCKDOWN_TRACEFS))
			return 0;
		*why = "the kernel is locked down: no tracing";
	} else {
		if (!security_locked_down(LOCKDOWN_KPROBES))
			return 0;
		*why = "the kernel is locked down: no kprobes";
	}
	return -EPERM;
}

/*
 * Which module's code @p probes, from its spec's MOD: or from kallsyms:
 * when that module goes, the probe goes pending (st_probes_module_notify).
 * "" for the kernel's own code and for globs, which ftrace follows.
 */
static void st_probe_note_module(struct st_probe *p)
{
	char buf[KSYM_SYMBOL_LEN], *open, *close;
	unsigned long addr;

	p->mod[0] = '\0';
	if (p->spec.module_len) {
		memcpy(p->mod, p->spec.symbol, p->spec.module_len);
		p->mod[p->spec.module_len] = '\0';
		return;
	}
	if (p->spec.glob)
		return;
	addr = st_kernel_symbol(p->spec.symbol);
	if (!addr)
		return;
	sprint_symbol(buf, addr);
	open = strrchr(buf, '[');
	close = open ? strchr(open, ']') : NULL;
	if (close && close - open - 1 < (long)sizeof(p->mod))
		strscpy(p->mod, open + 1, close - open);
}

/*
 * Arm @p again from scratch: kprobes and ftrace want a zeroed kprobe,
 * kretprobe or ftrace_ops, and a p: that ftrace served may now be a
 * kprobe site.
 */
static int st_probe_rearm(struct st_probe *p, const char **why)
{
	p->kind = st_kinds[p->spec.kind];
	p->via_ftrace = false;
	/* The whole union: a kretprobe holds a kprobe, the ops may be larger. */
	memset(&p->rp, 0, sizeof(p->rp));
	memset(&p->ops, 0, sizeof(p->ops));
	memset(&p->up, 0, sizeof(p->up));
	return p->kind->arm(p, why);
}

/*
 * Arm the probe @text (a spec and its options) and return 0 with its id,
 * or -errno with *why saying why; the reason is logged once here, for
 * every interface.  @pending_ok: an f: probe that matches nothing yet is
 * kept and armed when a module that provides a match loads (probes= at
 * load time names functions of modules that load later, as ftrace's
 * boot-time filters do).  A MOD:SYMBOL probe whose module is not loaded
 * (or lacks SYMBOL) waits for it from every door.  *@flags, if given,
 * gets STACKTAP_PROBE_F_PENDING for a probe left waiting.
 */
static int st_probe_add_one(const char *text, size_t len, bool pending_ok,
			    const char **whyp, u32 *id, u32 *flags, u64 *matched)
{
	unsigned int args_max;
	struct st_probe *p;
	struct st_spec spec;
	bool new_owner;
	const char *why;
	int ret;

	ret = st_spec_parse_text(&spec, text, len, &why);
	if (ret)
		goto err_refused;
	ret = st_probe_check_options(&spec, &why);
	if (ret)
		goto err_refused;
	ret = st_probe_check_lockdown(&spec, &why);
	if (ret)
		goto err_refused;
	ret = st_args_resolve(&spec, &args_max, &why);
	if (ret)
		goto err_refused;

	ret = -ENOMEM;
	why = "out of memory";
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		goto err_refused;
	p->stats = alloc_percpu(struct st_probe_stats);
	if (!p->stats)
		goto err_free_probe;
	p->spec = spec;
	/* Count-only probes write no records: nothing to fetch for, unless counted by. */
	p->args_max = spec.count_only && !spec.key_args ? 0 : args_max;
	p->kind = st_kinds[spec.kind];
	p->name_len = st_spec_format(&spec, p->name, sizeof(p->name));

	mutex_lock(&st_probes_mutex);
	if (st_probe_find(&spec)) {
		why = "probe exists";
		ret = -EEXIST;
		goto err_unlock;
	}
	/* Before arming: the first hit must already know whose it is. */
	ret = st_stacks_owner(p->name, &p->owner, &new_owner);
	if (ret) {
		why = "out of memory";
		goto err_unlock;
	}
	ret = p->kind->arm(p, &why);
	if (ret == -ENOENT && spec.module_len) {
		p->pending = true;
		ret = 0;
	} else if (ret == -ENOENT && pending_ok && spec.kind == STACKTAP_KIND_FTRACE) {
		/* Wait only for a name no loaded code has: notrace stays notrace. */
		if (!spec.glob && st_kprobe_symbol_exists(spec.symbol)) {
			why = "function is not traceable (notrace, or its text was freed)";
			ret = -EINVAL;
		} else {
			p->pending = true;
			ret = 0;
		}
	}
	if (ret)
		goto err_forget_owner;
	st_probe_note_module(p);
	p->id = st_probes_next_id++;
	if (id)
		*id = p->id;
	if (flags)
		*flags = p->pending ? STACKTAP_PROBE_F_PENDING : 0;
	if (matched)
		*matched = p->spec.glob && !p->pending ? p->matched : 0;
	list_add_tail(&p->list, &st_probes);
	st_probes_gen++;
	mutex_unlock(&st_probes_mutex);
	if (p->pending && p->mod[0])
		pr_info("%s is pending: armed when module %s loads with %s\n", p->name,
			p->mod, p->spec.symbol + p->spec.module_len + 1);
	else if (p->pending)
		pr_info("%s matches no function yet: armed when a module provides one\n",
			p->name);
	else
		pr_info("armed %s\n", p->name);
	return 0;

err_forget_owner:
	if (new_owner)
		st_stacks_owner_undo(p->owner);
	else
		st_stacks_owner_put(p->owner);
err_unlock:
	mutex_unlock(&st_probes_mutex);
	free_percpu(p->stats);
err_free_probe:
	kfree(p);
err_refused:
	st_probe_refused("add", text, len, why, ret);
	if (whyp)
		*whyp = why;
	return ret;
}

int st_probe_add(const char *text, size_t len, const char **why, u32 *id, u32 *flags,
		 u64 *matched)
{
	return st_probe_add_one(text, len, false, why, id, flags, matched);
}

/* Disarm (waiting out running handlers) and free a probe off the list. */
static void st_probe_destroy(struct st_probe *p)
{
	if (!p->pending)
		p->kind->disarm(p);
	st_stacks_owner_put(p->owner);
	free_percpu(p->stats);
	kfree(p);
}

/* Under the registry lock: take @p off the list and destroy it. */
static void st_probe_remove(struct st_probe *p)
{
	list_del(&p->list);
	st_probes_gen++;
	pr_info("disarmed %s\n", p->name);
	st_probe_destroy(p);
}

int st_probe_del(const char *text, size_t len, const char **whyp)
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
	if (p)
		st_probe_remove(p);
	mutex_unlock(&st_probes_mutex);
	if (p)
		return 0;
	why = "no such probe";
	ret = -ENOENT;
err_refused:
	st_probe_refused("del", text, len, why, ret);
	if (whyp)
		*whyp = why;
	return ret;
}

int st_probe_del_id(u32 id, const char **why)
{
	struct st_probe *p, *found = NULL;

	mutex_lock(&st_probes_mutex);
	list_for_each_entry(p, &st_probes, list) {
		if (p->id == id) {
			found = p;
			st_probe_remove(p);
			break;
		}
	}
	mutex_unlock(&st_probes_mutex);
	if (found)
		return 0;
	pr_warn("del id %u: no such probe (%d)\n", id, -ENOENT);
	*why = "no such probe";
	return -ENOENT;
}

/* Arm one spec from boot-time configuration: f: probes may wait. */
int st_probe_add_boot(const char *text, size_t len)
{
	return st_probe_add_one(text, len, true, NULL, NULL, NULL, NULL);
}

/*
 * Arm probes=, a comma-separated list of specs.  Quotes only keep an
 * item's spaces from the kernel's parameter parser, which strips some of
 * them and leaves others ('probes="a b",c' arrives as 'a b",c'); no spec
 * holds a quote or a comma, so every quote goes.  @skip_bad: log a refused
 * item and go on (at boot, where failing would lose every probe); else
 * stop at the first.
 */
int st_probe_add_list(const char *list, bool skip_bad)
{
	char *buf = kstrdup(list, GFP_KERNEL), *s, *d, *item;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	for (s = d = buf; *s; s++)
		if (*s != '"')
			*d++ = *s;
	*d = '\0';
	s = buf;
	while ((item = strsep(&s, ","))) {
		item = skip_spaces(item);
		if (!*item && !s)
			break;	/* a trailing comma */
		ret = st_probe_add_one(item, strlen(item), true, NULL, NULL, NULL, NULL);
		if (!ret)
			continue;
		if (!skip_bad)
			break;
		pr_warn("probes=: skipped '%*pE', armed the rest\n",
			(int)min_t(size_t, strlen(item), 64), item);
		ret = 0;
	}
	kfree(buf);
	return ret;
}

void st_probe_del_all(void)
{
	struct st_probe *p, *tmp;

	mutex_lock(&st_probes_mutex);
	list_for_each_entry_safe(p, tmp, &st_probes, list) {
		list_del(&p->list);
		st_probes_gen++;
		st_probe_destroy(p);
	}
	mutex_unlock(&st_probes_mutex);
}

/*
 * Report each probe after id *cursor to @emit, under the registry lock,
 * until @emit returns non-zero (its buffer is full: resume from *cursor).
 * The cursor is the last id reported, so a probe deleted between two
 * calls moves no other out of place; info.gen tells the caller that the
 * registry changed meanwhile.
 */
int st_probe_dump(unsigned long *cursor,
		  int (*emit)(const struct st_probe_info *info, void *arg),
		  void *arg)
{
	struct st_probe_info info;
	struct st_probe *p;
	int cpu, ret = 0;

	mutex_lock(&st_probes_mutex);
	list_for_each_entry(p, &st_probes, list) {
		if (p->id <= *cursor)
			continue;
		info.id = p->id;
		info.gen = st_probes_gen;
		info.kind = p->spec.kind;
		info.flags = (p->pending ? STACKTAP_PROBE_F_PENDING : 0) |
			     (p->via_ftrace ? STACKTAP_PROBE_F_VIA_FTRACE : 0);
		info.hits = 0;
		info.misses = p->kind->nmissed(p);
		info.filtering = p->spec.filters || p->spec.ret_cond.op || p->spec.lat_cond.op;
		info.glob = p->spec.glob;
		info.matched = p->pending ? 0 : p->matched;
		info.filtered = 0;
		info.overflow = 0;
		for_each_possible_cpu(cpu) {
			struct st_probe_stats *s = per_cpu_ptr(p->stats, cpu);

			info.hits += local_read(&s->hits);
			info.misses += local_read(&s->misses);
			info.filtered += local_read(&s->filtered);
			info.overflow += local_read(&s->overflow);
		}
		memcpy(info.name, p->name, sizeof(info.name));
		st_spec_format_options(&p->spec, info.options, sizeof(info.options));
		ret = emit(&info, arg);
		if (ret)
			break;
		*cursor = p->id;
	}
	mutex_unlock(&st_probes_mutex);
	return ret;
}

/*
 * A module going: the probes on its code are disarmed and wait for it,
 * as kprobe_events' do.  A module coming: arm the pending probes it
 * provides a match for.
 */
static int st_probes_module_notify(struct notifier_block *nb,
				   unsigned long action, void *data)
{
	struct module *mod = data;
	struct st_probe *p;
	const char *why;

	if (action != MODULE_STATE_COMING && action != MODULE_STATE_GOING)
		return NOTIFY_DONE;
	mutex_lock(&st_probes_mutex);
	list_for_each_entry(p, &st_probes, list) {
		if (action == MODULE_STATE_GOING) {
			if (p->pending || strcmp(p->mod, mod->name))
				continue;
			p->kind->disarm(p);
			p->pending = true;
			pr_info("%s is pending: module %s is going, armed again when it loads\n",
				p->name, mod->name);
			continue;
		}
		if (!p->pending || (p->mod[0] && strcmp(p->mod, mod->name)) ||
		    st_probe_rearm(p, &why))
			continue;
		p->pending = false;
		st_probe_note_module(p);
		pr_info("armed %s in module %s\n", p->name, mod->name);
	}
	mutex_unlock(&st_probes_mutex);
	return NOTIFY_DONE;
}

static struct notifier_block st_probes_nb = {
	.notifier_call = st_probes_module_notify,
};

int st_probes_init(void)
{
	int ret;

	ret = st_kprobe_arch_init();
	if (ret)
		return ret;
	ret = register_module_notifier(&st_probes_nb);
	if (ret)
		goto err_kprobe_arch;
	return 0;

err_kprobe_arch:
	st_kprobe_arch_exit();
	return ret;
}

void st_probes_exit(void)
{
	unregister_module_notifier(&st_probes_nb);
	st_probe_del_all();
	st_kprobe_arch_exit();
}
