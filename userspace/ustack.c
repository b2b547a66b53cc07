// SPDX-License-Identifier: GPL-2.0
/*
 * User stacks on the workstation (ustack.h).  Each process gets a Dwfl
 * of its own, the binaries of its recorded mappings reported at their
 * load bias; the unwinder then walks the copied stack frame by frame as
 * the CFI of the code at each pc says, reading saved registers from the
 * copy, as perf's --call-graph dwarf does after the fact.
 */
#include <dwarf.h>
#include <errno.h>
#include <endian.h>
#include <fcntl.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ustack.h"
#include "usyms.h"

struct st_umap {
	uint64_t start, end, pgoff;
	char *path;
};

/* A binary's CFI read through a copy of it (cfi_abi_fallback()). */
struct st_ucfi {
	Dwfl_Module *mod;
	void *image;
	Elf *elf;
	Dwarf_CFI *cfi;		/* NULL: none to be had */
};

struct st_uproc {
	uint32_t tgid;
	size_t nmap;
	struct st_umap *maps;
	Dwfl *dwfl;		/* made at the first lookup */
	bool reported;
	size_t ncfi;
	struct st_ucfi *cfis;
};

struct st_uspace {
	char *symfs;
	unsigned int missing;	/* binaries not found, said */
	Dwfl_Callbacks cb;
	size_t nproc;
	struct st_uproc *procs;
};

/* A frame's registers: DWARF numbering, which are known. */
struct st_uregs {
	uint64_t r[STACKTAP_UCOPY_REGS_MAX];
	bool known[STACKTAP_UCOPY_REGS_MAX];
};

/* What an unwind reads from: the copy, and the arch's word and registers. */
struct st_uwalk {
	const struct stacktap_ucopy *u;
	const unsigned char *stack;
	unsigned int word;	/* 4: a 32-bit binary's words */
	bool be;		/* a big-endian binary's */
	unsigned int sp_reg, nregs;
	bool link_reg;		/* calls leave the return address in a register */
	uint64_t ra_mask;	/* the bits of a return address (arm64: no PAC) */
};

struct st_uspace *st_uspace_new(const char *symfs)
{
	struct st_uspace *us = calloc(1, sizeof(*us));

	if (!us)
		return NULL;
	us->symfs = strdup(symfs ? symfs : "");
	if (!us->symfs) {
		free(us);
		return NULL;
	}
	us->cb.find_elf = dwfl_build_id_find_elf;
	us->cb.find_debuginfo = dwfl_standard_find_debuginfo;
	us->cb.section_address = dwfl_offline_section_address;
	return us;
}

void st_uspace_free(struct st_uspace *us)
{
	size_t i, j;

	if (!us)
		return;
	for (i = 0; i < us->nproc; i++) {
		for (j = 0; j < us->procs[i].nmap; j++)
			free(us->procs[i].maps[j].path);
		free(us->procs[i].maps);
		if (us->procs[i].dwfl)
			dwfl_end(us->procs[i].dwfl);
		for (j = 0; j < us->procs[i].ncfi; j++) {
			struct st_ucfi *c = &us->procs[i].cfis[j];

			if (c->cfi)
				dwarf_cfi_end(c->cfi);
			if (c->elf)
				elf_end(c->elf);
			free(c->image);
		}
		free(us->procs[i].cfis);
	}
	free(us->procs);
	free(us->symfs);
	free(us);
}

bool st_uspace_empty(const struct st_uspace *us)
{
	return !us || !us->nproc;
}

static struct st_uproc *proc_find(struct st_uspace *us, uint32_t tgid)
{
	size_t i;

	for (i = 0; i < us->nproc; i++)
		if (us->procs[i].tgid == tgid)
			return &us->procs[i];
	return NULL;
}

