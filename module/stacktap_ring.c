// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU record rings.  Each CPU's ring has one writer: that CPU, in
 * whatever context a probe fires (task, softirq, hardirq, NMI), so a
 * writer can be interrupted by a nested one.  Space is reserved with a
 * local_cmpxchg() on the free-running head; a record becomes visible when
 * its COMMITTED flag is stored with release semantics, and readers stop
 * at the first record not yet committed.  A full ring drops the record
 * and counts it: writers never block and never overwrite.  A record whose
 * size is known only once written is reserved at its largest and then
 * trimmed: head moves back, with another local_cmpxchg(), unless a nested
 * writer reserved after it meanwhile.
 *
 * Readers are serialised by one mutex.  They consume by zeroing the space
 * they free before publishing the new tail, so any reserved but not yet
 * committed space always reads as flags == 0.
 *
 * Each ring also has a pipe position, between tail and head: how far
 * trace_pipe has delivered, and each netlink record reader (a cursor) has
 * its own.  Delivered records stay for trace until cleared, unless the
 * ring is more than half full: then what every open reader has taken is
 * freed, so a stream can run for ever.  Writers wake readers through an
 * irq_work, which is safe from any context, NMI too.
 *
 * A CPU's ring is allocated when the CPU first comes up (a CPU hotplug
 * prepare step), not for every possible CPU, and kept when it goes down
 * so that its records stay readable.  A CPU whose ring could not be
 * allocated still comes up; its hits are counted as dropped.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/irq_work.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include <asm/local.h>

#include "stacktap_ring.h"

struct st_ring {
	local_t head;		/* reserve position, moved by this CPU only */
	unsigned long tail;	/* consume position, moved by readers only */
	unsigned long pipe;	/* trace_pipe's position, moved by readers only */
	local_t written;
	local_t dropped;
	local_t lost;		/* dropped since the last commit */
	char *data;		/* NULL until the CPU first comes up */
};

static struct st_ring __percpu *st_rings;
static unsigned long st_ring_bytes;
static int st_ring_hp_state = -1;
static DEFINE_MUTEX(st_ring_read_mutex);

static DECLARE_WAIT_QUEUE_HEAD(st_ring_wq);
static atomic_t st_ring_watchers;	/* pipe readers and cursors */
static atomic_t st_ring_pipes;		/* open trace_pipe readers */
static LIST_HEAD(st_ring_cursors);	/* under st_ring_read_mutex */
static struct irq_work st_ring_wake_work;

static void st_ring_wake(struct irq_work *work)
{
	wake_up_interruptible_all(&st_ring_wq);
}

unsigned long st_ring_size(void)
{
	return st_ring_bytes;
}

/* @cpu is coming up, for the first time since load or again. */
static int st_ring_cpu_prepare(unsigned int cpu)
{
	struct st_ring *r = per_cpu_ptr(st_rings, cpu);
	char *data;

	if (r->data)
		return 0;
	data = vzalloc_node(st_ring_bytes, cpu_to_node(cpu));
	if (!data) {
		pr_warn("no %lu KiB ring for cpu%u: its hits are dropped\n",
			st_ring_bytes / 1024, cpu);
		return 0;	/* never keep a CPU down for a tracer */
	}
	/* The CPU runs nothing before this step is done. */
	WRITE_ONCE(r->data, data);
	return 0;
}

int st_ring_init(unsigned long bytes_per_cpu)
{
	unsigned int cpu;
	int ret;

	if (!is_power_of_2(bytes_per_cpu))
		return -EINVAL;
	st_ring_bytes = bytes_per_cpu;
	init_irq_work(&st_ring_wake_work, st_ring_wake);
	st_rings = alloc_percpu(struct st_ring);
	if (!st_rings)
		return -ENOMEM;
	/*
	 * The CPUs already up get theirs here: 5.10's cpuhp_setup_state()
	 * calls no callback for a dynamic prepare state.  With hotplug held
	 * off, no CPU is half way up meanwhile; the step is idempotent.
	 */
	cpus_read_lock();
	ret = cpuhp_setup_state_cpuslocked(CPUHP_BP_PREPARE_DYN, "stacktap:ring",
					   st_ring_cpu_prepare, NULL);
	if (ret >= 0)
		for_each_online_cpu(cpu)
			st_ring_cpu_prepare(cpu);
	cpus_read_unlock();
	if (ret < 0) {
		free_percpu(st_rings);
		st_rings = NULL;
		return ret;
	}
	st_ring_hp_state = ret;
	return 0;
}

