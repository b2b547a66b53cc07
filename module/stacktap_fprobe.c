// SPDX-License-Identifier: GPL-2.0
/*
 * f: probes, one ftrace_ops each, filtered to a symbol or a glob.  Where
 * the arch saves registers for ftrace callbacks (x86_64, arm64) the stack
 * is unwound from them; on MIPS, which passes none, the unwinder finds the
 * frame ftrace_caller left (st_capture_ftrace(), stacktap_unwind_mips.c).
 */
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/string.h>

#include "stacktap.h"

static notrace void st_fprobe_hit(unsigned long ip, unsigned long parent_ip,
				  struct ftrace_ops *ops, struct st_ftrace_regs *fregs)
{
	struct st_probe *p = container_of(ops, struct st_probe, ops);
	struct st_ftrace_scratch scratch;
	int bit;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0) {
		local_inc(&this_cpu_ptr(p->stats)->misses);
		return;
	}
	st_capture_ftrace(p, ip, parent_ip, st_ftrace_pt_regs(fregs, &scratch));
	ftrace_test_recursion_unlock(bit);
}
NOKPROBE_SYMBOL(st_fprobe_hit);

static unsigned int st_fprobe_glob_max;

/* The most functions one f: glob may attach to (the glob_max= parameter). */
void st_fprobe_init(unsigned int glob_max)
{
	st_fprobe_glob_max = glob_max;
}

static int st_fprobe_arm(struct st_probe *p, const char **why)
{
	unsigned long matched;
	/* ftrace_set_filter() may write into the pattern it parses. */
	char glob[STACKTAP_SYMBOL_MAX];
	int ret;

	/*
	 * A p:MOD:SYMBOL served through ftrace: ftrace filters by name
	 * alone, so SYMBOL must name one traceable function only.
	 */
	strscpy(glob, p->spec.symbol + (p->spec.module_len ? p->spec.module_len + 1 : 0),
		sizeof(glob));
	p->ops.func = st_fprobe_hit;
	p->ops.flags = ST_FTRACE_OPS_FLAGS;
	ret = ftrace_set_filter(&p->ops, glob, strlen(glob), 1);
	if (ret) {
		*why = "no traceable function matches";
		ret = ret == -EINVAL ? -ENOENT : ret;
		goto err_free_filter;
	}
	/* A glob over thousands of functions would make every call a hit. */
	matched = st_ftrace_filter_count(&p->ops);
	if (p->spec.module_len && matched != 1) {
		*why = "its name is not the only one: ftrace, which serves this entry, cannot single out the module's";
		ret = -ENOTUNIQ;
		goto err_free_filter;
	}
	if (matched > st_fprobe_glob_max) {
		pr_warn("%s matches %lu functions, more than glob_max=%u\n",
			p->name, matched, st_fprobe_glob_max);
		*why = "glob matches more functions than glob_max= allows";
		ret = -E2BIG;
		goto err_free_filter;
	}
	ret = register_ftrace_function(&p->ops);
	if (ret) {
		*why = "ftrace_ops registration failed";
		goto err_free_filter;
	}
	p->matched = matched;
	return 0;

err_free_filter:
	st_ftrace_free_filter(&p->ops);
	return ret;
}

static void st_fprobe_disarm(struct st_probe *p)
{
	unregister_ftrace_function(&p->ops);
	st_ftrace_free_filter(&p->ops);
}

const struct st_probe_kind st_fprobe_kind = {
	.arm = st_fprobe_arm,
	.disarm = st_fprobe_disarm,
	.nmissed = st_probe_no_misses,
};
