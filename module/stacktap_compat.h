/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference stacktap depends on, in one place: API
 * renames here, and one wrapper per kernel API whose private state
 * stacktap reads (wrapper/).  CI builds and tests 5.10, 6.1, 6.12 and 7.2
 * (README.md); the floor is 5.10, which older kernels do not build for.
 */
#ifndef _STACKTAP_COMPAT_H
#define _STACKTAP_COMPAT_H

#include <linux/version.h>
#include <linux/uaccess.h>

/*
 * One load from kernel memory that may fault, done inline: the walkers run
 * inside probe handlers and must call nothing a user can probe.  (A p:
 * probe on copy_from_kernel_nofault() re-entered the MIPS walker from its
 * own kprobe handler and hung the machine.)  Every arch has an inline
 * __get_kernel_nofault() since 5.18, x86 already in 5.10
 * (HAVE_GET_KERNEL_NOFAULT); elsewhere before, the out-of-line copy.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 18, 0) || defined(HAVE_GET_KERNEL_NOFAULT)
#define ST_DEFINE_READ_NOFAULT(name, type)				\
static __always_inline bool name(type *dst, const void *src)		\
{									\
	pagefault_disable();						\
	__get_kernel_nofault(dst, src, type, fault);			\
	pagefault_enable();						\
	return true;							\
fault:									\
	pagefault_enable();						\
	return false;							\
}
#else
#define ST_DEFINE_READ_NOFAULT(name, type)				\
static __always_inline bool name(type *dst, const void *src)		\
{									\
	return !copy_from_kernel_nofault(dst, src, sizeof(type));	\
}
#endif
ST_DEFINE_READ_NOFAULT(st_read_u8_nofault, u8)
ST_DEFINE_READ_NOFAULT(st_read_u32_nofault, u32)
ST_DEFINE_READ_NOFAULT(st_read_ulong_nofault, unsigned long)

#include <linux/overflow.h>

/* panic_notifier_list left kernel.h for a header of its own in 5.14. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 14, 0)
#include <linux/panic_notifier.h>
#endif

/* get_unaligned() and put_unaligned() moved out of asm/ in 6.12. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * A file that cannot seek: no_llseek() went in 6.12; since 6.0 a missing
 * ->llseek clears FMODE_LSEEK and lseek() fails with ESPIPE alike.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define st_no_llseek NULL
#else
#define st_no_llseek no_llseek
#endif

/*
 * User reads at a hit (stacktap_ustack.c), on 5.10 where an arch still
 * has set_fs() (arm64, MIPS): a task inside set_fs(KERNEL_DS) would have
 * access_ok() and the unprivileged loads take kernel addresses: user
 * space only, as get_perf_callchain() does.
 */
#if defined(CONFIG_SET_FS)
typedef mm_segment_t st_uaccess_t;
#define st_uaccess_begin()	force_uaccess_begin()
#define st_uaccess_end(old)	force_uaccess_end(old)
#endif

#ifdef CONFIG_ARM64
#include <asm/pointer_auth.h>
/* 6.4 split the stripping of kernel and user return addresses. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define st_strip_pac(addr) ptrauth_strip_kernel_insn_pac(addr)
#define st_user_strip_pac(addr) ptrauth_strip_user_insn_pac(addr)
#else
#define st_strip_pac(addr) ptrauth_strip_insn_pac(addr)
#define st_user_strip_pac(addr) ptrauth_strip_insn_pac(addr)
#endif
/* ustack=fp (stacktap_ustack.c): an AArch32 task's stack is not walked. */
#define st_user_compat(regs) compat_user_mode(regs)
#define ST_USER_NMI_UNSAFE	0
#endif

#ifdef CONFIG_MIPS
/* u: probes (stacktap_ustack.c): no frame records, ra at an entry. */
#define st_user_strip_pac(addr) (addr)
#define st_user_compat(regs) 0
#define ST_USER_NMI_UNSAFE	0
#endif

#ifdef CONFIG_X86_64
#define st_user_strip_pac(addr) (addr)
#define st_user_compat(regs) (!user_64bit_mode(regs))
/*
 * In a real NMI the loaded page tables may not be current's yet
 * (nmi_uaccess_okay(), which is not inline): no user reads there.
 */
