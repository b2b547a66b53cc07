// SPDX-License-Identifier: GPL-2.0
/*
 * User frames named from binaries' own symbol tables (usyms.h).  A
 * binary is read whole once; its functions (and sized objects of no
 * type, as hand-written assembly's) sorted by address; its executable
 * segments kept to place a mapping's file offset at its link address.
 * Little-endian ELF, 32- or 64-bit: the machines stacktap runs on.
 */
#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "usyms.h"

struct usym {
	uint64_t value, size;
	char *name;
};

struct useg {
	uint64_t vaddr, offset, filesz;
};

struct ubin {
	char *path;
	bool read;		/* tried: a file not found has no symbols */
	size_t nsym, nseg;
	struct usym *syms;
	struct useg *segs;
};

struct umap {
	uint32_t tgid;
	uint64_t start, end, pgoff;
	struct ubin *bin;
};

struct st_usyms {
	size_t nmap, nbin;
	struct umap *maps;
	struct ubin **bins;
};

struct st_usyms *st_usyms_new(void)
{
	return calloc(1, sizeof(struct st_usyms));
}

static void bin_free(struct ubin *b)
{
	size_t i;

	for (i = 0; i < b->nsym; i++)
		free(b->syms[i].name);
	free(b->syms);
	free(b->segs);
	free(b->path);
	free(b);
}

void st_usyms_free(struct st_usyms *us)
{
	size_t i;

	if (!us)
		return;
	for (i = 0; i < us->nbin; i++)
		bin_free(us->bins[i]);
	free(us->bins);
	free(us->maps);
	free(us);
}

static struct ubin *bin_get(struct st_usyms *us, const char *path)
{
	struct ubin **more, *b;
	size_t i;

	for (i = 0; i < us->nbin; i++)
		if (!strcmp(us->bins[i]->path, path))
			return us->bins[i];
	b = calloc(1, sizeof(*b));
	more = b ? realloc(us->bins, (us->nbin + 1) * sizeof(*more)) : NULL;
	if (!more || !(b->path = strdup(path))) {
		free(b);
		return NULL;
	}
	us->bins = more;
	us->bins[us->nbin++] = b;
	return b;
}

int st_usyms_add_map(struct st_usyms *us, uint32_t tgid, uint64_t start, uint64_t end,
		     uint64_t pgoff, const char *path)
{
	struct ubin *b = bin_get(us, path);
	struct umap *m;
	size_t i;

	if (!b)
		return -1;
	for (i = 0; i < us->nmap; i++)
		if (us->maps[i].tgid == tgid && us->maps[i].start == start && us->maps[i].bin == b)
			return 0;
	m = realloc(us->maps, (us->nmap + 1) * sizeof(*m));
	if (!m)
		return -1;
	us->maps = m;
	us->maps[us->nmap++] = (struct umap){ tgid, start, end, pgoff, b };
	return 0;
}

int st_maps_text_each(const char *text, st_map_fn fn, void *arg)
{
	unsigned long long start, end, pgoff;
	char path[4096];
	unsigned int tgid;
	int ret;

	for (; text && *text; text = strchr(text, '\n'), text = text ? text + 1 : NULL) {
		if (sscanf(text, "%u %llx-%llx %llx %4095[^\n]", &tgid, &start, &end, &pgoff,
			   path) == 5 && (ret = fn(arg, tgid, start, end, pgoff, path)))
			return ret;
	}
	return 0;
}

int st_usyms_map_fn(void *us, uint32_t tgid, uint64_t start, uint64_t end, uint64_t pgoff,
		    const char *path)
{
	return st_usyms_add_map(us, tgid, start, end, pgoff, path);
}

int st_usyms_add_maps_text(struct st_usyms *us, const char *text)
{
	return st_maps_text_each(text, st_usyms_map_fn, us);
}

static int usym_cmp(const void *a, const void *b)
{
	const struct usym *x = a, *y = b;

	return x->value < y->value ? -1 : x->value > y->value;
}

/* Field @f of an ELF32 or ELF64 structure at @p. */
#define EF(is64, p, type, f) ((is64) ? ((const Elf64_##type *)(p))->f : ((const Elf32_##type *)(p))->f)

/* Whether [@off, @off + @len) lies in a @size-byte file. */
static bool in_file(uint64_t off, uint64_t len, size_t size)
{
	return off <= size && len <= size - off;
}