int st_uspace_add_map(struct st_uspace *us, uint32_t tgid, uint64_t start, uint64_t end,
		      uint64_t pgoff, const char *path)
{
	struct st_uproc *p = proc_find(us, tgid);
	struct st_umap *m;
	size_t i;

	if (!p) {
		p = realloc(us->procs, (us->nproc + 1) * sizeof(*p));
		if (!p)
			return -1;
		us->procs = p;
		p = &us->procs[us->nproc++];
		memset(p, 0, sizeof(*p));
		p->tgid = tgid;
	}
	/* The same mapping again (a later snapshot): once is enough. */
	for (i = 0; i < p->nmap; i++)
		if (p->maps[i].start == start && p->maps[i].end == end &&
		    !strcmp(p->maps[i].path, path))
			return 0;
	m = realloc(p->maps, (p->nmap + 1) * sizeof(*m));
	if (!m)
		return -1;
	p->maps = m;
	m = &p->maps[p->nmap];
	m->path = strdup(path);
	if (!m->path)
		return -1;
	m->start = start;
	m->end = end;
	m->pgoff = pgoff;
	p->nmap++;
	return 0;
}

static int add_map(void *us, uint32_t tgid, uint64_t start, uint64_t end, uint64_t pgoff,
		   const char *path)
{
	return st_uspace_add_map(us, tgid, start, end, pgoff, path);
}

int st_uspace_add_maps_text(struct st_uspace *us, const char *text)
{
	return st_maps_text_each(text, add_map, us);
}

/*
 * The load bias of @elf mapped at @m: where the PT_LOAD that holds file
 * offset pgoff lands, less where it was linked (0 for ET_EXEC).
 */
static bool map_bias(Elf *elf, const struct st_umap *m, uint64_t *bias)
{
	size_t i, n;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &n))
		return false;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
			continue;
		/* Mapped from a page boundary at or below the segment's offset. */
		if (m->pgoff > ph.p_offset || ph.p_offset - m->pgoff >= m->end - m->start)
			continue;
		*bias = m->start + (ph.p_offset - m->pgoff) - ph.p_vaddr;
		return true;
	}
	return false;
}

/* A binary not found, said once: its frames go unnamed and, copied, not unwound. */
static void missing_say(struct st_uspace *us, const char *file)
{
	if (us->missing++ < 8)
		fprintf(stderr, "stacktapctl: %s: %s: its frames are left as addresses"
			" (--symfs DIR: where the target's files are)\n", file, strerror(errno));
}

/* @p's binaries reported to a Dwfl of its own: each file once, at its bias. */
static Dwfl *proc_dwfl(struct st_uspace *us, struct st_uproc *p)
{
	char file[4096];
	uint64_t bias;
	size_t i, j;
	Elf *elf;
	int fd;

	if (p->reported)
		return p->dwfl;
	p->reported = true;
	p->dwfl = dwfl_begin(&us->cb);
	if (!p->dwfl)
		return NULL;
	dwfl_report_begin(p->dwfl);
	for (i = 0; i < p->nmap; i++) {
		/* A file's other code mappings come with its first. */
		for (j = 0; j < i && strcmp(p->maps[j].path, p->maps[i].path); j++)
			;
		if (j < i)
			continue;
		/* The kernel's own code ("[vdso]", "[uprobes]"): no file. */
		if (p->maps[i].path[0] == '[')
			continue;
		snprintf(file, sizeof(file), "%s%s", us->symfs, p->maps[i].path);
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			missing_say(us, file);
			continue;
		}
		elf = elf_begin(fd, ELF_C_READ, NULL);
		if (elf && map_bias(elf, &p->maps[i], &bias))
			dwfl_report_elf(p->dwfl, p->maps[i].path, file, -1, bias, true);
		if (elf)
			elf_end(elf);
		close(fd);
	}
	dwfl_report_end(p->dwfl, NULL, NULL);
	return p->dwfl;
}

