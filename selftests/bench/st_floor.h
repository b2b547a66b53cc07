/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ST_FLOOR_H
#define _ST_FLOOR_H

struct dentry;

#ifdef CONFIG_MIPS
/* st_floor_walk_mips.c: the two MIPS walkers, frame for frame. */
void st_floor_walk_init(struct dentry *dir);
#else
static inline void st_floor_walk_init(struct dentry *dir)
{
}
#endif

#endif /* _ST_FLOOR_H */
