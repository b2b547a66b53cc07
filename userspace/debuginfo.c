// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel addresses to function, inline chain and file:line with elfutils'
 * libdwfl and libdw, giving what binutils' addr2line -f -i -e FILE ADDR
 * prints (binutils 2.40, Debian 12).
 *
 * The kernel is reported at its link-time addresses and a KASLR shift is
 * taken off each runtime address before the look-up.  A module (ET_REL)
 * is reported by address range with dwfl_report_module() and opened by
 * our find_elf callback; our section_address callback then places each
 * of its sections at the runtime address the kernel gave it, so that its
 * DWARF is relocated to runtime addresses.  Where libdwfl cannot relocate
 * (elfutils before 0.189 has no MIPS backend), the module's debug sections
 * are relocated here (reloc_debug()) and read with libdw alone.  Which
 * module holds an address is decided here, from the loaded sections, not
 * by dwfl_addrmodule(): a module's text, data and init parts are apart and
 * another's may lie between them.
 *
 * What addr2line (bfd) prints, and how this follows it:
 *  - the CU is the one whose ranges hold the address (dwarf_haspc()):
 *    libdwfl also gives a CU for an address in no CU (see mod_cu()).
 *  - level 0's function is, of all subprograms, inlined_subroutines and
 *    entry_points of the CU, the one with the shortest address range that
 *    holds the address (bfd's function table, see cu_fn_find()); its name
 *    a linkage name, else DW_AT_name, through DW_AT_abstract_origin.  Its
 *    file:line is the line table row.  While a level is an inlined
 *    subroutine, the next is the function around it (bfd's caller_func)
 *    at the inlined one's DW_AT_call_file:DW_AT_call_line.
 *  - file names: bfd joins DW_AT_comp_dir, the row's directory and its
 *    file name (comp_dir/dir/file unless dir or file is absolute) while
 *    libdw gives dir/file (DWARF 5, which lists comp_dir as dir 0) or
 *    comp_dir/file for dir 0 before DWARF 5: a relative libdw name gets
 *    comp_dir put before it (see file_name()).  Not followed: bfd 2.40
 *    names file 0, not the line program's default file 1, for a DWARF 5
 *    sequence's rows before any file is set, so it names the .c where a
 *    header (a trace event's) is right; this names the header.
 *  - no DWARF function at the address (assembly without a subprogram,
 *    arm64's patchable entry NOPs): bfd names the ELF symbol, and with no
 *    line either the symbol's STT_FILE (sym_find()); so does this, with
 *    ST_DW_SYMTAB.
 */
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debuginfo.h"

#define PROG			"stacktapctl"
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define MODULE_SECT_NAME_LEN	56	/* the kernel truncates sysfs names to 55 */

/* Runtime [lo, hi) of one loaded section, @shndx in the module's ELF. */
struct st_dw_range {
	uint64_t lo, hi;
	size_t shndx;
};

/* An ELF symbol that bfd would take for a function name (sym_find()). */
struct st_dw_sym {
	uint64_t value, size;	/* dwfl address; a size of 0 counts as 1 */
	const char *name;
	const char *file;	/* the STT_FILE bfd would give with it, or NULL */
	size_t shndx;
};

/* A function of a CU: subprogram, inlined_subroutine or entry_point. */
struct st_dw_fn {
	Dwarf_Off off;		/* its DIE */
	int caller;		/* inlined: the function around it (table index), or -1 */
	bool inlined;
};

/* One address range of a function, in DWARF addresses. */
struct st_dw_fnrange {
	uint64_t lo, hi;
	int fn;
};

/* A CU's functions, in DIE order, as bfd's function table has them. */
struct st_dw_cu {
	Dwarf_Off off;		/* the CU DIE's */
	size_t nfn, nrange;
	struct st_dw_fn *fns;
	struct st_dw_fnrange *ranges;
};

struct st_dw_mod {
	char *name, *path;
	Dwfl_Module *mod;	/* reported to libdwfl, or NULL: */
	int fd;			/* our own relocated copy of a module */
	Elf *elf;
	Dwarf *dbg;
	bool is32;		/* a 32-bit ELF: addresses are 32 bits */
	uint64_t shift;		/* runtime address - dwfl address (KASLR) */
	size_t nsec;		/* module: the runtime section addresses */
	char **secnames;
	uint64_t *secaddrs;
	size_t nrange;
	struct st_dw_range *ranges;
	bool syms_read;
	size_t nsym;
	struct st_dw_sym *syms;
	size_t ncu;		/* the CUs looked in so far */
	struct st_dw_cu **cus;
};

struct st_dw {
	Dwfl *dwfl;
	Dwfl_Callbacks cb;
	size_t nmod;
	struct st_dw_mod **mods;
};

static void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "??");
}

/* Dwfl_Callbacks.find_elf: a module's .ko is the file it was added with. */
static int cb_find_elf(Dwfl_Module *mod, void **userdata, const char *modname,
		       Dwarf_Addr base, char **file_name, Elf **elfp)
{
	struct st_dw_mod *m = *userdata;
	int fd;

	(void)mod;
	(void)modname;
	(void)base;
	if (!m)
		return -1;
	fd = open(m->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	*file_name = strdup(m->path);
	*elfp = NULL;
	return fd;
}

/* Dwfl_Callbacks.find_debuginfo: the files given hold their DWARF; no search. */
static int cb_find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
			     Dwarf_Addr base, const char *file_name, const char *debuglink_file,
			     GElf_Word debuglink_crc, char **debuginfo_file_name)
{
	(void)mod;
	(void)userdata;
	(void)modname;
	(void)base;
	(void)file_name;
	(void)debuglink_file;
	(void)debuglink_crc;
	(void)debuginfo_file_name;
	return -1;
}

/*
 * A module section's runtime address from the table it was added with: the
 * name as given, as the kernel truncates it, or ppc64's "_init" for
 * ".init"; -1 when not there (not loaded, or freed).
 */
static uint64_t sec_runtime(const struct st_dw_mod *m, const char *secname)
{
	size_t i, len = strlen(secname);

	for (i = 0; i < m->nsec; i++) {
		const char *s = m->secnames[i];

		if (!strcmp(s, secname))
			return m->secaddrs[i];
		if (len >= MODULE_SECT_NAME_LEN && strlen(s) >= MODULE_SECT_NAME_LEN - 1 &&
		    !strncmp(s, secname, strlen(s)))
			return m->secaddrs[i];
		if (!strncmp(secname, ".init", 5) && s[0] == '_' && !strcmp(s + 1, secname + 1))
			return m->secaddrs[i];
	}
	return (uint64_t)-1;
}

/* Dwfl_Callbacks.section_address: where the kernel put a module's section. */
static int cb_section_address(Dwfl_Module *mod, void **userdata, const char *modname,
			      Dwarf_Addr base, const char *secname, GElf_Word shndx,
			      const GElf_Shdr *shdr, Dwarf_Addr *addr)
{
	struct st_dw_mod *m = *userdata;

	(void)mod;
	(void)modname;
	(void)base;
	(void)shndx;
	(void)shdr;
	*addr = m ? sec_runtime(m, secname) : (Dwarf_Addr)-1;
	return DWARF_CB_OK;
}

struct st_dw *st_dw_new(void)
{
	struct st_dw *dw = calloc(1, sizeof(*dw));

	if (!dw)
		return NULL;
	dw->cb.find_elf = cb_find_elf;
	dw->cb.find_debuginfo = cb_find_debuginfo;
	dw->cb.section_address = cb_section_address;
	dw->dwfl = dwfl_begin(&dw->cb);
	if (!dw->dwfl) {
		fprintf(stderr, PROG ": libdwfl: %s\n", dwfl_errmsg(-1));
		free(dw);
		return NULL;
	}
	return dw;
}

static void cu_free(struct st_dw_cu *c)
{
	if (!c)
		return;
	free(c->fns);
	free(c->ranges);
	free(c);
}

static void mod_free(struct st_dw_mod *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->nsec; i++)
		free(m->secnames[i]);
	free(m->secnames);
	free(m->secaddrs);
	free(m->ranges);
	free(m->syms);
	for (i = 0; i < m->ncu; i++)
		cu_free(m->cus[i]);
	free(m->cus);
	if (m->dbg)
		dwarf_end(m->dbg);
	if (m->elf)
		elf_end(m->elf);
	if (m->fd >= 0)
		close(m->fd);
	free(m->name);
	free(m->path);
	free(m);
}

void st_dw_free(struct st_dw *dw)
{
	size_t i;

	if (!dw)
		return;
	for (i = 0; i < dw->nmod; i++)
		mod_free(dw->mods[i]);
	free(dw->mods);
	dwfl_end(dw->dwfl);
	free(dw);
}

static struct st_dw_mod *mod_new(struct st_dw *dw, const char *name, const char *path)
{
	struct st_dw_mod *m;
	size_t i;

	for (i = 0; i < dw->nmod; i++) {
		if (!strcmp(dw->mods[i]->name, name)) {
			fprintf(stderr, PROG ": %s: %s was added already\n", path, name);
			return NULL;
		}
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		goto nomem;
	m->fd = -1;
	m->name = strdup(name);
	m->path = strdup(path);
	if (!m->name || !m->path)
		goto nomem;
	return m;
nomem:
	mod_free(m);
	fprintf(stderr, PROG ": out of memory\n");
	return NULL;
}

static int mod_keep(struct st_dw *dw, struct st_dw_mod *m)
{
	struct st_dw_mod **mods = realloc(dw->mods, (dw->nmod + 1) * sizeof(*mods));

	if (!mods) {
		fprintf(stderr, PROG ": out of memory\n");
		return -1;
	}
	dw->mods = mods;
	dw->mods[dw->nmod++] = m;
	return 0;
}

static int range_add(struct st_dw_mod *m, uint64_t lo, uint64_t size, size_t shndx)
{
	struct st_dw_range *r = realloc(m->ranges, (m->nrange + 1) * sizeof(*r));

	if (!r) {
		fprintf(stderr, PROG ": out of memory\n");
		return -1;
	}
	m->ranges = r;
	r += m->nrange++;
	r->lo = lo;
	r->hi = lo + size;
	r->shndx = shndx;
	return 0;
}

static uint64_t addr_mask(const struct st_dw_mod *m, uint64_t addr)
{
	return m->is32 ? addr & 0xffffffffu : addr;
}

/* The DWARF is there and readable (libdwfl reads and relocates it lazily). */
static int mod_has_dwarf(struct st_dw_mod *m)
{
	Dwarf_Addr bias;

	if (dwfl_module_getdwarf(m->mod, &bias))
		return 0;
	fprintf(stderr, PROG ": %s: no DWARF: %s\n", m->path, dwfl_errmsg(-1));
	return -1;
}

/* The dwfl address of the symbol @name, or -1 with @addr untouched. */
static int sym_addr(Dwfl_Module *mod, const char *name, GElf_Addr *addr)
{
	int i, n = dwfl_module_getsymtab(mod);

	for (i = 1; i < n; i++) {
		const char *s;
		GElf_Sym sym;
		GElf_Addr val;

		s = dwfl_module_getsym_info(mod, i, &sym, &val, NULL, NULL, NULL);
		if (s && sym.st_shndx != SHN_UNDEF && !strcmp(s, name)) {
			*addr = val;
			return 0;
		}
	}
	return -1;
}

int st_dw_add_kernel(struct st_dw *dw, const char *path, const char *text_symbol,
		     uint64_t text_runtime)
{
	struct st_dw_mod *m;
	Dwarf_Addr bias;
	GElf_Addr text;
	size_t i, nscn;
	Elf *elf;

	if (!dw || !path)
		return -1;
	m = mod_new(dw, "kernel", path);
	if (!m)
		return -1;
	dwfl_report_begin_add(dw->dwfl);
	/* An ET_EXEC at its own addresses; an ET_DYN (arm64) too, with base 0. */
	m->mod = dwfl_report_elf(dw->dwfl, m->name, path, -1, 0, true);
	dwfl_report_end(dw->dwfl, NULL, NULL);
	if (!m->mod) {
		fprintf(stderr, PROG ": %s: %s\n", path, dwfl_errmsg(-1));
		goto fail;
	}
	elf = dwfl_module_getelf(m->mod, &bias);
	if (!elf) {
		fprintf(stderr, PROG ": %s: %s\n", path, dwfl_errmsg(-1));
		goto fail;
	}
	if (mod_has_dwarf(m))
		goto fail;
	m->is32 = gelf_getclass(elf) == ELFCLASS32;
	if (text_runtime) {
		if (sym_addr(m->mod, text_symbol ?: "_text", &text)) {
			fprintf(stderr, PROG ": %s: no %s symbol: its KASLR shift is unknown\n",
				path, text_symbol ?: "_text");
			goto fail;
		}
		m->shift = addr_mask(m, addr_mask(m, text_runtime) - text);
	}
	if (elf_getshdrnum(elf, &nscn))
		goto fail;
	for (i = 1; i < nscn; i++) {
		GElf_Shdr shdr;

		if (!gelf_getshdr(elf_getscn(elf, i), &shdr))
			continue;
		/* Allocated, and not at 0: per-CPU data is linked at 0 on x86_64. */
		if (!(shdr.sh_flags & SHF_ALLOC) || !shdr.sh_size || !shdr.sh_addr)
			continue;
		if (range_add(m, addr_mask(m, shdr.sh_addr + bias + m->shift), shdr.sh_size, i))
			goto fail;
	}
	if (mod_keep(dw, m))
		goto fail;
	return 0;
fail:
	mod_free(m);
	return -1;
}

/* The loaded sections of a module's .ko, from its section headers. */
static int mod_sections(struct st_dw_mod *m, uint64_t *low, uint64_t *high)
{
	size_t i, nscn, shstrndx, zeros = 0;
	GElf_Ehdr ehdr;
	int fd, err = -1;
	Elf *elf;

	elf_version(EV_CURRENT);
	fd = open(m->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, PROG ": %s: %m\n", m->path);
		return -1;
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf && elf_kind(elf) != ELF_K_ELF) {
		fprintf(stderr, PROG ": %s: not an ELF file\n", m->path);
		goto out;
	}
	if (!elf || !gelf_getehdr(elf, &ehdr) || elf_getshdrnum(elf, &nscn) ||
	    elf_getshdrstrndx(elf, &shstrndx)) {
		fprintf(stderr, PROG ": %s: %s\n", m->path, elf_errmsg(-1));
		goto out;
	}
	if (ehdr.e_type != ET_REL) {
		fprintf(stderr, PROG ": %s: not a kernel module (ET_REL)\n", m->path);
		goto out;
	}
	m->is32 = gelf_getclass(elf) == ELFCLASS32;
	*low = UINT64_MAX;
	*high = 0;
	for (i = 1; i < nscn; i++) {
		const char *name;
		GElf_Shdr shdr;
		uint64_t addr;

		if (!gelf_getshdr(elf_getscn(elf, i), &shdr) || !(shdr.sh_flags & SHF_ALLOC) ||
		    !shdr.sh_size)
			continue;
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		addr = name ? sec_runtime(m, name) : (uint64_t)-1;
		if (addr == (uint64_t)-1)
			continue;
		addr = addr_mask(m, addr);
		/* 0: hidden by kptr_restrict, not known. */
		if (!addr) {
			zeros++;
			continue;
		}
		if (range_add(m, addr, shdr.sh_size, i))
			goto out;
		if (addr < *low)
			*low = addr;
		if (addr + shdr.sh_size > *high)
			*high = addr + shdr.sh_size;
	}
	if (!m->nrange) {
		fprintf(stderr, PROG ": %s: none of its sections has a known address%s\n",
			m->path, zeros ? " (all 0: /sys/module/*/sections read without root)" : "");
		goto out;
	}
	err = 0;
out:
	elf_end(elf);
	close(fd);
	return err;
}

/* Unsigned @n-byte value at @p, of the file's byte order. */
static uint64_t get_un(const unsigned char *p, int n, bool msb)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[msb ? n - 1 - i : i] << (8 * i);
	return v;
}

