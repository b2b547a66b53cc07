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
#include <linux/uaccess.h>
#include <asm/unwind.h>

#include "stacktap.h"
#include "wrapper/kretprobe.h"

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
 * The graph tracer's return_to_handler, where a hooked function returns
 * (its return address slot, popped, read return_to_handler).  It keeps a
 * frame below that slot, calls ftrace_return_to_handler(), which pops the
 * function's entry and returns the real return address, and goes there
 * by "call 1f; int3; 1: mov %rdi, (%rsp); ret".  ORC ends a stack in it,
 * and the kernel's unwinder, interrupted past "call 1f", takes that
 * call's return for a frame and warns (7.2).  Where the real return
 * address is at each pc follows from its code, read at load.
 */
#define ST_X86_GRAPH_ENTRIES	64	/* entries looked at, at most */
#define ST_X86_RTH_MAX		128	/* bytes of return_to_handler read */

static struct {
	unsigned long start, size;
	unsigned long sub_at[2], sub[2];	/* its "sub $n, %rsp", in order */
	unsigned long frame;		/* bytes it keeps below the slot */
	unsigned long call_ret;		/* return from ftrace_return_to_handler() */
	unsigned long add_at;		/* "add $frame, %rsp" */
	unsigned long rop_call, rop;	/* "call 1f", "1:" */
} st_x86_rth;

static void st_x86_rth_init(void)
{
	unsigned long start = st_kernel_symbol("return_to_handler");
	unsigned long handler = st_kernel_symbol("ftrace_return_to_handler");
	unsigned long size, off, target, subs = 0, imm;
	char sym[KSYM_SYMBOL_LEN];
	u8 code[ST_X86_RTH_MAX];
	unsigned int i, len, nsub = 0;
	s32 rel;

	memset(&st_x86_rth, 0, sizeof(st_x86_rth));
	if (!start || !handler || !st_symbol_offset(sym, start, &off, &size) || off ||
	    size > sizeof(code) || copy_from_kernel_nofault(code, (void *)start, size))
		return;
	for (i = 0; i < size; i += len) {
		len = 1;
		/* sub/add $imm8 or $imm32, %rsp */
		if (i + 4 <= size && code[i] == 0x48 && code[i + 1] == 0x83 &&
		    (code[i + 2] == 0xec || code[i + 2] == 0xc4)) {
			imm = (unsigned long)(long)(s8)code[i + 3];
			len = 4;
		} else if (i + 7 <= size && code[i] == 0x48 && code[i + 1] == 0x81 &&
			   (code[i + 2] == 0xec || code[i + 2] == 0xc4)) {
			memcpy(&rel, &code[i + 3], sizeof(rel));
			imm = (unsigned long)(long)rel;
			len = 7;
		} else if (i + 5 <= size && code[i] == 0xe8) {
			memcpy(&rel, &code[i + 1], sizeof(rel));
			target = start + i + 5 + (long)rel;
			if (target == handler && !st_x86_rth.call_ret) {
				st_x86_rth.call_ret = start + i + 5;
			} else if (target - start < size && st_x86_rth.add_at) {
				st_x86_rth.rop_call = start + i;
				st_x86_rth.rop = target;
			}
			len = 5;
			continue;
		} else {
			continue;
		}
		if (code[i + 2] == 0xc4 && st_x86_rth.call_ret && !st_x86_rth.add_at &&
		    imm == subs) {
			st_x86_rth.add_at = start + i;
		} else if (code[i + 2] == 0xec && !st_x86_rth.call_ret) {
			if (nsub == ARRAY_SIZE(st_x86_rth.sub))
				return;
			st_x86_rth.sub_at[nsub] = start + i;
			st_x86_rth.sub[nsub++] = imm;
			subs += imm;
		}
	}
	st_x86_rth.frame = subs;
	/* The layout as described, or no frame past return_to_handler. */
	if (!st_x86_rth.add_at || !st_x86_rth.rop || st_x86_rth.rop != st_x86_rth.rop_call + 6 ||
	    !subs || subs & 7 || code[st_x86_rth.call_ret - start] != 0x48 ||
	    code[st_x86_rth.call_ret - start + 1] != 0x89 ||
	    code[st_x86_rth.call_ret - start + 2] != 0xc7)
		return;
	st_x86_rth.start = start;
	st_x86_rth.size = size;
}

static notrace bool st_x86_in_rth(unsigned long ip)
{
	return ip - st_x86_rth.start < st_x86_rth.size;
}
NOKPROBE_SYMBOL(st_x86_in_rth);

/*
 * The real return address of the hooked function whose slot is @slot, in
 * its entry; a tail call's callee, hooked too, has one before its caller's
 * on the same slot, returning to return_to_handler again.
 */
static notrace bool st_x86_rth_entry(unsigned long slot, unsigned long *ret)
{
	unsigned long func, retp;
	unsigned int n = 0;
	int i;

	for (i = st_graph_first(current); i >= 0 && n++ < ST_X86_GRAPH_ENTRIES;
	     i = st_graph_next(current, i)) {
		st_graph_entry(current, i, &func, ret, &retp);
		if (retp == slot && *ret != st_x86_rth.start)
			return true;
	}
	return false;
}
NOKPROBE_SYMBOL(st_x86_rth_entry);