#define ST_USER_NMI_UNSAFE	1
#endif

/*
 * Whether the opener may see kernel addresses, as kallsyms decides:
 * has_capability_noaudit() is not exported before 6.1.
 */
#include <linux/capability.h>
#include <linux/user_namespace.h>
static inline bool st_capable_syslog(void)
{
	return ns_capable_noaudit(&init_user_ns, CAP_SYSLOG);
}

#include <linux/module.h>
#include <linux/preempt.h>

/*
 * MIPS takes kprobe breaks with interrupts on (genex.S: "bp ... sti").  An
 * interrupt between a probe's break and its single-step break can run RCU
 * callbacks on exit; delayed_put_task_struct() -> kprobe_flush_task() ->
 * kprobe_busy_end() then clears current_kprobe under the live probe, and
 * the single-step break oopses ("Break instruction in kernel code").  So
 * on MIPS a p: probe emulates its instruction where it can and skips the
 * single-step; otherwise softirqs are held off from the pre-handler to the
 * post-handler.  That leaves the instructions before the pre-handler, and
 * the handlers of other kprobes on the same address, exposed: a
 * single-step break kprobes no longer claim is finished by stacktap's die
 * notifier for its own probes' slots (st_kprobe_expect_step()).
 * Elsewhere handlers and single-step run with interrupts off.
 */
#ifdef CONFIG_MIPS
#define ST_UNWIND_FTRACE_NOREGS	1
#define ST_KPROBE_HOLD_SOFTIRQ	1
/* stacktap_kprobe_mips.c: step over simple instructions without a break */
struct kprobe;
struct pt_regs;
bool st_kprobe_emulate(struct kprobe *kp, struct pt_regs *regs);
const char *st_kprobe_arch_refuses(const char *symbol, unsigned long offset);
void st_kprobe_expect_step(struct kprobe *kp, struct pt_regs *regs);
void st_kprobe_step_done(void);
unsigned long st_kprobe_step_slot(struct kprobe *kp);
void st_kprobe_forget_steps(unsigned long slot);
unsigned long st_kprobe_steps_recovered(void);
unsigned long st_kprobe_steps_faulted(void);
int st_kprobe_arch_init(void);
void st_kprobe_arch_exit(void);
int st_kprobe_note_insn(const struct kprobe *kp);
void st_kprobe_forget_insn(const struct kprobe *kp);
bool st_kprobe_orig_insn(unsigned long addr, u32 *insn);
void st_unwind_code_changed(void);
/*
 * r: where kprobes cannot sit (an entry that is an ftrace call site):
 * its return taken through ftrace_caller's frame (stacktap_fret_mips.c).
 */
#include "stacktap_fret.h"
#define ST_HAVE_FRET		IS_ENABLED(CONFIG_DYNAMIC_FTRACE)
/* Where F's return address sits while ftrace_caller runs (stacktap_unwind_mips.c). */
bool st_unwind_ftrace_ret_slots(unsigned long ip, unsigned long parent_ip,
				unsigned long **at, unsigned long **ra);
#else
#define ST_HAVE_FRET		0
struct st_probe_kind;
extern const struct st_probe_kind st_fret_kind;	/* referenced only if ST_HAVE_FRET */
static inline void st_fret_exit(void) {}
#define ST_UNWIND_FTRACE_NOREGS	0
#define ST_KPROBE_HOLD_SOFTIRQ	0
static inline bool st_kprobe_emulate(struct kprobe *kp, struct pt_regs *regs)
{
	return false;
}

#ifdef CONFIG_X86_64
/* stacktap_kprobe_x86.c: why a kprobe must not go there, or NULL */
const char *st_kprobe_arch_refuses(const char *symbol, unsigned long offset);
#else
static inline const char *st_kprobe_arch_refuses(const char *symbol, unsigned long offset)
{
	return NULL;
}
#endif

static inline void st_kprobe_expect_step(struct kprobe *kp, struct pt_regs *regs) {}
static inline void st_kprobe_step_done(void) {}
static inline unsigned long st_kprobe_step_slot(struct kprobe *kp)
{
	return 0;
}