static void put_un(unsigned char *p, int n, bool msb, uint64_t v)
{
	int i;

	for (i = 0; i < n; i++)
		p[msb ? n - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

/*
 * The width of an absolute relocation, the kind debug sections hold: 8 or
 * 4 bytes, 0 for none, -1 for one not handled here.
 */
static int reloc_width(GElf_Half machine, unsigned int type)
{
	if (!type)
		return 0;
	switch (machine) {
	case EM_X86_64:
		return type == R_X86_64_64 ? 8 :
		       type == R_X86_64_32 || type == R_X86_64_32S ? 4 : -1;
	case EM_386:
		return type == R_386_32 ? 4 : -1;
	case EM_AARCH64:
		return type == R_AARCH64_ABS64 ? 8 : type == R_AARCH64_ABS32 ? 4 : -1;
	case EM_ARM:
		return type == R_ARM_ABS32 ? 4 : -1;
	case EM_MIPS:
		return type == R_MIPS_64 ? 8 : type == R_MIPS_32 ? 4 : -1;
	case EM_PPC64:
		return type == R_PPC64_ADDR64 ? 8 : type == R_PPC64_ADDR32 ? 4 : -1;
	case EM_PPC:
		return type == R_PPC_ADDR32 ? 4 : -1;
	case EM_RISCV:
		return type == R_RISCV_64 ? 8 : type == R_RISCV_32 ? 4 : -1;
	case EM_S390:
		return type == R_390_64 ? 8 : type == R_390_32 ? 4 : -1;
	}
	return -1;
}

/* Where a symbol of the module is at run time, as libdwfl takes it. */
static uint64_t reloc_symval(struct st_dw_mod *m, Elf *elf, size_t shstrndx, const GElf_Sym *sym,
			     GElf_Word shndx)
{
	GElf_Shdr shdr;
	const char *name;
	uint64_t addr;

	if (shndx == SHN_ABS)
		return sym->st_value;
	if (shndx == SHN_UNDEF || shndx >= SHN_LORESERVE)
		return 0;
	if (!gelf_getshdr(elf_getscn(elf, shndx), &shdr) || !(shdr.sh_flags & SHF_ALLOC))
		return sym->st_value;
	name = elf_strptr(elf, shstrndx, shdr.sh_name);
	addr = name ? sec_runtime(m, name) : (uint64_t)-1;
	/* Not loaded: no adjustment (libdwfl's section_address of -1). */
	return sym->st_value + (addr == (uint64_t)-1 ? 0 : addr_mask(m, addr));
}

/* Apply the relocation section @rscn to its (debug) target section; @why on error. */
static int reloc_section(struct st_dw_mod *m, Elf *elf, size_t shstrndx, Elf_Scn *rscn,
			 const GElf_Shdr *rshdr, const GElf_Ehdr *ehdr, char *why, size_t size)
{
	bool rela = rshdr->sh_type == SHT_RELA, is64 = ehdr->e_ident[EI_CLASS] == ELFCLASS64;
	bool msb = ehdr->e_ident[EI_DATA] == ELFDATA2MSB;
	bool mips64 = is64 && ehdr->e_machine == EM_MIPS;
	size_t entsize = (is64 ? 16 : 8) + (rela ? (is64 ? 8 : 4) : 0), i, n;
	Elf_Scn *tscn = elf_getscn(elf, rshdr->sh_info), *symscn = elf_getscn(elf, rshdr->sh_link);
	Elf_Data *rdata, *tdata, *symdata, *xndxdata = NULL;
	Elf_Scn *scn = NULL;
	GElf_Shdr tshdr;

	if (!tscn || !symscn || !gelf_getshdr(tscn, &tshdr))
		goto elf_error;
	if (tshdr.sh_flags & SHF_ALLOC)
		return 0;	/* code and data: not read here */
	if ((tshdr.sh_flags & SHF_COMPRESSED) && elf_compress(tscn, 0, 0) < 0)
		goto elf_error;
	rdata = elf_rawdata(rscn, NULL);
	tdata = elf_getdata(tscn, NULL);
	symdata = elf_getdata(symscn, NULL);
	if (!rdata || !tdata || !symdata || !rdata->d_buf || !tdata->d_buf)
		goto elf_error;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;

		if (gelf_getshdr(scn, &shdr) && shdr.sh_type == SHT_SYMTAB_SHNDX &&
		    elf_getscn(elf, shdr.sh_link) == symscn)
			xndxdata = elf_getdata(scn, NULL);
	}
	n = rdata->d_size / entsize;
	for (i = 0; i < n; i++) {
		const unsigned char *e = (const unsigned char *)rdata->d_buf + i * entsize;
		uint64_t off = get_un(e, is64 ? 8 : 4, msb), info, sym, val;
		unsigned int type, more = 0;
		int64_t addend = 0;
		GElf_Word shndx;
		GElf_Sym s;
		int width;

		if (mips64) {
			/* r_sym, r_ssym, r_type3, r_type2, r_type */
			sym = get_un(e + 8, 4, msb);
			more = e[13] | e[14];
			type = e[15];
		} else if (is64) {
			info = get_un(e + 8, 8, msb);
			sym = info >> 32;
			type = info & 0xffffffff;
		} else {
			info = get_un(e + 4, 4, msb);
			sym = info >> 8;
			type = info & 0xff;
		}
		if (rela)
			addend = is64 ? (int64_t)get_un(e + 16, 8, msb) :
					(int32_t)get_un(e + 8, 4, msb);
		width = reloc_width(ehdr->e_machine, type);
		if (!width)
			continue;
		if (width < 0 || more) {
			snprintf(why, size, "relocation type %u not handled", type);
			return -1;
		}
		if (off > tdata->d_size || (size_t)width > tdata->d_size - off ||
		    !gelf_getsymshndx(symdata, xndxdata, (int)sym, &s, &shndx)) {
			snprintf(why, size, "bad relocation %zu of section %zu", i,
				 (size_t)rshdr->sh_info);
			return -1;
		}
		if (s.st_shndx != SHN_XINDEX)
			shndx = s.st_shndx;
		if (!rela)
			addend = get_un((unsigned char *)tdata->d_buf + off, width, msb);
		val = reloc_symval(m, elf, shstrndx, &s, shndx) + addend;
		put_un((unsigned char *)tdata->d_buf + off, width, msb, val);
	}
	return 0;
elf_error:
	snprintf(why, size, "%s", elf_errmsg(-1));
	return -1;
}

/*
 * A module's debug sections relocated here, for libdw to read: its file
 * mapped privately (written pages are copied), each relocation of a
 * non-allocated section applied with its symbol's runtime address.
 */
static int reloc_debug(struct st_dw_mod *m, char *why, size_t size)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Ehdr ehdr;

	m->fd = open(m->path, O_RDONLY | O_CLOEXEC);
	if (m->fd < 0) {
		snprintf(why, size, "%m");
		return -1;
	}
	m->elf = elf_begin(m->fd, ELF_C_READ_MMAP_PRIVATE, NULL);
	if (!m->elf || !gelf_getehdr(m->elf, &ehdr) || elf_getshdrstrndx(m->elf, &shstrndx))
		goto elf_error;
	while ((scn = elf_nextscn(m->elf, scn))) {
		GElf_Shdr shdr;

		if (!gelf_getshdr(scn, &shdr))
			goto elf_error;
		if ((shdr.sh_type == SHT_REL || shdr.sh_type == SHT_RELA) &&
		    reloc_section(m, m->elf, shstrndx, scn, &shdr, &ehdr, why, size))
			return -1;
	}
	m->dbg = dwarf_begin_elf(m->elf, DWARF_C_READ, NULL);
	if (!m->dbg) {
		snprintf(why, size, "%s", dwarf_errmsg(-1));
		return -1;
	}
	return 0;
elf_error:
	snprintf(why, size, "%s", elf_errmsg(-1));
	return -1;
}

