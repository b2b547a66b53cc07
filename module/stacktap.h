/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _STACKTAP_H
#define _STACKTAP_H

#include <linux/ftrace.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <asm/local.h>

#include "stacktap_compat.h"
#include "stacktap_spec.h"

/* Contexts that can nest on one CPU: task, softirq, hardirq, NMI. */
#define ST_MAX_NEST	4

/* Set on this CPU while a kprobe hit that came by trap runs (x86). */
DECLARE_PER_CPU(bool, st_trap_hit);

/*
 * The context a hit runs in, 0 to ST_MAX_NEST - 1: task, softirq, hardirq,
 * NMI.  Each may interrupt only those below it, so each has its own scratch.
 * An x86 int3 hit runs in the NMI that int3 entered (ST_TRAP_ENTERS_NMI):
 * its context is the one below; a real NMI inside it is one NMI deeper.
 */
static __always_inline unsigned int st_context(void)
{
	unsigned long pc = preempt_count();

	if (ST_TRAP_ENTERS_NMI && (pc & NMI_MASK) && __this_cpu_read(st_trap_hit))
		pc -= NMI_OFFSET + HARDIRQ_OFFSET;
	if (pc & NMI_MASK)
		return 3;
	if (pc & HARDIRQ_MASK)
		return 2;
	return in_serving_softirq() ? 1 : 0;
}

struct st_probe_stats {
	local_t hits;		/* captured: counted, written or dropped */
	local_t misses;		/* handler could not record (recursion, no stack) */
	local_t filtered;	/* turned away by pid=, comm=, cpu=, ret or lat conditions */
	local_t overflow;	/* hits the full aggregation table could not count */
};

struct st_probe;

/* What differs between p:, r: and f: probes. */
struct st_probe_kind {
	/* Arm @p; on failure set *why for the user and return -errno. */
	int (*arm)(struct st_probe *p, const char **why);
	/* Disarm @p and wait until no handler of it runs. */
	void (*disarm)(struct st_probe *p);
	/* Hits the probing layer itself lost (kprobes' nmissed). */
	unsigned long (*nmissed)(struct st_probe *p);
};

/* For kinds whose probing layer loses no hits of its own. */
unsigned long st_probe_no_misses(struct st_probe *p);
extern const struct st_probe_kind st_kprobe_kind;
const char *st_kprobe_error(int err);
void st_kprobe_hold_softirq(void);
void st_kprobe_post(struct kprobe *kp, struct pt_regs *regs, unsigned long flags);
int st_kprobe_step_over(struct kprobe *kp, struct pt_regs *regs);
extern const struct st_probe_kind st_kretprobe_kind;
extern const struct st_probe_kind st_fprobe_kind;
extern const struct st_probe_kind st_uprobe_kind;
extern const struct st_probe_kind st_uretprobe_kind;
void st_fprobe_init(unsigned int glob_max);
bool st_kprobe_symbol_exists(const char *symbol);
bool st_kprobe_entry_is_ftrace_site(const char *symbol);
int st_kprobe_check_arch(const struct st_probe *p, const char **why);

struct st_probe {
	struct list_head list;
	u32 id;				/* unique while loaded, from 1 */
	struct st_spec spec;
	const struct st_probe_kind *kind;
	char name[STACKTAP_SPEC_MAX + 1];	/* canonical spec text */
	u8 name_len;
	u32 owner;		/* its stacks' owner in the aggregation table */
	bool pending;		/* waiting for a module to load */
	char mod[ST_MODULE_NAME_MAX];	/* whose code it probes, "" the kernel's */
	bool via_ftrace;	/* p: at an ftrace site, served by ftrace */
	unsigned int args_max;	/* its arguments' most bytes in a record, 0: none or count-only */
	unsigned long matched;	/* f:, once armed: functions it is on */
	/* r: on MIPS: the kretprobe's own entry pre-handler, which we wrap */
	int (*kret_pre)(struct kprobe *kp, struct pt_regs *regs);
	struct st_probe_stats __percpu *stats;
	struct st_fret_pool *fret;	/* r: through ftrace (MIPS): its return slots */
	union {
		struct kprobe kp;
		struct kretprobe rp;
		struct ftrace_ops ops;
		struct st_uprobe up;
	};
};

