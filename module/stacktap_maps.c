// SPDX-License-Identifier: GPL-2.0
/*
 * The executable file mappings of the processes whose user stacks were
 * recorded (ustack=, u:, ur:), for stacktapctl to name user frames and
 * unwind user copies after the process has gone: perf's MMAP records,
 * taken per process.  A hit asks for a snapshot when its process has
 * none, or its map count changed; since a hit may not sleep, a work item
 * takes it under the mm's lock, holding the mm from the hit on so it
 * outlives a process that exits at once.  The newest STACKTAP_MAPS_PROCS
 * processes' are kept, in slots a hit reads under RCU.
 */
#include <linux/atomic.h>
#include <linux/dcache.h>
#include <linux/irq_work.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "stacktap.h"

/* A process whose map count keeps changing is taken again at most this often. */
#define ST_MAPS_RETAKE_NS	(100 * NSEC_PER_MSEC)
/*
 * Requests a CPU holds until the work item runs: short processes run one
 * after another before it does (a uniprocessor runs no kworker meanwhile).
 */
#define ST_MAPS_REQS		8

struct st_maps {
	struct rcu_head rcu;
	u32 tgid;
	int map_count;		/* its mm's when taken */
	const void *mm;		/* which mm, never followed */
	u64 taken_ns;
	unsigned int nr;
	struct st_map map[];
};

static struct st_maps __rcu *st_maps_slots[STACKTAP_MAPS_PROCS];
static DEFINE_MUTEX(st_maps_mutex);	/* writers, and readers that sleep */
static bool st_maps_on;

/* A hit's request: 0 free, 1 being filled, 2 filled. */
struct st_maps_req {
	atomic_t state;
	struct mm_struct *mm;	/* held (mmget) */
	u32 tgid;
};
struct st_maps_reqs {
	struct st_maps_req req[ST_MAPS_REQS];
};
static DEFINE_PER_CPU(struct st_maps_reqs, st_maps_reqs);

static void st_maps_work_fn(struct work_struct *work);
static DECLARE_WORK(st_maps_work, st_maps_work_fn);

/* From the hit, through an interrupt: queue_work() there could nest in its own lock. */
static void st_maps_kick(struct irq_work *work)
{
	queue_work(system_unbound_wq, &st_maps_work);
}
static struct irq_work st_maps_irq_work;

/*
 * At a hit that recorded a user stack of current, preemption disabled:
 * ask for its mappings unless they are known or asked for.  With every
 * request of this CPU pending, the next hit asks again.
 */
notrace void st_maps_want(void)
{
	struct st_maps_req *reqs = this_cpu_ptr(&st_maps_reqs)->req, *req = NULL;
	struct mm_struct *mm = current->mm;
	const struct st_maps *m;
	unsigned int i;

	if (!mm || (current->flags & PF_KTHREAD) || !READ_ONCE(st_maps_on))
		return;
	for (i = 0; i < STACKTAP_MAPS_PROCS; i++) {
		m = rcu_dereference_sched(st_maps_slots[i]);
		if (m && m->tgid == current->tgid && m->mm == mm) {
			if (m->map_count == READ_ONCE(mm->map_count) ||
			    ktime_get_mono_fast_ns() - m->taken_ns < ST_MAPS_RETAKE_NS)
				return;
			break;
		}
	}
	/* Asked for already; else a free request, claimed. */
	for (i = 0; i < ST_MAPS_REQS; i++)
		if (atomic_read_acquire(&reqs[i].state) == 2 && reqs[i].mm == mm)
			return;
	for (i = 0; i < ST_MAPS_REQS && !req; i++)
		if (!atomic_cmpxchg(&reqs[i].state, 0, 1))
			req = &reqs[i];
	if (!req)
		return;
	/* current's own mm: its users cannot be zero while it runs with it. */
	if (!mmget_not_zero(mm)) {
		atomic_set(&req->state, 0);
		return;
	}
	req->mm = mm;
	req->tgid = current->tgid;
	atomic_set_release(&req->state, 2);
	irq_work_queue(&st_maps_irq_work);
}
NOKPROBE_SYMBOL(st_maps_want);