/* @b's executable segments and function symbols, from its file. */
static void bin_read(struct ubin *b)
{
	const unsigned char *img;
	uint64_t shoff, phoff, off, n, i, j, strtab_off, strtab_size, symoff, nsyms, entsz;
	unsigned int shentsize, phentsize, shnum, phnum, pass;
	size_t size = 0;
	bool is64;
	long len;
	FILE *f;

	b->read = true;
	f = fopen(b->path, "rb");
	if (!f)
		return;
	img = NULL;
	if (!fseek(f, 0, SEEK_END) && (len = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET) &&
	    (img = malloc(len)) && fread((void *)img, len, 1, f) == 1)
		size = len;
	fclose(f);
	if (size < EI_NIDENT || memcmp(img, ELFMAG, SELFMAG) || img[EI_DATA] != ELFDATA2LSB ||
	    (img[EI_CLASS] != ELFCLASS32 && img[EI_CLASS] != ELFCLASS64))
		goto out;
	is64 = img[EI_CLASS] == ELFCLASS64;
	if (size < (is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
		goto out;
	phoff = EF(is64, img, Ehdr, e_phoff);
	phnum = EF(is64, img, Ehdr, e_phnum);
	phentsize = EF(is64, img, Ehdr, e_phentsize);
	shoff = EF(is64, img, Ehdr, e_shoff);
	shnum = EF(is64, img, Ehdr, e_shnum);
	shentsize = EF(is64, img, Ehdr, e_shentsize);
	if (phentsize < (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)) ||
	    !in_file(phoff, (uint64_t)phnum * phentsize, size))
		goto out;
	b->segs = calloc(phnum ? phnum : 1, sizeof(*b->segs));
	for (i = 0; b->segs && i < phnum; i++) {
		const unsigned char *ph = img + phoff + i * phentsize;

		if (EF(is64, ph, Phdr, p_type) == PT_LOAD && (EF(is64, ph, Phdr, p_flags) & PF_X))
			b->segs[b->nseg++] = (struct useg){ EF(is64, ph, Phdr, p_vaddr),
							    EF(is64, ph, Phdr, p_offset),
							    EF(is64, ph, Phdr, p_filesz) };
	}
	if (shentsize < (is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)) ||
	    !in_file(shoff, (uint64_t)shnum * shentsize, size))
		goto out;
	/* .symtab when there is one, else .dynsym. */
	for (pass = SHT_SYMTAB; !b->nsym && pass; pass = pass == SHT_SYMTAB ? SHT_DYNSYM : 0) {
		for (i = 0; i < shnum; i++) {
			const unsigned char *sh = img + shoff + i * shentsize, *lk;
			unsigned int link;

			if (EF(is64, sh, Shdr, sh_type) != pass)
				continue;
			link = EF(is64, sh, Shdr, sh_link);
			if (link >= shnum)
				continue;
			lk = img + shoff + (uint64_t)link * shentsize;
			strtab_off = EF(is64, lk, Shdr, sh_offset);
			strtab_size = EF(is64, lk, Shdr, sh_size);
			symoff = EF(is64, sh, Shdr, sh_offset);
			entsz = is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
			nsyms = EF(is64, sh, Shdr, sh_size) / entsz;
			if (!in_file(strtab_off, strtab_size, size) || !in_file(symoff, nsyms * entsz, size))
				continue;
			b->syms = realloc(b->syms, (b->nsym + nsyms) * sizeof(*b->syms));
			for (j = 0; b->syms && j < nsyms; j++) {
				const unsigned char *sy = img + symoff + j * entsz;
				unsigned int type = is64 ? ELF64_ST_TYPE(((const Elf64_Sym *)sy)->st_info) :
							   ELF32_ST_TYPE(((const Elf32_Sym *)sy)->st_info);
				uint64_t name = EF(is64, sy, Sym, st_name);

				n = EF(is64, sy, Sym, st_size);
				if (EF(is64, sy, Sym, st_shndx) == SHN_UNDEF || name >= strtab_size ||
				    !memchr(img + strtab_off + name, 0, strtab_size - name) ||
				    !(type == STT_FUNC || (type == STT_NOTYPE && n)))
					continue;
				off = EF(is64, sy, Sym, st_value);
				b->syms[b->nsym] = (struct usym){ off, n,
					strndup((const char *)img + strtab_off + name,
						strcspn((const char *)img + strtab_off + name, "@")) };
				if (b->syms[b->nsym].name)
					b->nsym++;
			}
		}
	}
	if (b->nsym)
		qsort(b->syms, b->nsym, sizeof(*b->syms), usym_cmp);
out:
	free((void *)img);
}

/* @m's link address of @addr, through the segment its file offset is in. */
static bool map_vaddr(const struct umap *m, uint64_t addr, uint64_t *vaddr)
{
	uint64_t off = addr - m->start + m->pgoff;
	size_t i;

	for (i = 0; i < m->bin->nseg; i++) {
		const struct useg *s = &m->bin->segs[i];

		if (off >= s->offset && off - s->offset < s->filesz) {
			*vaddr = s->vaddr + (off - s->offset);
			return true;
		}
	}
	return false;
}

/* The function @b has at link address @v, and @v's offset into it. */
static const struct usym *bin_sym(const struct ubin *b, uint64_t v, uint64_t *off)
{
	size_t lo = 0, hi = b->nsym;
	const struct usym *s;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->syms[mid].value <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	s = &b->syms[lo - 1];
	/* Sized: inside it; unsized: up to the next. */
	if (s->size && v - s->value >= s->size)
		return NULL;
	*off = v - s->value;
	return s;
}

/* @addr by mapping @m, or false. */
static bool map_name(struct umap *m, uint64_t addr, bool ret, char *name, size_t size)
{
	uint64_t at = ret ? addr - 1 : addr, v, off;
	const struct usym *s;

	if (at < m->start || at >= m->end)
		return false;
	if (!m->bin->read)
		bin_read(m->bin);
	if (!map_vaddr(m, at, &v) || !(s = bin_sym(m->bin, v, &off))) {
		/* Its binary is known, its function not: as perf, the binary. */
		snprintf(name, size, "[unknown] (%s)", m->bin->path);
		return true;
	}
	snprintf(name, size, "%s+0x%" PRIx64 " (%s)", s->name, off + (at != addr), m->bin->path);
	return true;
}

bool st_usyms_name(struct st_usyms *us, uint32_t tgid, uint64_t addr, bool ret,
		   char *name, size_t size)
{
	char other[512];
	bool found = false;
	size_t i;

	for (i = 0; us && i < us->nmap; i++) {
		struct umap *m = &us->maps[i];

		if (tgid && m->tgid != tgid)
			continue;
		if (!found) {
			found = map_name(m, addr, ret, name, size);
			continue;
		}
		/* Another process maps something else there: no name is right. */
		if (map_name(m, addr, ret, other, sizeof(other)) && strcmp(other, name))
			return false;
	}
	return found;
}
