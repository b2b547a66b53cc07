// SPDX-License-Identifier: GPL-2.0
/*
 * stacktap's MIPS walker (n64 and o32).  MIPS kernels have no frame
 * pointers and no unwind tables, so each frame is found by reading the
 * prologue of the function that holds pc, from the function's start up to
 * pc: how much stack it allocated ([d]addiu sp,sp,-N) and where it saved ra
 * (s[wd] ra,off(sp)).  Unlike the kernel's get_frame_info() it does not
 * stop at an early "jr ra" (shrink-wrapped functions return before their
 * prologue), it ignores the sp adjustment an o32 mcount call carries in its
 * delay slot, it crosses exception frames and the IRQ stack into the
 * interrupted context, and it replaces kretprobe trampoline and function
 * graph tracer return addresses with the real ones.  Results are cached
 * per CPU by pc.
 *
 * Every stack read is bounded to the stack being walked and done with
 * st_read_*_nofault(); a frame it cannot explain ends the walk.
 * Documentation/stacktap-mips-walker.rst gives the frame layouts and why
 * each rule exists.
 */
#include <linux/hash.h>
#include <linux/irqflags.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/string.h>
#include <linux/thread_info.h>
#include <linux/uaccess.h>
#include <asm/irq.h>
#include <asm/ptrace.h>

#include "stacktap.h"
#include "stacktap_mips_insn.h"

/* What the function holding pc did to the stack before pc. */
enum st_mips_kind {
	ST_MIPS_CODE,		/* C: frame and ra_slot describe it */
	ST_MIPS_NO_PROLOGUE,	/* no frame: a leaf, or asm such as syscall entry */
	ST_MIPS_MCOUNT,		/* ftrace_caller, past its MCOUNT_SAVE_REGS */
	ST_MIPS_UNKNOWN,	/* no symbol, dynamic frame, unreadable code,
				 * or a kretprobe or graph tracer trampoline */
};

struct st_mips_frame {
	unsigned long pc;	/* cache key, | 1 for a return address; 0 = empty */
	unsigned long func;	/* start of the function holding pc */
	u32 size;		/* and its size */
	u32 frame;		/* bytes allocated by the prologue before pc */
	s32 ra_slot;		/* sp offset of the saved ra, -1: not saved yet */
	u16 kind;
	u16 handler;		/* in an exception handler, past its SAVE_ALL */
};

#define ST_MIPS_CACHE_BITS	9
#define ST_MIPS_SCAN_MAX	4096	/* bytes of prologue read at most */
#define ST_MIPS_EPILOGUE_MAX	65536UL	/* bytes searched for an epilogue */
#define ST_MIPS_STEPS_MAX	512	/* frames walked at most */

struct st_mips_cpu {
	unsigned int gen;		/* st_mips_gen when last emptied */
	struct st_mips_frame cache[1 << ST_MIPS_CACHE_BITS];
	char sym[KSYM_SYMBOL_LEN];
};

/* Touched with interrupts off only: one user per CPU at a time. */
static struct st_mips_cpu __percpu *st_mips_cpu;

/* Where kretprobes and the graph tracer make hooked functions return */
static unsigned long st_mips_kretprobe_tramp, st_mips_graph_tramp;
/* mcount.S: ftrace_caller's labels, and ftrace_graph_caller's span */
static unsigned long st_mips_ftrace_caller, st_mips_ftrace_call, st_mips_ftrace_stub;
static unsigned long st_mips_graph_caller, st_mips_graph_caller_size;

/*
 * Bumped when a module goes, or goes live (its init text is freed next):
 * code at a cached pc may be replaced, so each CPU empties its cache
 * before its next walk.
 */
static atomic_t st_mips_gen = ATOMIC_INIT(0);

static int st_mips_module_event(struct notifier_block *nb, unsigned long state, void *data)
{
	if (state == MODULE_STATE_GOING || state == MODULE_STATE_LIVE)
		atomic_inc(&st_mips_gen);
	return NOTIFY_DONE;
}

static struct notifier_block st_mips_module_nb = {
	.notifier_call = st_mips_module_event,
};

/* A kprobe of ours goes in: code a walk may have cached reads otherwise. */
void st_unwind_code_changed(void)
{
	atomic_inc(&st_mips_gen);
}

/* Every tracer of MIPS runs in text kallsyms names. */
notrace bool st_unwind_tracer_text(unsigned long addr)
{
	return false;
}
NOKPROBE_SYMBOL(st_unwind_tracer_text);

static void st_mips_ftrace_init(void)
{
	char sym[KSYM_SYMBOL_LEN];
	unsigned long off;

	st_mips_ftrace_caller = st_kernel_symbol("ftrace_caller");
	st_mips_ftrace_call = st_kernel_symbol("ftrace_call");
	st_mips_ftrace_stub = st_kernel_symbol("ftrace_stub");
	if (st_mips_ftrace_call <= st_mips_ftrace_caller ||
	    st_mips_ftrace_stub <= st_mips_ftrace_call)
		st_mips_ftrace_caller = 0;
	st_mips_graph_caller = st_kernel_symbol("ftrace_graph_caller");
	if (!st_mips_graph_caller ||
	    !st_symbol_offset(sym, st_mips_graph_caller, &off, &st_mips_graph_caller_size) ||
	    off || st_mips_graph_caller_size < 16)
		st_mips_graph_caller = 0;
}

