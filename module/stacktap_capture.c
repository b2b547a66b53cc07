// SPDX-License-Identifier: GPL-2.0
/*
 * The hit path: filter, then unwind straight into a record reserved at
 * its largest in this CPU's ring, count the stack, and trim the record to
 * the frames found.  Count-only probes, and hits the full ring turns away,
 * unwind into a per-CPU, per-context scratch array instead.  No locks and
 * no allocation; everything here is notrace and NOKPROBE so a probe on
 * the kernel's own helpers cannot recurse into us.
 *
 * Each probe kind's handler makes one call here per hit (an r: hit, one
 * at entry and one at return), and the rest is inlined into it: arm64
 * pays for every call and return it signs and authenticates.
 */
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "stacktap.h"
#include "stacktap_ring.h"

struct st_capture_cpu {
	unsigned int busy;	/* a bit per context (st_context()) in a hit */
	/* each context's record being unwound into, until stored */
	struct st_record *open[ST_MAX_NEST];
	unsigned long hits[ST_MAX_NEST];	/* per context, for 'stats' */
};

static DEFINE_PER_CPU(struct st_capture_cpu, st_capture_cpu);
DEFINE_PER_CPU(bool, st_trap_hit);

/*
 * Around a kprobe hit: whether it came by trap (not through ftrace, as a
 * kprobe on an ftrace site does), for st_context().  Returns the state to
 * give back to st_trap_end(): a real NMI's hit may nest inside.
 */
static __always_inline bool st_trap_begin(bool trap)
{
	bool old = __this_cpu_read(st_trap_hit);

	if (ST_TRAP_ENTERS_NMI)
		__this_cpu_write(st_trap_hit, trap);
	return old;
}

static __always_inline void st_trap_end(bool old)
{
	if (ST_TRAP_ENTERS_NMI)
		__this_cpu_write(st_trap_hit, old);
}

/* Hits @cpu counted per context: task, softirq, hardirq, NMI. */
void st_capture_context_hits(int cpu, unsigned long hits[ST_MAX_NEST])
{
	unsigned int i;

	for (i = 0; i < ST_MAX_NEST; i++)
		hits[i] = READ_ONCE(per_cpu_ptr(&st_capture_cpu, cpu)->hits[i]);
}
static unsigned long __percpu *st_scratch;	/* [ST_MAX_NEST][st_scratch_words()] */
static u8 __percpu *st_args_scratch;		/* [ST_MAX_NEST][ST_ARGS_BYTES_MAX] */
static unsigned int st_depth;

/* A stack at its largest: kernel frames, ST_FRAME_USER and user frames. */
static __always_inline unsigned int st_scratch_words(void)
{
	return ST_STACK_WORDS(st_depth);
}

int st_capture_init(unsigned int depth)
{
	st_depth = depth;
	st_scratch = __alloc_percpu(ST_MAX_NEST * st_scratch_words() * sizeof(unsigned long),
				    sizeof(unsigned long));
	if (!st_scratch)
		return -ENOMEM;
	st_args_scratch = __alloc_percpu(ST_MAX_NEST * ST_ARGS_BYTES_MAX, sizeof(u64));
	if (!st_args_scratch)
		goto err_free_scratch;
	return 0;

err_free_scratch:
	free_percpu(st_scratch);
	st_scratch = NULL;
	return -ENOMEM;
}

void st_capture_exit(void)
{
	free_percpu(st_args_scratch);
	st_args_scratch = NULL;
	free_percpu(st_scratch);
	st_scratch = NULL;
}

/*
 * @p's arguments from @regs into this context's scratch, between
 * st_capture_enter() and st_capture_leave(); NULL when it takes none.
 */
static __always_inline const u8 *st_capture_args(struct st_probe *p, struct pt_regs *regs)
{
	u8 *args;

	if (likely(!p->args_max))
		return NULL;
	args = this_cpu_ptr(st_args_scratch) + st_context() * ST_ARGS_BYTES_MAX;
	st_args_fetch(&p->spec, regs, args);
	return args;
}

