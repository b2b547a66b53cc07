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
 * The walk reads user memory with inline accesses that fail rather than
 * fault, and calls nothing a user can probe.  It is bounded: depth=
 * frames, each record above the one before and inside the task's stack
 * pointer's side of memory.  Code built without frame pointers ends it
 * early, or gives garbage the reader sees as such; perf's and bpftrace's
 * frame-pointer user stacks share the limit.
 */
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/uaccess.h>
#include <asm/ptrace.h>

#include "stacktap.h"

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
	if (!spec->ustack || ST_USER_FP_RECORDS)
		return 0;
	*why = "ustack=fp: this arch's user code keeps no frame records to walk";
	return -EOPNOTSUPP;
}

/*
 * The user stack at @regs, a task's user registers, into @out, at most
 * @max words: ST_FRAME_USER, @pc, then as @at says the caller, then the
 * return addresses of the frame records.
 */
notrace unsigned int st_unwind_user_regs(struct pt_regs *regs, enum st_user_at at,
					 unsigned long pc, unsigned long *out, unsigned int max)
{
	unsigned long fp, sp, ret;
	struct st_user_frame f;
	unsigned int n = 0;
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
 * ustack=fp at a kernel hit: the user stack of the task it runs for, as
 * it entered the kernel.  0 when the task has no user side (a kernel
 * thread, or one past exit_mm()), or the arch keeps no records.
 */
notrace unsigned int st_unwind_user(unsigned long *out, unsigned int max)
{
	struct pt_regs *regs;

	if (!ST_USER_FP_RECORDS || !current->mm || (current->flags & PF_KTHREAD))
		return 0;
	regs = task_pt_regs(current);
	/* io_uring and other user workers: user mode, but no user sp or pc. */
	if (!user_mode(regs) || !user_stack_pointer(regs))
		return 0;
	return st_unwind_user_regs(regs, ST_USER_AT_PC, instruction_pointer(regs), out, max);
}
NOKPROBE_SYMBOL(st_unwind_user);
