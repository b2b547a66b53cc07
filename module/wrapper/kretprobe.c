// SPDX-License-Identifier: GPL-2.0
/*
 * 5.10's pending kretprobe instances live in kprobes' private hash table:
 * find it through kallsyms (wrapper/kretprobe.h says how it is walked).
 */
#include <linux/kprobes.h>
#include <linux/version.h>

#include "../stacktap.h"

#if defined(CONFIG_KRETPROBES) && LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
struct hlist_head *st_kretprobe_inst_table;

void st_kretprobe_wrapper_init(void)
{
	st_kretprobe_inst_table = (struct hlist_head *)st_kernel_symbol("kretprobe_inst_table");
	if (!st_kretprobe_inst_table)
		pr_warn("kretprobe_inst_table not found: stacks stop at pending kretprobes\n");
}
#endif
