// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64: where a kprobe must not go, though kprobes would take it.
 *
 * The kprobe optimizer prepares every kprobe that is not on an ftrace
 * site, enabled or not: it decodes the whole function the kprobe is in,
 * as far as kallsyms' size of it, and an instruction there may read up to
 * MAX_INSN_SIZE - 1 bytes past that end (can_optimize()).  The last
 * function of a module's text has its size run to the end of the region;
 * from 6.4 that region is an allocation of its own, and where the page
 * after it is not mapped, that read faults inside register_kprobe() and
 * the kernel oopses (6.12: st_truth_exit, notrace, last in its text).
 * stacktap refuses such a kprobe, and says why.
 */
#include <linux/elf.h>
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
 * @name's address in @mod's own symbol table (aliases included, as
 * "MOD:SYM" resolves), or 0.  mod->kallsyms is private, and the same
 * from 5.10 to 7.2; read under RCU, as kallsyms does.
 */
static unsigned long st_kprobe_module_symbol(struct module *mod, const char *name)
{
	struct mod_kallsyms *ks = rcu_dereference_sched(mod->kallsyms);
	const Elf_Sym *s;
	unsigned int i;

	for (i = 1; ks && i < ks->num_symtab; i++) {
		s = &ks->symtab[i];
		if (s->st_shndx != SHN_UNDEF && !strcmp(ks->strtab + s->st_name, name))
			return s->st_value;
	}
	return 0;
}

/*
 * Where a kprobe on @symbol + @offset goes, when that is inside the last
 * function of a loaded module's text (its start into *@last, the region's
 * end into *@end); 0 elsewhere.  The module list is a ring through every
 * module and one head in the kernel image, reached through stacktap's own
 * entry.  A bare name is looked for in every module (kprobes would take
 * vmlinux's first, if it has one: then this refuses too much).
 */
static unsigned long st_kprobe_in_last_function(const char *symbol, unsigned long offset,
					     unsigned long *last, unsigned long *end)
{
	const char *colon = strchr(symbol, ':'), *name = colon ? colon + 1 : symbol;
	unsigned long base, size, off, fsize, value, addr = 0;
	struct list_head *self, *n;
	char buf[KSYM_SYMBOL_LEN];
	struct module *mod;

	if (!IS_ENABLED(MODULE))
		return 0;	/* built in: no entry of its own to go round from */
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
		value = st_kprobe_module_symbol(mod, name);
		st_module_core_text(mod, &base, &size);
		if (!value || value + offset < base || value + offset >= base + size ||
		    !st_symbol_offset(buf, base + size - 1, &off, &fsize) ||
		    base + size - 1 - off + fsize != base + size ||
		    value + offset < base + size - 1 - off)
			continue;
		*last = base + size - 1 - off;
		*end = base + size;
		addr = value + offset;
		break;
	} while ((n = rcu_dereference_sched(list_next_rcu(n))) != self);
	rcu_read_unlock_sched();
	return addr;
}

/*
 * Whether a kprobe at function entry @addr is ftrace's: the call site
 * ftrace patched (past an ENDBR) is a 5-byte nop, or a call into
 * ftrace's code or one of its trampolines.
 */
static bool st_kprobe_ftrace_entry(unsigned long addr)
{
	u8 code[9];
	s32 rel;

	if (copy_from_kernel_nofault(code, (void *)addr, sizeof(code)))
		return false;
	if (code[0] == 0xf3 && code[1] == 0x0f && code[2] == 0x1e && code[3] == 0xfa) {
		memmove(code, code + 4, 5);
		addr += 4;
	}
	if (code[0] == 0x0f && code[1] == 0x1f && code[2] == 0x44 && !code[3] && !code[4])
		return true;
	if (code[0] != 0xe8)
		return false;
	memcpy(&rel, &code[1], sizeof(rel));
	return st_tracer_text(addr + 5 + rel) || st_unwind_tracer_text(addr + 5 + rel);
}

const char *st_kprobe_arch_refuses(const char *symbol, unsigned long offset)
{
	unsigned long addr, last, end;
	u8 b;

	if (!IS_ENABLED(CONFIG_OPTPROBES))
		return NULL;
	addr = st_kprobe_in_last_function(symbol, offset, &last, &end);
	if (!addr)
		return NULL;
	if (!copy_from_kernel_nofault(&b, (void *)end, 1) &&
	    !copy_from_kernel_nofault(&b, (void *)(end + MAX_INSN_SIZE - 2), 1))
		return NULL;
	/* A kprobe at an ftrace site is ftrace's, never optimized. */
	if (addr == last && st_kprobe_ftrace_entry(addr))
		return NULL;
	return "the kernel's kprobe optimizer would read past this function's end, the last of its module's text, into unmapped memory and oops (f: can probe it where it is traceable)";
}