static Dwfl_Module *addr_module(struct st_uspace *us, uint32_t tgid, uint64_t addr)
{
	struct st_uproc *p = proc_find(us, tgid);
	Dwfl *dwfl = p ? proc_dwfl(us, p) : NULL;

	return dwfl ? dwfl_addrmodule(dwfl, addr) : NULL;
}

bool st_uspace_name(struct st_uspace *us, uint32_t tgid, uint64_t addr, bool ret,
		    char *name, size_t size, char *line, size_t line_size)
{
	uint64_t at = ret ? addr - 1 : addr;
	Dwfl_Module *mod = us ? addr_module(us, tgid, at) : NULL;
	const char *mname, *sym, *src;
	GElf_Off off = 0;
	Dwfl_Line *l;
	GElf_Sym s;
	int lineno;

	line[0] = '\0';
	if (!mod)
		return false;
	mname = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	sym = dwfl_module_addrinfo(mod, at, &off, &s, NULL, NULL, NULL);
	/* The offset of the address itself, as perf prints it; no symbol version. */
	if (sym)
		snprintf(name, size, "%.*s+0x%" PRIx64 " (%s)", (int)strcspn(sym, "@"), sym,
			 (uint64_t)off + (at != addr), mname);
	else
		snprintf(name, size, "0x%" PRIx64 " (%s)", addr, mname);
	l = dwfl_module_getsrc(mod, at);
	src = l ? dwfl_lineinfo(l, NULL, &lineno, NULL, NULL, NULL) : NULL;
	if (src)
		snprintf(line, line_size, "%s:%d", src, lineno);
	return true;
}

/* A word of the copied stack at @addr; false outside it. */
static bool stack_word(const struct st_uwalk *w, uint64_t addr, uint64_t *val)
{
	uint32_t v32;

	if (addr < w->u->sp || addr - w->u->sp > w->u->size ||
	    w->u->size - (addr - w->u->sp) < w->word)
		return false;
	if (w->word == 4) {
		memcpy(&v32, w->stack + (addr - w->u->sp), 4);
		*val = w->be ? be32toh(v32) : le32toh(v32);
	} else {
		memcpy(val, w->stack + (addr - w->u->sp), 8);
		*val = w->be ? be64toh(*val) : le64toh(*val);
	}
	return true;
}

/*
 * A CFI expression, as libdw gives a rule: the CFA with @cfa_known, the
 * frame's registers, the copy for DW_OP_deref.  Into *@val; *@is_value
 * when it ends in DW_OP_stack_value (else it is an address).
 */
