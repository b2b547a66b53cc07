// SPDX-License-Identifier: GPL-2.0
/*
 * Addresses of kernel symbols modules cannot link against (ORC tables,
 * trampolines), found through kallsyms.
 */
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/string.h>

#include "stacktap.h"

/*
 * A kernel symbol's address: kprobes resolve the name and store it in the
 * kprobe before they judge the address.  Offset 1, so no ENDBR is
 * skipped; a probe that does register (disabled) is removed at once.
 */
unsigned long st_kernel_symbol(const char *name)
{
	struct kprobe kp = {
		.symbol_name = name,
		.offset = 1,
		.flags = KPROBE_FLAG_DISABLED,
	};

	if (!register_kprobe(&kp))
		unregister_kprobe(&kp);
	return kp.addr ? (unsigned long)kp.addr - 1 : 0;
}

/*
 * @addr's offset in its symbol and the symbol's size, as kallsyms prints
 * them into @buf (KSYM_SYMBOL_LEN bytes); false where it names none.
 */
notrace bool st_symbol_offset(char *buf, unsigned long addr, unsigned long *off,
			      unsigned long *size)
{
	const char *p = buf;

	sprint_symbol(buf, addr);
	while (*p && *p != '+')
		p++;
	if (!*p++)
		return false;
	*off = st_parse_hex(&p);
	if (*p++ != '/')
		return false;
	*size = st_parse_hex(&p);
	return *size;
}
NOKPROBE_SYMBOL(st_symbol_offset);