/* Force reloc_debug() for every module (to test it where libdwfl would do). */
#ifndef ST_DW_OWN_RELOC
#define ST_DW_OWN_RELOC	0
#endif

int st_dw_add_module(struct st_dw *dw, const char *name, const char *path,
		     size_t nsec, const char *const *secnames, const uint64_t *secaddrs)
{
	char dwfl_err[256] = "", why[256] = "";
	struct st_dw_mod *m;
	uint64_t low, high;
	Dwarf_Addr bias;
	void **userdata;
	size_t i;

	if (!dw || !name || !path || (nsec && (!secnames || !secaddrs)))
		return -1;
	m = mod_new(dw, name, path);
	if (!m)
		return -1;
	m->secnames = calloc(nsec ? nsec : 1, sizeof(*m->secnames));
	m->secaddrs = calloc(nsec ? nsec : 1, sizeof(*m->secaddrs));
	if (!m->secnames || !m->secaddrs)
		goto nomem;
	for (; m->nsec < nsec; m->nsec++) {
		m->secnames[m->nsec] = strdup(secnames[m->nsec] ? secnames[m->nsec] : "");
		if (!m->secnames[m->nsec])
			goto nomem;
		m->secaddrs[m->nsec] = secaddrs[m->nsec];
	}
	if (mod_sections(m, &low, &high))
		goto fail;
	for (i = 0; i < m->nsec; i++)
		m->secaddrs[i] = addr_mask(m, m->secaddrs[i]);
	if (!ST_DW_OWN_RELOC) {
		Dwfl_Module *mod;

		dwfl_report_begin_add(dw->dwfl);
		mod = dwfl_report_module(dw->dwfl, name, low, high);
		if (mod && dwfl_module_info(mod, &userdata, NULL, NULL, NULL, NULL, NULL, NULL))
			*userdata = m;
		dwfl_report_end(dw->dwfl, NULL, NULL);
		if (mod && dwfl_module_getdwarf(mod, &bias))
			m->mod = mod;
		else
			snprintf(dwfl_err, sizeof(dwfl_err), "%s", dwfl_errmsg(-1));
		/* A Dwfl_Module not used stays reported: it must not point at @m. */
		if (mod && !m->mod &&
		    dwfl_module_info(mod, &userdata, NULL, NULL, NULL, NULL, NULL, NULL))
			*userdata = NULL;
	}
	if (!m->mod && reloc_debug(m, why, sizeof(why))) {
		fprintf(stderr, PROG ": %s: no DWARF read: %s%s%s\n", path,
			dwfl_err, dwfl_err[0] ? "; " : "", why);
		goto fail;
	}
	if (mod_keep(dw, m))
		goto unhook;
	return 0;
nomem:
	fprintf(stderr, PROG ": out of memory\n");
	goto fail;
unhook:
	if (m->mod && dwfl_module_info(m->mod, &userdata, NULL, NULL, NULL, NULL, NULL, NULL))
		*userdata = NULL;
fail:
	mod_free(m);
	return -1;
}

