// SPDX-License-Identifier: GPL-2.0
/*
 * u: probes: a uprobe on a function of a user binary, u:/PATH:SYMBOL[+OFF],
 * whose hits record the user stack (stacktap_ustack.c): the probed
 * address, the caller (exact at a function's entry, frame pointers or
 * none) and, where the code keeps frame records, the rest.  ur: probes,
 * ur:/PATH:SYMBOL, a uretprobe: each return is recorded with the value
 * and the latency, and the stack it was called down, taken at the return
 * (the caller is where it returns to).
 *
 * SYMBOL is looked up in the binary's own symbol table (.symtab, else
 * .dynsym), and its address made the file offset uprobes take through the
 * segment that loads it: every door (probes=, control, netlink) takes
 * names, as perf probe -x does.  Little-endian ELF, 32- or 64-bit.
 */
#include <linux/cred.h>
#include <linux/elf.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "stacktap.h"

/* Bounds on what is read of a binary: beyond them it is refused. */
#define ST_ELF_SECTIONS_MAX	4096
#define ST_ELF_SEGMENTS_MAX	256
#define ST_ELF_STRTAB_MAX	(64 << 20)
#define ST_ELF_CHUNK		4096

/* glibc's indirect functions, which the kernel's elf.h does not name */
#define ST_STT_GNU_IFUNC	10

/* The fields of a section, a segment and a symbol, either class. */
struct st_elf_shdr {
	u32 type, link;
	u64 offset, size, entsize;
};

struct st_elf_phdr {
	u32 type, flags;
	u64 offset, vaddr, filesz;
};

struct st_elf_sym {
	u32 name;
	u8 info;
	u16 shndx;
	u64 value, size;
};

struct st_elf {
	struct file *file;
	bool is64;
	u64 shoff, phoff;
	unsigned int shnum, phnum;
};

static int st_elf_read(struct st_elf *e, void *buf, size_t len, u64 pos)
{
	loff_t off = pos;
	ssize_t n = kernel_read(e->file, buf, len, &off);

	if (n < 0)
		return n;
	return (size_t)n == len ? 0 : -ENOEXEC;
}

static int st_elf_shdr(struct st_elf *e, unsigned int i, struct st_elf_shdr *sh)
{
	union {
		Elf64_Shdr s64;
		Elf32_Shdr s32;
	} u;
	int ret;

	ret = st_elf_read(e, &u, e->is64 ? sizeof(u.s64) : sizeof(u.s32),
			  e->shoff + (u64)i * (e->is64 ? sizeof(u.s64) : sizeof(u.s32)));
	if (ret)
		return ret;
	if (e->is64) {
		*sh = (struct st_elf_shdr){ u.s64.sh_type, u.s64.sh_link, u.s64.sh_offset,
					    u.s64.sh_size, u.s64.sh_entsize };
	} else {
		*sh = (struct st_elf_shdr){ u.s32.sh_type, u.s32.sh_link, u.s32.sh_offset,
					    u.s32.sh_size, u.s32.sh_entsize };
	}
	return 0;
}

static int st_elf_phdr(struct st_elf *e, unsigned int i, struct st_elf_phdr *ph)
{
	union {
		Elf64_Phdr p64;
		Elf32_Phdr p32;
	} u;
	int ret;

	ret = st_elf_read(e, &u, e->is64 ? sizeof(u.p64) : sizeof(u.p32),
			  e->phoff + (u64)i * (e->is64 ? sizeof(u.p64) : sizeof(u.p32)));
	if (ret)
		return ret;
	if (e->is64) {
		*ph = (struct st_elf_phdr){ u.p64.p_type, u.p64.p_flags, u.p64.p_offset,
					    u.p64.p_vaddr, u.p64.p_filesz };
	} else {
		*ph = (struct st_elf_phdr){ u.p32.p_type, u.p32.p_flags, u.p32.p_offset,
					    u.p32.p_vaddr, u.p32.p_filesz };
	}
	return 0;
}

static void st_elf_sym(const struct st_elf *e, const void *raw, struct st_elf_sym *sym)
{
	if (e->is64) {
		const Elf64_Sym *s = raw;

		*sym = (struct st_elf_sym){ s->st_name, s->st_info, s->st_shndx, s->st_value,
					    s->st_size };
	} else {
		const Elf32_Sym *s = raw;

		*sym = (struct st_elf_sym){ s->st_name, s->st_info, s->st_shndx, s->st_value,
					    s->st_size };
	}
}