static inline void st_kprobe_forget_steps(unsigned long slot) {}
static inline unsigned long st_kprobe_steps_recovered(void)
{
	return 0;
}

static inline unsigned long st_kprobe_steps_faulted(void)
{
	return 0;
}

static inline int st_kprobe_arch_init(void)
{
	return 0;
}

static inline void st_kprobe_arch_exit(void) {}
static inline int st_kprobe_note_insn(const struct kprobe *kp)
{
	return 0;
}

static inline void st_kprobe_forget_insn(const struct kprobe *kp) {}
#endif

/*
 * x86 takes int3 as an NMI (exc_int3 -> irqentry_nmi_enter), so in_nmi()
 * holds in every int3 kprobe's handler; the hit's context is the one the
 * trap interrupted, one NMI and hardirq level down (st_context()).  arm64
 * and MIPS take their breaks without entering NMI.
 */
#ifdef CONFIG_X86
#define ST_TRAP_ENTERS_NMI	1
#else
#define ST_TRAP_ENTERS_NMI	0
#endif

/* Where an instruction may start: fixed-width ISAs have 4-byte words. */
#if defined(CONFIG_MIPS) || defined(CONFIG_ARM64)
#define ST_INSN_ALIGN		4
#else
#define ST_INSN_ALIGN		1
#endif

/* Where a module's __init text lives until do_init_module() frees it. */
static inline void st_module_init_text(const struct module *mod,
				       unsigned long *base, unsigned long *size)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	*base = (unsigned long)mod->mem[MOD_INIT_TEXT].base;
	*size = mod->mem[MOD_INIT_TEXT].size;
#else
	*base = (unsigned long)mod->init_layout.base;
	*size = mod->init_layout.text_size;
#endif
}

/* A module's core (non-init) text, where frames of a live module lie. */
static inline void st_module_core_text(const struct module *mod,
				       unsigned long *base, unsigned long *size)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	*base = (unsigned long)mod->mem[MOD_TEXT].base;
	*size = mod->mem[MOD_TEXT].size;
#else
	*base = (unsigned long)mod->core_layout.base;
	*size = mod->core_layout.text_size;
#endif
}

#include "wrapper/ftrace.h"

/* A kretprobe instance's kretprobe: through its holder since 5.11. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
#define get_kretprobe(ri) ((ri)->rp)
#endif

#include "wrapper/kretprobe.h"
#include "wrapper/fgraph.h"

#include <linux/rcupdate.h>

/*
 * Wait until every hit in flight has left the hit path, which runs with
 * preemption disabled (RCU's flavours are one since 4.20).
 */
#define st_synchronize_hits() synchronize_rcu()

/*
 * Wait until no task is in code it may run with preemption enabled, as
 * ftrace waits before it frees a trampoline: a voluntary switch of every
 * task (Tasks RCU, where preemption could stop one there); else a
 * context switch on every CPU will do.
 */
#ifdef CONFIG_TASKS_RCU
#define st_sync_trampolines() synchronize_rcu_tasks()
#else
#define st_sync_trampolines() synchronize_rcu()
#endif

#ifndef st_uaccess_begin
typedef int st_uaccess_t;
#define st_uaccess_begin()	0
#define st_uaccess_end(old)	((void)(old))
#endif

/*
 * uprobes (stacktap_uprobe.c), public API in three shapes: up to 6.11
 * registered and unregistered by inode and offset; 6.12 returns the
 * uprobe to unregister by, in two steps (nosync, then one sync); 6.13
 * gives handlers a session cookie (CI tests 6.12 without, 7.2 with).
 */
#include <linux/path.h>
#include <linux/uprobes.h>

struct st_uprobe {
	struct uprobe_consumer uc;
	struct path path;		/* the binary's, held while registered */
	struct inode *inode;		/* d_real_inode() of it */
	loff_t offset;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	struct uprobe *uprobe;
#endif
};

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define ST_UPROBE_HANDLER_ARGS	struct uprobe_consumer *uc, struct pt_regs *regs, __u64 *data
#define ST_URETPROBE_HANDLER_ARGS \
	struct uprobe_consumer *uc, unsigned long func, struct pt_regs *regs, __u64 *data