/* stacktap_args.c: arguments fetched at a hit */
/* The most bytes a hit's arguments take in a record, their length included. */
#define ST_ARGS_BYTES_MAX	(sizeof(u16) + STACKTAP_ARGS_MAX * \
				 (sizeof(struct stacktap_arg) + STACKTAP_ARG_NAME_MAX - 1 + \
				  STACKTAP_ARG_STRING_MAX + 1))
int st_args_resolve(struct st_spec *spec, unsigned int *max, const char **why);
unsigned int st_args_fetch(const struct st_spec *spec, struct pt_regs *regs, u8 *out);

/* stacktap_funcs.c: what probe kinds functions can take */
int st_funcs_check(const char *const *names, u32 *flags, unsigned int n);

/* A kretprobe's outcome, recorded after its entry stack. */
struct st_ret {
	u64 value;
	u64 lat_ns;
};

/* stacktap_capture.c: the hit path */
int st_capture_init(unsigned int depth);
void st_capture_exit(void);
unsigned int st_capture_depth(void);
unsigned int st_capture_max(const struct st_probe *p);
/* One call per hit, from each probe kind's handler. */
void st_capture_regs(struct st_probe *p, struct pt_regs *regs,
		     unsigned long ip, bool at_entry, bool trap);
void st_capture_ftrace(struct st_probe *p, unsigned long ip,
		       unsigned long parent_ip, struct pt_regs *regs);
unsigned int st_capture_entry(struct st_probe *p, struct pt_regs *regs,
			      unsigned long ip, unsigned long *frames, u8 *args,
			      bool trap);
/* The same from an ftrace callback (MIPS: r: through ftrace_caller). */
unsigned int st_capture_ftrace_entry(struct st_probe *p, unsigned long ip,
				     unsigned long parent_ip, unsigned long *frames, u8 *args);
void st_capture_context_hits(int cpu, unsigned long hits[ST_MAX_NEST]);
/* A u: probe's hit, with the task's user registers. */
void st_capture_uprobe(struct st_probe *p, struct pt_regs *regs, bool at_entry);
/* A ur: probe's: function @func has just returned, @ret its outcome. */
void st_capture_uretprobe(struct st_probe *p, struct pt_regs *regs, unsigned long func,
			  const struct st_ret *ret);
/* A kprobe that came by trap, not called by ftrace from an ftrace site. */
static inline bool st_kprobe_trapped(const struct kprobe *kp)
{
	return !(kp->flags & KPROBE_FLAG_FTRACE);
}
void st_capture_return(struct st_probe *p, unsigned long *frames,
		       unsigned int nr, const u8 *args, const struct st_ret *ret);

/*
 * A stack's frames: the kernel's, then with ustack= this marker and the
 * user's (STACKTAP_FRAME_USER where the uapi carries them).
 */
#define ST_FRAME_USER		(~0UL)

static inline u64 st_frame_u64(unsigned long frame)
{
	return frame == ST_FRAME_USER ? STACKTAP_FRAME_USER : frame;
}

/* stacktap_ustack.c: the user stack, ustack=fp and u: probes */
/* Whose user code keeps frame records to walk (ustack=fp). */
#define ST_USER_FP_RECORDS	(IS_ENABLED(CONFIG_X86_64) || IS_ENABLED(CONFIG_ARM64))
/*
 * Words a stack may take, for depth= @depth: the kernel's frames and a
 * truncation flag; where user stacks are walked, ST_FRAME_USER and as
 * many user frames again, elsewhere ST_FRAME_USER and the user pc of
 * ustack=copy (a u: stack, ST_FRAME_USER and its frames, fits either
 * way).
 */
#define ST_STACK_WORDS(depth)	(ST_USER_FP_RECORDS ? 2 * ((depth) + 1) : (depth) + 3)

int st_ustack_check(const struct st_spec *spec, const char **why);
unsigned int st_unwind_user(unsigned long *out, unsigned int max);
unsigned int st_ucopy_take(struct pt_regs *regs, struct stacktap_ucopy *u, unsigned int size);

/* stacktap_maps.c: the code mappings of processes with user stacks */
struct st_map {
	u64 start, end;
	u64 pgoff;		/* in bytes */
	char *path;
};
void st_maps_want(void);
int st_maps_dump(unsigned long *pos,
		 int (*put)(void *arg, u32 tgid, const struct st_map *map), void *arg);
void st_maps_init(void);
void st_maps_exit(void);

