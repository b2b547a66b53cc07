// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64: started from the probe's trap registers rather than from inside
 * the handler, so no int3, kprobe or ftrace frame is ever seen.  With ORC,
 * the cached walker of stacktap_unwind_x86_orc.c takes the common case;
 * the kernel's own unwinder takes the rest, and every stack without ORC.
 * __unwind_start() with regs already steps past the regs frame, to the
 * caller.
 */
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/sched.h>
#include <asm/unwind.h>

#include "stacktap.h"

/*
 * ftrace's trampolines: copies of ftrace_regs_caller or ftrace_caller, each
 * in a page of module space of its own, which kallsyms does not name.  An
 * address in one is in a page that starts with the template's bytes.
 */
static unsigned long st_x86_tramp_head[2][2];

static void st_x86_tramp_init(unsigned long *head, const char *template)
{
	unsigned long start = st_kernel_symbol(template);

	if (!start || !st_read_ulong_nofault(&head[0], (void *)start) ||
	    !st_read_ulong_nofault(&head[1], (void *)(start + sizeof(long))))
		head[0] = head[1] = 0;
}

notrace bool st_unwind_tracer_text(unsigned long addr)
{
	unsigned long start = addr & PAGE_MASK, word0, word1;
	unsigned int i;

	/* (Two scalars: gcc 12 crashes on an array read this way.) */
	if (addr < MODULES_VADDR || addr >= MODULES_END ||
	    !st_read_ulong_nofault(&word0, (void *)start) ||
	    !st_read_ulong_nofault(&word1, (void *)(start + sizeof(long))))
		return false;
	for (i = 0; i < ARRAY_SIZE(st_x86_tramp_head); i++)
		if (st_x86_tramp_head[i][0] && word0 == st_x86_tramp_head[i][0] &&
		    word1 == st_x86_tramp_head[i][1])
			return true;
	return false;
}
NOKPROBE_SYMBOL(st_unwind_tracer_text);

/*
 * Retpoline thunks: ORC marks each one's first instruction as a stack's
 * end (UNWIND_HINT_EMPTY, later _UNDEFINED), so the kernel's unwinder
 * stops at a task interrupted there, though it has just called or jumped
 * to the thunk.  Where its return address is, by offset in a thunk: at sp
 * on the call or "lfence; jmp *reg", one slot up past the retpoline's own
 * call.
 */
static unsigned long st_x86_thunks;	/* __x86_indirect_thunk_array */
#define ST_X86_THUNKS	16
#define ST_X86_RESUMES	16	/* restarts of one walk, at most */

static notrace unsigned long st_x86_thunk_slot(const struct pt_regs *regs)
{
	unsigned long off = regs->ip - st_x86_thunks, head;

	if (!st_x86_thunks || off >= ST_X86_THUNKS * RETPOLINE_THUNK_SIZE)
		return 0;
	off %= RETPOLINE_THUNK_SIZE;
	if (off == 0 || off == 3)
		return regs->sp;
	/*
	 * The retpoline's "call 1f" leads to its "1: mov %reg, (%rsp)": at
	 * 0xc up to 6.1, at 6 from 6.2.  Its target says where.
	 */
	if (!st_read_ulong_nofault(&head, (void *)(regs->ip - off)) || (head & 0xff) != 0xe8 ||
	    off != 5 + (long)(s32)(head >> 8))
		return 0;
	return regs->sp + sizeof(long);
}
NOKPROBE_SYMBOL(st_x86_thunk_slot);

/*
 * The graph tracer's return_to_handler, where a hooked function returns:
 * ORC ends the stack there too.  Reached as a return address, an
 * interrupt struck in its call of ftrace_return_to_handler(), before the
 * returning function's entry is popped: the entry whose hooked slot lies
 * just above sp (return_to_handler keeps 16 or 24 bytes below it) holds
 * the real return address.  Newer entries may be an interrupt's, on
 * another stack: the slot, not the order, picks it.
 */
#define ST_X86_GRAPH_NEAR	64	/* bytes above sp the slot may be */
#define ST_X86_GRAPH_ENTRIES	64	/* entries looked at, at most */

static unsigned long st_x86_graph_hook, st_x86_graph_hook_size;

