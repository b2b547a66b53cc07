// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's floor: what a hit costs when it does nothing but unwind
 * with stacktap's own unwinder (linked in from module/) and store nothing.
 * One probe, chosen at load:
 *
 *	insmod st_floor.ko probe=f:st_truth_leaf	a bare ftrace_ops callback
 *	insmod st_floor.ko probe=p:st_truth_leaf	a bare kprobe
 *	insmod st_floor.ko probe=r:st_truth_leaf	a bare kretprobe (unwinds
 *							at entry, nothing at return)
 *
 * with the same recursion guard and depth stacktap's own hit path has.
 * /sys/kernel/debug/st_floor/stats reads "hits frames misses"; on MIPS,
 * walk_mips times the two walkers (st_floor_walk_mips.c).
 */
#include <linux/debugfs.h>
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <asm/local.h>

#include "stacktap.h"
#include "st_floor.h"

/* st_context() reads it; the floor's hits never come by a nested trap. */
DEFINE_PER_CPU(bool, st_trap_hit);

static char *probe = "f:st_truth_leaf";
module_param(probe, charp, 0400);
MODULE_PARM_DESC(probe, "f:SYMBOL (ftrace_ops) or p:SYMBOL (kprobe)");
static unsigned int depth = 64;
module_param(depth, uint, 0400);
MODULE_PARM_DESC(depth, "frames to unwind at most, as stacktap's depth= (1..256)");
static bool kernel_unwinder;
module_param(kernel_unwinder, bool, 0400);
MODULE_PARM_DESC(kernel_unwinder, "x86_64: always the kernel's ORC unwinder, never stacktap's cache");
static bool verify;
module_param(verify, bool, 0400);
MODULE_PARM_DESC(verify, "x86_64: walk each hit with stacktap's ORC cache and the kernel's unwinder, and compare");

#define ST_FLOOR_MAX	256

/* As stacktap's hit path: a scratch array per nesting context. */
struct st_floor_cpu {
	unsigned long frames[ST_MAX_NEST][ST_FLOOR_MAX];
	unsigned long check[ST_MAX_NEST][ST_FLOOR_MAX];	/* verify=1 */
	local_t hits;
	local_t nr;
	local_t misses;
	local_t fast, fallback, mismatch;		/* verify=1 */
	int nest;
};

/* The first mismatch: frame index, stacktap's frame, the kernel's. */
static atomic_t st_floor_bad_once = ATOMIC_INIT(0);
static unsigned long st_floor_bad[4];

/* 8 KiB a CPU: more than a module's static per-CPU reserve. */
static struct st_floor_cpu __percpu *st_floor_cpus;
static struct ftrace_ops st_floor_ops;
static struct kprobe st_floor_kp;
static struct kretprobe st_floor_rp;
/* The kretprobe's own entry handler, which st_floor_kretprobe_pre wraps. */
static int (*st_floor_kret_pre)(struct kprobe *kp, struct pt_regs *regs);
static struct dentry *st_floor_dir;

/*
 * x86_64: the stack stacktap's ORC cache gives against the kernel's
 * unwinder's, frame for frame; a walk the cache leaves to the kernel is
 * counted as a fallback.
 */
static notrace void st_floor_verify(struct st_floor_cpu *c, struct pt_regs *regs, int nest)
{
	unsigned int fast = st_orc_unwind_regs(regs, c->frames[nest], depth);
	unsigned int full = st_unwind_regs_kernel(regs, c->check[nest], depth);
	unsigned int i;

	if (!fast) {
		local_inc(&c->fallback);
		return;
	}
	local_inc(&c->fast);
	for (i = 0; i < max(fast, full); i++) {
		if (i < fast && i < full && c->frames[nest][i] == c->check[nest][i])
			continue;
		local_inc(&c->mismatch);
		if (!atomic_xchg(&st_floor_bad_once, 1)) {
			st_floor_bad[0] = i;
			st_floor_bad[1] = i < fast ? c->frames[nest][i] : 0;
			st_floor_bad[2] = i < full ? c->check[nest][i] : 0;
			st_floor_bad[3] = (fast << 16) | full;
		}
		return;
	}
}
NOKPROBE_SYMBOL(st_floor_verify);

