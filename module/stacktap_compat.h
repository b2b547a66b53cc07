/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference stacktap depends on, in one place.
 * stacktap is tested on 6.1 and written for 4.9 and later.
 */
#ifndef _STACKTAP_COMPAT_H
#define _STACKTAP_COMPAT_H

#include <linux/version.h>
#include <linux/uaccess.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 8, 0)
/* copy_from_kernel_nofault() was probe_kernel_read() before 5.8. */
#define copy_from_kernel_nofault(dst, src, size) probe_kernel_read(dst, src, size)
#endif

/*
 * One load from kernel memory that may fault, done inline: the walkers run
 * inside probe handlers and must call nothing a user can probe.  (A p:
 * probe on copy_from_kernel_nofault() re-entered the MIPS walker from its
 * own kprobe handler and hung the machine.)  Every arch has an inline
 * __get_kernel_nofault() since 5.18; before, the out-of-line copy.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 18, 0)
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
ST_DEFINE_READ_NOFAULT(st_read_u32_nofault, u32)
ST_DEFINE_READ_NOFAULT(st_read_ulong_nofault, unsigned long)

#if LINUX_VERSION_CODE < KERNEL_VERSION(4, 18, 0)
#define struct_size(p, member, n) \
	(sizeof(*(p)) + (size_t)(n) * sizeof(*(p)->member))
#else
#include <linux/overflow.h>
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(4, 16, 0)
#define DEFINE_SHOW_ATTRIBUTE(__name)					\
static int __name ## _open(struct inode *inode, struct file *file)	\
{									\
	return single_open(file, __name ## _show, inode->i_private);	\
}									\
static const struct file_operations __name ## _fops = {		\
	.owner		= THIS_MODULE,					\
	.open		= __name ## _open,				\
	.read		= seq_read,					\
	.llseek		= seq_lseek,					\
	.release	= single_release,				\
}
#endif

#ifdef CONFIG_ARM64
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 7, 0)
#include <asm/pointer_auth.h>
#define st_strip_pac(addr) ptrauth_strip_insn_pac(addr)
#else
/* No in-kernel pointer authentication before 5.7. */
#define st_strip_pac(addr) (addr)
#endif
#endif

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
 * post-handler, which leaves only the few instructions before the
 * pre-handler exposed.  Elsewhere handlers and single-step run with
 * interrupts off.
 */
#ifdef CONFIG_MIPS
#define ST_UNWIND_FTRACE_NOREGS	1
#define ST_KPROBE_HOLD_SOFTIRQ	1
/* stacktap_kprobe_mips.c: step over simple instructions without a break */
struct kprobe;
struct pt_regs;
bool st_kprobe_emulate(struct kprobe *kp, struct pt_regs *regs);
bool st_kprobe_arch_refuses(const char *symbol);
#else
#define ST_UNWIND_FTRACE_NOREGS	0
#define ST_KPROBE_HOLD_SOFTIRQ	0
static inline bool st_kprobe_emulate(struct kprobe *kp, struct pt_regs *regs)
{
	return false;
}

static inline bool st_kprobe_arch_refuses(const char *symbol)
{
	return false;
}
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

/*
 * ftrace callbacks: a struct ftrace_regs * since 5.11, a struct pt_regs *
 * before; the recursion helpers came with it (before them, stacktap's
 * per-CPU context guard in st_capture_enter() stops any recursion).
 */
#include <linux/ftrace.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 11, 0)
#define st_ftrace_regs ftrace_regs
#define st_ftrace_get_regs(fregs) ftrace_get_regs(fregs)
#else
#define st_ftrace_regs pt_regs
#define st_ftrace_get_regs(regs) (regs)
static inline int ftrace_test_recursion_trylock(unsigned long ip,
						unsigned long parent_ip)
{
	return 0;
}

static inline void ftrace_test_recursion_unlock(int bit)
{
}
#endif

