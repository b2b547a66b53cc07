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
 * SYMBOL is at most STACKTAP_SYMBOL_MAX - 1 bytes.  Options follow the
 * spec after spaces, each at most once ("r:do_sys_open maxactive=64"):
 *
 *	mode=trace|count  trace (default): store a record per hit and count
 *		its stack; count: only count the stack.
 *	key=stack|args  what a count is kept per: the stack (default), or
 *		the stack and the values of the probe's arguments (at least
 *		one), each distinct set counted apart.
 *	depth=N	  keep at most N frames (1..the module's depth=).
 *	pid=N	  only hits in process (thread group) N.
 *	comm=NAME only hits in tasks named NAME.
 *	cpu=N	  only hits on CPU N.
 *	maxactive=N  r: only: instances in flight (1..4096).
 *	retOPN	  r: only: keep the calls whose return value (a signed
 *		long) compares so with N (decimal or 0x hex); OP is one of
 *		< <= > >= == !=: "ret<0", "ret==-22".
 *	latOPT	  r: only: keep the calls whose latency compares so with T
 *		(ns, or N with us, ms or s; at most 3600s): "lat>1ms".
 *	[NAME=]FETCH[:TYPE]  an argument: a value fetched at the hit (an
 *		r: probe's at the entry) and stored in its record, at most
 *		STACKTAP_ARGS_MAX of them.  FETCH is argN (the Nth argument
 *		at the function's entry, by the arch's calling convention;
 *		not for p: with an offset), %REG (a register by its pt_regs
 *		name: %di, %x0, %a0; p: and r: only), or OFF(FETCH), the
 *		memory at OFF bytes (signed) from FETCH's value, nested up
 *		to 4 deep.  TYPE: u8 u16 u32 u64, s8 s16 s32 s64, x8 x16
 *		x32 x64 (hex, the default at the kernel's word size),
 *		string (the NUL-terminated bytes at the address: OFF(FETCH)
 *		or FETCH's value) or symbol (a kernel address, named).
 *		NAME (a C identifier, at most 31 bytes) defaults to the
 *		FETCH text: "dev=+0(arg1):string flags=arg2:x32".  Memory is
 *		read fault-safe: a fetch that faults is stored as such.
 *
 * Each hit stores one record: task, CPU, time, the probe's spec and the
 * kernel call stack, frame 0 being the probed address and frame 1 its
 * real caller.  Filtered-out hits are counted, never unwound; calls that
 * miss a ret or lat condition are counted as filtered when they return,
 * and neither written nor counted in the stacks.
 *
 * Generic netlink family "stacktap", version 1.  Every command needs
 * CAP_SYS_ADMIN; attributes are validated strictly.  Errors come back as
 * a negative errno with an extended-ack message saying why.
 *
 *	PROBE_ADD	A_SPEC: the probe text (spec and options).  Replies
 *			with A_PROBE_ID, A_PROBE_FLAGS and, for an f: glob,
 *			A_COUNT: the functions it matched.
 *	PROBE_DEL	A_SPEC (a spec, no options) or A_PROBE_ID.
 *	PROBE_LIST	dump: one message per probe with A_PROBE_ID, A_SPEC
 *			(canonical), A_KIND, A_HITS, A_MISSES, A_PROBE_FLAGS,
 *			A_FILTERED, A_OVERFLOW and A_OPTIONS (the options set,
 *			canonical, "" for none); an armed f: glob's A_COUNT,
 *			the functions it is on.
 *	CLEAR		drops every record and every counted stack.
 *	STATS_GET	dump: one message per possible CPU with A_CPU,
 *			A_WRITTEN, A_DROPPED, A_OVERWRITTEN (records freed for
 *			new ones: overwrite=, ring=overwrite), A_BYTES, and
 *			A_OVERFLOW: hits the full aggregation table could not
 *			count.
 *	RESET		disarms and removes every probe.
 *	STREAM		makes the asking socket a record reader (see below);
 *			A_STREAM_FLAGS.  Replies with A_FORMAT.
 *	SYMBOLIZE	names frames as the debugfs files do: A_TIME (the
 *			record's time_ns, for unloaded and init text), then
 *			up to STACKTAP_SYMBOLIZE_MAX A_ADDR (an exact address,
 *			frame 0) and A_RET_ADDR (a return address) in any
 *			order.  Replies with one A_SYMBOL per address, in order.
 *	STACKS_GET	dump: the counted stacks as the debugfs "stacks" file
 *			has them, one message per stack: A_SPEC (its probe),
 *			A_COUNT, A_TIME (when first seen, for SYMBOLIZE),
 *			A_FRAMES (raw, frame 0 the probed address) and
 *			A_TRUNCATED when it was deeper than depth=, for
 *			an r: probe's stack A_LATENCY, and for a key=args
 *			probe's A_ARGS, the argument values it is counted
 *			under (struct stacktap_arg each, as in a record, in
 *			the kernel's byte order).  A snapshot taken when
 *			the dump starts; readers as for STREAM.
 *	FUNCS_CHECK	which probe kinds functions can take, as an add
 *			would find: up to STACKTAP_SYMBOLIZE_MAX A_SYMBOL
 *			("SYM" or "MOD:SYM").  Replies with one
 *			A_FUNC_FLAGS per name, in order.  Nothing is armed.
 *	MAPS_GET	dump: the executable file mappings of the processes
 *			whose user stacks were recorded, as the debugfs
 *			"maps" file has them, one message per mapping: A_TGID,
 *			A_ADDR (start), A_MAP_END, A_MAP_PGOFF (its file
 *			offset, in bytes) and A_PATH.  A process's are taken
 *			when its first user stack is, and again when its
 *			mappings change; the newest STACKTAP_MAPS_PROCS
 *			processes' are kept, after they exit too.
 *
 * A record reader gets every record committed after STREAM (with
 * STACKTAP_STREAM_F_BACKLOG, also those already in the buffers), as
 * STACKTAP_CMD_RECORDS messages sent to its socket: A_FORMAT, then one
 * A_RECORD per record, each a struct stacktap_record.  Each reader has its
 * own cursor in every CPU's buffer: two readers both get every record, and
 * a reader whose socket is full is sent the rest later, not dropped.  Buffers
 * are freed past what every reader has taken; records the buffers had no
 * room for are counted, per CPU, in the next record's lost.  A reader stops
 * when its socket closes; STACKTAP_CMD_STREAM_END tells it the stream is
 * over (the module goes, or "eof" on the debugfs control file).
 * Readers must be allowed to see kernel addresses (CAP_SYSLOG, kptr_restrict
 * below 2), at STREAM and at SYMBOLIZE, and lockdown's LOCKDOWN_TRACEFS must
 * be off: records carry addresses raw.  A reader should set
 * NETLINK_NO_ENOBUFS on its socket: the module retries a full socket, and
 * the ENOBUFS netlink reports for it then means nothing was lost.  With
 * STACKTAP_STREAM_F_ONCE the reader gets the records written before
 * STREAM, frees none of them, then STREAM_END.
 *
 * Probes armed by the probes= parameter or the debugfs control file are
 * the same probes: one registry serves every interface.
 */
#ifndef _UAPI_LINUX_STACKTAP_H
#define _UAPI_LINUX_STACKTAP_H

#include <linux/types.h>

#define STACKTAP_SYMBOL_MAX	128
/* Longest spec text: kind prefix, symbol, "+0x" and 16 hex digits. */
#define STACKTAP_SPEC_MAX	(STACKTAP_SYMBOL_MAX + 2 + 3 + 16)
/* Deepest stack a record can hold (module parameter depth=). */
#define STACKTAP_DEPTH_MAX	256
/* A stack's most frames: depth= kernel ones, STACKTAP_FRAME_USER, depth= user ones. */
#define STACKTAP_FRAMES_MAX	(2 * STACKTAP_DEPTH_MAX + 1)

enum stacktap_probe_kind {
	STACKTAP_KIND_KPROBE,
	STACKTAP_KIND_KRETPROBE,
	STACKTAP_KIND_FTRACE,
	STACKTAP_KIND_UPROBE,		/* u:/PATH:SYMBOL[+OFF], a user function */
	STACKTAP_KIND_URETPROBE,	/* ur:/PATH:SYMBOL, its returns */
	__STACKTAP_KIND_LAST
};

/* The release of stacktap.ko and stacktapctl (modinfo, --version); dkms.conf says it too. */
#define STACKTAP_VERSION	"0.5.0"

#define STACKTAP_GENL_NAME	"stacktap"
#define STACKTAP_GENL_VERSION	1
/* Longest probe text: a spec and its options. */
#define STACKTAP_TEXT_MAX	256

enum stacktap_cmd {
	STACKTAP_CMD_UNSPEC,
	STACKTAP_CMD_PROBE_ADD,
	STACKTAP_CMD_PROBE_DEL,
	STACKTAP_CMD_PROBE_LIST,
	STACKTAP_CMD_CLEAR,
	STACKTAP_CMD_STATS_GET,
	STACKTAP_CMD_RESET,
	STACKTAP_CMD_STREAM,
	STACKTAP_CMD_RECORDS,
	STACKTAP_CMD_STREAM_END,
	STACKTAP_CMD_SYMBOLIZE,
	STACKTAP_CMD_STACKS_GET,
	STACKTAP_CMD_FUNCS_CHECK,
	STACKTAP_CMD_MAPS_GET,
	__STACKTAP_CMD_LAST
};
#define STACKTAP_CMD_MAX	(__STACKTAP_CMD_LAST - 1)

enum stacktap_attr {
	STACKTAP_A_UNSPEC,
	STACKTAP_A_SPEC,		/* NUL-terminated string */
	STACKTAP_A_PROBE_ID,		/* u32 */
	STACKTAP_A_KIND,		/* u8, enum stacktap_probe_kind */
	STACKTAP_A_HITS,		/* u64 */
	STACKTAP_A_MISSES,		/* u64 */
	STACKTAP_A_PROBE_FLAGS,		/* u32, STACKTAP_PROBE_F_* */
	STACKTAP_A_CPU,			/* u32 */
	STACKTAP_A_WRITTEN,		/* u64 */
	STACKTAP_A_DROPPED,		/* u64 */
	STACKTAP_A_BYTES,		/* u64 */
	STACKTAP_A_PAD,
	STACKTAP_A_FILTERED,		/* u64 */
	STACKTAP_A_OVERFLOW,		/* u64 */
	STACKTAP_A_OPTIONS,		/* NUL-terminated string */
	STACKTAP_A_STREAM_FLAGS,	/* u32, STACKTAP_STREAM_F_* */
	STACKTAP_A_FORMAT,		/* u32, STACKTAP_RECORD_FORMAT */
	STACKTAP_A_RECORD,		/* binary, struct stacktap_record */
	STACKTAP_A_TIME,		/* u64, ns */
	STACKTAP_A_ADDR,		/* u64 */
	STACKTAP_A_RET_ADDR,		/* u64 */
	STACKTAP_A_SYMBOL,		/* NUL-terminated string */
	STACKTAP_A_COUNT,		/* u64 */
	STACKTAP_A_FRAMES,		/* binary, __u64 addresses; copy out */
	STACKTAP_A_TRUNCATED,		/* flag */
	STACKTAP_A_LATENCY,		/* binary, struct stacktap_latency */
	STACKTAP_A_FUNC_FLAGS,		/* u32, STACKTAP_FUNC_F_* */
	STACKTAP_A_OVERWRITTEN,		/* u64 */
	STACKTAP_A_ARGS,		/* binary, struct stacktap_arg entries */
	STACKTAP_A_TGID,		/* u32 */
	STACKTAP_A_MAP_END,		/* u64 */
	STACKTAP_A_MAP_PGOFF,		/* u64 */
	STACKTAP_A_PATH,		/* NUL-terminated string */
	__STACKTAP_A_LAST
};
#define STACKTAP_A_MAX		(__STACKTAP_A_LAST - 1)

/* An f: probe from probes= waiting for a module to provide a match. */
#define STACKTAP_PROBE_F_PENDING	0x1
/* A p: probe on an ftrace call site, served by ftrace. */
#define STACKTAP_PROBE_F_VIA_FTRACE	0x2

/* STREAM: start with the records already in the buffers. */
#define STACKTAP_STREAM_F_BACKLOG	0x1
/* STREAM: end (STREAM_END) once every record so far is sent: a snapshot. */
#define STACKTAP_STREAM_F_ONCE		0x2

#define STACKTAP_SYMBOLIZE_MAX		64

/* FUNCS_CHECK: what a function can take. */
#define STACKTAP_FUNC_F_KPROBE		0x1	/* a kprobe at its entry: p: and r: */
#define STACKTAP_FUNC_F_FTRACE		0x2	/* traceable: f: */
#define STACKTAP_FUNC_F_FTRACE_SITE	0x4	/* entry an ftrace site kprobes refuse:
						 * p: through ftrace, no r: */
#define STACKTAP_FUNC_F_UNKNOWN		0x8	/* no such function */
#define STACKTAP_FUNC_F_VIA_FTRACE	0x10	/* p: through ftrace can serve it */
#define STACKTAP_FUNC_F_R_VIA_FTRACE	0x20	/* r: through ftrace can serve it (MIPS) */

/*
 * One record in a STACKTAP_A_RECORD attribute.  The layout is fixed for a
 * STACKTAP_RECORD_FORMAT; fields are in the kernel's byte order and the
 * attribute is only 4-byte aligned, so copy it out before reading.
 */
#define STACKTAP_RECORD_FORMAT		3	/* 1: up to args_len, 72 bytes; 2: no ucopy_len */

/* What a hit interrupted, innermost first: as preempt_count() tells. */
enum stacktap_context {
	STACKTAP_CONTEXT_TASK,
	STACKTAP_CONTEXT_SOFTIRQ,
	STACKTAP_CONTEXT_HARDIRQ,
	STACKTAP_CONTEXT_NMI,
};

struct stacktap_record {
	__u32 size;		/* bytes: header, frames, spec, padding to 8 */
	__u32 flags;		/* STACKTAP_RECORD_F_* */
	__u64 time_ns;		/* CLOCK_MONOTONIC at the hit */
	__u64 ret;		/* F_RET: the return value */
	__u64 latency_ns;	/* F_RET: from entry to return */
	__u32 cpu;
	__u32 pid;		/* the thread's id */
	__u32 tgid;		/* its process's */
	__u32 lost;		/* records this CPU dropped just before this one */
	__u16 nr_frames;
	__u8 kind;		/* enum stacktap_probe_kind */
	__u8 spec_len;
	char comm[16];		/* NUL-terminated */
	__u16 args_len;		/* bytes of arguments after the spec */
	__u8 context;		/* enum stacktap_context (format 2) */
	__u8 reserved;		/* zero */
	__u32 probe_id;		/* the probe's id, as PROBE_LIST gives it (format 2) */
	__u32 ucopy_len;	/* F_UCOPY: bytes of its struct stacktap_ucopy (format 3) */
	/*
	 * Then nr_frames __u64 raw addresses, frame 0 the probed address and
	 * the rest return addresses (with ustack=, the kernel's, then
	 * STACKTAP_FRAME_USER, the user pc and user return addresses), then
	 * spec_len bytes of the probe's spec (no NUL), then args_len bytes of
	 * arguments (struct stacktap_arg each), then with F_UCOPY, at the
	 * next multiple of 8, ucopy_len bytes of struct stacktap_ucopy, then
	 * zeros up to size.
	 */
	__u64 frames[];
};

/*
 * One fetched argument of a record, unaligned: its name (no NUL), then
 * value_len bytes of value.  Numbers are 8 bytes in the kernel's order,
 * signed types sign-extended, the rest zero-extended; a string is its
 * bytes without the NUL, at most STACKTAP_ARG_STRING_MAX.
 */
#define STACKTAP_ARGS_MAX		8
#define STACKTAP_ARG_NAME_MAX		32	/* with the NUL */
#define STACKTAP_ARG_STRING_MAX		64

enum stacktap_arg_type {
	STACKTAP_ARG_DEFAULT,		/* in a spec only: hex, word-sized */
	STACKTAP_ARG_U8, STACKTAP_ARG_U16, STACKTAP_ARG_U32, STACKTAP_ARG_U64,
	STACKTAP_ARG_S8, STACKTAP_ARG_S16, STACKTAP_ARG_S32, STACKTAP_ARG_S64,
	STACKTAP_ARG_X8, STACKTAP_ARG_X16, STACKTAP_ARG_X32, STACKTAP_ARG_X64,
	STACKTAP_ARG_STRING,
	STACKTAP_ARG_SYMBOL,
	__STACKTAP_ARG_LAST
};

struct stacktap_arg {
	__u8 type;		/* enum stacktap_arg_type */
	__u8 flags;		/* STACKTAP_ARG_F_* */
	__u8 name_len;
	__u8 value_len;
	char name[];
};

#define STACKTAP_ARG_F_FAULT		0x1	/* memory unreadable: no value */
#define STACKTAP_ARG_F_CUT		0x2	/* string longer than kept */

/*
 * The latencies of an r: probe's calls down one stack (STACKS_GET's
 * A_LATENCY; copy it out): log2 buckets of ns as bpftrace's hist() and
 * funclatency print them: hist[0] counts 0 ns, hist[k] for k >= 1 counts
 * [2^(k-1), 2^k) ns, the last bucket everything above.
 */
#define STACKTAP_LAT_BUCKETS		48

struct stacktap_latency {
	__u64 sum_ns;
	__u64 min_ns;
	__u64 max_ns;
	__u32 hist[STACKTAP_LAT_BUCKETS];
};

/* In a stack's frames: the user stack (ustack=) follows the kernel's. */
#define STACKTAP_FRAME_USER		((__u64)-1)

#define STACKTAP_RECORD_F_TRUNCATED	0x1	/* kernel stack deeper than depth= */
#define STACKTAP_RECORD_F_RET		0x2	/* r: ret and latency_ns are set */
#define STACKTAP_RECORD_F_GLOB		0x4	/* frame 0 names the matched function */
#define STACKTAP_RECORD_F_ARGS		0x8	/* args_len bytes of arguments */
#define STACKTAP_RECORD_F_UCOPY		0x10	/* ustack=copy: a struct stacktap_ucopy */

/*
 * ustack=copy,SIZE: the user registers and the top of the user stack of
 * the task a hit ran for, as it was in user space, for a reader to unwind
 * with the binaries' .eh_frame (stacktapctl report -i).  Registers are
 * in the DWARF numbering of the task's ELF machine: x86_64 0..16 (rax,
 * rdx, rcx, rbx, rsi, rdi, rbp, rsp, r8..r15, rip), arm64 0..31 (x0..x30,
 * sp), MIPS 0..31 ($0..$31).
 */
#define STACKTAP_UCOPY_SIZE_MIN		64
#define STACKTAP_UCOPY_SIZE_MAX		16384
#define STACKTAP_UCOPY_SIZE_DEFAULT	4096
#define STACKTAP_UCOPY_REGS_MAX		32

struct stacktap_ucopy {
	__u16 machine;		/* ELF e_machine: EM_X86_64, EM_AARCH64, EM_MIPS */
	__u8 nregs;		/* regs[] entries */
	__u8 nuret;		/* pending uretprobe returns, after the registers */
	__u32 size;		/* stack bytes copied from sp: fewer where it ends */
	__u64 pc;
	__u64 sp;
	/*
	 * nregs registers; then nuret __u64 return addresses that uprobes
	 * replaced with their trampoline in this stack, innermost first, for
	 * the unwinder to put back; then size bytes of stack, from sp up.
	 */
	__u64 regs[];
};
#define STACKTAP_UCOPY_URET_MAX		16

/* Processes whose mappings MAPS_GET keeps. */
#define STACKTAP_MAPS_PROCS		64

#endif /* _UAPI_LINUX_STACKTAP_H */