int st_unwind_init(void)
{
	int ret;

	st_kretprobe_wrapper_init();
	st_tracer_init();
	/* Renamed in 5.16. */
	st_mips_kretprobe_tramp = st_kernel_symbol("__kretprobe_trampoline") ?:
				  st_kernel_symbol("kretprobe_trampoline");
	st_mips_graph_tramp = st_kernel_symbol("return_to_handler");
	st_mips_ftrace_init();
	st_mips_cpu = alloc_percpu(struct st_mips_cpu);
	if (!st_mips_cpu)
		return -ENOMEM;
	ret = register_module_notifier(&st_mips_module_nb);
	if (ret)
		goto err_free_cache;
	return 0;

err_free_cache:
	free_percpu(st_mips_cpu);
	return ret;
}

void st_unwind_exit(void)
{
	unregister_module_notifier(&st_mips_module_nb);
	free_percpu(st_mips_cpu);
}

/* addiu/daddiu sp, sp, imm */
static __always_inline bool st_is_sp_adjust(u32 insn)
{
	return (st_op(insn) == 0x09 || st_op(insn) == 0x19) &&
	       st_rs(insn) == MIPS_SP && st_rt(insn) == MIPS_SP;
}

/* subu/dsubu/addu/daddu sp, sp, reg: a frame sized at run time */
static __always_inline bool st_is_sp_dynamic(u32 insn)
{
	unsigned int f = st_funct(insn);

	return st_op(insn) == 0 && st_rd(insn) == MIPS_SP && st_rs(insn) == MIPS_SP &&
	       (f == 0x21 || f == 0x23 || f == 0x2d || f == 0x2f);
}

/* break: how kprobes patch the instruction they probe */
static __always_inline bool st_is_break(u32 insn)
{
	return st_op(insn) == 0 && st_funct(insn) == 0x0d;
}

/* sw/sd ra, off(sp) */
static __always_inline bool st_is_ra_save(u32 insn)
{
	return (st_op(insn) == 0x2b || st_op(insn) == 0x3f) &&
	       st_rs(insn) == MIPS_SP && st_rt(insn) == MIPS_RA;
}

/* jal, jalr: a call, whose next instruction is its delay slot */
static __always_inline bool st_is_call(u32 insn)
{
	return st_op(insn) == 0x03 ||
	       (st_op(insn) == 0 && st_funct(insn) == 0x09 && st_rd(insn) != 0);
}

/* move at, ra: the mcount call sequence's first half */
static __always_inline bool st_is_move_at_ra(u32 insn)
{
	unsigned int f = st_funct(insn);

	return st_op(insn) == 0 && st_rd(insn) == MIPS_AT && st_rs(insn) == MIPS_RA &&
	       st_rt(insn) == 0 && (f == 0x21 || f == 0x25 || f == 0x2d);
}

/* Whether @s starts with @prefix; no library call on the hit path. */
static __always_inline bool st_mips_prefix(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (*s != *prefix)
			return false;
	return true;
}

/* "name+0xoff/0xsize [mod]" -> name's end, offset, size; false without one */
static notrace bool st_parse_sym(const char *sym, unsigned long *off, unsigned long *size,
				 const char **plus)
{
	const char *p = sym;

	while (*p && *p != '+')
		p++;
	if (!*p)
		return false;
	*plus = p++;
	*off = st_parse_hex(&p);
	if (*p++ != '/')
		return false;
	*size = st_parse_hex(&p);
	return true;
}
NOKPROBE_SYMBOL(st_parse_sym);

/* jr ra: a return */
static __always_inline bool st_is_return(u32 insn)
{
	return st_op(insn) == 0 && st_funct(insn) == 0x08 && st_rs(insn) == MIPS_RA;
}

/* Any branch or jump: the end of a straight run of code. */
static __always_inline bool st_is_branch(u32 insn)
{
	unsigned int op = st_op(insn);

	return (op == 0 && (st_funct(insn) == 0x08 || st_funct(insn) == 0x09)) ||
	       op == 0x01 || (op >= 0x02 && op <= 0x07) || (op >= 0x14 && op <= 0x17);
}

/*
 * How many bytes a function's epilogue frees: the "addiu/daddiu sp,sp,+N"
 * that goes with its first "jr ra", in the delay slot or in the straight
 * run of code before it.  Not any positive adjustment: one elsewhere may
 * belong to some other path.  0 when none is found.
 */
static notrace u32 st_mips_epilogue_frame(unsigned long start, unsigned long size)
{
	unsigned long a, b, end = start + min(size, ST_MIPS_EPILOGUE_MAX);
	u32 insn, frame, last;

	for (a = start + 4; a + 4 < end; a += 4) {
		if (!st_read_u32_nofault(&insn, (void *)a))
			return 0;
		if (!st_is_return(insn))
			continue;
		if (!st_read_u32_nofault(&insn, (void *)(a + 4)))
			return 0;
		frame = st_is_sp_adjust(insn) && st_imm(insn) > 0 ? st_imm(insn) : 0;
		for (b = a - 4, last = 0; b > start && b + 32 >= a; b -= 4) {
			if (!st_read_u32_nofault(&insn, (void *)b))
				break;
			/* The instruction after a branch is its delay slot, not ours. */
			if (st_is_branch(insn)) {
				frame -= last;
				break;
			}
			last = st_is_sp_adjust(insn) && st_imm(insn) > 0 ? st_imm(insn) : 0;
			frame += last;
		}
		if (frame)
			return frame;
		/* A return without a frame: a shrink-wrapped early exit. */
	}
	return 0;
}
NOKPROBE_SYMBOL(st_mips_epilogue_frame);

/*
 * The labels of the syscall handlers (arch/mips/kernel/scall*.S), which
 * kallsyms names like functions: code there runs on the handler's
 * pt_regs frame, with the user's ra still in the register.
 */
