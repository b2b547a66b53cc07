// SPDX-License-Identifier: GPL-2.0
/*
 * Which probe kinds a function can take, for "stacktapctl funcs": asked of
 * the kernel the way an add would be, never guessed.  A kprobe registered
 * disabled at its entry says whether p: and r: can sit there (the
 * blacklist, notrace-section and arch checks are the kernel's own); an
 * ftrace filter of its name alone says whether it is traceable (f:, and
 * p: through ftrace where its entry is an ftrace call site kprobes
 * refuse).  Nothing is armed: the kprobes never fire and the filter is
 * never registered.
 */
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "stacktap.h"

/*
 * How many functions ftrace's filter of @name ("SYM", or "MOD:SYM" for a
 * module's) takes: by SYM alone, as an f: probe is placed
 * (ftrace_set_filter() takes no module), so the answer is what "add
 * f:SYM" finds.
 */
static unsigned long st_funcs_traceable(struct ftrace_ops *ops, const char *name)
{
	char filter[STACKTAP_SYMBOL_MAX];
	const char *colon = strchr(name, ':');
	unsigned long n = 0;

	strscpy(filter, colon ? colon + 1 : name, sizeof(filter));
	memset(ops, 0, sizeof(*ops));
	if (!ftrace_set_filter(ops, filter, strlen(filter), 1))
		n = st_ftrace_filter_count(ops);
	st_ftrace_free_filter(ops);
	return n;
}

/*
 * STACKTAP_FUNC_F_* of each of @names[0..n), into @flags.  The kprobes
 * registered are unregistered together at the end (one RCU grace period,
 * not one a function).  0, or -ENOMEM.
 */
int st_funcs_check(const char *const *names, u32 *flags, unsigned int n)
{
	struct kprobe **kps, *kp;
	struct ftrace_ops *ops;
	const char *refused;
	unsigned int i, nr = 0;
	unsigned long traced;
	int ret;

	kps = kcalloc(n, sizeof(*kps), GFP_KERNEL);
	kp = kcalloc(n, sizeof(*kp), GFP_KERNEL);
	ops = kzalloc(sizeof(*ops), GFP_KERNEL);
	if (!kps || !kp || !ops) {
		ret = -ENOMEM;
		goto out_free;
	}
	for (i = 0; i < n; i++) {
		flags[i] = 0;
		/* Where add refuses a kprobe for the arch's sake: no kprobe at all. */
		refused = st_kprobe_arch_refuses(names[i], 0);
		if (!refused) {
			kp[i].symbol_name = names[i];
			kp[i].flags = KPROBE_FLAG_DISABLED;
			ret = register_kprobe(&kp[i]);
			if (ret == -ENOENT) {
				flags[i] = STACKTAP_FUNC_F_UNKNOWN;
				continue;
			}
			if (!ret) {
				flags[i] |= STACKTAP_FUNC_F_KPROBE;
				kps[nr++] = &kp[i];
			}
		}
		traced = st_funcs_traceable(ops, names[i]);
		if (traced)
			flags[i] |= STACKTAP_FUNC_F_FTRACE;
		if (flags[i] & STACKTAP_FUNC_F_KPROBE || refused ||
		    !st_kprobe_entry_is_ftrace_site(names[i]))
			continue;
		flags[i] |= STACKTAP_FUNC_F_FTRACE_SITE;
		/* ftrace filters by name: a module's must be the only one. */
		if (traced && (!strchr(names[i], ':') || traced == 1)) {
			flags[i] |= STACKTAP_FUNC_F_VIA_FTRACE;
			/* MIPS takes r:'s return through ftrace there too. */
			if (ST_HAVE_FRET && traced == 1)
				flags[i] |= STACKTAP_FUNC_F_R_VIA_FTRACE;
		}
	}
	if (nr)
		unregister_kprobes(kps, nr);
	ret = 0;
out_free:
	kfree(ops);
	kfree(kp);
	kfree(kps);
	return ret;
}
