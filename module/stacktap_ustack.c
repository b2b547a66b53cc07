// SPDX-License-Identifier: GPL-2.0
/*
 * The user stack of the task a hit runs for (ustack=fp): where it was in
 * user space when it entered the kernel, then the return addresses its
 * frame records chain together.  x86_64 and arm64 code built with frame
 * pointers keeps a record {caller's frame pointer, return address} where
 * the frame pointer points; MIPS code keeps none, and the option is
 * refused there (st_ustack_check()).
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

#if defined(CONFIG_X86_64) || defined(CONFIG_ARM64)

struct st_user_frame {
	unsigned long fp;
	unsigned long ret;
};

/* One frame record, pagefaults disabled by the caller. */
static __always_inline bool st_user_frame_read(struct st_user_frame *f, unsigned long fp)
{
	const struct st_user_frame __user *u = (const struct st_user_frame __user *)fp;

	if (!user_access_begin(u, sizeof(*u)))
		return false;
	unsafe_get_user(f->fp, &u->fp, fault);
	unsafe_get_user(f->ret, &u->ret, fault);
	user_access_end();
	return true;
fault:
	user_access_end();
	return false;
}

int st_ustack_check(const struct st_spec *spec, const char **why)
{
	return 0;
}

/*
 * Into @out, at most @max words: ST_FRAME_USER, the user pc, then the
 * return addresses of the frame records.  0 when the hit's task has no
 * user side (a kernel thread, or one past exit_mm()).
 */
notrace unsigned int st_unwind_user(unsigned long *out, unsigned int max)
{
	struct st_user_frame f;
	unsigned long fp, sp;
	struct pt_regs *regs;
	unsigned int n = 0;

	if (max < 2 || !current->mm || (current->flags & PF_KTHREAD))
		return 0;
	regs = task_pt_regs(current);
	if (!user_mode(regs))
		return 0;
	out[n++] = ST_FRAME_USER;
	out[n++] = instruction_pointer(regs);
	/* A 32-bit task's records are 32-bit: its pc alone. */
	if (st_user_compat(regs) || (ST_USER_NMI_UNSAFE && st_context() == 3))
		return n;
	fp = frame_pointer(regs);
	sp = user_stack_pointer(regs);
	pagefault_disable();
	while (n < max) {
		if (fp < sp || (fp & (sizeof(long) - 1)) || !st_user_frame_read(&f, fp))
			break;
		f.ret = st_user_strip_pac(f.ret);
		/* _start's record, or not a record at all. */
		if (f.ret < PAGE_SIZE)
			break;
		out[n++] = f.ret;
		if (f.fp <= fp)
			break;
		fp = f.fp;
	}
	pagefault_enable();
	return n;
}
NOKPROBE_SYMBOL(st_unwind_user);

#else

int st_ustack_check(const struct st_spec *spec, const char **why)
{
	if (!spec->ustack)
		return 0;
	*why = "ustack=fp: this arch's user code keeps no frame records to walk";
	return -EOPNOTSUPP;
}

notrace unsigned int st_unwind_user(unsigned long *out, unsigned int max)
{
	return 0;
}
NOKPROBE_SYMBOL(st_unwind_user);

#endif