/* Bytes a user copy @u takes: its head, registers, returns and stack. */
static inline unsigned int st_ucopy_len(const struct stacktap_ucopy *u)
{
	return ALIGN(sizeof(*u) + (u->nregs + u->nuret) * sizeof(u64) + u->size, 8);
}

/* Bytes a record's user copy may take: registers and ustack=copy,SIZE. */
static inline unsigned int st_ucopy_max(const struct st_spec *spec)
{
	return spec->ustack == ST_USTACK_COPY ?
	       ALIGN(sizeof(struct stacktap_ucopy) + (STACKTAP_UCOPY_REGS_MAX +
		     STACKTAP_UCOPY_URET_MAX) * sizeof(u64) + spec->ucopy_size, 8) : 0;
}
/* How a user stack's first frames are known. */
enum st_user_at {
	ST_USER_AT_PC,		/* inside a function: its pc, then the records */
	ST_USER_AT_ENTRY,	/* at its first instruction: the caller is exact */
	ST_USER_AT_RETURN,	/* just returned from it: the caller is the pc */
};
unsigned int st_unwind_user_regs(struct pt_regs *regs, enum st_user_at at,
				 unsigned long pc, unsigned long *out, unsigned int max);

/* stacktap_unwind_<arch>.c */
unsigned int st_unwind_regs(struct pt_regs *regs, bool at_entry,
			    unsigned long *entries, unsigned int max);
/* Tracer code the kernel does not name (x86_64: ftrace trampolines). */
bool st_unwind_tracer_text(unsigned long addr);
/* State the walker keeps (MIPS: frame cache; x86_64: ORC cache). */
int st_unwind_init(void);
void st_unwind_exit(void);
#if ST_UNWIND_FTRACE_NOREGS
/* MIPS unwinds ftrace callbacks without registers. */
unsigned int st_unwind_ftrace(unsigned long ip, unsigned long parent_ip,
			      unsigned long *entries, unsigned int max);
/* ftrace_caller's frame: a pt_regs whose argument registers are saved. */
struct pt_regs *st_unwind_ftrace_args(unsigned long ip, unsigned long parent_ip);
#else
static inline struct pt_regs *st_unwind_ftrace_args(unsigned long ip, unsigned long parent_ip)
{
	return NULL;
}

/* Unreachable: ftrace saves registers for f: probes on these arches. */
static inline unsigned int st_unwind_ftrace(unsigned long ip, unsigned long parent_ip,
					    unsigned long *entries, unsigned int max)
{
	return 0;
}
#endif
#if IS_ENABLED(CONFIG_UNWINDER_ORC)
/* stacktap_unwind_x86_orc.c: 0 when the kernel's unwinder must walk */
int st_orc_init(void);
void st_orc_exit(void);
unsigned int st_orc_unwind_regs(struct pt_regs *regs, unsigned long *entries,
				unsigned int max);
unsigned long st_orc_kretprobe_real(unsigned long addr, unsigned long slot,
				    unsigned long callee);
/* stacktap_unwind_x86.c: the kernel's unwinder alone */
unsigned int st_unwind_regs_kernel(struct pt_regs *regs, unsigned long *entries,
				   unsigned int max);
#else
static inline int st_orc_init(void)
{
	return 0;
}

static inline void st_orc_exit(void)
{
}

static inline unsigned int st_orc_unwind_regs(struct pt_regs *regs, unsigned long *entries,
					      unsigned int max)
{
	return 0;
}

static inline unsigned long st_orc_kretprobe_real(unsigned long addr, unsigned long slot,
						  unsigned long callee)
{
	return addr;
}

static inline unsigned int st_unwind_regs_kernel(struct pt_regs *regs, unsigned long *entries,
						 unsigned int max)
{
	return 0;
}
#endif

/* stacktap_hooking.c: returns being hooked, for walks in the window */
#if defined(CONFIG_X86_64) || defined(CONFIG_MIPS)
void st_hook_note(unsigned long where, unsigned long ret, unsigned long func,
		  unsigned long ri);
void st_hook_forget(void);
unsigned long st_hook_find(unsigned long where, unsigned long callee, unsigned long span,
			   unsigned long *ri);
#else
static inline void st_hook_note(unsigned long where, unsigned long ret, unsigned long func,
				unsigned long ri)
{
}

static inline void st_hook_forget(void)
{
}
#endif

