// SPDX-License-Identifier: GPL-2.0
/*
 * arm64: walk AAPCS64 frame records (x29 -> {next fp, lr}) from the probe's
 * trap registers.  At a function's first instruction the caller is only
 * in LR, which the kernel's unwinder ignores; take it from there.  Return
 * addresses saved on the stack carry pointer-authentication bits.  Every
 * read is bounded to the stack sp is on (and, from an IRQ stack, the
 * task's stack) and done with st_read_ulong_nofault().
 */
#include <linux/hash.h>
#include <linux/irqflags.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/thread_info.h>
#include <linux/uaccess.h>
#include <asm/debug-monitors.h>

#include "stacktap.h"
#include "wrapper/arm64_frame.h"

/* Where kretprobes make the functions they probe return */
static unsigned long st_arm64_kretprobe_tramp;
/* return_to_handler, where the graph tracer makes hooked functions return */
static unsigned long st_arm64_graph_tramp;

/*
 * Where an exception struck a function before its frame record is set up
 * (a leaf, a prologue) or after it is taken down (an epilogue before its
 * ret), x29 is still the caller's and the caller is only in LR: the
 * records skip it.  The function's own code says which, read from its
 * start to pc; the answer is cached per CPU for core kernel text.
 */
#define ST_ARM64_SCAN_MAX	4096	/* bytes of a function read at most */
#define ST_ARM64_CACHE_BITS	8

struct st_arm64_cpu {
	unsigned long pc[1 << ST_ARM64_CACHE_BITS];	/* | 1: LR holds the caller */
	char sym[KSYM_SYMBOL_LEN];
};

static struct st_arm64_cpu __percpu *st_arm64_cpu;
static unsigned long st_arm64_stext, st_arm64_etext;

/* add x29, sp, #imm (mov x29, sp): the frame record is set up */
static __always_inline bool st_arm64_sets_fp(u32 insn)
{
	return (insn & 0xffc003ff) == 0x910003fd;
}

/* ldp x29, x30, [sp], #imm or ldp x29, x30, [sp, #imm]: taken down */
static __always_inline bool st_arm64_restores_fp(u32 insn)
{
	return (insn & 0xffc07fff) == 0xa8c07bfd || (insn & 0xffc07fff) == 0xa9407bfd;
}

/* ret, retaa, retab, br: a path ends */
static __always_inline bool st_arm64_returns(u32 insn)
{
	return insn == 0xd65f03c0 || insn == 0xd65f0bff || insn == 0xd65f0fff ||
	       (insn & 0xfffffc1f) == 0xd61f0000;
}

/* A branch's target, 0 for no branch; *always for an unconditional one. */
static __always_inline unsigned long st_arm64_branch(u32 insn, unsigned long a, bool *always)
{
	long imm;

	*always = (insn & 0xfc000000) == 0x14000000;		/* b */
	if (*always)
		imm = sign_extend64(insn & 0x3ffffff, 25);
	else if ((insn & 0xff000010) == 0x54000000 ||		/* b.cond */
		 (insn & 0x7e000000) == 0x34000000)		/* cbz, cbnz */
		imm = sign_extend64((insn >> 5) & 0x7ffff, 18);
	else if ((insn & 0x7e000000) == 0x36000000)		/* tbz, tbnz */
		imm = sign_extend64((insn >> 5) & 0x3fff, 13);
	else
		return 0;
	return a + imm * 4;
}

#define ST_ARM64_TARGETS	32

/*
 * Whether x29 is the caller's at @pc: follow the code from the function's
 * start, in address order, with the frame record's state carried along
 * forward branches.  Shrink-wrapped functions set up their record after
 * an early exit whose code may sit after the epilogue.  ST_ARM64_UNKNOWN
 * where the code does not say: a kprobe's break hides an instruction,
 * more branches than kept, or code after a path's end that no branch
 * seen leads to (a loop body entered from below); the walk then keeps
 * to the records, as it did before.
 */
enum { ST_ARM64_FRAMED, ST_ARM64_LR_LIVE, ST_ARM64_UNKNOWN };
/* The record's state along a path: not set up, set up, either. */
enum { ST_ARM64_NO, ST_ARM64_YES, ST_ARM64_MAYBE };