/* A function's name as bfd gives it: a linkage name first, then DW_AT_name. */
static const char *die_name(Dwarf_Die *die)
{
	static const int attrs[] = { DW_AT_linkage_name, DW_AT_MIPS_linkage_name, DW_AT_name };
	Dwarf_Attribute attr;
	const char *name;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		name = dwarf_formstring(dwarf_attr_integrate(die, attrs[i], &attr));
		if (name && *name)
			return name;
	}
	return NULL;
}

/*
 * A source file name as bfd prints it.  bfd: FILE if absolute, else DIR/FILE
 * if the row's directory DIR is absolute, else COMP_DIR/DIR/FILE (comp_dir
 * being the CU's DW_AT_comp_dir), DWARF 5's directory 0 included.  libdw:
 * FILE if absolute, else DIR/FILE with, before DWARF 5, comp_dir as DIR 0.
 * So a relative libdw name gets comp_dir before it, unless (before DWARF 5)
 * it is under comp_dir already: directory 0 of a relative comp_dir.
 */
static void file_name(char *out, size_t size, const char *src, Dwarf_Die *cu)
{
	Dwarf_Attribute attr;
	const char *comp_dir;
	Dwarf_Half version = 5;
	size_t len;

	if (!src) {
		copy_str(out, size, NULL);
		return;
	}
	comp_dir = cu ? dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &attr)) : NULL;
	if (src[0] == '/' || !comp_dir) {
		copy_str(out, size, src);
		return;
	}
	dwarf_cu_info(cu->cu, &version, NULL, NULL, NULL, NULL, NULL, NULL);
	len = strlen(comp_dir);
	if (version < 5 && !strncmp(src, comp_dir, len) && src[len] == '/')
		copy_str(out, size, src);
	else
		snprintf(out, size, "%s/%s", comp_dir, src);
}