/*
 * Before kretprobe @kp hooks the return at @regs with instance @ri: where
 * the return address is and what it is, where interrupts may come before
 * the hook is listed.  x86_64: the stack slot, on an ftrace site (int3
 * runs with interrupts off); MIPS: the trapped ra (its break handler
 * turns them on).
 */
static __always_inline void st_hook_note_regs(const struct kprobe *kp, struct pt_regs *regs,
					      const void *ri)
{
#if defined(CONFIG_X86_64)
	if (st_kprobe_trapped(kp))
		return;
	st_hook_note(regs->sp, *(unsigned long *)regs->sp, (unsigned long)kp->addr,
		     (unsigned long)ri);
#elif defined(CONFIG_MIPS)
	st_hook_note((unsigned long)regs, regs->regs[31], (unsigned long)kp->addr,
		     (unsigned long)ri);
#endif
}

/* stacktap_tracer.c: tracer code, which no stack shows */
void st_tracer_init(void);
void st_tracer_add(unsigned long addr);
bool st_entry_text(unsigned long addr);
bool st_tracer_text(unsigned long addr);

/*
 * Frames as a walker finds them.  Past an exception entry (x86_64, arm64:
 * a frame in entry text; MIPS: st_emit_crossed()) come the interrupted
 * context's frames; where that context was inside a tracer (a probe's
 * handler, an ftrace or kretprobe trampoline), its frames up to the last
 * tracer frame are dropped, and zeroed again: @entries may be ring space
 * that must read as zero past what is kept.
 */
struct st_emit {
	unsigned long *entries;
	unsigned int nr, max;
	unsigned int from;	/* the interrupted context's first frame, or 0 */
};

static __always_inline void st_emit_start(struct st_emit *e, unsigned long *entries,
					  unsigned int max)
{
	e->entries = entries;
	e->nr = 0;
	e->max = max;
	e->from = 0;
}

/* The next frame is where an exception struck. */
static __always_inline void st_emit_crossed(struct st_emit *e)
{
	e->from = e->nr;
}

/* Add @addr; false once @e is full. */
static __always_inline bool st_emit(struct st_emit *e, unsigned long addr)
{
	if (unlikely(e->from) && unlikely(st_tracer_text(addr))) {
		memset(e->entries + e->from, 0, (e->nr - e->from) * sizeof(*e->entries));
		e->nr = e->from;
		return true;
	}
	e->entries[e->nr++] = addr;
	if (unlikely(st_entry_text(addr)))
		e->from = e->nr;
	return e->nr < e->max;
}

/* stacktap_probe.c: the probe registry */
int st_probes_init(void);
void st_probes_exit(void);
int st_probe_add(const char *text, size_t len, const char **why, u32 *id, u32 *flags,
		 u64 *matched);
int st_probe_del(const char *text, size_t len, const char **why);
int st_probe_del_id(u32 id, const char **why);
int st_probe_add_list(const char *list, bool skip_bad);
int st_probe_add_boot(const char *text, size_t len);
void st_probe_del_all(void);

/* A probe as the interfaces report it. */
struct st_probe_info {
	u32 id;
	u32 gen;			/* the registry's generation */
	u8 kind;
	u32 flags;			/* STACKTAP_PROBE_F_* */
	u64 hits;
	u64 misses;
	bool filtering;			/* has pid=, comm= or cpu= */
	bool glob;			/* an f: glob: matched says on how many */
	u64 matched;
	u64 filtered;
	u64 overflow;
	char name[STACKTAP_SPEC_MAX + 1];
	char options[STACKTAP_TEXT_MAX];	/* set options, canonical */
};
int st_probe_dump(unsigned long *cursor,
		  int (*emit)(const struct st_probe_info *info, void *arg),
		  void *arg);

/* stacktap_stacks.c: unique stacks and their counts */
int st_stacks_init(unsigned int slots, unsigned int depth);
void st_stacks_exit(void);
int st_stacks_owner(const char *name, u32 *idx, bool *created);
void st_stacks_owner_undo(u32 idx);
void st_stacks_owner_put(u32 idx);
unsigned int st_stacks_owners(void);
/* Bytes of fetched @args (st_args_fetch()) with their length, 0 for none. */
static __always_inline unsigned int st_args_len(const u8 *args)
{
	return args ? sizeof(u16) + get_unaligned((const u16 *)args) : 0;
}