static bool cfi_eval(const struct st_uwalk *w, const Dwarf_Op *ops, size_t nops,
		     const struct st_uregs *regs, uint64_t cfa, bool cfa_known,
		     uint64_t *val, bool *is_value)
{
	uint64_t st[16], mask = w->word == 4 ? 0xffffffffull : ~0ull;
	unsigned int sp = 0, reg;
	size_t i;

	*is_value = false;
	for (i = 0; i < nops; i++) {
		uint8_t op = ops[i].atom;

		if (sp >= 15)
			return false;
		if (op >= DW_OP_lit0 && op <= DW_OP_lit31) {
			st[sp++] = op - DW_OP_lit0;
		} else if ((op >= DW_OP_breg0 && op <= DW_OP_breg31) || op == DW_OP_bregx) {
			if (op == DW_OP_bregx && ops[i].number >= w->nregs)
				return false;
			reg = op == DW_OP_bregx ? ops[i].number : (unsigned int)(op - DW_OP_breg0);
			if (reg >= w->nregs || !regs->known[reg])
				return false;
			st[sp++] = regs->r[reg] + (op == DW_OP_bregx ? ops[i].number2 : ops[i].number);
		} else if ((op >= DW_OP_reg0 && op <= DW_OP_reg31) || op == DW_OP_regx) {
			/* The value is in that register. */
			if (op == DW_OP_regx && ops[i].number >= w->nregs)
				return false;
			reg = op == DW_OP_regx ? ops[i].number : (unsigned int)(op - DW_OP_reg0);
			if (reg >= w->nregs || !regs->known[reg])
				return false;
			st[sp++] = regs->r[reg];
			*is_value = true;
		} else {
			switch (op) {
			case DW_OP_call_frame_cfa:
				if (!cfa_known)
					return false;
				st[sp++] = cfa;
				break;
			case DW_OP_const1u: case DW_OP_const2u: case DW_OP_const4u:
			case DW_OP_const8u: case DW_OP_constu: case DW_OP_const1s:
			case DW_OP_const2s: case DW_OP_const4s: case DW_OP_const8s:
			case DW_OP_consts:
				st[sp++] = ops[i].number;
				break;
			case DW_OP_plus_uconst:
				if (!sp)
					return false;
				st[sp - 1] += ops[i].number;
				break;
			case DW_OP_plus: case DW_OP_minus: case DW_OP_and:
				if (sp < 2)
					return false;
				sp--;
				st[sp - 1] = op == DW_OP_plus ? st[sp - 1] + st[sp] :
					     op == DW_OP_minus ? st[sp - 1] - st[sp] : st[sp - 1] & st[sp];
				break;
			case DW_OP_deref:
				if (!sp || !stack_word(w, st[sp - 1] & mask, &st[sp - 1]))
					return false;
				break;
			case DW_OP_stack_value:
				*is_value = true;
				break;
			default:
				return false;
			}
		}
	}
	if (!sp)
		return false;
	*val = st[sp - 1] & mask;
	return true;
}

/* The arch's stack pointer in DWARF's numbering, and its register count. */
static bool arch_regs(uint16_t machine, unsigned int *sp_reg)
{
	switch (machine) {
	case EM_X86_64:
		*sp_reg = 7;
		return true;
	case EM_AARCH64:
		*sp_reg = 31;
		return true;
	case EM_MIPS:
		*sp_reg = 29;
		return true;
	}
	return false;
}

/*
 * elfutils before 0.190 knows no MIPS ABI rules for CFI, and libdw's CFI
 * reader fails every lookup without them.  The rules only seed what the
 * CIE leaves unsaid; MIPS CIEs say the CFA and the return address
 * column, and this unwinder keeps any register no rule is given for.  So
 * a MIPS binary's .eh_frame is read through a copy of the file whose ELF
 * header names a machine libdw has rules for; its class, byte order and
 * sections are the binary's own.  RISC-V's rules make one register the
 * CFA, x2 (its sp), which is MIPS's $2 (v0): no MIPS CFA or return
 * address is found through it, and $31 is left without a rule, as
 * MIPS's own rules do.  A newer libdw takes the first path and never
 * gets here.
 */
static Dwarf_CFI *cfi_abi_fallback(struct st_uproc *p, Dwfl_Module *mod)
{
	const char *file = NULL;
	struct st_ucfi *c;
	GElf_Ehdr eh;
	size_t i, len = 0;
	uint16_t em;
	FILE *f;

	Dwarf_Addr bias;
	Elf *elf;

	for (i = 0; i < p->ncfi; i++)
		if (p->cfis[i].mod == mod)
			return p->cfis[i].cfi;
	/* Only MIPS needs it: no other binary is read again. */
	elf = dwfl_module_getelf(mod, &bias);
	if (!elf || !gelf_getehdr(elf, &eh) || eh.e_machine != EM_MIPS)
		return NULL;
	c = realloc(p->cfis, (p->ncfi + 1) * sizeof(*c));
	if (!c)
		return NULL;
	p->cfis = c;
	c = &p->cfis[p->ncfi++];
	memset(c, 0, sizeof(*c));
	c->mod = mod;
	dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, &file, NULL);
	f = file ? fopen(file, "rb") : NULL;
	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (long)(len = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET) &&
	    (c->image = malloc(len)) && fread(c->image, len, 1, f) == 1)
		c->elf = elf_memory(c->image, len);
	fclose(f);
	if (!c->elf || !gelf_getehdr(c->elf, &eh) || eh.e_machine != EM_MIPS)
		return NULL;
	em = eh.e_ident[EI_DATA] == ELFDATA2MSB ? htobe16(EM_RISCV) : htole16(EM_RISCV);
	elf_end(c->elf);
	memcpy((char *)c->image + offsetof(GElf_Ehdr, e_machine), &em, sizeof(em));
	c->elf = elf_memory(c->image, len);
	c->cfi = c->elf ? dwarf_getcfi_elf(c->elf) : NULL;
	return c->cfi;
}