void st_ring_exit(void)
{
	int cpu;

	if (!st_rings)
		return;
	cpuhp_remove_state_nocalls(st_ring_hp_state);
	irq_work_sync(&st_ring_wake_work);
	for_each_possible_cpu(cpu)
		vfree(per_cpu_ptr(st_rings, cpu)->data);
	free_percpu(st_rings);
	st_rings = NULL;
}

static __always_inline struct st_rec_hdr *st_ring_at(struct st_ring *r, unsigned long pos)
{
	return (struct st_rec_hdr *)(r->data + (pos & (st_ring_bytes - 1)));
}

/* Claim @len bytes, or NULL when the ring is full. */
static notrace struct st_rec_hdr *st_ring_claim(struct st_ring *r, u32 len)
{
	unsigned long head, tail, off, pad, next;
	struct st_rec_hdr *hdr;

	if (unlikely(!READ_ONCE(r->data)))
		return NULL;
	do {
		head = local_read(&r->head);
		tail = smp_load_acquire(&r->tail);
		off = head & (st_ring_bytes - 1);
		/* A record never straddles the end: pad up to it instead. */
		pad = off + len > st_ring_bytes ? st_ring_bytes - off : 0;
		next = head + pad + len;
		if (next - tail > st_ring_bytes)
			return NULL;
	} while (local_cmpxchg(&r->head, head, next) != head);

	if (pad) {
		hdr = st_ring_at(r, head);
		hdr->len = pad;
		smp_store_release(&hdr->flags, ST_REC_PAD | ST_REC_COMMITTED);
	}
	hdr = st_ring_at(r, head + pad);
	hdr->len = len;
	return hdr;
}
NOKPROBE_SYMBOL(st_ring_claim);

/* Reserve a record of @len bytes; a full ring counts it as dropped. */
notrace struct st_rec_hdr *st_ring_reserve(u32 len)
{
	struct st_ring *r = this_cpu_ptr(st_rings);
	struct st_rec_hdr *hdr = st_ring_claim(r, len);

	if (!hdr) {
		local_inc(&r->dropped);
		local_inc(&r->lost);
	}
	return hdr;
}
NOKPROBE_SYMBOL(st_ring_reserve);

/*
 * Reserve up to @len bytes for a record whose size is known only once it
 * is written: st_ring_trim() it to size before committing it, or
 * st_ring_cancel() it.  A full ring counts nothing here; the caller
 * falls back to st_ring_reserve() of the real size, which does.
 */
notrace struct st_rec_hdr *st_ring_reserve_max(u32 len)
{
	return st_ring_claim(this_cpu_ptr(st_rings), len);
}
NOKPROBE_SYMBOL(st_ring_reserve_max);

/*
 * Move head back from the end of @hdr's @reserved bytes to @hdr + @len,
 * if @hdr is still the last reservation: no nested writer reserved after
 * it.  The space handed back must already read as zero.
 */
static notrace bool st_ring_give_back(struct st_ring *r, struct st_rec_hdr *hdr,
				      u32 reserved, u32 len)
{
	unsigned long end = (char *)hdr - r->data + reserved;
	unsigned long head = local_read(&r->head);

	/*
	 * Head can only be at our end or beyond it, and less than a ring's
	 * length beyond: our uncommitted record holds the tail back.
	 */
	if ((head - end) & (st_ring_bytes - 1))
		return false;
	return local_cmpxchg(&r->head, head, head - (reserved - len)) == head;
}
NOKPROBE_SYMBOL(st_ring_give_back);

/*
 * Shrink a st_ring_reserve_max() record to @len bytes.  The writer must
 * have left the bytes past @len as it found them, zero.  When a nested
 * writer reserved after it, the record keeps its length and the slack,
 * which readers never look at since they find fields by nr_frames.
 */
notrace void st_ring_trim(struct st_rec_hdr *hdr, u32 len)
{
	if (len < hdr->len && st_ring_give_back(this_cpu_ptr(st_rings), hdr, hdr->len, len))
		hdr->len = len;
}
NOKPROBE_SYMBOL(st_ring_trim);