/*
 * The ELF symbols bfd's _bfd_elf_find_function() looks at, in symbol table
 * order: not section, file, object or TLS symbols, nor ARM/AArch64 mapping
 * symbols; defined in a section.  Each with the file name bfd gives with
 * it: the last STT_FILE before it, for a global one only if no STT_FILE
 * came after a symbol (ld -r output).
 */
static int syms_read(struct st_dw_mod *m)
{
	enum { NOTHING_SEEN, SYMBOL_SEEN, FILE_AFTER_SYMBOL } state = NOTHING_SEEN;
	Elf_Data *data = NULL, *xndx = NULL;
	Elf_Scn *scn = NULL, *symscn = NULL;
	GElf_Shdr shdr, symshdr = { 0 };
	const char *file = NULL;
	GElf_Addr bias = 0;
	GElf_Ehdr ehdr;
	size_t i, n = 0;
	Elf *elf;

	if (m->syms_read)
		return 0;
	m->syms_read = true;
	elf = m->mod ? dwfl_module_getelf(m->mod, &bias) : m->elf;
	if (!elf || !gelf_getehdr(elf, &ehdr))
		return -1;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &shdr))
			continue;
		if (shdr.sh_type == SHT_SYMTAB) {
			symscn = scn;
			symshdr = shdr;
			data = elf_getdata(scn, NULL);
			n = shdr.sh_entsize ? shdr.sh_size / shdr.sh_entsize : 0;
		}
	}
	for (scn = NULL; symscn && (scn = elf_nextscn(elf, scn));)
		if (gelf_getshdr(scn, &shdr) && shdr.sh_type == SHT_SYMTAB_SHNDX &&
		    elf_getscn(elf, shdr.sh_link) == symscn)
			xndx = elf_getdata(scn, NULL);
	if (!data)
		return 0;
	m->syms = calloc(n ? n : 1, sizeof(*m->syms));
	if (!m->syms)
		return -1;
	for (i = 1; i < n; i++) {
		struct st_dw_sym *s = &m->syms[m->nsym];
		const struct st_dw_range *r = NULL;
		const char *name;
		GElf_Word shndx;
		GElf_Sym sym;
		size_t k;
		int type;

		if (!gelf_getsymshndx(data, xndx, (int)i, &sym, &shndx))
			continue;
		if (sym.st_shndx != SHN_XINDEX)
			shndx = sym.st_shndx;
		name = elf_strptr(elf, symshdr.sh_link, sym.st_name);
		type = GELF_ST_TYPE(sym.st_info);
		if (type == STT_FILE) {
			file = name;
			if (state == SYMBOL_SEEN)
				state = FILE_AFTER_SYMBOL;
			continue;
		}
		if (state == NOTHING_SEEN)
			state = SYMBOL_SEEN;
		if (!name || shndx == SHN_UNDEF || shndx >= SHN_LORESERVE ||
		    (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_NOTYPE))
			continue;
		if (name[0] == '$' && (name[1] == 'x' || name[1] == 'd' || name[1] == 'a' ||
				       name[1] == 't') && (!name[2] || name[2] == '.'))
			continue;
		/* bfd skips these (annobin's markers). */
		if (!sym.st_size && type == STT_NOTYPE && GELF_ST_BIND(sym.st_info) == STB_LOCAL &&
		    GELF_ST_VISIBILITY(sym.st_other) == STV_HIDDEN)
			continue;
		/* A module's symbol is relative to its section, if that is loaded. */
		for (k = 0; ehdr.e_type == ET_REL && k < m->nrange && !r; k++)
			if (m->ranges[k].shndx == shndx)
				r = &m->ranges[k];
		if (ehdr.e_type == ET_REL && !r)
			continue;
		s->value = r ? r->lo + sym.st_value : sym.st_value + bias;
		s->size = sym.st_size ? sym.st_size : 1;
		s->name = name;
		s->shndx = shndx;
		if (GELF_ST_BIND(sym.st_info) == STB_LOCAL || state != FILE_AFTER_SYMBOL)
			s->file = file;
		m->nsym++;
	}
	return 0;
}

