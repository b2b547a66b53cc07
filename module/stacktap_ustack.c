// SPDX-License-Identifier: GPL-2.0
/*
 * The user stack of the task a hit runs for (ustack=fp), or at a u:
 * probe's hit: where it was in user space, then the return addresses its
 * frame records chain together.  x86_64 and arm64 code built with frame
 * pointers keeps a record {caller's frame pointer, return address} where
 * the frame pointer points; MIPS code keeps none, and ustack=fp is
 * refused there (st_ustack_check()).  At a function's first instruction
 * (a u: probe on SYMBOL) the caller is exact on every arch, frame
 * pointers or none: x86_64 has its return address at sp, arm64 and MIPS
 * in a register.
 *
 * ustack=copy takes the user registers and the top of the user stack
 * instead, for stacktapctl to unwind later with the binaries' .eh_frame:
 * perf's --call-graph dwarf, for code built without frame pointers and
 * for MIPS.
 *
 * The walk reads user memory with inline accesses that fail rather than
 * fault, and calls nothing a user can probe.  It is bounded: depth=
 * frames, each record above the one before and inside the task's stack
 * pointer's side of memory.  Code built without frame pointers ends it
 * early, or gives garbage the reader sees as such; perf's and bpftrace's
 * frame-pointer user stacks share the limit.
 */
#include <linux/elf-em.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/uaccess.h>
#include <asm/ptrace.h>

#include "stacktap.h"
#include "stacktap_ring.h"

struct st_user_frame {
	unsigned long fp;
	unsigned long ret;
};

/* One user word, pagefaults disabled by the caller. */
static __always_inline bool st_user_word_read(unsigned long *v, unsigned long addr)
{
	const unsigned long __user *u = (const unsigned long __user *)addr;

	if (!user_access_begin(u, sizeof(*u)))
		return false;
	unsafe_get_user(*v, u, fault);
	user_access_end();
	return true;
fault:
	user_access_end();
	return false;
}

/* One frame record, pagefaults disabled by the caller. */
static __always_inline bool st_user_frame_read(struct st_user_frame *f, unsigned long fp)
{
	return !(fp & (sizeof(long) - 1)) && st_user_word_read(&f->fp, fp) &&
	       st_user_word_read(&f->ret, fp + sizeof(long));
}

/*
 * What may be a user return address: not NULL's page, nor beyond user
 * space (which also keeps ST_FRAME_USER out of the user part).
 */
static __always_inline bool st_user_text(unsigned long addr)
{
	return addr >= PAGE_SIZE && access_ok((const void __user *)addr, 1);
}

/* Where the innermost frame record is: none kept on MIPS. */
static __always_inline unsigned long st_user_fp(struct pt_regs *regs)
{
#if ST_USER_FP_RECORDS
	return frame_pointer(regs);
#else
	return 0;
#endif
}

/* The caller's return address at a function's first instruction. */
static __always_inline bool st_user_entry_ret(struct pt_regs *regs, unsigned long *ret)
{
#if defined(CONFIG_X86_64)
	return st_user_word_read(ret, regs->sp);
#elif defined(CONFIG_ARM64)
	*ret = st_user_strip_pac(regs->regs[30]);
	return true;
#elif defined(CONFIG_MIPS)
	*ret = regs->regs[31];
	return true;
#else
	return false;
#endif
}

int st_ustack_check(const struct st_spec *spec, const char **why)
{
	if (spec->ustack == ST_USTACK_FP && !ST_USER_FP_RECORDS) {
		*why = "ustack=fp: this arch's user code keeps no frame records to walk (ustack=copy unwinds without them)";
		return -EOPNOTSUPP;
	}
	/* A record at its largest must fit a ring twice, as depth= must. */
	if (spec->ustack == ST_USTACK_COPY &&
	    2 * st_record_size(STACKTAP_FRAMES_MAX, STACKTAP_SPEC_MAX, true, ST_ARGS_BYTES_MAX,
			       st_ucopy_max(spec)) > st_ring_size()) {
		*why = "ustack=copy,SIZE: a record must fit the buffer twice: lower SIZE or load with a larger buffer_kb=";
		return -ERANGE;
	}
	return 0;
}