/*
 * How many functions an ftrace_ops' filter holds.  ftrace keeps the count
 * in its private struct ftrace_hash (kernel/trace/trace.h), whose leading
 * fields are the same from 4.9 to 6.x.  Only for an ops not registered
 * yet, which nothing else can touch.
 */
#include <linux/rcupdate.h>
struct st_ftrace_hash_head {
	unsigned long size_bits;
	struct hlist_head *buckets;
	unsigned long count;
};

static inline unsigned long st_ftrace_filter_count(struct ftrace_ops *ops)
{
	const struct st_ftrace_hash_head *h;

	h = (const void *)rcu_dereference_protected(ops->func_hash->filter_hash, true);
	return h ? h->count : 0;
}

/* A kretprobe instance's kretprobe: through its holder since 5.11. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
#define get_kretprobe(ri) ((ri)->rp)
#endif

/*
 * The current task's pending kretprobe instances, innermost first, and the
 * real return address each one hid behind the trampoline.  6.1 keeps them
 * on a per-task llist unless kretprobes run on rethook.
 */
#include <linux/kprobes.h>
#include <linux/llist.h>
#if defined(CONFIG_KRETPROBES) && !defined(CONFIG_KRETPROBE_ON_RETHOOK) && \
	LINUX_VERSION_CODE >= KERNEL_VERSION(5, 11, 0)
static inline struct llist_node *st_kretprobe_pending(struct task_struct *task)
{
	return task->kretprobe_instances.first;
}

static inline unsigned long st_kretprobe_node_ret_addr(struct llist_node *node)
{
	return (unsigned long)container_of(node, struct kretprobe_instance, llist)->ret_addr;
}

static inline unsigned long st_kretprobe_node_fp(struct llist_node *node)
{
	return (unsigned long)container_of(node, struct kretprobe_instance, llist)->fp;
}
#else
/* Before 5.11 (a hash table) or on rethook: not walked, stacks stop there. */
static inline struct llist_node *st_kretprobe_pending(struct task_struct *task)
{
	return NULL;
}

static inline unsigned long st_kretprobe_node_ret_addr(struct llist_node *node)
{
	return 0;
}

static inline unsigned long st_kretprobe_node_fp(struct llist_node *node)
{
	return 0;
}
#endif

/*
 * The function graph tracer's return stack of a task: entries 0..top,
 * each the real return address of a function whose own return address
 * now reads return_to_handler.  6.8 reworked it; not walked there.
 */
#if defined(CONFIG_FUNCTION_GRAPH_TRACER) && LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
static inline int st_graph_top(struct task_struct *task)
{
	return task->ret_stack ? task->curr_ret_stack : -1;
}

static inline void st_graph_entry(struct task_struct *task, int i,
				  unsigned long *func, unsigned long *ret)
{
	*func = task->ret_stack[i].func;
	*ret = task->ret_stack[i].ret;
}

/* Where the hooked return address was, on arches that record it (arm64). */
static inline unsigned long st_graph_retp(struct task_struct *task, int i)
{
#ifdef HAVE_FUNCTION_GRAPH_RET_ADDR_PTR
	return (unsigned long)task->ret_stack[i].retp;
#else
	return 0;
#endif
}
#else
static inline int st_graph_top(struct task_struct *task)
{
	return -1;
}

static inline void st_graph_entry(struct task_struct *task, int i,
				  unsigned long *func, unsigned long *ret)
{
	*func = 0;
	*ret = 0;
}

static inline unsigned long st_graph_retp(struct task_struct *task, int i)
{
	return 0;
}
#endif

#include <linux/rcupdate.h>

/*
 * Wait until every hit in flight has left the hit path, which runs with
 * preemption disabled.  RCU flavours were consolidated in 4.20; before,
 * only the sched flavour waits for preempt-disabled regions.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(4, 20, 0)
#define st_synchronize_hits() synchronize_rcu()
#else
#define st_synchronize_hits() synchronize_sched()
#endif

#endif /* _STACKTAP_COMPAT_H */