/*
 * The slot of the hooked function's return address at @ip in
 * return_to_handler, with that address (*@addr); @sp is the interrupted
 * sp, or the sp after the call of ftrace_return_to_handler() returned;
 * @regs the interrupted registers, NULL for that call.  0 where not known.
 */
static notrace unsigned long st_x86_rth_slot(unsigned long ip, unsigned long sp,
					     const struct pt_regs *regs, unsigned long *addr)
{
	unsigned long slot;

	if (!st_x86_in_rth(ip))
		return 0;
	if (!regs) {
		if (ip != st_x86_rth.call_ret)
			return 0;
		slot = sp + st_x86_rth.frame - sizeof(long);
		return st_x86_rth_entry(slot, addr) ? slot : 0;
	}
	if (ip < st_x86_rth.call_ret) {
		/* Not popped yet. */
		slot = sp - sizeof(long);
		if (st_x86_rth.sub_at[0] < ip)
			slot += st_x86_rth.sub[0];
		if (st_x86_rth.sub_at[1] && st_x86_rth.sub_at[1] < ip)
			slot += st_x86_rth.sub[1];
		return st_x86_rth_entry(slot, addr) ? slot : 0;
	}
	/* Popped: in rax, then rdi. */
	*addr = ip == st_x86_rth.call_ret ? regs->ax : regs->di;
	if (ip <= st_x86_rth.add_at)
		slot = sp + st_x86_rth.frame - sizeof(long);
	else if (ip <= st_x86_rth.rop_call)
		slot = sp - sizeof(long);
	else
		slot = sp;	/* "call 1f" pushed its own return there */
	if (*addr == st_x86_rth.start && !st_x86_rth_entry(slot, addr))
		return 0;
	return slot;
}
NOKPROBE_SYMBOL(st_x86_rth_slot);

int st_unwind_init(void)
{
	st_x86_rth_init();
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
		*bp = state->regs->bp;
		slot = st_x86_rth_slot(state->ip, state->regs->sp, state->regs, addr);
		if (slot)
			return slot;
		slot = st_x86_thunk_slot(state->regs);
		if (!slot || !st_read_ulong_nofault(addr, (void *)slot))
			return 0;
		*addr = st_orc_kretprobe_real(*addr, slot, state->ip);
		return slot;
	}
	*bp = state->bp;
	return state->regs ? 0 : st_x86_rth_slot(state->ip, state->sp, NULL, addr);
}
NOKPROBE_SYMBOL(st_x86_resume_slot);

/* The kernel's own walk from @regs (the benchmark checks the cache by it). */
notrace unsigned int st_unwind_regs_kernel(struct pt_regs *regs, unsigned long *entries,
					   unsigned int max)
{
	struct unwind_state state;
	struct pt_regs resume;
	unsigned long addr, real, slot, bp = regs->bp, callee = regs->ip;
	unsigned int resumed = 0;
	struct st_emit e;

	if (!max)
		return 0;
	st_emit_start(&e, entries, max);
	st_emit(&e, instruction_pointer(regs));
	/* From return_to_handler the kernel's unwinder misreads, and warns. */
	if (st_x86_in_rth(regs->ip)) {
		slot = st_x86_rth_slot(regs->ip, regs->sp, regs, &addr);
		goto resume;
	}
	__unwind_start(&state, current, regs, NULL);
walk:
	for (; e.nr < max && !unwind_done(&state); unwind_next_frame(&state)) {
		addr = unwind_get_return_address(&state);
		/*
		 * 5.10 leaves a kretprobe's trampoline in place, and cannot
		 * unwind past it; later kernels give 0 where they find no
		 * instance for it.  Go on from the real return address.  A
		 * frame without regs read it just below its CFA, state.sp.
		 */
		if (!state.regs) {
			real = st_orc_kretprobe_real(addr, state.sp - sizeof(long), callee);
			/* The kernel's search of the instances went to the end. */
			if (!addr && real)
				st_unwind_kr_restart(&state);
			addr = real;
			state.ip = addr;
		}
		if (!addr)
			break;
		callee = addr;
		st_emit(&e, addr);
		if (state.regs && state.ip == state.regs->ip && st_x86_in_rth(state.ip))
			break;
	}
	/*
	 * Stopped at an interrupted thunk, or in return_to_handler: go on
	 * from the caller, as from registers trapped in the call instruction
	 * (ORC of the call, not of what follows it).
	 */
	slot = e.nr < max ? st_x86_resume_slot(&state, &addr, &bp) : 0;
resume:
	/* (From a tracer's code, the frames up to it are dropped.) */
	if (slot && e.nr < max && ++resumed <= ST_X86_RESUMES) {
		memset(&resume, 0, sizeof(resume));
		resume.ip = addr - 1;
		resume.sp = slot + sizeof(long);
		resume.bp = bp;
		resume.cs = __KERNEL_CS;
		resume.flags = X86_EFLAGS_FIXED;
		callee = addr;
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
	/*
	 * The common case from the ORC cache; the kernel's walk otherwise,
	 * and always from return_to_handler, where ORC misleads.
	 */
	if (st_x86_in_rth(regs->ip))
		return st_unwind_regs_kernel(regs, entries, max);
	return st_orc_unwind_regs(regs, entries, max) ?:
	       st_unwind_regs_kernel(regs, entries, max);
}
NOKPROBE_SYMBOL(st_unwind_regs);
