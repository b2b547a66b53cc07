/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86_64's ORC entries (asm/orc_types.h), per kernel version.  Until 6.3
 * an entry's type is an unwind hint's (UNWIND_HINT_TYPE_*) and a kernel
 * thread's last frame has the end bit; 6.4 gave entries types of their
 * own, ORC_TYPE_END_OF_STACK among them, and dropped the bit (6.4).
 */
#ifndef _STACKTAP_WRAPPER_ORC_H
#define _STACKTAP_WRAPPER_ORC_H

#include <linux/version.h>
#include <asm/orc_types.h>
#include <asm/unwind_hints.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define ST_ORC_TYPE_CALL	ORC_TYPE_CALL
#define ST_ORC_TYPE_REGS	ORC_TYPE_REGS
#define st_orc_is_end(orc)	((orc)->type == ORC_TYPE_END_OF_STACK)
#else
#define ST_ORC_TYPE_CALL	UNWIND_HINT_TYPE_CALL
#define ST_ORC_TYPE_REGS	UNWIND_HINT_TYPE_REGS
#define st_orc_is_end(orc)	((orc)->sp_reg == ORC_REG_UNDEFINED && (orc)->end)
#endif

#endif /* _STACKTAP_WRAPPER_ORC_H */