/* Returns uprobes holds for a ur: (its trampoline in their place) put back. */
#define ST_URET_FP_MAX	8

/*
 * The user stack at @regs, a task's user registers, into @out, at most
 * @max words: ST_FRAME_USER, @pc, then as @at says the caller, then the
 * return addresses of the frame records.  The record of a function with
 * a ur: on it, not yet returned, holds uprobes' trampoline, which starts
 * its page: it gives the address uprobes kept instead, that of the
 * pending call whose entry sp (uprobes notes it) lies above the record
 * and at or below the next.
 */
notrace unsigned int st_unwind_user_regs(struct pt_regs *regs, enum st_user_at at,
					 unsigned long pc, unsigned long *out, unsigned int max)
{
	unsigned long fp, sp, ret, next, uret_sp[ST_URET_FP_MAX];
	unsigned int n = 0, nuret = 0, k = 0;
	u64 uret[ST_URET_FP_MAX];
	bool uret_read = false;
	struct st_user_frame f;
	st_uaccess_t fs;

	if (max < 2)
		return 0;
	out[n++] = ST_FRAME_USER;
	out[n++] = pc;
	/* A 32-bit task's records are 32-bit: its pc alone. */
	if (st_user_compat(regs) || (ST_USER_NMI_UNSAFE && st_context() == 3))
		return n;
	pagefault_disable();
	fs = st_uaccess_begin();
	if (at == ST_USER_AT_ENTRY && n < max && st_user_entry_ret(regs, &ret) &&
	    st_user_text(ret))
		out[n++] = ret;
	/* Just returned: the pc is where, in the caller. */
	if (at == ST_USER_AT_RETURN && n < max && st_user_text(instruction_pointer(regs)))
		out[n++] = instruction_pointer(regs);
	fp = st_user_fp(regs);
	sp = user_stack_pointer(regs);
	while (ST_USER_FP_RECORDS && n < max) {
		if (fp < sp || !st_user_frame_read(&f, fp))
			break;
		f.ret = st_user_strip_pac(f.ret);
		/* _start's record, or not a record at all. */
		if (!st_user_text(f.ret))
			break;
		if (!offset_in_page(f.ret)) {
			if (!uret_read) {
				nuret = st_uret_pending(regs, uret, uret_sp, ST_URET_FP_MAX);
				uret_read = true;
			}
			next = f.fp > fp ? f.fp : ULONG_MAX;
			while (k < nuret && uret_sp[k] <= fp)
				k++;
			if (k < nuret && uret_sp[k] <= next && st_user_text(uret[k]))
				f.ret = uret[k++];
		}
		out[n++] = f.ret;
		if (f.fp <= fp)
			break;
		fp = f.fp;
	}
	st_uaccess_end(fs);
	pagefault_enable();
	return n;
}
NOKPROBE_SYMBOL(st_unwind_user_regs);

/*
 * The user registers of the task a kernel hit runs for, as it entered
 * the kernel; NULL when it has no user side (a kernel thread, or one
 * past exit_mm()).
 */
static __always_inline struct pt_regs *st_user_regs_current(void)
{
	struct pt_regs *regs;

	if (!current->mm || (current->flags & PF_KTHREAD))
		return NULL;
	regs = task_pt_regs(current);
	/* io_uring and other user workers: user mode, but no user sp or pc. */
	if (!user_mode(regs) || !user_stack_pointer(regs))
		return NULL;
	return regs;
}

/*
 * ustack= at a kernel hit: the user stack of the task it runs for, as it
 * entered the kernel (with @max 2, the marker and its pc alone).  0 when
 * the task has no user side.
 */
notrace unsigned int st_unwind_user(unsigned long *out, unsigned int max)
{
	struct pt_regs *regs = st_user_regs_current();

	if (!regs)
		return 0;
	return st_unwind_user_regs(regs, ST_USER_AT_PC, instruction_pointer(regs), out, max);
}
NOKPROBE_SYMBOL(st_unwind_user);