/* Unwind into this CPU's scratch array, which nobody reads. */
static notrace void st_floor_unwind(unsigned long ip, unsigned long parent_ip,
				    struct pt_regs *regs)
{
	struct st_floor_cpu *c;
	unsigned int nr;
	int nest;

	preempt_disable_notrace();
	c = this_cpu_ptr(st_floor_cpus);
	nest = this_cpu_inc_return(st_floor_cpus->nest) - 1;
	if (unlikely(nest >= ST_MAX_NEST)) {
		local_inc(&c->misses);
		goto out;
	}
	if (regs && verify) {
		st_floor_verify(c, regs, nest);
		nr = 0;
	} else if (regs) {
		nr = st_unwind_regs(regs, true, c->frames[nest], depth);
		if (nr)
			c->frames[nest][0] = ip;
	} else {
		nr = st_unwind_ftrace(ip, parent_ip, c->frames[nest], depth);
	}
	local_inc(&c->hits);
	local_add(nr, &c->nr);
out:
	this_cpu_dec(st_floor_cpus->nest);
	preempt_enable_notrace();
}
NOKPROBE_SYMBOL(st_floor_unwind);

static notrace void st_floor_ftrace_hit(unsigned long ip, unsigned long parent_ip,
					struct ftrace_ops *ops,
					struct st_ftrace_regs *fregs)
{
	int bit = ftrace_test_recursion_trylock(ip, parent_ip);

	if (bit < 0)
		return;
	st_floor_unwind(ip, parent_ip, st_ftrace_get_regs(fregs));
	ftrace_test_recursion_unlock(bit);
}
NOKPROBE_SYMBOL(st_floor_ftrace_hit);

/*
 * As stacktap's p: does on MIPS, step over the probed instruction by
 * emulating it: a single-step break there races kprobe_flush_task()
 * (module/stacktap_compat.h, ST_KPROBE_HOLD_SOFTIRQ).  Elsewhere a no-op.
 */
static notrace int st_floor_kprobe_hit(struct kprobe *kp, struct pt_regs *regs)
{
	st_floor_unwind(instruction_pointer(regs), 0, regs);
	return list_empty(&kp->list) && st_kprobe_emulate(kp, regs);
}
NOKPROBE_SYMBOL(st_floor_kprobe_hit);

static notrace int st_floor_kretprobe_entry(struct kretprobe_instance *ri,
					    struct pt_regs *regs)
{
	st_floor_unwind(instruction_pointer(regs), 0, regs);
	return 0;
}
NOKPROBE_SYMBOL(st_floor_kretprobe_entry);

static notrace int st_floor_kretprobe_ret(struct kretprobe_instance *ri,
					  struct pt_regs *regs)
{
	return 0;
}
NOKPROBE_SYMBOL(st_floor_kretprobe_ret);

/* As stacktap's r: (stacktap_kretprobe.c): the same step-over on MIPS. */
static notrace int st_floor_kretprobe_pre(struct kprobe *kp, struct pt_regs *regs)
{
	if (st_floor_kret_pre(kp, regs))
		return 1;
	return list_empty(&kp->list) && st_kprobe_emulate(kp, regs);
}
NOKPROBE_SYMBOL(st_floor_kretprobe_pre);

static int st_floor_arm_kretprobe(const char *sym)
{
	int ret;

	st_floor_rp.kp.symbol_name = sym;
	st_floor_rp.kp.flags = KPROBE_FLAG_DISABLED;
	st_floor_rp.entry_handler = st_floor_kretprobe_entry;
	st_floor_rp.handler = st_floor_kretprobe_ret;
	st_floor_rp.maxactive = 64;
	ret = register_kretprobe(&st_floor_rp);
	if (ret) {
		pr_err("register_kretprobe(%s): %d\n", sym, ret);
		return ret;
	}
	st_floor_kret_pre = st_floor_rp.kp.pre_handler;
	st_floor_rp.kp.pre_handler = st_floor_kretprobe_pre;
	ret = enable_kretprobe(&st_floor_rp);
	if (ret) {
		pr_err("enable_kretprobe(%s): %d\n", sym, ret);
		unregister_kretprobe(&st_floor_rp);
	}
	return ret;
}