/*
 * bfd 2.40's _bfd_elf_find_function(): the symbol at or below @addr nearest
 * to it, of those at one address the first biggest (st_size 0 counting 1).
 */
static bool sym_better(const struct st_dw_sym *best, const struct st_dw_sym *s, uint64_t addr)
{
	if (s->value > addr)
		return false;
	return !best || s->value > best->value ||
	       (s->value == best->value && s->size > best->size);
}

/* The symbol bfd names @addr (a dwfl address in section @shndx) by; NULL if none. */
static const struct st_dw_sym *sym_find(struct st_dw_mod *m, uint64_t addr, size_t shndx)
{
	const struct st_dw_sym *best = NULL;
	size_t i;

	if (syms_read(m))
		return NULL;
	for (i = 0; i < m->nsym; i++) {
		const struct st_dw_sym *s = &m->syms[i];

		if (s->shndx == shndx && sym_better(best, s, addr))
			best = s;
	}
	return best;
}

/*
 * The CU whose ranges hold @addr (a dwfl address), and @addr as a DWARF
 * one.  libdwfl gives the CU of the nearest address range at or below
 * @addr, also for an address in no CU's ranges (between functions: arm64's
 * patchable entry NOPs, top-level asm); bfd finds none there (in a process
 * that has not yet read that CU's lines).  Our own relocated modules have
 * few CUs: each is tried.
 */
static bool mod_cu(struct st_dw_mod *m, uint64_t addr, Dwarf_Die *cu, Dwarf_Addr *daddr)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	if (m->mod) {
		Dwarf_Addr bias;
		Dwarf_Die *d = dwfl_module_addrdie(m->mod, addr, &bias);

		if (!d)
			return false;
		*cu = *d;
		*daddr = addr - bias;
		return dwarf_haspc(cu, *daddr) > 0;
	}
	*daddr = addr;
	while (!dwarf_nextcu(m->dbg, off, &next, &hsize, NULL, NULL, NULL)) {
		if (dwarf_offdie(m->dbg, off + hsize, cu) && dwarf_haspc(cu, addr) > 0)
			return true;
		off = next;
	}
	return false;
}

static bool tag_is_func(int tag)
{
	return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine ||
	       tag == DW_TAG_entry_point;
}

/* The DIEs whose children may hold functions (C, and C++'s namespaces). */
static bool tag_has_funcs(int tag)
{
	return tag_is_func(tag) || tag == DW_TAG_lexical_block || tag == DW_TAG_namespace ||
	       tag == DW_TAG_try_block || tag == DW_TAG_catch_block;
}