/* Give up a st_ring_reserve_max() record, which must hold only zeros. */
notrace void st_ring_cancel(struct st_rec_hdr *hdr)
{
	u32 len = hdr->len;

	/*
	 * Zero the length first: once head moves back, a nested writer may
	 * reserve this very spot and write its own.
	 */
	WRITE_ONCE(hdr->len, 0);
	if (st_ring_give_back(this_cpu_ptr(st_rings), hdr, len, 0))
		return;
	WRITE_ONCE(hdr->len, len);
	smp_store_release(&hdr->flags, ST_REC_PAD | ST_REC_COMMITTED);
}
NOKPROBE_SYMBOL(st_ring_cancel);

/* The drops before it ride on the next record, for readers to show. */
notrace void st_ring_commit(struct st_rec_hdr *hdr, u32 flags)
{
	struct st_ring *r = this_cpu_ptr(st_rings);
	long lost = local_read(&r->lost);

	if (lost) {
		lost = min_t(long, lost, ST_REC_LOST_MAX);
		local_sub(lost, &r->lost);
		flags |= (u32)lost << ST_REC_LOST_SHIFT;
	}
	smp_store_release(&hdr->flags, flags | ST_REC_COMMITTED);
	local_inc(&r->written);
	if (atomic_read(&st_ring_watchers))
		irq_work_queue(&st_ring_wake_work);
}
NOKPROBE_SYMBOL(st_ring_commit);

void st_ring_read_lock(void)
{
	mutex_lock(&st_ring_read_mutex);
}

void st_ring_read_unlock(void)
{
	mutex_unlock(&st_ring_read_mutex);
}

unsigned long st_ring_tail(int cpu)
{
	return per_cpu_ptr(st_rings, cpu)->tail;
}

/*
 * The committed record at or after *pos on @cpu's ring, skipping padding;
 * NULL at the first uncommitted record or at the head.  A position behind
 * the tail (the ring was cleared meanwhile) restarts at the tail.
 */
struct st_rec_hdr *st_ring_peek(int cpu, unsigned long *pos)
{
	struct st_ring *r = per_cpu_ptr(st_rings, cpu);
	unsigned long head = local_read(&r->head);
	struct st_rec_hdr *hdr;
	u32 flags;

	lockdep_assert_held(&st_ring_read_mutex);
	if ((long)(*pos - r->tail) < 0)
		*pos = r->tail;
	if (!READ_ONCE(r->data))
		return NULL;
	while (*pos != head) {
		hdr = st_ring_at(r, *pos);
		flags = smp_load_acquire(&hdr->flags);
		if (!(flags & ST_REC_COMMITTED))
			return NULL;
		if (hdr->len < sizeof(*hdr) || hdr->len > st_ring_bytes)
			return NULL;	/* cannot happen; never walk off */
		if (!(flags & ST_REC_PAD))
			return hdr;
		*pos += hdr->len;
	}
	return NULL;
}

/* Free [tail, pos): zero it, then publish the new tail to the writer. */
static void st_ring_consume(struct st_ring *r, unsigned long pos)
{
	unsigned long off = r->tail & (st_ring_bytes - 1);
	unsigned long len = pos - r->tail;
	unsigned long first = min(len, st_ring_bytes - off);

	if (!len)
		return;
	memset(r->data + off, 0, first);
	memset(r->data, 0, len - first);
	smp_store_release(&r->tail, pos);
}

/* Drop every committed record; ones still being written stay. */
void st_ring_clear(void)
{
	struct st_rec_hdr *hdr;
	unsigned long pos;
	int cpu;

	lockdep_assert_held(&st_ring_read_mutex);
	for_each_possible_cpu(cpu) {
		struct st_ring *r = per_cpu_ptr(st_rings, cpu);

		pos = r->tail;
		while ((hdr = st_ring_peek(cpu, &pos)))
			pos += hdr->len;
		st_ring_consume(r, pos);
	}
}

/* trace_pipe's position in @cpu's ring; behind the tail means at it. */
unsigned long st_ring_pipe_pos(int cpu)
{
	struct st_ring *r = per_cpu_ptr(st_rings, cpu);

	lockdep_assert_held(&st_ring_read_mutex);
	return (long)(r->pipe - r->tail) < 0 ? r->tail : r->pipe;
}

/*
 * The oldest position on @cpu's ring that an open reader still needs,
 * @pos at most: trace_pipe's while one is open, and every cursor's.
 */
