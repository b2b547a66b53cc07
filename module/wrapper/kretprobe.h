/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The current task's pending kretprobe instances, innermost first: the
 * real return address each hid behind the trampoline (ret_addr) and the
 * frame it was taken in (fp).  Private state: kretprobe_find_ret_addr()
 * is not exported.
 *
 *   5.10        kprobes' own hash table, kretprobe_inst_table, whose
 *               buckets several tasks share (found at load by
 *               st_kretprobe_wrapper_init(), wrapper/kretprobe.c);
 *               walked without its lock, so every load may fault and the
 *               walk is bounded
 *   5.11 on     the task's kretprobe_instances list
 *   rethook     (x86_64 since 5.19) not walked: the kernel's own unwinder
 *               recovers the real return addresses
 *
 * ri->fp is the frame record (arm64, x29 at entry) or the return address'
 * slot (x86_64) the arch's unwinder meets, except on arm64 before 5.15,
 * where it is sp at entry and instances are matched by order instead
 * (ST_KRETPROBE_BY_ORDER).
 */
#ifndef _STACKTAP_WRAPPER_KRETPROBE_H
#define _STACKTAP_WRAPPER_KRETPROBE_H

#include <linux/hash.h>
#include <linux/kprobes.h>
#include <linux/llist.h>
#include <linux/sched.h>
#include <linux/version.h>

struct st_kretprobe_iter {
	unsigned long node;
	unsigned long ri;	/* the instance st_kretprobe_next() gave last */
	unsigned int left;	/* 5.10: nodes the walk may still visit */
};

#if defined(CONFIG_ARM64) && LINUX_VERSION_CODE < KERNEL_VERSION(5, 15, 0)
#define ST_KRETPROBE_BY_ORDER	1
#else
#define ST_KRETPROBE_BY_ORDER	0
#endif

#if defined(CONFIG_KRETPROBES) && LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
/* kernel/kprobes.c: 1 << KPROBE_HASH_BITS buckets, hashed by task. */
#define ST_KPROBE_HASH_BITS	6
#define ST_KRETPROBE_WALK_MAX	64

extern struct hlist_head *st_kretprobe_inst_table;
void st_kretprobe_wrapper_init(void);

static __always_inline void st_kretprobe_first(struct st_kretprobe_iter *it)
{
	struct hlist_head *head;

	it->node = 0;
	it->left = ST_KRETPROBE_WALK_MAX;
	if (!st_kretprobe_inst_table)
		return;
	head = &st_kretprobe_inst_table[hash_ptr(current, ST_KPROBE_HASH_BITS)];
	if (!st_read_ulong_nofault(&it->node, &head->first))
		it->node = 0;
}

static __always_inline bool st_kretprobe_next(struct st_kretprobe_iter *it,
					      unsigned long *ret_addr, unsigned long *fp)
{
	struct kretprobe_instance *ri;
	unsigned long task;

	while (it->node && it->left--) {
		ri = hlist_entry((struct hlist_node *)it->node, struct kretprobe_instance, hlist);
		if (!st_read_ulong_nofault(&task, &ri->task) ||
		    !st_read_ulong_nofault(ret_addr, &ri->ret_addr) ||
		    !st_read_ulong_nofault(fp, &ri->fp) ||
		    !st_read_ulong_nofault(&it->node, &ri->hlist.next))
			break;
		if (task == (unsigned long)current) {
			it->ri = (unsigned long)ri;
			return true;
		}
	}
	it->node = 0;
	return false;
}
#elif defined(CONFIG_KRETPROBES) && !defined(CONFIG_KRETPROBE_ON_RETHOOK)
static inline void st_kretprobe_wrapper_init(void)
{
}

static __always_inline void st_kretprobe_first(struct st_kretprobe_iter *it)
{
	it->node = (unsigned long)current->kretprobe_instances.first;
}

static __always_inline bool st_kretprobe_next(struct st_kretprobe_iter *it,
					      unsigned long *ret_addr, unsigned long *fp)
{
	struct kretprobe_instance *ri;

	if (!it->node)
		return false;
	ri = container_of((struct llist_node *)it->node, struct kretprobe_instance, llist);
	it->ri = (unsigned long)ri;
	*ret_addr = (unsigned long)ri->ret_addr;
	*fp = (unsigned long)ri->fp;
	it->node = (unsigned long)ri->llist.next;
	return true;
}
#else
static inline void st_kretprobe_wrapper_init(void)
{
}

static __always_inline void st_kretprobe_first(struct st_kretprobe_iter *it)
{
	it->node = 0;
}

static __always_inline bool st_kretprobe_next(struct st_kretprobe_iter *it,
					      unsigned long *ret_addr, unsigned long *fp)
{
	return false;
}
#endif

#ifdef CONFIG_X86
#include <asm/unwind.h>

/*
 * The kernel's unwinder searches the task's instances from where its last
 * recovery stopped (unwind_state.kr_cur, 5.15 on); a search that found
 * nothing leaves it at the end of the list, so every hooked slot further
 * down would read 0.  After stacktap recovered a return itself, the next
 * search starts from the head again (instances are matched by slot).
 */
static __always_inline void st_unwind_kr_restart(struct unwind_state *state)
{
#if defined(CONFIG_RETHOOK) || (defined(CONFIG_KRETPROBES) && \
	LINUX_VERSION_CODE >= KERNEL_VERSION(5, 15, 0))
	state->kr_cur = NULL;
#endif
}
#endif

#endif /* _STACKTAP_WRAPPER_KRETPROBE_H */
