// SPDX-License-Identifier: GPL-2.0
/*
 * Ground truth for stacktap's tests: a known call chain
 *
 *	st_truth_a -> st_truth_b -> st_truth_c -> st_truth_leaf
 *
 * run N times by writing N to /sys/kernel/debug/st_truth/trigger.  The
 * functions are noipa (never inlined, cloned or renamed) and each does
 * work after its call, so no call becomes a tail call: a correct unwinder
 * must report leaf, c, b, a in that order.  st_truth_leaf itself calls
 * st_truth_sink(), so it has a frame of its own on every arch and its
 * entry is not an ftrace call site.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#define ST_TRUTH_FN noinline __attribute__((__noipa__))

static struct dentry *st_truth_dir;
static unsigned long st_truth_last;

ST_TRUTH_FN unsigned long st_truth_sink(unsigned long x)
{
	WRITE_ONCE(st_truth_last, x);
	return x ^ 0x5a;
}

ST_TRUTH_FN unsigned long st_truth_leaf(unsigned long x)
{
	return st_truth_sink(x * 3) + 1;
}
EXPORT_SYMBOL_GPL(st_truth_leaf);

ST_TRUTH_FN unsigned long st_truth_c(unsigned long x)
{
	return st_truth_leaf(x + 1) + 1;
}

ST_TRUTH_FN unsigned long st_truth_b(unsigned long x)
{
	return st_truth_c(x + 1) + 1;
}

ST_TRUTH_FN unsigned long st_truth_a(unsigned long x)
{
	return st_truth_b(x + 1) + 1;
}

static ssize_t st_truth_trigger_write(struct file *file, const char __user *ubuf,
				      size_t count, loff_t *ppos)
{
	unsigned long n, i;
	int ret;

	ret = kstrtoul_from_user(ubuf, count, 0, &n);
	if (ret)
		return ret;
	if (n > 10000000)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		st_truth_a(i);
		cond_resched();
	}
	return count;
}

static const struct file_operations st_truth_trigger_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.write = st_truth_trigger_write,
	.llseek = no_llseek,
};

static int __init st_truth_init(void)
{
	st_truth_dir = debugfs_create_dir("st_truth", NULL);
	debugfs_create_file("trigger", 0200, st_truth_dir, NULL,
			    &st_truth_trigger_fops);
	return 0;
}

static void __exit st_truth_exit(void)
{
	debugfs_remove_recursive(st_truth_dir);
}

module_init(st_truth_init);
module_exit(st_truth_exit);
MODULE_DESCRIPTION("stacktap selftests: a known call chain");
MODULE_LICENSE("GPL");