static notrace unsigned long st_x86_graph_slot(const struct unwind_state *state,
					       unsigned long *ret)
{
	unsigned long func, retp;
	unsigned int n = 0;
	int i;

	if (!st_x86_graph_hook || state->regs ||
	    state->ip - st_x86_graph_hook >= st_x86_graph_hook_size)
		return 0;
	for (i = st_graph_first(current); i >= 0 && n++ < ST_X86_GRAPH_ENTRIES;
	     i = st_graph_next(current, i)) {
		st_graph_entry(current, i, &func, ret, &retp);
		if (retp > state->sp && retp - state->sp <= ST_X86_GRAPH_NEAR)
			return *ret != st_x86_graph_hook ? retp : 0;
	}
	return 0;
}
NOKPROBE_SYMBOL(st_x86_graph_slot);

int st_unwind_init(void)
{
	char sym[KSYM_SYMBOL_LEN];
	unsigned long off;

	st_x86_graph_hook = st_kernel_symbol("return_to_handler");
	if (st_x86_graph_hook &&
	    (!st_symbol_offset(sym, st_x86_graph_hook, &off, &st_x86_graph_hook_size) || off))
		st_x86_graph_hook = 0;
	st_x86_thunks = st_kernel_symbol("__x86_indirect_thunk_array");
	st_kretprobe_wrapper_init();
	st_tracer_init();
	st_x86_tramp_init(st_x86_tramp_head[0], "ftrace_regs_caller");
	st_x86_tramp_init(st_x86_tramp_head[1], "ftrace_caller");
	return st_orc_init();
}

void st_unwind_exit(void)
{
	st_orc_exit();
}

/*
 * Where the kernel's unwinder stopped short: the slot holding the return
 * address to go on from (*@addr), and the bp there; 0 elsewhere.
 */
static notrace unsigned long st_x86_resume_slot(const struct unwind_state *state,
						unsigned long *addr, unsigned long *bp)
{
	unsigned long slot;

	if (state->regs && !user_mode(state->regs) && state->ip == state->regs->ip) {
		slot = st_x86_thunk_slot(state->regs);
		if (!slot || !st_read_ulong_nofault(addr, (void *)slot))
			return 0;
		*addr = st_orc_kretprobe_real(*addr, slot);
		*bp = state->regs->bp;
		return slot;
	}
	slot = st_x86_graph_slot(state, addr);
	*bp = state->bp;
	return slot;
}
NOKPROBE_SYMBOL(st_x86_resume_slot);

/* The kernel's own walk from @regs (the benchmark checks the cache by it). */
notrace unsigned int st_unwind_regs_kernel(struct pt_regs *regs, unsigned long *entries,
					   unsigned int max)
{
	struct unwind_state state;
	struct pt_regs resume;
	unsigned long addr, slot, bp;
	unsigned int resumed = 0;
	struct st_emit e;

	if (!max)
		return 0;
	st_emit_start(&e, entries, max);
	st_emit(&e, instruction_pointer(regs));
	__unwind_start(&state, current, regs, NULL);
walk:
	for (; e.nr < max && !unwind_done(&state); unwind_next_frame(&state)) {
		addr = unwind_get_return_address(&state);
		if (!addr)
			break;
		/*
		 * 5.10 leaves a kretprobe's trampoline in place, and cannot
		 * unwind past it: go on from the real return address.  A
		 * frame without regs read it just below its CFA, state.sp.
		 */
		if (!state.regs) {
			addr = st_orc_kretprobe_real(addr, state.sp - sizeof(long));
			state.ip = addr;
		}
		st_emit(&e, addr);
	}
	/*
	 * Stopped at an interrupted thunk, or in return_to_handler: go on
	 * from the caller, as from registers trapped in the call instruction
	 * (ORC of the call, not of what follows it).
	 */
	slot = e.nr < max ? st_x86_resume_slot(&state, &addr, &bp) : 0;
	/* (From a tracer's code, the frames up to it are dropped.) */
	if (slot && ++resumed <= ST_X86_RESUMES) {
		memset(&resume, 0, sizeof(resume));
		resume.ip = addr - 1;
		resume.sp = slot + sizeof(long);
		resume.bp = bp;
		resume.cs = __KERNEL_CS;
		resume.flags = X86_EFLAGS_FIXED;
		st_emit(&e, addr);
		__unwind_start(&state, current, &resume, NULL);
		goto walk;
	}
	return e.nr;
}
NOKPROBE_SYMBOL(st_unwind_regs_kernel);

notrace unsigned int st_unwind_regs(struct pt_regs *regs, bool at_entry,
				    unsigned long *entries, unsigned int max)
{
	/* The common case from the ORC cache; the kernel's walk otherwise. */
	return st_orc_unwind_regs(regs, entries, max) ?:
	       st_unwind_regs_kernel(regs, entries, max);
}
NOKPROBE_SYMBOL(st_unwind_regs);