/* The module's depth=, the most any probe's depth= may ask for. */
unsigned int st_capture_depth(void)
{
	return st_depth;
}

/*
 * Kernel frames an unwind for @p may store: its depth=, or the module's,
 * plus one that flags a truncated stack.
 */
static __always_inline unsigned int st_kframes_max(const struct st_probe *p)
{
	return (p->spec.depth ?: st_depth) + 1;
}

/*
 * Words a hit of @p may store: with ustack=fp, the user's after the
 * kernel's; with ustack=copy, ST_FRAME_USER and the user pc.
 */
static __always_inline unsigned int st_frames_max(const struct st_probe *p)
{
	if (likely(!p->spec.ustack))
		return st_kframes_max(p);
	return p->spec.ustack == ST_USTACK_FP ? ST_STACK_WORDS(st_kframes_max(p) - 1) :
						st_kframes_max(p) + 2;
}

/*
 * ustack=: the user stack after the @nr kernel frames at @frames, as
 * ST_FRAME_USER and up to depth= user frames (ustack=copy: the pc, the
 * rest is unwound from the copy).  Returns the new count.
 */
static __always_inline unsigned int st_capture_user(const struct st_probe *p,
						    unsigned long *frames, unsigned int nr)
{
	if (likely(!p->spec.ustack))
		return nr;
	return nr + st_unwind_user(frames + nr, p->spec.ustack == ST_USTACK_FP ?
					       st_kframes_max(p) : 2);
}

/*
 * ustack=copy: the user registers @uregs (NULL: the task's, as it entered
 * the kernel) and stack into @rec, after its other parts.  Returns the
 * bytes taken, 0 for none.
 */
static __always_inline unsigned int st_capture_ucopy(const struct st_probe *p,
						     struct st_record *rec, unsigned int nr,
						     bool ret, unsigned int args_len,
						     struct pt_regs *uregs)
{
	if (likely(p->spec.ustack != ST_USTACK_COPY))
		return 0;
	return st_ucopy_take(uregs, (struct stacktap_ucopy *)((char *)rec +
			     st_record_head(nr, p->name_len, ret, args_len)),
			     p->spec.ucopy_size);
}

unsigned int st_capture_max(const struct st_probe *p)
{
	return st_frames_max(p);
}

static __always_inline bool st_comm_equal(const char *a, const char *b)
{
	unsigned int i;

	for (i = 0; i < ST_COMM_LEN; i++) {
		if (a[i] != b[i])
			return false;
		if (!a[i])
			break;
	}
	return true;
}

/*
 * Whether @p's filters turn this hit away, before any unwinding; such a
 * hit is counted as filtered.  In interrupt context, pid= and comm= see
 * the interrupted task.
 */
static notrace bool st_hit_filtered(struct st_probe *p)
{
	const struct st_spec *s = &p->spec;

	if (likely(!s->filters))
		return false;
	if (((s->filters & ST_FILTER_PID) && current->tgid != s->pid) ||
	    ((s->filters & ST_FILTER_CPU) && raw_smp_processor_id() != s->cpu) ||
	    ((s->filters & ST_FILTER_COMM) && !st_comm_equal(current->comm, s->comm))) {
		local_inc(&this_cpu_ptr(p->stats)->filtered);
		return true;
	}
	return false;
}
NOKPROBE_SYMBOL(st_hit_filtered);

/*
 * Enter the hit path: disable preemption and return where to unwind
 * st_frames_max(p) frames, a new record's own when @record and @p keeps
 * records, else this context's scratch array.  An unwinder writes only
 * the entries it returns, so what a record does not use still reads as
 * zero.  NULL, with nothing to undo, when the hit comes from inside
 * stacktap's own hit path in this context (a counted miss) or, if
 * @filter, @p's filters turn it away (counted as filtered); otherwise
 * pair with st_capture_leave().
 */
