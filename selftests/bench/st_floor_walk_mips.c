// SPDX-License-Identifier: GPL-2.0
/*
 * MIPS only: stacktap's walker against the kernel's unwind_stack_by_address(),
 * per frame, on the same stack.  Writing "N R" to st_floor/walk_mips
 * recurses R levels, then walks the stack there N times with each walker;
 * reading gives "stacktap NS FRAMES kernel NS FRAMES setup NS" for the
 * last run, NS being the total for N walks; setup is stacktap's walker
 * stopped after its first frame.
 */
#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/sched/task_stack.h>
#include <linux/seq_file.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <asm/ptrace.h>
#include <asm/stacktrace.h>

#include "stacktap.h"
#include "st_floor.h"

#define ST_WALK_MAX	256
#define ST_WALK_DEPTH	100

struct st_walk_result {
	u64 st_ns, k_ns, st1_ns;
	unsigned int st_nr, k_nr;
};

static struct st_walk_result st_walk_last;
static DEFINE_MUTEX(st_walk_mutex);
static unsigned long st_walk_frames[ST_WALK_MAX];

/* An address inside the caller, past its prologue. */
static noinline unsigned long st_walk_pc(void)
{
	return (unsigned long)__builtin_return_address(0);
}

/* The bottom of the recursion: both walkers start from here. */
static noinline void st_walk_bottom(unsigned long n, struct st_walk_result *res)
{
	struct pt_regs regs = {};
	unsigned long sp, ra, pc, kpc, ksp, kra, stack_page, i;
	unsigned int nr = 0;
	u64 t0;

	pc = st_walk_pc();
	/* Fixed once the prologue has run: this function never moves sp. */
	asm volatile("move %0, $sp" : "=r" (sp));
	ra = (unsigned long)__builtin_return_address(0);
	regs.cp0_epc = pc;
	regs.regs[29] = sp;
	regs.regs[31] = ra;

	t0 = ktime_get_ns();
	for (i = 0; i < n; i++)
		nr = st_unwind_regs(&regs, false, st_walk_frames, ST_WALK_MAX);
	res->st_ns = ktime_get_ns() - t0;
	res->st_nr = nr;
	/* What a walk costs before its first step. */
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++)
		st_unwind_regs(&regs, false, st_walk_frames, 1);
	res->st1_ns = ktime_get_ns() - t0;

	/* As show_backtrace() walks: one call per frame until pc is 0. */
	stack_page = (unsigned long)task_stack_page(current);
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		kpc = pc;
		ksp = sp;
		kra = ra;
		nr = 0;
		do {
			st_walk_frames[nr++] = kpc;
			kpc = unwind_stack_by_address(stack_page, &ksp, kpc, &kra);
		} while (kpc && nr < ST_WALK_MAX);
	}
	res->k_ns = ktime_get_ns() - t0;
	res->k_nr = nr;
}

/* Recursion that stays recursion: the store after the call is no tail. */
static noinline unsigned long st_walk_r(unsigned long depth, unsigned long n,
					struct st_walk_result *res)
{
	unsigned long r = 0;

	if (depth)
		r = st_walk_r(depth - 1, n, res);
	else
		st_walk_bottom(n, res);
	WRITE_ONCE(st_walk_frames[0], r);
	return r + 1;
}

static ssize_t st_walk_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	unsigned long n, depth;
	char buf[48];
	size_t len = min(count, sizeof(buf) - 1);

	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%lu %lu", &n, &depth) != 2 || !n || n > 10000000 ||
	    depth > ST_WALK_DEPTH)
		return -EINVAL;
	mutex_lock(&st_walk_mutex);
	st_walk_r(depth, n, &st_walk_last);
	mutex_unlock(&st_walk_mutex);
	return count;
}

static int st_walk_show(struct seq_file *m, void *v)
{
	mutex_lock(&st_walk_mutex);
	seq_printf(m, "stacktap %llu %u kernel %llu %u setup %llu\n", st_walk_last.st_ns,
		   st_walk_last.st_nr, st_walk_last.k_ns, st_walk_last.k_nr,
		   st_walk_last.st1_ns);
	mutex_unlock(&st_walk_mutex);
	return 0;
}

static int st_walk_open(struct inode *inode, struct file *file)
{
	return single_open(file, st_walk_show, NULL);
}

static const struct file_operations st_walk_fops = {
	.owner = THIS_MODULE,
	.open = st_walk_open,
	.read = seq_read,
	.write = st_walk_write,
	.llseek = seq_lseek,
	.release = single_release,
};

void st_floor_walk_init(struct dentry *dir)
{
	debugfs_create_file("walk_mips", 0600, dir, NULL, &st_walk_fops);
}