/*
 * The CFI frame at @at, a dwfl address in @mod: .eh_frame, else
 * .debug_frame, else through cfi_abi_fallback().
 */
static Dwarf_Frame *cfi_frame(struct st_uspace *us, uint32_t tgid, Dwfl_Module *mod,
			      uint64_t at)
{
	Dwarf_Frame *frame;
	Dwarf_Addr bias;
	Dwarf_CFI *cfi;

	cfi = dwfl_module_eh_cfi(mod, &bias);
	if (cfi && !dwarf_cfi_addrframe(cfi, at - bias, &frame))
		return frame;
	cfi = dwfl_module_dwarf_cfi(mod, &bias);
	if (cfi && !dwarf_cfi_addrframe(cfi, at - bias, &frame))
		return frame;
	/* The copy's addresses are the file's: the module's bias off. */
	if (!dwfl_module_getelf(mod, &bias))
		return NULL;
	cfi = cfi_abi_fallback(proc_find(us, tgid), mod);
	if (cfi && !dwarf_cfi_addrframe(cfi, at - bias, &frame))
		return frame;
	return NULL;
}

/*
 * One step: @regs at @pc (@first: the interrupted pc itself, else a
 * return address) to the caller's, and its return address in *@ra.
 */
static bool unwind_step(struct st_uspace *us, uint32_t tgid, const struct st_uwalk *w,
			uint64_t pc, bool first, struct st_uregs *regs, uint64_t *ra)
{
	uint64_t at = first ? pc : pc - 1, cfa, v;
	Dwfl_Module *mod = addr_module(us, tgid, at);
	Dwarf_Op ops_mem[3], *ops;
	struct st_uregs next;
	bool is_value;
	Dwarf_Frame *frame;
	size_t nops;
	int ra_reg;
	unsigned int r;

	if (!mod)
		return false;
	frame = cfi_frame(us, tgid, mod, at);
	if (!frame)
		return false;
	ra_reg = dwarf_frame_info(frame, NULL, NULL, NULL);
	if (ra_reg < 0 || (unsigned int)ra_reg >= w->nregs ||
	    dwarf_frame_cfa(frame, &ops, &nops) ||
	    !cfi_eval(w, ops, nops, regs, 0, false, &cfa, &is_value)) {
		free(frame);
		return false;
	}
	next = *regs;
	for (r = 0; r < w->nregs; r++) {
		if (dwarf_frame_register(frame, r, ops_mem, &ops, &nops) < 0) {
			next.known[r] = false;
			continue;
		}
		/*
		 * Undefined or the same value: others keep theirs; the return
		 * address column so ends the stack (libdw gives glibc's
		 * cfi_undefined on x86_64's _start as the same value), but in
		 * the innermost frame where the arch keeps it in a link
		 * register, which no call has overwritten yet (a function's
		 * entry, or a leaf).
		 */
		if (!nops) {
			if ((int)r == ra_reg && !(first && w->link_reg))
				next.known[r] = false;
			continue;
		}
		if (!cfi_eval(w, ops, nops, regs, cfa, true, &v, &is_value) ||
		    (!is_value && !stack_word(w, v, &v))) {
			next.known[r] = false;
			continue;
		}
		next.r[r] = v;
		next.known[r] = true;
	}
	free(frame);
	next.r[w->sp_reg] = cfa;
	next.known[w->sp_reg] = true;
	if (!next.known[ra_reg] || !next.r[ra_reg])
		return false;
	/* Stacks grow down: a caller's frame is above its callee's. */
	if (cfa < regs->r[w->sp_reg] || (cfa == regs->r[w->sp_reg] && next.r[ra_reg] == pc))
		return false;
	*ra = next.r[ra_reg];
	*regs = next;
	return true;
}