static notrace int st_arm64_analyse_lr(char *sym, unsigned long pc)
{
	unsigned long off, size, a, t, target[ST_ARM64_TARGETS];
	bool reached = true, changed = false, always;
	u8 framed = ST_ARM64_NO, state[ST_ARM64_TARGETS];
	unsigned int n = 0, i, kept;
	u32 insn;

	if (!st_symbol_offset(sym, pc, &off, &size) || off > ST_ARM64_SCAN_MAX)
		return ST_ARM64_UNKNOWN;
	/*
	 * Tracer code other than the kretprobe trampoline is entered by
	 * branches with a frame already set up (ftrace_common, ftrace_call):
	 * its code from its symbol does not say.
	 */
	if (pc - off != st_arm64_kretprobe_tramp && st_tracer_text(pc))
		return ST_ARM64_UNKNOWN;
	for (a = pc - off; a <= pc; a += 4) {
		/* Where a path ended, only a branch leads in; passed ones go. */
		for (i = kept = 0; i < n; i++) {
			if (target[i] == a && (!reached || state[i] == ST_ARM64_NO ||
						 (state[i] == ST_ARM64_MAYBE && framed == ST_ARM64_YES))) {
				framed = state[i];
				reached = true;
			}
			if (target[i] > a) {
				target[kept] = target[i];
				state[kept++] = state[i];
			}
		}
		n = kept;
		/*
		 * Code after a path's end that no branch seen leads to (a
		 * loop body entered from below) may be either; a branch from
		 * before it to pc still tells.  (Code that never sets up a
		 * record, a leaf, is never framed.)
		 */
		if (!reached && changed)
			framed = ST_ARM64_MAYBE;
		reached = true;
		if (a == pc)
			break;
		/*
		 * A kprobe's brk (or kgdb's) hides what it replaced, unless
		 * it sits on the entry's patchable nops, where no frame is set
		 * up.  BUG()'s and WARN()'s brk are code of their own.
		 */
		if (!st_read_u32_nofault(&insn, (void *)a) ||
		    ((insn == BRK64_OPCODE_KPROBES || insn == AARCH64_BREAK_KGDB_DYN_DBG) &&
		     a - (pc - off) >= 8))
			return ST_ARM64_UNKNOWN;
		if (st_arm64_sets_fp(insn) || st_arm64_restores_fp(insn)) {
			framed = st_arm64_sets_fp(insn) ? ST_ARM64_YES : ST_ARM64_NO;
			changed = true;
		}
		t = st_arm64_branch(insn, a, &always);
		if (t > a && t <= pc && n < ST_ARM64_TARGETS) {
			target[n] = t;
			state[n++] = framed;
		} else if (t > a && t <= pc && changed) {
			return ST_ARM64_UNKNOWN;	/* more branches than kept */
		}
		if (always || st_arm64_returns(insn))
			reached = false;
	}
	if (framed == ST_ARM64_MAYBE)
		return ST_ARM64_UNKNOWN;
	return framed == ST_ARM64_YES ? ST_ARM64_FRAMED : ST_ARM64_LR_LIVE;
}
NOKPROBE_SYMBOL(st_arm64_analyse_lr);

/* __noclone: NOKPROBE_SYMBOL() covers no partial-inlining clone of it. */
static notrace __noclone bool st_arm64_lr_live(unsigned long pc)
{
	struct st_arm64_cpu *c;
	unsigned long flags, *slot;
	int live;

	/* An NMI may strike inside a walk that is using the CPU's buffers. */
	if (!st_arm64_cpu || (pc & 3) || in_nmi())
		return false;
	raw_local_irq_save(flags);
	c = this_cpu_ptr(st_arm64_cpu);
	slot = &c->pc[hash_long(pc, ST_ARM64_CACHE_BITS)];
	if ((*slot & ~1UL) == pc) {
		live = *slot & 1;
	} else {
		live = st_arm64_analyse_lr(c->sym, pc);
		/* Module text may be replaced: only the kernel's is kept. */
		if (live != ST_ARM64_UNKNOWN && pc - st_arm64_stext < st_arm64_etext - st_arm64_stext)
			*slot = pc | (live == ST_ARM64_LR_LIVE);
	}
	raw_local_irq_restore(flags);
	return live == ST_ARM64_LR_LIVE;
}
NOKPROBE_SYMBOL(st_arm64_lr_live);

/* Every tracer of arm64 runs in text kallsyms names. */
notrace bool st_unwind_tracer_text(unsigned long addr)
{
	return false;
}
NOKPROBE_SYMBOL(st_unwind_tracer_text);

int st_unwind_init(void)
{
	st_kretprobe_wrapper_init();
	st_tracer_init();
	st_arm64_graph_tramp = st_kernel_symbol("return_to_handler");
	st_arm64_kretprobe_tramp = st_kernel_symbol("kretprobe_trampoline") ?:
				   st_kernel_symbol("__kretprobe_trampoline");
	st_arm64_stext = st_kernel_symbol("_stext");
	st_arm64_etext = st_kernel_symbol("_etext");
	st_arm64_cpu = alloc_percpu(struct st_arm64_cpu);
	return st_arm64_cpu ? 0 : -ENOMEM;
}

void st_unwind_exit(void)
{
	free_percpu(st_arm64_cpu);
	st_arm64_cpu = NULL;
}

/*
 * A kretprobe on function F saved the caller's fp (x29 at F's entry) as
 * ri->fp and put its trampoline in F's LR; the function graph tracer
 * records that same fp as the entry's retp and puts return_to_handler
 * there.  F's frame record is then { that fp, hook }.  Give the real
 * return address for @lr found with @fp (a record's saved fp, or x29 at
 * entry), whatever it holds.  Before 5.15 ri->fp is not x29: the
 * instances are taken in order as the trampoline turns up (@order).
 * Two kretprobes on one function leave two instances for one return; the
 * later one saved the trampoline the earlier put in LR, so instances
 * holding the trampoline are passed over.
 */