static notrace bool st_mips_handler_label(const char *sym)
{
	static const char *const prefixes[] = {
		"handle_", "load_a", "loads_done", "stack_done", "syscall_common",
		"bad_stack", "not_o32_scall", "not_n32_scall", "trace_a_syscall",
		"syscall_trace_entry", "n32_syscall_trace_entry", "illegal_syscall",
		"o32_syscall_exit", "n64_syscall_exit",
		/* entry.S, on the way out: sp is the pt_regs of the way in */
		"syscall_exit", "resume_userspace", "resume_kernel", "restore_all",
		"restore_partial", "ret_from_exception", "work_pending", "work_resched",
		"work_notifysig",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (st_mips_prefix(sym, prefixes[i]))
			return true;
	return false;
}
NOKPROBE_SYMBOL(st_mips_handler_label);

/*
 * @ret: pc is a return address, so its function is the call's, looked up
 * at its delay slot: a call to a function that never returns may be the
 * last instruction of its own (rest_init, sys_exit_group), and then pc is
 * where the next function starts.
 */
static notrace void st_mips_analyse(struct st_mips_cpu *c, unsigned long pc,
				    bool ret, struct st_mips_frame *f)
{
	unsigned long off, size, start, a, at = ret ? pc - 4 : pc, at_ra = 0;
	bool after_call = false, mcount_call = false, from_epilogue = false;
	u32 insn, ra_frame = 0;
	const char *plus;

	f->pc = pc | ret;
	f->func = 0;
	f->frame = 0;
	f->ra_slot = -1;
	f->kind = ST_MIPS_UNKNOWN;
	f->handler = false;

	sprint_symbol(c->sym, at);
	if (!st_parse_sym(c->sym, &off, &size, &plus))
		return;
	f->func = at - off;
	f->size = size;
	/* A walk never goes on from inside a trampoline. */
	if (f->func == st_mips_kretprobe_tramp || f->func == st_mips_graph_tramp)
		return;
	/*
	 * Labels inside ftrace_caller (mcount.S), where it calls the ftrace
	 * callbacks, and ftrace_graph_caller, which it jumps to: their
	 * pt_regs-sized frame holds the traced function's pc at regs[31]
	 * and that function's ra at regs[1].  Only an interrupt in a
	 * callback walks through here.
	 */
	if ((plus - c->sym == 11 && st_mips_prefix(c->sym, "ftrace_call")) ||
	    (plus - c->sym == 19 && st_mips_prefix(c->sym, "ftrace_graph_caller"))) {
		f->kind = ST_MIPS_MCOUNT;
		f->frame = sizeof(struct pt_regs);
		f->ra_slot = offsetof(struct pt_regs, regs[MIPS_RA]);
		return;
	}

	/* Prologues, even shrink-wrapped ones, sit near the start. */
	start = f->func;
	for (a = start; a < pc && a < start + ST_MIPS_SCAN_MAX; a += 4) {
		if (!st_read_u32_nofault(&insn, (void *)a))
			return;
		/*
		 * A kprobe's break: stacktap's own probes say what it
		 * replaced.  Another tracer's, on the frame allocation at
		 * the start, leaves the epilogue to say how big it is.
		 */
		if (st_is_break(insn) && !st_kprobe_orig_insn(a, &insn) && a == start) {
			f->frame = st_mips_epilogue_frame(start, size);
			if (!f->frame)
				return;
			from_epilogue = true;
			continue;
		}
		/*
		 * The delay slot of an mcount call ("move at,ra; jal(r)", in a
		 * module "move at,ra; move $12,..; jalr") may hold o32's
		 * "addiu sp,sp,-8", which _mcount itself undoes.
		 */
		mcount_call = after_call && at_ra && a - at_ra <= 12;
		after_call = st_is_call(insn);
		if (st_is_move_at_ra(insn))
			at_ra = a;
		if (mcount_call)
			continue;
		if (st_is_sp_dynamic(insn))
			return;
		/*
		 * Only allocations count, every one of them (a frame may be
		 * built in two steps): "addiu sp,sp,+N" ends some other path.
		 */
		if (st_is_sp_adjust(insn) && st_imm(insn) < 0) {
			if (!from_epilogue)
				f->frame += -st_imm(insn);
		} else if (st_is_ra_save(insn) && f->frame && f->ra_slot < 0) {
			f->ra_slot = st_imm(insn);
			ra_frame = f->frame;
		}
	}
	/* ra's slot as seen from the final sp, below later allocations. */
	if (f->ra_slot >= 0)
		f->ra_slot += f->frame - ra_frame;
	f->kind = f->frame || pc == start ? ST_MIPS_CODE : ST_MIPS_NO_PROLOGUE;
	/*
	 * Inside an exception handler, past its SAVE_ALL: a handler whose
	 * frame is a pt_regs (handle_int, tlb_do_page_fault_*), or a label
	 * inside one, where the handlers go on.
	 */
	f->handler = f->frame ? f->frame == sizeof(struct pt_regs) :
		     st_mips_handler_label(c->sym);
}
NOKPROBE_SYMBOL(st_mips_analyse);

static notrace const struct st_mips_frame *st_mips_frame_of(struct st_mips_cpu *c,
							    unsigned long pc, bool ret)
{
	struct st_mips_frame *f = &c->cache[hash_long(pc | ret, ST_MIPS_CACHE_BITS)];

	if (f->pc == (pc | ret))
		return f;
	st_mips_analyse(c, pc, ret, f);
	/*
	 * BPF JIT code (kallsyms names it bpf_prog_*, bpf_trampoline_*,
	 * bpf_dispatcher_*) comes and goes with no notifier to say so: its
	 * frames are read afresh each time, never kept.
	 */
	if (st_mips_prefix(c->sym, "bpf_prog_") || st_mips_prefix(c->sym, "bpf_trampoline_") ||
	    st_mips_prefix(c->sym, "bpf_dispatcher_"))
		f->pc = 0;
	return f;
}
NOKPROBE_SYMBOL(st_mips_frame_of);

struct st_mips_walk {
	unsigned long pc, sp, ra;
	unsigned long at;		/* AT where an exception struck */
	bool pc_is_ret;			/* pc is a return address, not a trap's */
	bool ra_live;			/* ra still holds pc's return address */
	bool trapped;			/* pc is where an exception struck */
	bool at_mcount;			/* ra is the AT of pc's mcount call */
	bool last;			/* pc is the kernel stack's last frame */
	unsigned long low, high;	/* the stack sp is on */
	struct st_kretprobe_iter kretprobe;	/* pending kretprobe instances */
	int graph;			/* next graph return stack entry, or -1 */
};

static notrace void st_mips_set_stack(struct st_mips_walk *w)
{
	w->low = w->sp & ~(THREAD_SIZE - 1);
	w->high = w->low + THREAD_SIZE;
}
NOKPROBE_SYMBOL(st_mips_set_stack);

static notrace bool st_mips_read(struct st_mips_walk *w, unsigned long addr,
				 unsigned long *val)
{
	if (addr < w->low || addr > w->high - sizeof(*val) || addr & (sizeof(*val) - 1))
		return false;
	return st_read_ulong_nofault(val, (void *)addr);
}
NOKPROBE_SYMBOL(st_mips_read);

/*
 * The next pending kretprobe's real return address, innermost first.  Two
 * kretprobes on one function leave two instances for one return, the
 * later holding the trampoline the earlier put in ra: pass over it.
 */
static notrace unsigned long st_mips_kretprobe_ret(struct st_mips_walk *w)
{
	unsigned long ret, fp;

	while (st_kretprobe_next(&w->kretprobe, &ret, &fp))
		if (ret != st_mips_kretprobe_tramp)
			return ret;
	return 0;
}
NOKPROBE_SYMBOL(st_mips_kretprobe_ret);

/*
 * The trapped ra at the pt_regs at @regs, of a break at @epc: where it is
 * a kretprobe's trampoline put there by a hook still in progress (its
 * instance maybe not listed yet: stacktap_hooking.c), the real one.  The
 * instance, if it is listed already, is the next of the walk (those of
 * other kretprobes on the function before it hold the trampoline): used
 * up, as the walk would have.
 */
static notrace unsigned long st_mips_hooked_ra(struct st_mips_walk *w, unsigned long regs,
					       unsigned long epc, unsigned long ra)
{
	struct st_kretprobe_iter it = w->kretprobe;
	unsigned long ret, ri = 0, got, fp;

	if (ra != st_mips_kretprobe_tramp || !ra)
		return ra;
	ret = st_hook_find(regs, epc, 0, &ri);
	if (!ret || ret == st_mips_kretprobe_tramp)
		return ra;
	while (st_kretprobe_next(&it, &got, &fp)) {
		if (it.ri == ri) {
			w->kretprobe = it;
			break;
		}
		if (got != st_mips_kretprobe_tramp)
			break;
	}
	return ret;
}
NOKPROBE_SYMBOL(st_mips_hooked_ra);

/*
 * Whether the function holding @at ends in a jump to @target (j, or b:
 * "beq zero, zero"), a tail call; read up to its first ST_MIPS_SCAN_MAX
 * bytes.
 */
static notrace bool st_mips_tail_calls(struct st_mips_cpu *c, unsigned long at,
				       unsigned long target)
{
	const struct st_mips_frame *f = st_mips_frame_of(c, at, false);
	unsigned long a, start = f->func;
	unsigned long end = start + min_t(unsigned long, f->size, ST_MIPS_SCAN_MAX);
	u32 insn;

	for (a = start; start && a < end; a += 4) {
		if (!st_read_u32_nofault(&insn, (void *)a))
			return false;
		if (st_op(insn) == 0x02 &&
		    (((a + 4) & ~0x0fffffffUL) | ((insn & 0x3ffffff) << 2)) == target)
			return true;
		if (st_op(insn) == 0x04 && !st_rs(insn) && !st_rt(insn) &&
		    a + 4 + st_imm(insn) * 4 == target)
			return true;
	}
	return false;
}
NOKPROBE_SYMBOL(st_mips_tail_calls);

/*
 * The function graph tracer made @f's function return to return_to_handler:
 * its real return address is in the innermost return stack entry not yet
 * used whose func (the traced function's mcount return point) lies in it.
 * Or, where that function has no entry yet (entered, not yet hooked, or
 * not traced), in the entry of the hooked function that jumped to it: its
 * ra then was return_to_handler already.
 */
static notrace unsigned long st_mips_graph_ret(struct st_mips_cpu *c, struct st_mips_walk *w,
					       const struct st_mips_frame *f)
{
	unsigned long func, ret, retp, start = f->func;
	u32 size = f->size;
	bool chained = false;

	while (w->graph >= 0) {
		st_graph_entry(current, w->graph, &func, &ret, &retp);
		w->graph = st_graph_next(current, w->graph);
		if (func - start >= size && !chained && !st_mips_tail_calls(c, func, start))
			continue;
		/*
		 * A tail call from a hooked function: the callee hooked the
		 * hook; the tail caller's entry, next, holds the address.
		 */
		if (ret != st_mips_graph_tramp)
			return ret;
		chained = true;
	}
	return 0;
}
NOKPROBE_SYMBOL(st_mips_graph_ret);

/*
 * Above the mcount frame of a function whose saved ra reads
 * return_to_handler while its AT does not: an exception struck while
 * ftrace_graph_caller hooked it, and AT, its ra at the mcount call, is
 * the real return address.  Its entry, if pushed already, is used up.
 */
static notrace unsigned long st_mips_graph_hooking(struct st_mips_walk *w,
						   const struct st_mips_frame *f)
{
	unsigned long func, ret, retp;

	if (w->graph >= 0) {
		st_graph_entry(current, w->graph, &func, &ret, &retp);
		if (func - f->func < f->size && ret == w->ra)
			w->graph = st_graph_next(current, w->graph);
	}
	return w->ra;
}
NOKPROBE_SYMBOL(st_mips_graph_hooking);

enum st_mips_cross {
	ST_MIPS_NOT_CROSSED,	/* not an exception frame, or unreadable */
	ST_MIPS_CROSSED,	/* the walk goes on in the interrupted context */
	ST_MIPS_FROM_USER,	/* an exception from user mode: the walk ends */
};

/*
 * Continue from the pt_regs an exception left at @regs: the interrupted
 * pc, sp and (still live) ra.  Only kernel-mode frames on a kernel stack;
 * an exception taken in user mode ends the kernel stack, and its pc and
 * ra are the user's.
 */
static notrace enum st_mips_cross st_mips_cross_regs(struct st_mips_walk *w,
						     unsigned long regs)
{
	unsigned long epc, sp, ra, at, status;

	if (!st_mips_read(w, regs + offsetof(struct pt_regs, cp0_epc), &epc) ||
	    !st_mips_read(w, regs + offsetof(struct pt_regs, regs[MIPS_SP]), &sp) ||
	    !st_mips_read(w, regs + offsetof(struct pt_regs, regs[MIPS_RA]), &ra) ||
	    !st_mips_read(w, regs + offsetof(struct pt_regs, regs[MIPS_AT]), &at) ||
	    !st_mips_read(w, regs + offsetof(struct pt_regs, cp0_status), &status))
		return ST_MIPS_NOT_CROSSED;
	if ((status & ST0_KSU) != KSU_KERNEL)
		return ST_MIPS_FROM_USER;
	ra = st_mips_hooked_ra(w, regs, epc, ra);
	w->pc = epc;
	w->pc_is_ret = false;
	w->trapped = true;
	w->sp = sp;
	w->ra = ra;
	w->at = at;
	w->ra_live = true;
	st_mips_set_stack(w);
	return ST_MIPS_CROSSED;
}
NOKPROBE_SYMBOL(st_mips_cross_regs);

/*
 * Cross the pt_regs frame at sp, if it is one.  A kernel-mode exception
 * saved the sp it interrupted just above it; one from user mode saved the
 * user's, and its pt_regs are the task's.
 */
static notrace enum st_mips_cross st_mips_cross_frame(struct st_mips_walk *w)
{
	unsigned long saved_sp;

	if (!st_mips_read(w, w->sp + offsetof(struct pt_regs, regs[MIPS_SP]), &saved_sp))
		return ST_MIPS_NOT_CROSSED;
	if (saved_sp != w->sp + sizeof(struct pt_regs) &&
	    w->sp != (unsigned long)task_pt_regs(current))
		return ST_MIPS_NOT_CROSSED;
	return st_mips_cross_regs(w, w->sp);
}
NOKPROBE_SYMBOL(st_mips_cross_frame);

/*
 * Is the frame at (pc, sp) an exception's?  Then walk on in the
 * interrupted context instead.  handle_int switches to the IRQ stack and
 * leaves the task's sp, its pt_regs, in the IRQ stack's top slot; every
 * handler's SAVE_ALL builds a pt_regs-sized frame holding sp + PT_SIZE as
 * the interrupted sp, which prologue analysis alone would take for a C
 * frame returning to the interrupted ra.  Only kernel-mode contexts are
 * crossed; the caller restores the walk unless this crossed.
 */
static notrace enum st_mips_cross st_mips_cross_exception(struct st_mips_cpu *c,
							  struct st_mips_walk *w)
{
	unsigned long task_low = (unsigned long)task_stack_page(current);
	const struct st_mips_frame *f;
	unsigned long regs;

	if (w->sp == w->low + IRQ_STACK_START && w->low != task_low) {
		if (!st_mips_read(w, w->sp, &regs))
			return ST_MIPS_NOT_CROSSED;
		w->sp = regs;
		st_mips_set_stack(w);
		if (w->low != task_low)
			return ST_MIPS_NOT_CROSSED;
		return st_mips_cross_regs(w, regs);
	}
	/*
	 * A return into an asm handler past its SAVE_ALL (handle_bp_int's
	 * call of do_bp): its pt_regs sit at sp, though the sp they hold may
	 * not be sp + PT_SIZE: a probe that emulated its "addiu sp" moved it.
	 * A C function's pt_regs-sized frame may be a C handler's: checked.
	 */
	f = st_mips_frame_of(c, w->pc, w->pc_is_ret);
	if (f->kind == ST_MIPS_NO_PROLOGUE && f->handler)
		return st_mips_cross_regs(w, w->sp);
	if (f->kind != ST_MIPS_CODE || f->frame != sizeof(struct pt_regs))
		return ST_MIPS_NOT_CROSSED;
	return st_mips_cross_frame(w);
}
NOKPROBE_SYMBOL(st_mips_cross_exception);

/*
 * Go on at return address @pc with sp @sp; @ra_live: @ra is still the
 * register's.  The walk ends where @pc is 0.
 */
static notrace bool st_mips_return_to(struct st_mips_walk *w, unsigned long pc,
				      unsigned long sp, unsigned long ra, bool ra_live)
{
	w->pc = pc;
	w->pc_is_ret = true;
	w->trapped = false;
	w->sp = sp;
	w->ra = ra;
	w->ra_live = ra_live;
	return pc != 0;
}
NOKPROBE_SYMBOL(st_mips_return_to);

/*
 * An exception struck in mcount.S, between a traced function F's mcount
 * call and its return to F: go on at F.  Up to the callback's call, and
 * from RETURN_BACK on, F's pc (the mcount call's return) and F's ra are
 * live in ra and AT; in between they are in the saved-register frame at
 * sp, which MCOUNT_RESTORE_REGS frees last.  On o32, a module's call
 * enters at _mcount, ftrace_caller + 0, with the caller's 8 bytes still
 * taken.  False when pc is not there, or the frame does not read.
 */
static notrace bool st_mips_ftrace_trapped(struct st_mips_walk *w)
{
	unsigned long pc = w->pc, sp = w->sp, next = w->ra, at = w->at;
	bool saved;

	if (st_mips_ftrace_caller && pc >= st_mips_ftrace_caller &&
	    pc < st_mips_ftrace_stub + 8) {
		saved = pc > st_mips_ftrace_call && pc < st_mips_ftrace_stub;
		if (pc < st_mips_ftrace_caller + 8 && IS_ENABLED(CONFIG_32BIT))
			sp += 8;
		else if (pc > st_mips_ftrace_caller + 8 && pc < st_mips_ftrace_stub && !saved)
			sp += sizeof(struct pt_regs);
	} else if (st_mips_graph_caller && pc - st_mips_graph_caller < st_mips_graph_caller_size) {
		/* Jumped to from ftrace_graph_call; RETURN_BACK ends it. */
		saved = pc < st_mips_graph_caller + st_mips_graph_caller_size - 8;
	} else {
		return false;
	}
	if (saved) {
		if (!st_mips_read(w, sp + offsetof(struct pt_regs, regs[MIPS_RA]), &next) ||
		    !st_mips_read(w, sp + offsetof(struct pt_regs, regs[MIPS_AT]), &at))
			return false;
		sp += sizeof(struct pt_regs);
	}
	st_mips_return_to(w, next, sp, at, true);
	st_mips_set_stack(w);
	return next != 0;
}
NOKPROBE_SYMBOL(st_mips_ftrace_trapped);

/*
 * In return_to_handler (mcount.S), where a function the graph tracer
 * hooked has returned: "PTR_SUBU sp, PT_SIZE; PTR_S v0; jal
 * ftrace_return_to_handler; PTR_S v1; move ra, v0; ..., jr ra; PTR_ADDIU
 * sp, PT_SIZE".  Until ftrace_return_to_handler() has returned, the
 * function's caller is the innermost return stack entry not yet used;
 * from "move ra, v0" on it is in ra (a trap in between, v0 only, is not
 * followed).  False when pc is not there.
 */
static notrace bool st_mips_graph_hooked(struct st_mips_walk *w)
{
	unsigned long off = w->pc - st_mips_graph_tramp, func, ret, retp, next;
	unsigned long sp = w->sp + sizeof(struct pt_regs);

	if (!st_mips_graph_tramp || off >= 9 * 4)
		return false;
	if (w->trapped ? off < 16 : off == 16) {
		next = st_mips_graph_tramp;
		if (!off)
			sp = w->sp;	/* before PTR_SUBU */
	} else if (w->trapped && off > 16) {
		next = w->ra;
	} else {
		return false;
	}
	/*
	 * A function a hooked one tail-called returns to return_to_handler
	 * once more: its tail caller's entry, next, holds the address.  Each
	 * round uses up an entry or an instance.
	 */
	for (;;) {
		if (next == st_mips_graph_tramp && w->graph >= 0) {
			st_graph_entry(current, w->graph, &func, &ret, &retp);
			w->graph = st_graph_next(current, w->graph);
			next = ret;
		} else if (next == st_mips_kretprobe_tramp) {
			next = st_mips_kretprobe_ret(w);
		} else if (ST_HAVE_FRET && st_fret_is_stub(next)) {
			next = st_fret_real(next);
		} else {
			break;
		}
	}
	if (next == st_mips_graph_tramp)
		return false;
	st_mips_return_to(w, next, sp, w->ra, false);
	st_mips_set_stack(w);
	return next != 0;
}
NOKPROBE_SYMBOL(st_mips_graph_hooked);

/* One frame up: false when the walk ends. */
static notrace bool st_mips_step(struct st_mips_cpu *c, struct st_mips_walk *w)
{
	/*
	 * A copy: looking up the return address below may evict this very
	 * cache entry when the two pcs hash alike.
	 */
	struct st_mips_frame frame;
	const struct st_mips_frame *f = &frame;
	struct st_mips_walk here;
	unsigned long next, at;
	bool at_mcount = w->at_mcount;

	w->at_mcount = false;
	if (w->last)
		return false;
	/*
	 * An exception struck in the kretprobe trampoline, or in the handler
	 * its break runs: the function it hooked has returned, and its
	 * caller is the innermost pending instance's return address.
	 */
	if (w->trapped && st_mips_kretprobe_tramp && w->pc == st_mips_kretprobe_tramp)
		return st_mips_return_to(w, st_mips_kretprobe_ret(w), w->sp, w->ra, false);
	if ((w->trapped && st_mips_ftrace_trapped(w)) || st_mips_graph_hooked(w))
		return true;
	frame = *st_mips_frame_of(c, w->pc, w->pc_is_ret);
	/*
	 * An interrupt struck inside an exception handler, past its
	 * SAVE_ALL (before it, interrupts are off): go on from the
	 * exception's pt_regs, not from the handler's label.
	 */
	if (w->trapped && f->handler) {
		here = *w;
		switch (st_mips_cross_frame(w)) {
		case ST_MIPS_CROSSED:
			return true;
		case ST_MIPS_FROM_USER:
			*w = here;
			return false;
		case ST_MIPS_NOT_CROSSED:
			*w = here;
			break;
		}
	}
	w->trapped = false;
	if (f->kind == ST_MIPS_MCOUNT) {
		/* Into the traced function, whose ra is live in regs[1]. */
		if (!st_mips_read(w, w->sp + f->ra_slot, &next) ||
		    !st_mips_read(w, w->sp + offsetof(struct pt_regs, regs[MIPS_AT]), &at))
			return false;
		st_mips_return_to(w, next, w->sp + f->frame, at, true);
		w->at_mcount = true;
		return true;
	}
	if (f->kind != ST_MIPS_CODE && f->kind != ST_MIPS_NO_PROLOGUE)
		return false;
	if (f->ra_slot >= 0) {
		if (!st_mips_read(w, w->sp + f->ra_slot, &next))
			return false;
	} else if (w->ra_live) {
		next = w->ra;	/* a leaf, or a prologue not yet at its ra save */
	} else {
		return false;
	}
	if (!next)
		return false;
	/*
	 * A replaced ra points at its trampoline's start.  A kretprobe's
	 * entry runs before the mcount call: the graph tracer may have saved
	 * the kretprobe's trampoline.
	 */
	if (next == st_mips_graph_tramp && at_mcount && w->ra != st_mips_graph_tramp)
		next = st_mips_graph_hooking(w, f);
	else if (next == st_mips_graph_tramp)
		next = st_mips_graph_ret(c, w, f);
	if (next == st_mips_kretprobe_tramp) {
		next = st_mips_kretprobe_ret(w);
		/* A kretprobe on a function a hooked one tail-called. */
		if (next == st_mips_graph_tramp)
			next = st_mips_graph_ret(c, w, f);
	}
	/*
	 * An r: of ours took the return (the graph tracer, if on the same
	 * function, saved our stub); it may have taken a return the graph
	 * tracer or a kretprobe took first.
	 */
	if (ST_HAVE_FRET && st_fret_is_stub(next)) {
		next = st_fret_real(next);
		if (next == st_mips_graph_tramp)
			next = st_mips_graph_ret(c, w, f);
		if (next == st_mips_kretprobe_tramp)
			next = st_mips_kretprobe_ret(w);
	}
	if (!next)
		return false;
	st_mips_return_to(w, next, w->sp + f->frame, w->ra, false);

	/*
	 * An exception handler's frame is not shown: its context is.  One
	 * taken in user mode is the last frame: above it is user space.
	 */
	here = *w;
	switch (st_mips_cross_exception(c, w)) {
	case ST_MIPS_CROSSED:
		break;
	case ST_MIPS_FROM_USER:
		*w = here;
		w->last = true;
		break;
	case ST_MIPS_NOT_CROSSED:
		*w = here;
		break;
	}
	return true;
}
NOKPROBE_SYMBOL(st_mips_step);

/* This CPU's frame cache, emptied if code changed; interrupts off. */
static __always_inline struct st_mips_cpu *st_mips_cpu_get(void)
{
	struct st_mips_cpu *c = this_cpu_ptr(st_mips_cpu);
	unsigned int gen = atomic_read_acquire(&st_mips_gen);

	if (unlikely(c->gen != gen)) {
		memset(c->cache, 0, sizeof(c->cache));
		c->gen = gen;
	}
	return c;
}

static notrace unsigned int st_mips_walk(unsigned long pc, unsigned long sp,
					 unsigned long ra, unsigned long *entries,
					 unsigned int max)
{
	struct st_mips_walk w = {
		.pc = pc, .sp = sp, .ra = ra, .ra_live = true,
		.graph = st_graph_first(current),
	};
	struct st_mips_cpu *c;
	unsigned long flags;
	unsigned int steps = 0;
	struct st_emit e;
	bool room;

	st_kretprobe_first(&w.kretprobe);
	st_mips_set_stack(&w);
	raw_local_irq_save(flags);
	c = st_mips_cpu_get();
	st_emit_start(&e, entries, max);
	do {
		/*
		 * A frame found by reading memory that is not code (kallsyms
		 * has no name for it) ends the walk: no garbage is shown.
		 */
		if (steps && !st_mips_frame_of(c, w.pc, w.pc_is_ret)->func)
			break;
		if (w.trapped)
			st_emit_crossed(&e);
		room = st_emit(&e, w.pc);
		/* Dropped tracer frames make room: the walk is bounded still. */
	} while (room && ++steps < min_t(unsigned int, 2 * max + 16, ST_MIPS_STEPS_MAX) &&
		 st_mips_step(c, &w));
	raw_local_irq_restore(flags);
	return e.nr;
}
NOKPROBE_SYMBOL(st_mips_walk);

notrace unsigned int st_unwind_regs(struct pt_regs *regs, bool at_entry,
				    unsigned long *entries, unsigned int max)
{
	if (!max)
		return 0;
	return st_mips_walk(regs->cp0_epc, regs->regs[MIPS_SP],
			    regs->regs[MIPS_RA], entries, max);
}
NOKPROBE_SYMBOL(st_unwind_regs);

/* How far above the callback's frame ftrace_caller's frame may sit. */
#define ST_MCOUNT_SCAN	2048

/*
 * ftrace_caller (mcount.S) runs after the traced function F's prologue and
 * saves a pt_regs-sized frame right below F's frame, holding F's return
 * address into its caller at regs[1] (the AT register the mcount call
 * sequence copied ra into) and its own return address at regs[31]: C + 8
 * for a call site C in core kernel text, C + 20 for a module's long-call
 * sequence (C being the lui that starts it), C + 24 with -mmcount-ra-address
 * on 32-bit.  The callback gets ip = C and parent_ip = F's return address,
 * so the frame is the first one above us holding both.
 */
static notrace unsigned long st_mips_mcount_frame(unsigned long ip,
						  unsigned long parent_ip)
{
	struct st_mips_walk w = { .sp = (unsigned long)__builtin_frame_address(0) };
	unsigned long x, r1, r31, r12, r12_top, saved_ra;

	st_mips_set_stack(&w);
	for (x = ALIGN(w.sp, sizeof(long)); x < w.sp + ST_MCOUNT_SCAN; x += sizeof(long)) {
		if (!st_mips_read(&w, x + offsetof(struct pt_regs, regs[MIPS_AT]), &r1) ||
		    !st_mips_read(&w, x + offsetof(struct pt_regs, regs[MIPS_RA]), &r31))
			return 0;
		/* An r: of ours on F before this callback put its stub in. */
		if ((r1 != parent_ip && (!ST_HAVE_FRET || st_fret_real(r1) != parent_ip)) ||
		    (r31 - ip != 8 && r31 - ip != 20 && r31 - ip != 24))
			continue;
		/*
		 * With -mmcount-ra-address, $12 is where F saved its ra, just
		 * above (0 in a leaf): a stale copy of the pair in our callers'
		 * frames, left by an earlier call from the same site, points
		 * at a slot that no longer holds it.
		 */
		if (!st_mips_read(&w, x + offsetof(struct pt_regs, regs[12]), &r12))
			return 0;
		r12_top = x + sizeof(struct pt_regs) + ST_MCOUNT_SCAN;
		if (r12 >= x + sizeof(struct pt_regs) && r12 < r12_top &&
		    (!st_mips_read(&w, r12, &saved_ra) || saved_ra != r1))
			continue;
		return x;
	}
	return 0;
}
NOKPROBE_SYMBOL(st_mips_mcount_frame);

/*
 * The arguments of an f: hit: ftrace_caller's MCOUNT_SAVE_REGS stored F's
 * $a0-$a3 ($a0-$a7 on 64-bit) in their pt_regs slots of its frame.
 */
notrace struct pt_regs *st_unwind_ftrace_args(unsigned long ip, unsigned long parent_ip)
{
	return (struct pt_regs *)st_mips_mcount_frame(ip, parent_ip);
}
NOKPROBE_SYMBOL(st_unwind_ftrace_args);

/*
 * Where F's return address sits while ftrace_caller runs, for r: through
 * ftrace: *@at, regs[1] of its frame, which becomes ra again on the way
 * out, and *@ra, F's own ra slot where its prologue saved ra (NULL for a
 * leaf), which its epilogue reloads.  True when both hold the same
 * address: @parent_ip, or a stub of an r: before us that took it.
 */
notrace bool st_unwind_ftrace_ret_slots(unsigned long ip, unsigned long parent_ip,
					unsigned long **at, unsigned long **ra)
{
	unsigned long frame = st_mips_mcount_frame(ip, parent_ip), flags, cur, saved;
	struct st_mips_walk w = { .sp = frame + sizeof(struct pt_regs) };
	struct st_mips_frame f;
	struct st_mips_cpu *c;

	if (!frame)
		return false;
	st_mips_set_stack(&w);
	raw_local_irq_save(flags);
	c = st_mips_cpu_get();
	f = *st_mips_frame_of(c, ip, false);
	raw_local_irq_restore(flags);
	if (f.kind != ST_MIPS_CODE && f.kind != ST_MIPS_NO_PROLOGUE)
		return false;
	*at = (unsigned long *)(frame + offsetof(struct pt_regs, regs[MIPS_AT]));
	*ra = f.ra_slot >= 0 ? (unsigned long *)(w.sp + f.ra_slot) : NULL;
	if (!st_mips_read(&w, (unsigned long)*at, &cur))
		return false;
	if (*ra && (!st_mips_read(&w, (unsigned long)*ra, &saved) || saved != cur))
		return false;
	return cur == parent_ip || st_fret_real(cur) == parent_ip;
}
NOKPROBE_SYMBOL(st_unwind_ftrace_ret_slots);

/*
 * MIPS passes ftrace callbacks no registers.  Resume the walk where F's
 * own frame begins, just above ftrace_caller's: pc = ip inside F (its
 * prologue already ran), sp = F's sp, ra = parent_ip for a leaf F.
 */
notrace unsigned int st_unwind_ftrace(unsigned long ip, unsigned long parent_ip,
				      unsigned long *entries, unsigned int max)
{
	unsigned long frame = st_mips_mcount_frame(ip, parent_ip);

	if (!frame || !max)
		return 0;
	return st_mips_walk(ip, frame + sizeof(struct pt_regs), parent_ip,
			    entries, max);
}
NOKPROBE_SYMBOL(st_unwind_ftrace);