static __always_inline unsigned long *st_capture_enter(struct st_probe *p,
							bool filter, bool record)
{
	struct st_record *rec;
	unsigned int ctx;

	preempt_disable_notrace();
	/*
	 * A hit reads RCU-protected state (the stack table a clear swaps).
	 * Where RCU is not watching (idle, early entry), disabled preemption
	 * holds off no grace period: count a miss instead.
	 */
	if (unlikely(!rcu_is_watching())) {
		local_inc(&this_cpu_ptr(p->stats)->misses);
		goto err_enabled;
	}
	ctx = st_context();
	/*
	 * Busy in this very context: the hit comes from inside stacktap's own
	 * hit path (a probe on something the unwinder calls).  Unwinding
	 * again would only nest deeper; count it instead.
	 */
	if (unlikely(__this_cpu_read(st_capture_cpu.busy) & BIT(ctx))) {
		local_inc(&this_cpu_ptr(p->stats)->misses);
		goto err_enabled;
	}
	if (filter && unlikely(st_hit_filtered(p)))
		goto err_enabled;
	/* An interrupt between read and write leaves the word as it found it. */
	__this_cpu_or(st_capture_cpu.busy, BIT(ctx));
	if (record && !p->spec.count_only) {
		rec = (struct st_record *)st_ring_reserve_max(
			st_record_size(st_frames_max(p), p->name_len, false, p->args_max,
				       st_ucopy_max(&p->spec)));
		if (rec) {
			/*
			 * Stamped at once, as a record reserved later, by a
			 * nested hit during the unwind, must be stamped later.
			 */
			rec->ts_ns = ktime_get_mono_fast_ns();
			__this_cpu_write(st_capture_cpu.open[ctx], rec);
			return rec->frames;
		}
	}
	return this_cpu_ptr(st_scratch) + ctx * st_scratch_words();

err_enabled:
	preempt_enable_notrace();
	return NULL;
}

static __always_inline void st_capture_leave(void)
{
	unsigned int ctx = st_context();
	struct st_record *rec = __this_cpu_read(st_capture_cpu.open[ctx]);

	/* Reserved but never stored: the walk found no stack. */
	if (unlikely(rec)) {
		__this_cpu_write(st_capture_cpu.open[ctx], NULL);
		rec->ts_ns = 0;		/* all else the walk left zero */
		st_ring_cancel(&rec->hdr);
	}
	__this_cpu_and(st_capture_cpu.busy, ~BIT(ctx));
	preempt_enable_notrace();
}

/* Everything of @rec but its frames, flags and timestamp. */
static __always_inline void st_record_fill(struct st_record *rec, struct st_probe *p,
					   unsigned int nr, const struct st_ret *ret,
					   const u8 *args)
{
	rec->pid = current->pid;
	rec->tgid = current->tgid;
	rec->nr_frames = nr;
	rec->kind = p->spec.kind;
	rec->name_len = p->name_len;
	rec->probe_id = p->id;
	memcpy(rec->comm, current->comm, TASK_COMM_LEN);
	rec->comm[TASK_COMM_LEN - 1] = '\0';
	if (ret) {
		/* After the frames: 8-byte fields at a 4-byte offset on 32-bit. */
		put_unaligned(ret->value, st_record_ret(rec));
		put_unaligned(ret->lat_ns, st_record_ret(rec) + 1);
	}
	memcpy(st_record_ret(rec) + (ret ? 2 : 0), p->name, p->name_len);
	/* Not st_record_args(): the flags that place it come at the commit. */
	if (args)
		memcpy((u8 *)(st_record_ret(rec) + (ret ? 2 : 0)) + p->name_len, args,
		       st_args_len(args));
}

/*
 * Whether an r: or ur: call's outcome @ret meets @p's ret and lat
 * conditions; one that does not is counted as filtered.
 */
