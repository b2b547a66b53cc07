/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64's frame records at exception boundaries, per kernel version.
 * Until 6.12 an exception's pt_regs hold the interrupted code's { x29,
 * pc } as a frame record, walked like any other, and a zeroed record is a
 * task's end.  Since 6.13 the record there is zeroed and typed
 * (struct frame_record_meta): FINAL at a task's end, PT_REGS where an
 * exception interrupted the kernel, whose saved registers carry the walk.
 */
#ifndef _STACKTAP_WRAPPER_ARM64_FRAME_H
#define _STACKTAP_WRAPPER_ARM64_FRAME_H

#include <linux/version.h>
#include <asm/ptrace.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#include <asm/stacktrace/frame.h>

/* The pt_regs whose zeroed, typed record is at @fp, if a boundary's. */
static __always_inline struct pt_regs *st_arm64_boundary_regs(unsigned long fp)
{
	unsigned long type;

	if (!st_read_ulong_nofault(&type, (void *)(fp + offsetof(struct frame_record_meta, type))) ||
	    type != FRAME_META_TYPE_PT_REGS)
		return NULL;
	return container_of((struct frame_record_meta *)fp, struct pt_regs, stackframe);
}
#else
static __always_inline struct pt_regs *st_arm64_boundary_regs(unsigned long fp)
{
	return NULL;
}
#endif

#endif /* _STACKTAP_WRAPPER_ARM64_FRAME_H */