bool st_stacks_add(u32 owner, const unsigned long *frames, unsigned int nr,
		   bool truncated, const u64 *lat_ns, const u8 *args);
int st_stacks_clear(void);

struct st_stacks_stats {
	unsigned long used;
	unsigned long size;
	unsigned long overflow;
};
void st_stacks_stats(struct st_stacks_stats *stats);
unsigned long st_stacks_overflow(int cpu);

/* A stack as read: its probe's name, count and frames. */
struct st_stack {
	const char *name;
	const unsigned long *frames;	/* in the snapshot's frames */
	unsigned long count;
	u64 first_ns;
	u32 owner;
	u16 nr;
	bool truncated;
	/* an r: probe's latencies, in the snapshot's lats; else NULL */
	struct stacktap_latency *lat;
	/* a key=args probe's: u16 length, then the entries, in args; else NULL */
	const u8 *args;
	u16 args_len;
};

struct st_stacks_snap {
	unsigned int nr;
	unsigned long *frames;		/* every stack's, one after another */
	struct stacktap_latency *lats;	/* only r: stacks', out of line */
	u8 *args;			/* key=args stacks' values */
	struct st_stack stacks[];
};
struct st_stacks_snap *st_stacks_snapshot(void);
void st_stacks_snapshot_free(struct st_stacks_snap *snap);
void st_stacks_for_each_frame(void (*fn)(unsigned long addr, bool ret_addr,
					 u64 first_ns, void *arg), void *arg);

/*
 * Hit path: "0x1f..." at *@s: its value, with *@s moved past it,
 * without calling sscanf() or kstrto*(), which a user may probe.
 */
static __always_inline unsigned long st_parse_hex(const char **s)
{
	unsigned long v = 0;
	const char *p = *s;
	char c;

	if (p[0] == '0' && p[1] == 'x')
		p += 2;
	for (;; p++) {
		c = *p;
		if (c >= '0' && c <= '9')
			v = v * 16 + (c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (c - 'a' + 10);
		else
			break;
	}
	*s = p;
	return v;
}

/* stacktap_symbols.c: frames named at read time, gone text included */
int st_symbols_init(void);
void st_symbols_exit(void);
void st_sym_format(char *buf, size_t size, unsigned long addr, bool ret_addr,
		   u64 ts_ns, bool show_addr);
bool st_may_see_addresses(void);
void st_symbols_counts(unsigned int *init, unsigned int *unloaded);
void st_symbols_clear(void);

/* stacktap_ksym.c: a kernel symbol's address through kallsyms */
unsigned long st_kernel_symbol(const char *name);
bool st_symbol_offset(char *buf, unsigned long addr, unsigned long *off,
		      unsigned long *size);

/* stacktap_of.c: /chosen/stacktap in the device tree */
unsigned int st_of_buffer_kb(unsigned int fallback, unsigned int min,
			     unsigned int max);
void st_of_add_probes(void);

/* stacktap_debugfs.c */
int st_debugfs_init(void);
void st_debugfs_exit(void);
void st_trace_clear(void);
int st_clear_all(void);

/* Scratch for naming one record's fields, and what its reader may see. */
struct st_trace_fmt {
	bool show_addr;			/* the reader has CAP_SYSLOG */
	char sym[KSYM_SYMBOL_LEN];
	char err[32];			/* an errno's name */
	char comm[4 * TASK_COMM_LEN + 1];	/* escaped */
};
struct seq_file;
struct st_record;
void st_trace_format(struct seq_file *m, struct st_trace_fmt *fmt,
		     const struct st_record *rec, int cpu);

/* stacktap_flight.c: the flight recorder, overwrite= and dump_on_oops= */
extern bool st_overwrite;
int st_flight_init(void);
void st_flight_exit(void);

/* stacktap_netlink.c */
struct genl_family;
struct genl_info;
struct sk_buff;
extern struct genl_family st_nl_family;
int st_netlink_init(void);
void st_netlink_exit(void);

/* stacktap_stream.c: record readers over netlink */
int st_stream_init(void);
void st_stream_exit(void);
void st_stream_end_all(bool final);
void st_stream_send_soon(void);
unsigned int st_stream_readers(void);
int st_stream_may_read(const char **why);
int st_stream_add(struct sk_buff *skb, struct genl_info *info, u32 flags,
		  const char **why);

#endif /* _STACKTAP_H */