/* @regs' general registers in DWARF's numbering for this arch; how many. */
static __always_inline unsigned int st_ucopy_regs(struct pt_regs *regs, u64 *out)
{
	unsigned int i = 0;

#if defined(CONFIG_X86_64)
	out[i++] = regs->ax;
	out[i++] = regs->dx;
	out[i++] = regs->cx;
	out[i++] = regs->bx;
	out[i++] = regs->si;
	out[i++] = regs->di;
	out[i++] = regs->bp;
	out[i++] = regs->sp;
	out[i++] = regs->r8;
	out[i++] = regs->r9;
	out[i++] = regs->r10;
	out[i++] = regs->r11;
	out[i++] = regs->r12;
	out[i++] = regs->r13;
	out[i++] = regs->r14;
	out[i++] = regs->r15;
	out[i++] = regs->ip;
#elif defined(CONFIG_ARM64)
	for (; i < 31; i++)
		out[i] = regs->regs[i];
	out[i++] = regs->sp;
#elif defined(CONFIG_MIPS)
	/*
	 * A syscall saves $16..$23 and $30 only where it needs them
	 * (SAVE_STATIC): a kernel hit's may be stale, a u: hit's are not.
	 * Code that keeps its frame in $sp unwinds either way.
	 */
	for (; i < 32; i++)
		out[i] = regs->regs[i];
#endif
	return i;
}

#if defined(CONFIG_X86_64)
#define ST_UCOPY_MACHINE	EM_X86_64
#elif defined(CONFIG_ARM64)
#define ST_UCOPY_MACHINE	EM_AARCH64
#else
#define ST_UCOPY_MACHINE	EM_MIPS
#endif

/*
 * ustack=copy: the user registers @regs (NULL: the task's as it entered
 * the kernel) and up to @size bytes of its stack from sp up, into @u,
 * which has room for them (st_ucopy_max()).  Returns the bytes of @u
 * used, a multiple of 8; 0, with nothing written, when there is no user
 * side to copy.  The bytes past them read as zero, as the ring needs of
 * a record it trims.
 */
notrace unsigned int st_ucopy_take(struct pt_regs *regs, struct stacktap_ucopy *u,
				   unsigned int size)
{
	unsigned long sp, left, i, end, used, head;
	st_uaccess_t fs;
	u8 *dst;

	if (!regs)
		regs = st_user_regs_current();
	if (!regs || st_user_compat(regs) || (ST_USER_NMI_UNSAFE && st_context() == 3))
		return 0;
	sp = user_stack_pointer(regs);
	u->machine = ST_UCOPY_MACHINE;
	u->nregs = st_ucopy_regs(regs, u->regs);
	u->nuret = st_uret_pending(regs, &u->regs[u->nregs], NULL, STACKTAP_UCOPY_URET_MAX);
	u->pc = instruction_pointer(regs);
	u->sp = sp;
	head = sizeof(*u) + (u->nregs + u->nuret) * sizeof(u64);
	dst = (u8 *)u + head;
	pagefault_disable();
	fs = st_uaccess_begin();
	/* Where user space ends short of @size (no ASLR, near the top): less. */
	while (size && !access_ok((const void __user *)sp, size))
		size = (size / 2) & ~7U;
	/*
	 * raw_copy_from_user(), not __copy_from_user_inatomic(): hardened
	 * usercopy's check of a vmalloc'd destination (the ring) takes a
	 * lock a hit may have interrupted (as x86's copy_from_user_nmi()).
	 */
	left = size ? raw_copy_from_user(dst, (const void __user *)sp, size) : 0;
	st_uaccess_end(fs);
	pagefault_enable();
	u->size = size - left;
	used = ALIGN(head + u->size, 8);
	/*
	 * Cut short where the stack's mapping ends: an arch's copy may have
	 * stored bytes past the count it returns.  Zero them again.
	 */
	end = ALIGN(head + size, 8);
	for (i = used; left && i < end; i += sizeof(u64))
		WRITE_ONCE(*(u64 *)((u8 *)u + i), 0);
	return used;
}
NOKPROBE_SYMBOL(st_ucopy_take);