static void st_maps_free_rcu(struct rcu_head *rcu)
{
	struct st_maps *m = container_of(rcu, struct st_maps, rcu);
	unsigned int i;

	for (i = 0; i < m->nr; i++)
		kfree(m->map[i].path);
	kfree(m);
}

/* Mappings and path bytes kept per process: MAPS_GET's position and message. */
#define ST_MAPS_PER_PROC	4096
#define ST_MAPS_PATH_MAX	1024

/*
 * What a user frame can be in: code a file maps, or code the kernel
 * names ("[vdso]", and "[uprobes]", whose trampoline a pending ur:
 * return leaves in a stack).
 */
static bool st_maps_code(struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_EXEC) &&
	       (vma->vm_file || (vma->vm_ops && vma->vm_ops->name && vma->vm_ops->name(vma)));
}

/* @mm's code mappings, at most ST_MAPS_PER_PROC; mmap_lock held. */
static unsigned int st_maps_count(struct mm_struct *mm)
{
	struct vm_area_struct *vma;
	unsigned int n = 0;
	ST_VMA_ITER(vmi, mm);

	st_for_each_vma(vmi, vma)
		n += st_maps_code(vma);
	return min_t(unsigned int, n, ST_MAPS_PER_PROC);
}

/* @vma's path into @buf (PATH_MAX), or its kernel name; NULL for none. */
static const char *st_maps_path(struct vm_area_struct *vma, char *buf)
{
	char *path;

	if (!vma->vm_file)
		return vma->vm_ops->name(vma);
	path = d_path(&vma->vm_file->f_path, buf, PATH_MAX);
	return IS_ERR(path) ? NULL : path;
}

/* @mm's code mappings into @m, which has room for @n; mmap_lock held. */
static void st_maps_fill(struct mm_struct *mm, struct st_maps *m, unsigned int n, char *buf)
{
	struct vm_area_struct *vma;
	const char *path;
	ST_VMA_ITER(vmi, mm);

	st_for_each_vma(vmi, vma) {
		struct st_map *e = &m->map[m->nr];

		if (m->nr == n || !st_maps_code(vma))
			continue;
		path = st_maps_path(vma, buf);
		/* A path a MAPS_GET message could not hold is not kept. */
		if (!path || strnlen(path, ST_MAPS_PATH_MAX) == ST_MAPS_PATH_MAX)
			continue;
		e->path = kstrdup(path, GFP_KERNEL);
		if (!e->path)
			continue;
		e->start = vma->vm_start;
		e->end = vma->vm_end;
		e->pgoff = vma->vm_file ? (u64)vma->vm_pgoff << PAGE_SHIFT : 0;
		m->nr++;
	}
}

/* @mm's code mappings, for @tgid; NULL without memory. */
static struct st_maps *st_maps_take(struct mm_struct *mm, u32 tgid)
{
	struct st_maps *m = NULL;
	unsigned int n;
	char *buf;

	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!buf)
		return NULL;
	mmap_read_lock(mm);
	n = st_maps_count(mm);
	m = kzalloc(struct_size(m, map, n), GFP_KERNEL);
	if (m) {
		m->tgid = tgid;
		m->mm = mm;
		m->map_count = mm->map_count;
		st_maps_fill(mm, m, n, buf);
	}
	mmap_read_unlock(mm);
	kfree(buf);
	if (m)
		m->taken_ns = ktime_get_mono_fast_ns();
	return m;
}