static int cu_fn_add(struct st_dw_cu *c, size_t *cap, Dwarf_Off off, int caller, bool inlined)
{
	if (c->nfn >= INT_MAX)
		return -1;
	if (c->nfn == *cap) {
		size_t n = *cap ? 2 * *cap : 64;
		struct st_dw_fn *fns = realloc(c->fns, n * sizeof(*fns));

		if (!fns)
			return -1;
		c->fns = fns;
		*cap = n;
	}
	c->fns[c->nfn].off = off;
	c->fns[c->nfn].caller = caller;
	c->fns[c->nfn].inlined = inlined;
	return (int)c->nfn++;
}

/*
 * A function's range [lo, hi) joined to one of its ranges from @first on
 * that it touches, else added: bfd's arange_add(); its function table
 * compares these joined ranges.
 */
static int cu_range_add(struct st_dw_cu *c, size_t *cap, size_t first, int fn,
			uint64_t lo, uint64_t hi)
{
	size_t i;

	if (lo >= hi)
		return 0;
	for (i = first; i < c->nrange; i++) {
		if (lo == c->ranges[i].hi) {
			c->ranges[i].hi = hi;
			return 0;
		}
		if (hi == c->ranges[i].lo) {
			c->ranges[i].lo = lo;
			return 0;
		}
	}
	if (c->nrange == *cap) {
		size_t n = *cap ? 2 * *cap : 64;
		struct st_dw_fnrange *r = realloc(c->ranges, n * sizeof(*r));

		if (!r)
			return -1;
		c->ranges = r;
		*cap = n;
	}
	c->ranges[c->nrange].lo = lo;
	c->ranges[c->nrange].hi = hi;
	c->ranges[c->nrange].fn = fn;
	c->nrange++;
	return 0;
}

struct cu_scan {
	struct st_dw_cu *c;
	size_t fncap, rangecap;
};

/*
 * The functions under @parent, in DIE order.  @enclosing: the nearest
 * function around them (-1: none), an inlined one's caller as bfd's
 * scan_unit_for_symbols() has it.
 */
static int cu_scan(struct cu_scan *cs, Dwarf_Die *parent, int enclosing, int depth)
{
	Dwarf_Die die;
	int r = dwarf_child(parent, &die);

	if (r)
		return r < 0 ? -1 : 0;
	do {
		int tag = dwarf_tag(&die), fn = enclosing;

		if (tag_is_func(tag)) {
			bool inlined = tag == DW_TAG_inlined_subroutine;
			Dwarf_Addr base, lo, hi;
			ptrdiff_t off = 0;
			size_t first;

			fn = cu_fn_add(cs->c, &cs->fncap, dwarf_dieoffset(&die),
				       inlined ? enclosing : -1, inlined);
			if (fn < 0)
				return -1;
			first = cs->c->nrange;
			while ((off = dwarf_ranges(&die, off, &base, &lo, &hi)) > 0)
				if (cu_range_add(cs->c, &cs->rangecap, first, fn, lo, hi))
					return -1;
		}
		if (tag_has_funcs(tag) && depth < 256 && dwarf_haschildren(&die) > 0 &&
		    cu_scan(cs, &die, fn, depth + 1))
			return -1;
	} while ((r = dwarf_siblingof(&die, &die)) == 0);
	return r < 0 ? -1 : 0;
}

/* The function table of the CU @cudie, read at its first use. */
static struct st_dw_cu *cu_table(struct st_dw_mod *m, Dwarf_Die *cudie)
{
	Dwarf_Off off = dwarf_dieoffset(cudie);
	struct cu_scan cs = { 0 };
	struct st_dw_cu **cus;
	size_t i;

	for (i = 0; i < m->ncu; i++)
		if (m->cus[i]->off == off)
			return m->cus[i];
	cus = realloc(m->cus, (m->ncu + 1) * sizeof(*cus));
	if (!cus)
		return NULL;
	m->cus = cus;
	cs.c = calloc(1, sizeof(*cs.c));
	if (!cs.c)
		return NULL;
	cs.c->off = off;
	if (cu_scan(&cs, cudie, -1, 0)) {
		cu_free(cs.c);
		return NULL;
	}
	m->cus[m->ncu++] = cs.c;
	return cs.c;
}

/*
 * bfd's lookup_address_in_function_table(): of the functions with a range
 * holding @addr the one whose range is the shortest, of equal ones the
 * later (bfd compares its allocations, made in DIE order); -1 if none.
 */
static int cu_fn_find(const struct st_dw_cu *c, uint64_t addr)
{
	uint64_t len = UINT64_MAX;
	int best = -1;
	size_t i;

	for (i = 0; i < c->nrange; i++) {
		const struct st_dw_fnrange *r = &c->ranges[i];

		if (addr < r->lo || addr >= r->hi)
			continue;
		if (r->hi - r->lo < len || (r->hi - r->lo == len && r->fn > best)) {
			len = r->hi - r->lo;
			best = r->fn;
		}
	}
	return best;
}

/* A function's name by its table index. */
static const char *fn_name(Dwarf *dbg, const struct st_dw_cu *c, int fn)
{
	Dwarf_Die die;

	if (fn < 0 || !dwarf_offdie(dbg, c->fns[fn].off, &die))
		return NULL;
	return die_name(&die);
}

/* Level 0's file:line from the line table row holding @addr; 0 or -1 (no row). */
static int row_lookup(Dwarf_Die *cu, Dwarf_Addr addr, struct st_inline_frame *f)
{
	Dwarf_Line *line = dwarf_getsrc_die(cu, addr);
	unsigned int disc;
	const char *src;
	int lineno;

	/* libdw gives no row that ends a sequence, as bfd. */
	if (!line || dwarf_lineno(line, &lineno))
		return -1;
	src = dwarf_linesrc(line, NULL, NULL);
	if (!src)
		return -1;
	file_name(f->file, sizeof(f->file), src, cu);
	f->line = lineno > 0 ? lineno : 0;
	if (!dwarf_linediscriminator(line, &disc))
		f->discriminator = disc;
	return 0;
}