/* The header: a little-endian ELF executable or shared object of either class. */
static int st_elf_open(struct st_elf *e, const char **why)
{
	union {
		Elf64_Ehdr h64;
		Elf32_Ehdr h32;
	} u;

	if (st_elf_read(e, &u, sizeof(u.h32), 0) || memcmp(u.h32.e_ident, ELFMAG, SELFMAG)) {
		*why = "not an ELF binary";
		return -ENOEXEC;
	}
	if (u.h32.e_ident[EI_DATA] != ELFDATA2LSB ||
	    (u.h32.e_ident[EI_CLASS] != ELFCLASS32 && u.h32.e_ident[EI_CLASS] != ELFCLASS64)) {
		*why = "not a little-endian 32- or 64-bit ELF binary";
		return -ENOEXEC;
	}
	e->is64 = u.h32.e_ident[EI_CLASS] == ELFCLASS64;
	if (e->is64 && st_elf_read(e, &u, sizeof(u.h64), 0))
		goto err_truncated;
	if (e->is64) {
		e->shoff = u.h64.e_shoff;
		e->phoff = u.h64.e_phoff;
		e->shnum = u.h64.e_shnum;
		e->phnum = u.h64.e_phnum;
	} else {
		e->shoff = u.h32.e_shoff;
		e->phoff = u.h32.e_phoff;
		e->shnum = u.h32.e_shnum;
		e->phnum = u.h32.e_phnum;
	}
	if (e->shnum > ST_ELF_SECTIONS_MAX || e->phnum > ST_ELF_SEGMENTS_MAX ||
	    (e->is64 ? u.h64.e_shentsize != sizeof(Elf64_Shdr) ||
		       u.h64.e_phentsize != sizeof(Elf64_Phdr) :
		       u.h32.e_shentsize != sizeof(Elf32_Shdr) ||
		       u.h32.e_phentsize != sizeof(Elf32_Phdr)))
		goto err_truncated;
	/* uprobes take this machine's code only (not i386's, not AArch32's). */
	if ((e->is64 ? u.h64.e_machine : u.h32.e_machine) != ELF_ARCH) {
		*why = "the binary is not for this machine";
		return -ENOEXEC;
	}
	return 0;

err_truncated:
	*why = "the binary's ELF headers are unreadable or too large";
	return -ENOEXEC;
}

/* @name's function in symbol section @sh: 1 found, 0 not there, -errno. */
static int st_elf_find_in(struct st_elf *e, const struct st_elf_shdr *sh, const char *name,
			  struct st_elf_sym *found)
{
	size_t esize = e->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	unsigned int i, n, per = ST_ELF_CHUNK / esize;
	size_t len = strlen(name);
	struct st_elf_shdr str;
	struct st_elf_sym sym;
	char *strtab = NULL;
	u8 *chunk;
	int ret;

	/* A table this cannot read is not where the name is: the next may be. */
	if (sh->entsize != esize || sh->size > ST_ELF_STRTAB_MAX || sh->link >= e->shnum)
		return 0;
	n = (unsigned int)sh->size / esize;
	if (st_elf_shdr(e, sh->link, &str) || str.size > ST_ELF_STRTAB_MAX)
		return 0;
	chunk = kmalloc(ST_ELF_CHUNK, GFP_KERNEL);
	strtab = kvmalloc(str.size + 1, GFP_KERNEL);
	ret = -ENOMEM;
	if (!chunk || !strtab)
		goto out_free;
	ret = 0;
	if (st_elf_read(e, strtab, str.size, str.offset))
		goto out_free;
	strtab[str.size] = '\0';
	for (i = 0; i < n; i++) {
		if (i % per == 0) {
			if (st_elf_read(e, chunk, min(per, n - i) * esize,
					sh->offset + (u64)i * esize))
				break;
		}
		st_elf_sym(e, chunk + (i % per) * esize, &sym);
		if (sym.name >= str.size || str.size - sym.name < len ||
		    memcmp(strtab + sym.name, name, len + 1))
			continue;
		if ((ELF_ST_TYPE(sym.info) != STT_FUNC && ELF_ST_TYPE(sym.info) != ST_STT_GNU_IFUNC) ||
		    sym.shndx == SHN_UNDEF || !sym.value)
			continue;
		/* A global or weak one over a file's static of the same name. */
		if (!ret || ELF_ST_BIND(sym.info) != STB_LOCAL) {
			*found = sym;
			ret = 1;
		}
		if (ELF_ST_BIND(sym.info) != STB_LOCAL)
			break;
	}
out_free:
	kvfree(strtab);
	kfree(chunk);
	return ret;
}

