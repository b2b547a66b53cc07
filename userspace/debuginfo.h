/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host-side symbolization of kernel addresses with elfutils' libdwfl: a
 * debug vmlinux and debug .ko files turn a runtime address into its
 * function, inline chain and file:line, as binutils' addr2line -f -i does.
 *
 * Link with -ldw -lelf.
 */
#ifndef STACKTAPCTL_DEBUGINFO_H
#define STACKTAPCTL_DEBUGINFO_H

#include <stddef.h>
#include <stdint.h>

struct st_inline_frame {
	char func[256];		/* "??" when unknown, as addr2line */
	char file[512];		/* "??" when unknown */
	unsigned int line;	/* 0 when unknown */
	/*
	 * The line table row's discriminator (0: none), set on level 0 only.
	 * addr2line prints level 0's on every level: "LINE (discriminator N)".
	 */
	unsigned int discriminator;
};

struct st_dw;

struct st_dw *st_dw_new(void);
void st_dw_free(struct st_dw *dw);

/*
 * The kernel: a vmlinux with DWARF, running with its symbol @text_symbol
 * (NULL: _text) at @text_runtime: the KASLR shift is their difference.
 * 0 means not known: no shift.
 */
int st_dw_add_kernel(struct st_dw *dw, const char *path, const char *text_symbol,
		     uint64_t text_runtime);

/*
 * A module: its debug .ko (ET_REL) and where each of its sections was loaded
 * (names and runtime addresses as in /sys/module/NAME/sections/).  Sections
 * not named are taken as not loaded.
 */
int st_dw_add_module(struct st_dw *dw, const char *name, const char *path,
		     size_t nsec, const char *const *secnames, const uint64_t *secaddrs);

/*
 * @addr: runtime address to look up (callers pass a return address minus 1).
 * Fills up to @max levels, innermost first (level 0 = the function the
 * address is in after inlining, i.e. the deepest inlined body; the last =
 * the concrete out-of-line function), returns how many, 0 if no module/
 * debug info covers @addr, -1 on error.  A line but no DWARF function at
 * @addr (assembly) gives the ELF symbol's name, as addr2line does.
 */
int st_dw_lookup(struct st_dw *dw, uint64_t addr, struct st_inline_frame *out, int max);

/*
 * st_dw_lookup() with @flags: ST_DW_SYMTAB, where the module has no DWARF
 * for @addr at all, gives one level as addr2line has it: the ELF symbol at
 * or below @addr, and the STT_FILE before it or "??", line 0.
 */
#define ST_DW_SYMTAB	0x1

int st_dw_lookup_flags(struct st_dw *dw, uint64_t addr, struct st_inline_frame *out, int max,
		       unsigned int flags);

/*
 * Debian-style debug tree lookup: ROOT/.build-id/xx/rest.debug for a
 * build-id given as bytes (or ROOT/xx/rest.debug, ROOT being the
 * .build-id directory itself); 0 and @path filled, or -1.
 */
int st_dw_find_by_buildid(const char *root, const unsigned char *id, size_t len,
			  char *path, size_t size);

/*
 * The build-id of an ELF file (its NT_GNU_BUILD_ID note), for checking a
 * debug file matches; length or -1.
 */
int st_dw_file_buildid(const char *path, unsigned char *id, size_t size);

#endif /* STACKTAPCTL_DEBUGINFO_H */