static int st_floor_stats_show(struct seq_file *m, void *v)
{
	unsigned long hits = 0, nr = 0, misses = 0, fast = 0, fallback = 0, mismatch = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct st_floor_cpu *c = per_cpu_ptr(st_floor_cpus, cpu);

		hits += local_read(&c->hits);
		nr += local_read(&c->nr);
		misses += local_read(&c->misses);
		fast += local_read(&c->fast);
		fallback += local_read(&c->fallback);
		mismatch += local_read(&c->mismatch);
	}
	seq_printf(m, "%lu %lu %lu\n", hits, nr, misses);
	if (verify) {
		seq_printf(m, "verify fast %lu fallback %lu mismatch %lu\n",
			   fast, fallback, mismatch);
		if (mismatch)
			seq_printf(m, "first mismatch: frame %lu, stacktap %pS, kernel %pS (%lu and %lu frames)\n",
				   st_floor_bad[0], (void *)st_floor_bad[1], (void *)st_floor_bad[2],
				   st_floor_bad[3] >> 16, st_floor_bad[3] & 0xffff);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(st_floor_stats);

static int st_floor_arm(void)
{
	const char *sym = probe + 2;
	int ret;

	if (depth < 1 || depth > ST_FLOOR_MAX) {
		pr_err("depth=%u: must be 1..%d\n", depth, ST_FLOOR_MAX);
		return -ERANGE;
	}
	if (!strncmp(probe, "p:", 2)) {
		st_floor_kp.symbol_name = sym;
		st_floor_kp.pre_handler = st_floor_kprobe_hit;
		ret = register_kprobe(&st_floor_kp);
		if (ret)
			pr_err("register_kprobe(%s): %d\n", sym, ret);
		return ret;
	}
	if (!strncmp(probe, "r:", 2))
		return st_floor_arm_kretprobe(sym);
	if (strncmp(probe, "f:", 2)) {
		pr_err("probe=%s: want f:SYMBOL, p:SYMBOL or r:SYMBOL\n", probe);
		return -EINVAL;
	}
	st_floor_ops.func = st_floor_ftrace_hit;
	st_floor_ops.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_SAVE_REGS_IF_SUPPORTED;
	ret = ftrace_set_filter(&st_floor_ops, (unsigned char *)sym, strlen(sym), 1);
	if (ret) {
		pr_err("ftrace_set_filter(%s): %d\n", sym, ret);
		return ret;
	}
	ret = register_ftrace_function(&st_floor_ops);
	if (ret) {
		pr_err("register_ftrace_function(%s): %d\n", sym, ret);
		ftrace_free_filter(&st_floor_ops);
	}
	return ret;
}

static void st_floor_disarm(void)
{
	if (st_floor_rp.kp.symbol_name) {
		unregister_kretprobe(&st_floor_rp);
	} else if (st_floor_kp.symbol_name) {
		unregister_kprobe(&st_floor_kp);
	} else {
		unregister_ftrace_function(&st_floor_ops);
		ftrace_free_filter(&st_floor_ops);
	}
}

static int __init st_floor_init(void)
{
	int ret;

	st_floor_cpus = alloc_percpu(struct st_floor_cpu);
	if (!st_floor_cpus)
		return -ENOMEM;
	ret = st_unwind_init();
	if (ret)
		goto err_percpu;
	/* x86_64: the floor of the kernel's own ORC walk, for comparison. */
	if (kernel_unwinder)
		st_orc_exit();
	ret = st_floor_arm();
	if (ret)
		goto err_unwind;
	st_floor_dir = debugfs_create_dir("st_floor", NULL);
	debugfs_create_file("stats", 0400, st_floor_dir, NULL, &st_floor_stats_fops);
	st_floor_walk_init(st_floor_dir);
	return 0;

err_unwind:
	st_unwind_exit();
err_percpu:
	free_percpu(st_floor_cpus);
	return ret;
}

static void __exit st_floor_exit(void)
{
	debugfs_remove_recursive(st_floor_dir);
	st_floor_disarm();
	st_unwind_exit();
	free_percpu(st_floor_cpus);
}

module_init(st_floor_init);
module_exit(st_floor_exit);
MODULE_DESCRIPTION("stacktap benchmark: the floor (unwind only, store nothing)");
MODULE_LICENSE("GPL");
