// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64: where a kprobe must not go, though kprobes would take it.
 *
 * The kprobe optimizer prepares every kprobe that is not on an ftrace
 * site, enabled or not: it decodes the whole function the kprobe is in,
 * as far as kallsyms' size of it, and an instruction there may read up to
 * MAX_INSN_SIZE - 1 bytes past that end (can_optimize()).  The last
 * function of a module's text has its size run to the end of the region,
 * a page boundary; where the page after it is not mapped, that read
 * faults inside register_kprobe() and the kernel oopses (6.12, a module's
 * notrace __exit function, last in its text).  stacktap refuses such a
 * kprobe, and says why.
 */
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/rculist.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/insn.h>
#include <asm/pgtable_64_types.h>

#include "stacktap.h"

/*
 * Whether @symbol ("MOD:SYM", or "SYM") is the last function of a loaded
 * module's text, which kallsyms stretches to the region's end; its start
 * into *@addr.  Found from the regions' ends, not by name: no exported
 * lookup takes a name, and a kprobe would be the very thing to avoid.
 * The module list is a ring through every module and one head in the
 * kernel image, reached through stacktap's own entry.
 */
static bool st_x86_last_of_module(const char *symbol, unsigned long *addr)
{
	const char *colon = strchr(symbol, ':'), *name = colon ? colon + 1 : symbol;
	struct list_head *self, *n;
	unsigned long base, size, off, fsize;
	char buf[KSYM_SYMBOL_LEN];
	struct module *mod;
	bool found = false;

	if (!IS_ENABLED(MODULE))
		return false;	/* built in: no entry of its own to go round from */
	self = &THIS_MODULE->list;
	rcu_read_lock_sched();
	n = self;
	do {
		if ((unsigned long)n < MODULES_VADDR || (unsigned long)n >= MODULES_END)
			continue;
		mod = list_entry(n, struct module, list);
		if (mod->state == MODULE_STATE_UNFORMED ||
		    (colon && (strlen(mod->name) != colon - symbol ||
			       strncmp(mod->name, symbol, colon - symbol))))
			continue;
		st_module_core_text(mod, &base, &size);
		if (!size || !st_symbol_offset(buf, base + size - 1, &off, &fsize) ||
		    base + size - 1 - off + fsize != base + size)
			continue;
		buf[strcspn(buf, "+")] = '\0';
		if (!strcmp(buf, name)) {
			*addr = base + size - 1 - off;
			found = true;
			break;
		}
	} while ((n = rcu_dereference_sched(list_next_rcu(n))) != self);
	rcu_read_unlock_sched();
	return found;
}

/* An entry ftrace patched: a 5-byte nop, or a call (ENDBR before it). */
static bool st_x86_ftrace_entry(unsigned long addr)
{
	u8 code[9];

	if (copy_from_kernel_nofault(code, (void *)addr, sizeof(code)))
		return false;
	if (code[0] == 0xf3 && code[1] == 0x0f && code[2] == 0x1e && code[3] == 0xfa)
		memmove(code, code + 4, 5);
	return code[0] == 0xe8 ||
	       (code[0] == 0x0f && code[1] == 0x1f && code[2] == 0x44 && !code[3] && !code[4]);
}

const char *st_kprobe_arch_refuses(const char *symbol, unsigned long offset)
{
	unsigned long addr, off, size, end;
	char buf[KSYM_SYMBOL_LEN];
	u8 b;

	if (!st_x86_last_of_module(symbol, &addr) || !st_symbol_offset(buf, addr, &off, &size))
		return NULL;
	end = addr + size;
	if (!copy_from_kernel_nofault(&b, (void *)end, 1) &&
	    !copy_from_kernel_nofault(&b, (void *)(end + MAX_INSN_SIZE - 2), 1))
		return NULL;
	/* A kprobe at an ftrace site is ftrace's, never optimized. */
	if (!offset && st_x86_ftrace_entry(addr))
		return NULL;
	return "the kernel's kprobe optimizer would read past this function's end, the last of its module's text, into unmapped memory and oops (f: can probe it where it is traceable)";
}