static unsigned long st_ring_floor(int cpu, unsigned long pos)
{
	struct st_ring *r = per_cpu_ptr(st_rings, cpu);
	struct st_ring_cursor *c;

	if (atomic_read(&st_ring_pipes) && (long)(r->pipe - pos) < 0)
		pos = r->pipe;
	list_for_each_entry(c, &st_ring_cursors, node)
		if (!c->snapshot && (long)(c->pos[cpu] - pos) < 0)
			pos = c->pos[cpu];
	return (long)(pos - r->tail) < 0 ? r->tail : pos;
}

/* A reader took @cpu's records up to @pos: free them if room is short. */
static void st_ring_taken(int cpu, unsigned long pos)
{
	struct st_ring *r = per_cpu_ptr(st_rings, cpu);

	if (local_read(&r->head) - r->tail > st_ring_bytes / 2)
		st_ring_consume(r, st_ring_floor(cpu, pos));
}

/* trace_pipe delivered @cpu's records before @pos. */
void st_ring_pipe_advance(int cpu, unsigned long pos)
{
	struct st_ring *r = per_cpu_ptr(st_rings, cpu);

	lockdep_assert_held(&st_ring_read_mutex);
	r->pipe = pos;
	st_ring_taken(cpu, pos);
}

/*
 * A netlink reader starts at each ring's tail; its records are peeked
 * from c->pos[cpu] and taken with st_ring_cursor_advance().  Never at the
 * head: a record being written may yet hand space back below it.
 */
void st_ring_cursor_add(struct st_ring_cursor *c)
{
	int cpu;

	lockdep_assert_held(&st_ring_read_mutex);
	for_each_possible_cpu(cpu)
		c->pos[cpu] = per_cpu_ptr(st_rings, cpu)->tail;
	list_add(&c->node, &st_ring_cursors);
	atomic_inc(&st_ring_watchers);
}

void st_ring_cursor_del(struct st_ring_cursor *c)
{
	lockdep_assert_held(&st_ring_read_mutex);
	list_del(&c->node);
	atomic_dec(&st_ring_watchers);
}

void st_ring_cursor_advance(struct st_ring_cursor *c, int cpu, unsigned long pos)
{
	lockdep_assert_held(&st_ring_read_mutex);
	c->pos[cpu] = pos;
	if (!c->snapshot)
		st_ring_taken(cpu, pos);
}

/*
 * Whether trace_pipe has a committed record to deliver.  Lockless, for
 * wait and poll conditions: a hint that the locked read confirms.
 */
bool st_ring_pipe_ready(void)
{
	struct st_rec_hdr *hdr;
	unsigned long pos, tail, head;
	u32 flags;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct st_ring *r = per_cpu_ptr(st_rings, cpu);

		if (!READ_ONCE(r->data))
			continue;
		tail = smp_load_acquire(&r->tail);
		pos = READ_ONCE(r->pipe);
		if ((long)(pos - tail) < 0)
			pos = tail;
		head = local_read(&r->head);
		while (pos != head) {
			hdr = st_ring_at(r, pos);
			flags = smp_load_acquire(&hdr->flags);
			if (!(flags & ST_REC_COMMITTED) || hdr->len < sizeof(*hdr) ||
			    hdr->len > st_ring_bytes)
				break;
			if (!(flags & ST_REC_PAD))
				return true;
			pos += hdr->len;
		}
	}
	return false;
}

/* A pipe reader comes (@on) or goes: writers wake readers while any are. */
void st_ring_watch(bool on)
{
	if (on) {
		atomic_inc(&st_ring_watchers);
		atomic_inc(&st_ring_pipes);
	} else {
		atomic_dec(&st_ring_pipes);
		atomic_dec(&st_ring_watchers);
	}
}

wait_queue_head_t *st_ring_waitqueue(void)
{
	return &st_ring_wq;
}

void st_ring_stats(int cpu, struct st_ring_stats *stats)
{
	struct st_ring *r = per_cpu_ptr(st_rings, cpu);

	stats->written = local_read(&r->written);
	stats->dropped = local_read(&r->dropped);
	stats->bytes = local_read(&r->head) - READ_ONCE(r->tail);
	stats->ring = READ_ONCE(r->data) ? st_ring_bytes : 0;
}