/* Where @name+@off is in the binary's file: 0 and *@file_off, or -errno and *why. */
static int st_elf_offset(struct file *file, const char *name, unsigned long off,
			 loff_t *file_off, const char **why)
{
	static const u32 kinds[] = { SHT_SYMTAB, SHT_DYNSYM };
	struct st_elf e = { .file = file };
	struct st_elf_sym sym = { 0 };
	struct st_elf_shdr sh;
	struct st_elf_phdr ph;
	unsigned int k, i;
	u64 vaddr;
	int ret;

	ret = st_elf_open(&e, why);
	if (ret)
		return ret;
	ret = 0;
	/* The full symbol table first: a stripped binary keeps the dynamic one. */
	for (k = 0, ret = 0; k < ARRAY_SIZE(kinds) && ret != 1; k++) {
		for (i = 0; i < e.shnum && ret != 1; i++) {
			ret = st_elf_shdr(&e, i, &sh);
			if (!ret && sh.type == kinds[k])
				ret = st_elf_find_in(&e, &sh, name, &sym);
			if (ret < 0) {
				*why = "the binary's symbol table is unreadable";
				return ret;
			}
		}
	}
	if (ret != 1) {
		*why = "no such function in the binary's symbol tables";
		return -ENOENT;
	}
	if (ELF_ST_TYPE(sym.info) == ST_STT_GNU_IFUNC) {
		*why = "an indirect function's symbol is its resolver: probe the implementation it picks";
		return -EINVAL;
	}
	if (sym.size && off >= sym.size) {
		*why = "offset beyond the function's end";
		return -EINVAL;
	}
	vaddr = sym.value + off;
	for (i = 0; i < e.phnum; i++) {
		if (st_elf_phdr(&e, i, &ph))
			break;
		if (ph.type == PT_LOAD && (ph.flags & PF_X) &&
		    vaddr >= ph.vaddr && vaddr - ph.vaddr < ph.filesz &&
		    ph.offset < (u64)i_size_read(file_inode(file)) &&
		    vaddr - ph.vaddr < (u64)i_size_read(file_inode(file)) - ph.offset) {
			*file_off = vaddr - ph.vaddr + ph.offset;
			return 0;
		}
	}
	*why = "the function is in no executable segment of the binary";
	return -ENOEXEC;
}

/*
 * ur: calls pending, for their latency: uprobes keep no data of their
 * own for a call before 6.13.  Keyed by probe, thread and the stack
 * pointer at entry (a recursive call has its own); taken under a lock,
 * in the task context uprobes run in, which no other user of it can
 * interrupt.  A call that never returns (longjmp(), exit) leaves its
 * entry behind: one older than ST_URET_STALE_NS may be taken over, and
 * a probe's go when it is deleted.  A full table turns a call away: its
 * return is counted as a miss.
 */
#define ST_URET_SLOTS		1024
#define ST_URET_PROBE		16
#define ST_URET_STALE_NS	(60ULL * NSEC_PER_SEC)

struct st_uret_slot {
	const struct st_probe *probe;	/* NULL when free */
	u32 pid;
	unsigned long sp;
	u64 entry_ns;
};

static struct st_uret_slot st_uret_slots[ST_URET_SLOTS];
static DEFINE_RAW_SPINLOCK(st_uret_lock);

static __always_inline unsigned int st_uret_home(const struct st_probe *p, u32 pid,
						 unsigned long sp)
{
	return hash_long(sp ^ ((unsigned long)pid << 16) ^ (unsigned long)p, ilog2(ST_URET_SLOTS));
}

static notrace int st_uretprobe_entry(ST_UPROBE_HANDLER_ARGS)
{
	struct st_probe *p = container_of(uc, struct st_probe, up.uc);
	unsigned long sp = user_stack_pointer(regs), flags;
	unsigned int home = st_uret_home(p, current->pid, sp), i;
	struct st_uret_slot *s, *free = NULL;
	u64 now = ktime_get_mono_fast_ns();

	/* Past its depth uprobes hook no return (prepare_uretprobe()). */
	if (st_uretprobe_too_deep())
		return 0;
	raw_spin_lock_irqsave(&st_uret_lock, flags);
	for (i = 0; i < ST_URET_PROBE; i++) {
		s = &st_uret_slots[(home + i) % ST_URET_SLOTS];
		/* The same call again (its last left by longjmp()): it is this one now. */
		if (s->probe == p && s->pid == current->pid && s->sp == sp) {
			free = s;
			break;
		}
		if (!free && (!s->probe || now - s->entry_ns > ST_URET_STALE_NS))
			free = s;
	}
	if (free)
		*free = (struct st_uret_slot){ p, current->pid, sp, now };
	raw_spin_unlock_irqrestore(&st_uret_lock, flags);
	return 0;
}
NOKPROBE_SYMBOL(st_uretprobe_entry);