/* @m in its process's slot, else a free one, else the oldest's. */
static void st_maps_publish(struct st_maps *m)
{
	struct st_maps *old, *cur;
	unsigned int i, at = 0;
	u64 oldest = U64_MAX;

	mutex_lock(&st_maps_mutex);
	for (i = 0; i < STACKTAP_MAPS_PROCS; i++) {
		cur = rcu_dereference_protected(st_maps_slots[i],
						lockdep_is_held(&st_maps_mutex));
		if (cur && cur->tgid == m->tgid) {
			at = i;
			break;
		}
		if (!cur) {
			if (oldest) {
				at = i;
				oldest = 0;
			}
		} else if (cur->taken_ns < oldest) {
			at = i;
			oldest = cur->taken_ns;
		}
	}
	old = rcu_dereference_protected(st_maps_slots[at], lockdep_is_held(&st_maps_mutex));
	rcu_assign_pointer(st_maps_slots[at], m);
	mutex_unlock(&st_maps_mutex);
	if (old)
		call_rcu(&old->rcu, st_maps_free_rcu);
}

/* A filled request: its process's mappings taken, its mm let go. */
static void st_maps_serve(struct st_maps_req *req)
{
	struct mm_struct *mm;
	struct st_maps *m;
	u32 tgid;

	if (atomic_read_acquire(&req->state) != 2)
		return;
	mm = req->mm;
	tgid = req->tgid;
	atomic_set_release(&req->state, 0);
	m = st_maps_take(mm, tgid);
	mmput(mm);
	if (m)
		st_maps_publish(m);
}

static void st_maps_work_fn(struct work_struct *work)
{
	unsigned int i;
	int cpu;

	for_each_possible_cpu(cpu) {
		for (i = 0; i < ST_MAPS_REQS; i++)
			st_maps_serve(&per_cpu_ptr(&st_maps_reqs, cpu)->req[i]);
	}
}

/*
 * Each mapping kept, in slot order, from *@pos on: @put() until it
 * returns nonzero, where *@pos is left for the next call.
 */
int st_maps_dump(unsigned long *pos,
		 int (*put)(void *arg, u32 tgid, const struct st_map *map), void *arg)
{
	unsigned long slot = *pos >> 16, i = *pos & 0xffff;
	const struct st_maps *m;
	int ret = 0;

	mutex_lock(&st_maps_mutex);
	for (; slot < STACKTAP_MAPS_PROCS; slot++, i = 0) {
		m = rcu_dereference_protected(st_maps_slots[slot],
					      lockdep_is_held(&st_maps_mutex));
		for (; m && i < m->nr; i++) {
			ret = put(arg, m->tgid, &m->map[i]);
			if (ret)
				goto out;
		}
	}
out:
	*pos = slot << 16 | i;
	mutex_unlock(&st_maps_mutex);
	return ret;
}

void st_maps_init(void)
{
	init_irq_work(&st_maps_irq_work, st_maps_kick);
	WRITE_ONCE(st_maps_on, true);
}

/* After every probe is gone: no hit asks any more. */
void st_maps_exit(void)
{
	struct st_maps_req *req;
	struct st_maps *m;
	unsigned int i;
	int cpu;

	WRITE_ONCE(st_maps_on, false);
	irq_work_sync(&st_maps_irq_work);
	flush_work(&st_maps_work);
	/* Requests the flush did not find: their mm let go. */
	for_each_possible_cpu(cpu) {
		for (i = 0; i < ST_MAPS_REQS; i++) {
			req = &per_cpu_ptr(&st_maps_reqs, cpu)->req[i];
			if (atomic_read(&req->state) == 2) {
				mmput(req->mm);
				atomic_set(&req->state, 0);
			}
		}
	}
	for (i = 0; i < STACKTAP_MAPS_PROCS; i++) {
		m = rcu_dereference_protected(st_maps_slots[i], true);
		RCU_INIT_POINTER(st_maps_slots[i], NULL);
		if (m)
			call_rcu(&m->rcu, st_maps_free_rcu);
	}
	rcu_barrier();
}