/* Whether a recorded mapping of @tgid holds @addr. */
static bool in_maps(struct st_uspace *us, uint32_t tgid, uint64_t addr)
{
	struct st_uproc *p = proc_find(us, tgid);
	size_t i;

	for (i = 0; p && i < p->nmap; i++)
		if (addr >= p->maps[i].start && addr < p->maps[i].end)
			return true;
	return false;
}

/*
 * Whether @ra is uprobes' return trampoline: in the process's "[uprobes]"
 * mapping, or, in a recording that has none, in no file at all.
 */
static bool uprobes_tramp(struct st_uspace *us, uint32_t tgid, uint64_t ra)
{
	struct st_uproc *p = proc_find(us, tgid);
	bool known = false;
	size_t i;

	for (i = 0; p && i < p->nmap; i++) {
		if (strcmp(p->maps[i].path, "[uprobes]"))
			continue;
		if (ra >= p->maps[i].start && ra < p->maps[i].end)
			return true;
		known = true;
	}
	return !known && !addr_module(us, tgid, ra - 1);
}

int st_uspace_unwind(struct st_uspace *us, uint32_t tgid, const struct stacktap_ucopy *u,
		     uint64_t *out, int max)
{
	struct st_uwalk w = { .u = u,
			      .stack = (const unsigned char *)&u->regs[u->nregs + u->nuret] };
	Dwfl_Module *mod = addr_module(us, tgid, u->pc);
	struct st_uregs regs = { 0 };
	uint64_t pc = u->pc, ra;
	unsigned int i, uret = 0;
	Dwarf_Addr bias;
	Elf *elf;
	int n = 0;

	if (!mod || !arch_regs(u->machine, &w.sp_reg) || u->nregs > STACKTAP_UCOPY_REGS_MAX)
		return 0;
	elf = dwfl_module_getelf(mod, &bias);
	w.word = elf && gelf_getclass(elf) == ELFCLASS32 ? 4 : 8;
	w.be = elf && elf_getident(elf, NULL) && elf_getident(elf, NULL)[EI_DATA] == ELFDATA2MSB;
	w.nregs = u->nregs;
	w.link_reg = u->machine != EM_X86_64;
	/*
	 * arm64: a return address signed with PAC has bits above the user
	 * VA set; unsigned, it is as it is (52-bit VA kernels put [uprobes]
	 * above 48 bits).  Where it lies in no recorded mapping, its low 48.
	 */
	w.ra_mask = u->machine == EM_AARCH64 ? (1ULL << 48) - 1 : ~0ULL;
	for (i = 0; i < u->nregs; i++) {
		regs.r[i] = w.word == 4 ? (uint32_t)u->regs[i] : u->regs[i];
		regs.known[i] = true;
	}
	regs.r[w.sp_reg] = u->sp;
	while (n < max && unwind_step(us, tgid, &w, pc, !n, &regs, &ra)) {
		if ((ra & w.ra_mask) != ra && !in_maps(us, tgid, ra))
			ra &= w.ra_mask;
		/*
		 * A uretprobe's trampoline, in no file: the return address it
		 * replaced, in order, as the kernel's perf callchains do.
		 */
		if (uret < u->nuret && uprobes_tramp(us, tgid, ra))
			ra = u->regs[u->nregs + uret++];
		pc = ra;
		out[n++] = pc;
	}
	return n;
}