static notrace int st_uretprobe_hit(ST_URETPROBE_HANDLER_ARGS)
{
	struct st_probe *p = container_of(uc, struct st_probe, up.uc);
	unsigned long sp = user_stack_pointer(regs) - ST_USER_RET_POP(regs), flags;
	unsigned int home = st_uret_home(p, current->pid, sp), i;
	struct st_ret ret = { .value = regs_return_value(regs) };
	u64 entry_ns = 0, now = ktime_get_mono_fast_ns();
	struct st_uret_slot *s;

	raw_spin_lock_irqsave(&st_uret_lock, flags);
	for (i = 0; i < ST_URET_PROBE; i++) {
		s = &st_uret_slots[(home + i) % ST_URET_SLOTS];
		if (s->probe == p && s->pid == current->pid && s->sp == sp) {
			entry_ns = s->entry_ns;
			s->probe = NULL;
			break;
		}
	}
	raw_spin_unlock_irqrestore(&st_uret_lock, flags);
	if (!entry_ns) {
		/* Preemptible here: the counter is this CPU's. */
		preempt_disable_notrace();
		local_inc(&this_cpu_ptr(p->stats)->misses);
		preempt_enable_notrace();
		return 0;
	}
	ret.lat_ns = now - entry_ns;
	st_capture_uretprobe(p, regs, func, &ret);
	return 0;
}
NOKPROBE_SYMBOL(st_uretprobe_hit);

/* A deleted ur: probe's calls still pending. */
static void st_uret_forget(const struct st_probe *p)
{
	unsigned long flags;
	unsigned int i;

	raw_spin_lock_irqsave(&st_uret_lock, flags);
	for (i = 0; i < ST_URET_SLOTS; i++)
		if (st_uret_slots[i].probe == p)
			st_uret_slots[i].probe = NULL;
	raw_spin_unlock_irqrestore(&st_uret_lock, flags);
}

static notrace int st_uprobe_hit(ST_UPROBE_HANDLER_ARGS)
{
	struct st_probe *p = container_of(uc, struct st_probe, up.uc);

	/* At SYMBOL itself the caller is still where the call left it. */
	st_capture_uprobe(p, regs, !p->spec.offset);
	return 0;
}
NOKPROBE_SYMBOL(st_uprobe_hit);

static int st_uprobe_arm(struct st_probe *p, const char **why)
{
	const char *name = p->spec.symbol + p->spec.path_len + 1;
	struct file *file;
	char *path;
	int ret;

	path = kstrndup(p->spec.symbol, p->spec.path_len, GFP_KERNEL);
	if (!path) {
		*why = "out of memory";
		return -ENOMEM;
	}
	ret = kern_path(path, LOOKUP_FOLLOW, &p->up.path);
	if (ret) {
		*why = "no such binary";
		goto out_free;
	}
	if (!d_is_reg(p->up.path.dentry)) {
		*why = "the binary is not a regular file";
		ret = -EINVAL;
		goto err_put_path;
	}
	/* The very file the uprobe goes on, not what the name is by now. */
	file = dentry_open(&p->up.path, O_RDONLY, current_cred());
	if (IS_ERR(file)) {
		*why = "the binary cannot be read";
		ret = PTR_ERR(file);
		goto err_put_path;
	}
	ret = st_elf_offset(file, name, p->spec.offset, &p->up.offset, why);
	fput(file);
	if (ret)
		goto err_put_path;
	p->up.inode = d_real_inode(p->up.path.dentry);
	if (p->spec.kind == STACKTAP_KIND_URETPROBE) {
		p->up.uc.handler = st_uretprobe_entry;
		p->up.uc.ret_handler = st_uretprobe_hit;
	} else {
		p->up.uc.handler = st_uprobe_hit;
	}
	ret = st_uprobe_register(&p->up);
	if (ret) {
		*why = "uprobe registration failed (the instruction there cannot take one)";
		goto err_put_path;
	}
	goto out_free;

err_put_path:
	path_put(&p->up.path);
out_free:
	kfree(path);
	return ret;
}

static void st_uprobe_disarm(struct st_probe *p)
{
	st_uprobe_unregister(&p->up);
	path_put(&p->up.path);
}

const struct st_probe_kind st_uprobe_kind = {
	.arm = st_uprobe_arm,
	.disarm = st_uprobe_disarm,
	.nmissed = st_probe_no_misses,
};

static void st_uretprobe_disarm(struct st_probe *p)
{
	st_uprobe_disarm(p);
	st_uret_forget(p);
}

const struct st_probe_kind st_uretprobe_kind = {
	.arm = st_uprobe_arm,
	.disarm = st_uretprobe_disarm,
	.nmissed = st_probe_no_misses,
};
