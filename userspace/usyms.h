/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User frames named on the target itself, without libdw: the module's
 * code mappings of the processes with user stacks recorded (MAPS_GET or
 * the debugfs "maps" file) and each binary's own symbol table (.symtab,
 * else .dynsym), read once.  show, report and stream print a user frame
 * as "0xADDR func+0xOFF (BINARY)".  report -i on a workstation names
 * them with libdw instead (ustack.h), adding file:line.
 */
#ifndef STACKTAPCTL_USYMS_H
#define STACKTAPCTL_USYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct st_usyms;

struct st_usyms *st_usyms_new(void);
void st_usyms_free(struct st_usyms *us);

/* Mappings as MAPS_GET gives them; the same one again is kept once. */
int st_usyms_add_map(struct st_usyms *us, uint32_t tgid, uint64_t start, uint64_t end,
		     uint64_t pgoff, const char *path);
/* A mapping's sink: nonzero stops the walk. */
typedef int (*st_map_fn)(void *arg, uint32_t tgid, uint64_t start, uint64_t end,
			 uint64_t pgoff, const char *path);
/*
 * Each line "TGID START-END PGOFF PATH" (hex), as the debugfs "maps" file
 * and a recording's MAPS chunk hold them; 0, or what @fn returned.
 */
int st_maps_text_each(const char *text, st_map_fn fn, void *arg);
/* st_usyms_add_map() as a st_map_fn, @us a struct st_usyms. */
int st_usyms_map_fn(void *us, uint32_t tgid, uint64_t start, uint64_t end, uint64_t pgoff,
		    const char *path);
int st_usyms_add_maps_text(struct st_usyms *us, const char *text);

/*
 * @addr (@ret: a return address) as "func+0xOFF (BINARY)": by @tgid's
 * mappings, or with @tgid 0 (not known) by every process's that hold it
 * when they all name it alike.  False when none does.
 */
bool st_usyms_name(struct st_usyms *us, uint32_t tgid, uint64_t addr, bool ret,
		   char *name, size_t size);

#endif
