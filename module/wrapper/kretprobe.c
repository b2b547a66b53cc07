// SPDX-License-Identifier: GPL-2.0
/*
 * 5.10's pending kretprobe instances live in kprobes' private hash table
 * (wrapper/kretprobe.h says how it is walked).  Its symbol is data, which
 * kallsyms lists only with CONFIG_KALLSYMS_ALL (Debian's arm64 5.10 has
 * none), so find it as kprobes use it: a kretprobe on a function of ours,
 * called at load; at its return the instance is linked in its bucket, and
 * if it is the first there, its hlist.pprev points at the bucket's head,
 * in the kernel image.  If another task's instance came in first, pprev
 * points into that instance, a slab object: try again.
 */
#include <linux/compiler.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/version.h>

#include "../stacktap.h"

#if defined(CONFIG_KRETPROBES) && LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
struct hlist_head *st_kretprobe_inst_table;

static noinline int st_kretprobe_find_table(void)
{
	/* A real call that returns, for the kretprobe to catch. */
	barrier();
	return 0;
}

static int st_kretprobe_find_table_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct hlist_node **pprev = ri->hlist.pprev;

	if (!pprev || *pprev != &ri->hlist)
		return 0;
	if (virt_addr_valid(pprev) && PageSlab(virt_to_head_page(pprev)))
		return 0;	/* inside an instance before ours */
	st_kretprobe_inst_table = (struct hlist_head *)pprev -
				  hash_ptr(current, ST_KPROBE_HASH_BITS);
	return 0;
}

void st_kretprobe_wrapper_init(void)
{
	struct kretprobe rp = {
		.kp.addr = (kprobe_opcode_t *)st_kretprobe_find_table,
		.handler = st_kretprobe_find_table_ret,
		.maxactive = 1,
	};
	int i, ret;

	ret = register_kretprobe(&rp);
	if (!ret) {
		for (i = 0; i < 8 && !st_kretprobe_inst_table; i++)
			st_kretprobe_find_table();
		unregister_kretprobe(&rp);
	}
	if (!st_kretprobe_inst_table)
		pr_warn("kretprobe instance table not found (%d): stacks stop at pending kretprobes\n",
			ret);
}
#endif