#else
#define ST_UPROBE_HANDLER_ARGS	struct uprobe_consumer *uc, struct pt_regs *regs
#define ST_URETPROBE_HANDLER_ARGS \
	struct uprobe_consumer *uc, unsigned long func, struct pt_regs *regs
#endif

/* Whether uprobes hook no more returns of this task (MAX_URETPROBE_DEPTH). */
#ifdef CONFIG_UPROBES
static inline bool st_uretprobe_too_deep(void)
{
	return current->utask && current->utask->depth >= MAX_URETPROBE_DEPTH;
}
#else
static inline bool st_uretprobe_too_deep(void)
{
	return false;
}
#endif

/*
 * The return addresses uprobes replaced with their trampoline in
 * current's user stack, innermost first, those of calls that have not
 * returned at @regs (a ur: hit may see its own still listed), into @out;
 * into @stack_out (unless NULL) the user sp at each call's entry.  A
 * chained instance shares its slot with the next.  uprobes keeps no lock
 * for readers and, before 6.12, frees instances (and the utask, at exit
 * and exec) before unlinking them: each field is read nofault and inline
 * (st_read_ulong_nofault()), so a walk that meets freed memory reads
 * stale values or stops, and never faults.  At worst a stale address is
 * put in a trampoline's place.
 */
#ifdef CONFIG_UPROBES
static __always_inline unsigned int st_uret_pending(struct pt_regs *regs, u64 *out,
						    unsigned long *stack_out, unsigned int max)
{
	unsigned long sp = user_stack_pointer(regs), stack, orig, next;
	struct return_instance *ri;
	struct uprobe_task *utask;
	unsigned int n = 0, steps;
	u8 chained;

	utask = READ_ONCE(current->utask);
	if (!utask || !st_read_ulong_nofault(&next, &utask->return_instances))
		return 0;
	for (steps = 0; next && n < max && steps < 4 * max; steps++) {
		ri = (struct return_instance *)next;
		if (!st_read_u8_nofault(&chained, &ri->chained) ||
		    !st_read_ulong_nofault(&stack, &ri->stack) ||
		    !st_read_ulong_nofault(&orig, &ri->orig_ret_vaddr))
			break;
		/* Returned: sp above its entry's, or (arm64, MIPS) back at it, at its pc. */
		if (!chained && sp <= stack && !(sp == stack && orig == instruction_pointer(regs))) {
			if (stack_out)
				stack_out[n] = stack;
			out[n++] = orig;
		}
		if (!st_read_ulong_nofault(&next, &ri->next))
			break;
	}
	return n;
}
#else
static __always_inline unsigned int st_uret_pending(struct pt_regs *regs, u64 *out,
						    unsigned long *stack_out, unsigned int max)
{
	return 0;
}
#endif

/* What a return pops off the user stack: x86_64's return address. */
#ifdef CONFIG_X86_64
#define ST_USER_RET_POP(regs)	(st_user_compat(regs) ? 4 : 8)
#else
#define ST_USER_RET_POP(regs)	0
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
static inline int st_uprobe_register(struct st_uprobe *u)
{
	u->uprobe = uprobe_register(u->inode, u->offset, 0, &u->uc);
	return PTR_ERR_OR_ZERO(u->uprobe);
}

static inline void st_uprobe_unregister(struct st_uprobe *u)
{
	uprobe_unregister_nosync(u->uprobe, &u->uc);
	uprobe_unregister_sync();
}
#else
static inline int st_uprobe_register(struct st_uprobe *u)
{
	return uprobe_register(u->inode, u->offset, &u->uc);
}

static inline void st_uprobe_unregister(struct st_uprobe *u)
{
	uprobe_unregister(u->inode, u->offset, &u->uc);
}
#endif

/* A process's mappings (stacktap_maps.c): a maple tree since 6.1, a list before. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0)
#define ST_VMA_ITER(name, mm)		VMA_ITERATOR(name, mm, 0)
#define st_for_each_vma(name, vma)	for_each_vma(name, vma)
#else
#define ST_VMA_ITER(name, mm)		struct mm_struct *name = (mm)
#define st_for_each_vma(name, vma)	for ((vma) = (name)->mmap; (vma); (vma) = (vma)->vm_next)
#endif

#endif /* _STACKTAP_COMPAT_H */
