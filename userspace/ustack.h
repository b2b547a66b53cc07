/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User stacks on the workstation: the code mappings a recording holds
 * for each process (MAPS chunks, from the module's MAPS_GET), the
 * binaries they map found under a --symfs root, and with them
 *  - the unwinding of a ustack=copy record's registers and stack bytes
 *    by the binaries' .eh_frame (or .debug_frame) with libdw's CFI;
 *  - the names of user frames: binary, function+offset, and file:line
 *    where the binary has DWARF.
 *
 * Link with -ldw -lelf.
 */
#ifndef STACKTAPCTL_USTACK_H
#define STACKTAPCTL_USTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../include/uapi/linux/stacktap.h"

struct st_uspace;

/* @symfs: where the target's files are (NULL: "/"). */
struct st_uspace *st_uspace_new(const char *symfs);
void st_uspace_free(struct st_uspace *us);

/* One code mapping of process @tgid: [start, end) maps @path from @pgoff. */
int st_uspace_add_map(struct st_uspace *us, uint32_t tgid, uint64_t start, uint64_t end,
		      uint64_t pgoff, const char *path);
/* "TGID START END PGOFF PATH" lines, as a MAPS chunk holds them. */
int st_uspace_add_maps_text(struct st_uspace *us, const char *text);
bool st_uspace_empty(const struct st_uspace *us);

/*
 * The return addresses above @u's pc, unwound from its registers and
 * stack, into @out (at most @max), outermost last; how many.
 */
int st_uspace_unwind(struct st_uspace *us, uint32_t tgid, const struct stacktap_ucopy *u,
		     uint64_t *out, int max);

/*
 * @addr of @tgid (@ret: a return address) as "func+0xOFF (PATH)", and
 * where DWARF says, "FILE:LINE" into @line (else ""); false, with
 * nothing written, when no recorded mapping holds it.
 */
bool st_uspace_name(struct st_uspace *us, uint32_t tgid, uint64_t addr, bool ret,
		    char *name, size_t size, char *line, size_t line_size);

#endif