/* An inlined_subroutine's call site: the outer level's file:line. */
static void call_site(Dwarf_Die *inl, Dwarf_Die *cu, struct st_inline_frame *f)
{
	Dwarf_Attribute attr;
	Dwarf_Files *files;
	Dwarf_Word val;
	const char *src = NULL;

	if (!dwarf_formudata(dwarf_attr(inl, DW_AT_call_file, &attr), &val) &&
	    !dwarf_getsrcfiles(cu, &files, NULL))
		src = dwarf_filesrc(files, val, NULL, NULL);
	file_name(f->file, sizeof(f->file), src, cu);
	if (!dwarf_formudata(dwarf_attr(inl, DW_AT_call_line, &attr), &val))
		f->line = (unsigned int)val;
}

static const struct st_dw_range *range_find(const struct st_dw_mod *m, uint64_t addr)
{
	size_t i;

	for (i = 0; i < m->nrange; i++)
		if (addr >= m->ranges[i].lo && addr < m->ranges[i].hi)
			return &m->ranges[i];
	return NULL;
}

static int mod_lookup(struct st_dw_mod *m, const struct st_dw_range *r, uint64_t addr,
		      struct st_inline_frame *out, int max, unsigned int flags)
{
	struct st_dw_cu *c = NULL;
	Dwarf *dbg = NULL;
	int fn = -1, n = 1;
	bool row = false;
	Dwarf_Addr daddr;
	Dwarf_Die cu;

	memset(&out[0], 0, sizeof(out[0]));
	if (mod_cu(m, addr, &cu, &daddr)) {
		dbg = dwarf_cu_getdwarf(cu.cu);
		c = cu_table(m, &cu);
		if (!c || !dbg)
			return -1;
		fn = cu_fn_find(c, daddr);
		row = !row_lookup(&cu, daddr, &out[0]);
	}
	if (fn < 0 && !row && !(flags & ST_DW_SYMTAB))
		return 0;
	if (!row)
		copy_str(out[0].file, sizeof(out[0].file), NULL);
	if (fn >= 0) {
		copy_str(out[0].func, sizeof(out[0].func), fn_name(dbg, c, fn));
	} else {
		const struct st_dw_sym *s = sym_find(m, addr, r->shndx);

		/* Nothing at all: bfd finds nothing ("??", "??:0"). */
		if (!s && !row)
			return 0;
		copy_str(out[0].func, sizeof(out[0].func), s ? s->name : NULL);
		/* No row either: bfd gives the symbol's STT_FILE as file name. */
		if (!row && s && s->file)
			copy_str(out[0].file, sizeof(out[0].file), s->file);
	}
	/* Outward while the inner one is an inlined instance (bfd's caller_func). */
	while (fn >= 0 && c->fns[fn].inlined && c->fns[fn].caller >= 0 && n < max) {
		struct st_inline_frame *f = &out[n++];
		Dwarf_Die die;

		memset(f, 0, sizeof(*f));
		copy_str(f->func, sizeof(f->func), fn_name(dbg, c, c->fns[fn].caller));
		if (dwarf_offdie(dbg, c->fns[fn].off, &die))
			call_site(&die, &cu, f);
		else
			copy_str(f->file, sizeof(f->file), NULL);
		fn = c->fns[fn].caller;
	}
	return n;
}

int st_dw_lookup_flags(struct st_dw *dw, uint64_t addr, struct st_inline_frame *out, int max,
		       unsigned int flags)
{
	size_t i;

	if (!dw || !out || max <= 0)
		return -1;
	for (i = 0; i < dw->nmod; i++) {
		struct st_dw_mod *m = dw->mods[i];
		uint64_t a = addr_mask(m, addr);
		const struct st_dw_range *r = range_find(m, a);

		if (r)
			return mod_lookup(m, r, addr_mask(m, a - m->shift), out, max, flags);
	}
	return 0;
}

int st_dw_lookup(struct st_dw *dw, uint64_t addr, struct st_inline_frame *out, int max)
{
	return st_dw_lookup_flags(dw, addr, out, max, 0);
}

int st_dw_find_by_buildid(const char *root, const unsigned char *id, size_t len,
			  char *path, size_t size)
{
	static const char *const forms[] = { "%s/.build-id/%s/%s.debug", "%s/%s/%s.debug" };
	char hex[2 * 64 + 1];
	size_t i;

	if (!root || !id || len < 2 || len > 64 || !path || !size)
		return -1;
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	for (i = 0; i < ARRAY_SIZE(forms); i++) {
		char dir[3] = { hex[0], hex[1], '\0' };
		int n = snprintf(path, size, forms[i], root, dir, hex + 2);

		if (n > 0 && (size_t)n < size && !access(path, R_OK))
			return 0;
	}
	path[0] = '\0';
	return -1;
}

/* The NT_GNU_BUILD_ID note in @data, copied to @id; its length or -1. */
static int note_buildid(Elf_Data *data, unsigned char *id, size_t size)
{
	size_t off = 0, name_off, desc_off, next;
	GElf_Nhdr nhdr;

	while ((next = gelf_getnote(data, off, &nhdr, &name_off, &desc_off)) > 0) {
		if (nhdr.n_type == NT_GNU_BUILD_ID && nhdr.n_namesz == 4 &&
		    !memcmp((char *)data->d_buf + name_off, "GNU", 4)) {
			if (!nhdr.n_descsz || nhdr.n_descsz > size)
				return -1;
			memcpy(id, (char *)data->d_buf + desc_off, nhdr.n_descsz);
			return nhdr.n_descsz;
		}
		off = next;
	}
	return -1;
}

int st_dw_file_buildid(const char *path, unsigned char *id, size_t size)
{
	Elf_Scn *scn = NULL;
	int fd, n = -1;
	Elf *elf;

	if (!path || !id)
		return -1;
	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	while (elf && n < 0 && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (data && data->d_buf)
			n = note_buildid(data, id, size);
	}
	elf_end(elf);
	close(fd);
	return n;
}