static __always_inline bool st_ret_kept(struct st_probe *p, const struct st_ret *ret)
{
	const struct st_spec *s = &p->spec;

	if (st_cond_true(&s->ret_cond, (long)(unsigned long)ret->value) &&
	    st_cond_true(&s->lat_cond, (long long)ret->lat_ns))
		return true;
	local_inc(&this_cpu_ptr(p->stats)->filtered);
	return false;
}

/*
 * Account one hit of @p with preemption disabled: @frames[0..nr), the
 * kernel's and then, from ST_FRAME_USER on, the user's; kernel frames
 * one past depth= mean the kernel stack went deeper than kept.  The
 * stack is counted in the aggregation table and, unless @p is count-only,
 * stored as a record.  @ret, when set, is a kretprobe's return value and
 * latency; @args, when set, the arguments fetched (st_args_fetch());
 * @uregs, for ustack=copy, the user registers (NULL: the task's as it
 * entered the kernel).
 */
static __always_inline void st_hit_store(struct st_probe *p, unsigned long *frames,
					 unsigned int nr, const struct st_ret *ret,
					 const u8 *args, struct pt_regs *uregs)
{
	unsigned int args_len = st_args_len(args), ucopy;
	unsigned int depth = st_kframes_max(p) - 1;
	unsigned int knr = nr, ctx, i;
	struct st_record *rec;
	u32 flags = 0;

	local_inc(&this_cpu_ptr(p->stats)->hits);
	/* Each context writes its own counter: no nesting race. */
	__this_cpu_inc(st_capture_cpu.hits[st_context()]);
	/* A user stack: its process's mappings name it later. */
	if (p->spec.ustack || p->spec.kind >= STACKTAP_KIND_UPROBE)
		st_maps_want();
	/* Only a stack longer than depth= may hold a cut kernel part: where does it end? */
	if (unlikely(nr > depth)) {
		for (knr = 0; knr < nr && frames[knr] != ST_FRAME_USER; knr++)
			;
	}
	if (knr > depth) {
		/* The flag frame goes; the user stack moves up over it. */
		for (i = knr; i < nr; i++)
			frames[i - 1] = frames[i];
		nr--;
		flags |= ST_REC_TRUNCATED;
	}
	if (!st_stacks_add(p->owner, frames, nr, flags & ST_REC_TRUNCATED,
			   ret ? &ret->lat_ns : NULL, p->spec.key_args ? args : NULL))
		local_inc(&this_cpu_ptr(p->stats)->overflow);
	if (p->spec.count_only)
		return;
	if (ret)
		flags |= ST_REC_RET;
	if (p->spec.glob)
		flags |= ST_REC_GLOB;
	if (args)
		flags |= ST_REC_ARGS;

	ctx = st_context();
	flags |= ctx << ST_REC_CTX_SHIFT;
	rec = __this_cpu_read(st_capture_cpu.open[ctx]);
	if (rec) {
		/*
		 * Unwound in place: frames are rec->frames already.  An r:
		 * hit never opens a record, so there is no @ret to store.
		 */
		__this_cpu_write(st_capture_cpu.open[ctx], NULL);
		st_record_fill(rec, p, nr, NULL, args);
		/*
		 * The name (or the user copy) overwrites the extra frame of a
		 * truncated stack, so nothing past the trimmed size was written.
		 */
		ucopy = st_capture_ucopy(p, rec, nr, false, args_len, uregs);
		if (ucopy)
			flags |= ST_REC_UCOPY;
		st_ring_trim(&rec->hdr, st_record_size(nr, p->name_len, false, args_len, ucopy));
		st_ring_commit(&rec->hdr, flags);
		return;
	}
	rec = (struct st_record *)st_ring_reserve(st_record_size(nr, p->name_len, ret, args_len,
								 st_ucopy_max(&p->spec)),
						  p->spec.ring ? p->spec.ring == ST_RING_OVERWRITE :
								 READ_ONCE(st_overwrite));
	if (!rec)
		return;
	rec->ts_ns = ktime_get_mono_fast_ns();
	/*
	 * Word by word, not memcpy(): x86_64's is a rep movsb, which QEMU
	 * runs a byte at a time; r: at depth 16 lost ~300 ns to it.
	 */
	for (i = 0; i < nr; i++)
		rec->frames[i] = frames[i];
	st_record_fill(rec, p, nr, ret, args);
	if (unlikely(p->spec.ustack == ST_USTACK_COPY)) {
		ucopy = st_capture_ucopy(p, rec, nr, ret, args_len, uregs);
		if (ucopy)
			flags |= ST_REC_UCOPY;
		/* The ring reads as zero past what was written. */
		st_ring_trim(&rec->hdr, st_record_size(nr, p->name_len, ret, args_len, ucopy));
	}
	st_ring_commit(&rec->hdr, flags);
}