static notrace unsigned long st_arm64_ret(struct st_kretprobe_iter *order,
					  unsigned long fp, unsigned long lr)
{
	struct st_kretprobe_iter it;
	unsigned long func, ret, retp, ri_fp;
	unsigned int hooks;
	bool found;
	int i;

	/*
	 * Only a hook stands for an instance: any other LR is its own.  A
	 * kretprobe's entry runs before ftrace's, so the graph tracer may
	 * have saved the kretprobe's trampoline: one hook leads to the other.
	 */
	lr = st_strip_pac(lr);
	for (hooks = 0; hooks < 2 && lr; hooks++) {
		found = false;
		if (lr == st_arm64_kretprobe_tramp && ST_KRETPROBE_BY_ORDER) {
			while (!found && st_kretprobe_next(order, &ret, &ri_fp))
				found = st_strip_pac(ret) != st_arm64_kretprobe_tramp;
		} else if (lr == st_arm64_kretprobe_tramp) {
			st_kretprobe_first(&it);
			while (!found && st_kretprobe_next(&it, &ret, &ri_fp))
				found = ri_fp == fp &&
					st_strip_pac(ret) != st_arm64_kretprobe_tramp;
		} else if (lr == st_arm64_graph_tramp) {
			for (i = st_graph_first(current); !found && i >= 0;
			     i = st_graph_next(current, i)) {
				st_graph_entry(current, i, &func, &ret, &retp);
				/* A tail call leaves an entry returning to the hook. */
				found = retp == fp && ret != st_arm64_graph_tramp;
			}
		}
		if (!found)
			break;
		lr = st_strip_pac(ret);
	}
	return lr;
}
NOKPROBE_SYMBOL(st_arm64_ret);

notrace unsigned int st_unwind_regs(struct pt_regs *regs, bool at_entry,
				    unsigned long *entries, unsigned int max)
{
	struct st_kretprobe_iter order;
	unsigned long task_low = (unsigned long)task_stack_page(current);
	unsigned long low = regs->sp & ~(THREAD_SIZE - 1);
	unsigned long fp = regs->regs[29];
	unsigned long record[2];	/* { caller's fp, return address } */
	unsigned long lr, ret;
	bool at_regs = false;	/* the record at fp is an exception's pt_regs' */
	struct pt_regs *boundary;
	struct st_emit e;

	if (!max)
		return 0;
	st_kretprobe_first(&order);
	st_emit_start(&e, entries, max);
	st_emit(&e, regs->pc);
	/*
	 * The caller is in LR at a function's entry, and anywhere its frame
	 * record is not set up.  A kretprobe sharing this entry may have run
	 * first and swapped LR.
	 */
	if ((at_entry || st_arm64_lr_live(regs->pc)) && e.nr < max)
		st_emit(&e, st_arm64_ret(&order, regs->regs[29], regs->regs[30]));

	while (e.nr < max) {
		/* From an IRQ stack the records lead to the task stack, once. */
		if (fp - low > THREAD_SIZE - sizeof(record)) {
			if (low == task_low || fp - task_low > THREAD_SIZE - sizeof(record))
				break;
			low = task_low;
		}
		if ((fp & 7) || !st_read_ulong_nofault(&record[0], (void *)fp) ||
		    !st_read_ulong_nofault(&record[1], (void *)(fp + sizeof(record[0]))))
			break;
		/*
		 * A zero LR signed by paciasp is not zero: 5.10 enters
		 * start_kernel and secondary_start_kernel with LR 0.
		 */
		record[1] = st_strip_pac(record[1]);
		/*
		 * Past an exception entry, the record is the one its pt_regs
		 * hold (zeroed and typed from 6.13 on).
		 */
		boundary = at_regs ? (struct pt_regs *)(fp - offsetof(struct pt_regs, stackframe)) :
			   NULL;
		if (!record[1]) {
			/* A task's end, or (6.13 on) an exception boundary. */
			boundary = st_arm64_boundary_regs(fp);
			if (!boundary ||
			    !st_read_ulong_nofault(&record[1], &boundary->pc) ||
			    !st_read_ulong_nofault(&record[0], &boundary->regs[29]))
				break;
			st_emit_crossed(&e);
		}
		ret = st_arm64_ret(&order, record[0], record[1]);
		st_emit(&e, ret);
		at_regs = !boundary && st_entry_text(ret);
		/*
		 * The interrupted function's caller, only in its LR; at the
		 * kretprobe trampoline's entry, ret is already that caller.
		 */
		if (boundary && e.nr < max &&
		    st_strip_pac(record[1]) != st_arm64_kretprobe_tramp &&
		    st_arm64_lr_live(record[1]) &&
		    st_read_ulong_nofault(&lr, &boundary->regs[30]))
			st_emit(&e, st_arm64_ret(&order, record[0], lr));
		if (record[0] <= fp && record[0] - low <= THREAD_SIZE)
			break;	/* on one stack, records must go up */
		fp = record[0];
	}
	return e.nr;
}
NOKPROBE_SYMBOL(st_unwind_regs);
