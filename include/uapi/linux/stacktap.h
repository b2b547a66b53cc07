/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * stacktap: who calls this kernel function, and from where?
 *
 * A probe is named by a spec, one grammar everywhere (module parameter
 * "probes=", the debugfs "control" file, and later the netlink family):
 *
 *	[p:|r:|f:]SYMBOL[+OFFSET]
 *
 *	p:	kprobe (the default when no prefix is given); OFFSET is decimal
 *		or 0x-prefixed hex, in bytes from the start of SYMBOL.
 *	r:	kretprobe on SYMBOL's entry; takes no offset.
 *	f:	ftrace_ops callback; SYMBOL may be a glob (*, ?, [...]);
 *		takes no offset.
 *
 * SYMBOL is at most STACKTAP_SYMBOL_MAX - 1 bytes.  Each hit stores one
 * record: task, CPU, time, the probe's spec and the kernel call stack,
 * frame 0 being the probed address and frame 1 its real caller.
 */
#ifndef _UAPI_LINUX_STACKTAP_H
#define _UAPI_LINUX_STACKTAP_H

#define STACKTAP_SYMBOL_MAX	128
/* Longest spec text: kind prefix, symbol, "+0x" and 16 hex digits. */
#define STACKTAP_SPEC_MAX	(STACKTAP_SYMBOL_MAX + 2 + 3 + 16)
/* Deepest stack a record can hold (module parameter depth=). */
#define STACKTAP_DEPTH_MAX	256

enum stacktap_probe_kind {
	STACKTAP_KIND_KPROBE,
	STACKTAP_KIND_KRETPROBE,
	STACKTAP_KIND_FTRACE,
	__STACKTAP_KIND_LAST
};

#endif /* _UAPI_LINUX_STACKTAP_H */