/*
 * A hit with trap registers (kprobes): @ip is the probed address, frame 0
 * whatever the arch left in regs' pc; @at_entry when it is the first
 * instruction of a function; @trap unless the kprobe sits on an ftrace
 * site and ftrace called it.
 */
notrace void st_capture_regs(struct st_probe *p, struct pt_regs *regs,
			     unsigned long ip, bool at_entry, bool trap)
{
	bool trap_old = st_trap_begin(trap);
	unsigned long *frames = st_capture_enter(p, true, true);
	unsigned long trap_ip = instruction_pointer(regs);
	unsigned int nr;

	if (!frames)
		goto out;
	/*
	 * x86 leaves ip past its int3: the walk starts at the probed
	 * instruction itself, as if it had not run (a one-byte push has).
	 * kprobes reads ip again once we return.
	 */
	instruction_pointer_set(regs, ip);
	nr = st_unwind_regs(regs, at_entry, frames, st_kframes_max(p));
	instruction_pointer_set(regs, trap_ip);
	frames[0] = ip;
	nr = st_capture_user(p, frames, max(nr, 1U));
	st_hit_store(p, frames, nr, NULL, st_capture_args(p, regs), NULL);
	st_capture_leave();
out:
	st_trap_end(trap_old);
}
NOKPROBE_SYMBOL(st_capture_regs);

/*
 * A u: probe's hit: @regs are the task's user registers at the probed
 * instruction, @at_entry when it is a function's first.  The stack is
 * the user's alone (the kernel's is only the trap's way in).
 */
notrace void st_capture_uprobe(struct st_probe *p, struct pt_regs *regs, bool at_entry)
{
	unsigned long *frames = st_capture_enter(p, true, true);
	unsigned int nr;

	if (!frames)
		return;
	nr = st_unwind_user_regs(regs, at_entry ? ST_USER_AT_ENTRY : ST_USER_AT_PC,
				 instruction_pointer(regs), frames, st_kframes_max(p));
	if (nr)
		st_hit_store(p, frames, nr, NULL, NULL, regs);
	else
		local_inc(&this_cpu_ptr(p->stats)->misses);
	st_capture_leave();
}
NOKPROBE_SYMBOL(st_capture_uprobe);

/*
 * A ur: probe's hit: @func has just returned to the pc in @regs, with
 * @ret's value and latency.  The stack, taken now, is the one it was
 * called down: the function, the caller, and the caller's records.
 */
notrace void st_capture_uretprobe(struct st_probe *p, struct pt_regs *regs, unsigned long func,
				  const struct st_ret *ret)
{
	unsigned long *frames = st_capture_enter(p, true, false);
	unsigned int nr;

	if (!frames)
		return;
	if (st_ret_kept(p, ret)) {
		nr = st_unwind_user_regs(regs, ST_USER_AT_RETURN, func, frames, st_kframes_max(p));
		st_hit_store(p, frames, nr, ret, NULL, regs);
	}
	st_capture_leave();
}
NOKPROBE_SYMBOL(st_capture_uretprobe);

/*
 * An ftrace callback's hit at @ip, called from @parent_ip.  Registers
 * saved by ftrace (x86_64 ftrace_regs_caller, arm64 ftrace_regs_entry)
 * show the traced function at its entry, before its prologue: the view a
 * kprobe at offset 0 gets, and frame 0 is the call site.  Without them
 * (MIPS) the unwinder finds the frame ftrace_caller left.  No stack is a
 * counted miss.
 */
notrace void st_capture_ftrace(struct st_probe *p, unsigned long ip,
			       unsigned long parent_ip, struct pt_regs *regs)
{
	unsigned long *frames = st_capture_enter(p, true, true);
	unsigned int nr;

	if (!frames)
		return;
	if (regs) {
		nr = st_unwind_regs(regs, true, frames, st_kframes_max(p));
		if (nr)
			frames[0] = ip;
	} else {
		nr = st_unwind_ftrace(ip, parent_ip, frames, st_kframes_max(p));
		/* MIPS: the arguments are in ftrace_caller's frame. */
		if (nr && p->args_max)
			regs = st_unwind_ftrace_args(ip, parent_ip);
	}
	if (nr)
		st_hit_store(p, frames, st_capture_user(p, frames, nr), NULL,
			     st_capture_args(p, regs), NULL);
	else
		local_inc(&this_cpu_ptr(p->stats)->misses);
	st_capture_leave();
}
NOKPROBE_SYMBOL(st_capture_ftrace);

/*
 * A kretprobe's entry at @ip: unwind into @frames, st_capture_max(p) of
 * them, and fetch the arguments into @args (p->args_max bytes), which the
 * instance keeps until the return.  0 when the hit is filtered or comes
 * from inside stacktap's own hit path, and then there is no return to
 * record.
 */
notrace unsigned int st_capture_entry(struct st_probe *p, struct pt_regs *regs,
				      unsigned long ip, unsigned long *frames, u8 *args,
				      bool trap)
{
	bool trap_old = st_trap_begin(trap);
	unsigned int nr = 0;

	if (!st_capture_enter(p, true, false))
		goto out;
	nr = max(st_unwind_regs(regs, true, frames, st_kframes_max(p)), 1U);
	frames[0] = ip;
	nr = st_capture_user(p, frames, nr);
	if (p->args_max)
		st_args_fetch(&p->spec, regs, args);
	st_capture_leave();
out:
	st_trap_end(trap_old);
	return nr;
}
NOKPROBE_SYMBOL(st_capture_entry);

/*
 * The same at an ftrace callback's hit at @ip, called from @parent_ip
 * (MIPS: ftrace_caller's frame holds the argument registers).
 */
notrace unsigned int st_capture_ftrace_entry(struct st_probe *p, unsigned long ip,
					     unsigned long parent_ip, unsigned long *frames,
					     u8 *args)
{
	unsigned int nr;

	if (!st_capture_enter(p, true, false))
		return 0;
	nr = st_unwind_ftrace(ip, parent_ip, frames, st_kframes_max(p));
	if (nr && p->args_max)
		st_args_fetch(&p->spec, st_unwind_ftrace_args(ip, parent_ip), args);
	if (nr)
		nr = st_capture_user(p, frames, nr);
	else
		local_inc(&this_cpu_ptr(p->stats)->misses);
	st_capture_leave();
	return nr;
}
NOKPROBE_SYMBOL(st_capture_ftrace_entry);

/* Its return: the entry's frames and arguments, with the return value and latency. */
notrace void st_capture_return(struct st_probe *p, unsigned long *frames,
			       unsigned int nr, const u8 *args, const struct st_ret *ret)
{
	/* Filtered at the entry already: the filters do not apply twice. */
	if (!st_capture_enter(p, false, false))
		return;
	/* ret and lat conditions: only the hits that meet them are kept. */
	if (st_ret_kept(p, ret))
		st_hit_store(p, frames, nr, ret, p->args_max ? args : NULL, NULL);
	st_capture_leave();
}
NOKPROBE_SYMBOL(st_capture_return);
