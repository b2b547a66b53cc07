// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU record rings.  Each CPU's ring has one writer: that CPU, in
 * whatever context a probe fires (task, softirq, hardirq, NMI), so a
 * writer can be interrupted by a nested one.  Space is reserved with a
 * local_cmpxchg() on the free-running head; a record becomes visible when
 * its COMMITTED flag is stored with release semantics, and readers stop
 * at the first record not yet committed.  A full ring drops the record
 * and counts it, or, for a writer asked to overwrite (the flight
 * recorder), frees the oldest committed records to make room: zeroes
 * them and moves the tail past them.  Writers never block.  A record whose
 * size is known only once written is reserved at its largest and then
 * trimmed: head moves back, with another local_cmpxchg(), unless a nested
 * writer reserved after it meanwhile.
 *
 * Readers are serialised by one mutex.  They consume by zeroing the space
 * they free before publishing the new tail, so any reserved but not yet
 * committed space always reads as flags == 0.  While a reader holds the
 * mutex no writer overwrites: a reader reads records in place.  Reader
 * and overwriting writer meet Dekker-style: the reader raises
 * st_ring_reading and waits out every CPU's overwriter; an overwriter
 * raises its ring's pushing count and gives way (drops) when it sees
 * st_ring_reading.  A writer nested in another's overwrite does not
 * overwrite, and none frees past a record still being written, so
 * nothing an overwrite zeroes is in use.  Readers keep positions across reads; one the tail has passed
 * starts again at the tail.
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
	unsigned long tail;	/* consume position: readers', and overwriters' */
	unsigned long pipe;	/* trace_pipe's position, moved by readers only */
	local_t written;
	local_t dropped;
	local_t lost;		/* dropped since the last commit */
	local_t overwritten;	/* committed records freed by writers */
	local_t pushing;	/* a writer of this CPU is freeing records */
	char *data;		/* NULL until the CPU first comes up */
};

static struct st_ring __percpu *st_rings;
static unsigned long st_ring_bytes;
static int st_ring_hp_state = -1;
static DEFINE_MUTEX(st_ring_read_mutex);

static DECLARE_WAIT_QUEUE_HEAD(st_ring_wq);
static atomic_t st_ring_watchers;	/* pipe readers and cursors */
static atomic_t st_ring_pipes;		/* open trace_pipe readers */
static atomic_t st_ring_reading;		/* readers in place: no overwriting */
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

/* Zero [from, to) of @r, which may wrap. */
static notrace void st_ring_zero(struct st_ring *r, unsigned long from, unsigned long to)
{
	unsigned long off = from & (st_ring_bytes - 1);
	unsigned long len = to - from;
	unsigned long first = min(len, st_ring_bytes - off);
	unsigned long i;

	/*
	 * By words, not memset(): the hit path calls nothing a probe can
	 * sit on (WRITE_ONCE() keeps the compiler from making it one).
	 * Records are 8-byte multiples at 8-byte offsets.
	 */
	for (i = 0; i < first; i += sizeof(long))
		WRITE_ONCE(*(unsigned long *)(r->data + off + i), 0);
	for (i = 0; i < len - first; i += sizeof(long))
		WRITE_ONCE(*(unsigned long *)(r->data + i), 0);
}
NOKPROBE_SYMBOL(st_ring_zero);

/*
 * Overwrite: free the oldest committed records of this CPU's ring until
 * the tail reaches @want.  False, freeing nothing, while a reader reads
 * in place, when nested in another overwriter of this CPU, or when a
 * record still being written (an interrupted writer's) is in the way.
 */
static notrace bool st_ring_push(struct st_ring *r, unsigned long want)
{
	unsigned long tail, pos, head, n = 0;
	struct st_rec_hdr *hdr;
	bool pushed = false;
	u32 flags;

	if (local_inc_return(&r->pushing) != 1)
		goto out;
	/* Pairs with st_ring_read_lock(): one of the two sees the other. */
	smp_mb();
	if (atomic_read(&st_ring_reading))
		goto out;
	/* The last reader's consume is seen: its st_ring_read_unlock(). */
	smp_rmb();
	tail = READ_ONCE(r->tail);
	head = local_read(&r->head);
	for (pos = tail; (long)(want - pos) > 0 && pos != head; pos += hdr->len) {
		hdr = st_ring_at(r, pos);
		flags = smp_load_acquire(&hdr->flags);
		if (!(flags & ST_REC_COMMITTED) || hdr->len < sizeof(*hdr) ||
		    hdr->len > st_ring_bytes)
			goto out;
		if (!(flags & ST_REC_PAD))
			n++;
	}
	if ((long)(want - pos) > 0)
		goto out;
	st_ring_zero(r, tail, pos);
	/* Zeroes first: the writer claiming this space relies on them. */
	smp_store_release(&r->tail, pos);
	local_add(n, &r->overwritten);
	pushed = true;
out:
	/* Our stores are seen by a reader that sees pushing drop. */
	smp_mb();
	local_dec(&r->pushing);
	return pushed;
}
NOKPROBE_SYMBOL(st_ring_push);

/* Claim @len bytes; when the ring is full NULL, or room made if @overwrite. */
static notrace struct st_rec_hdr *st_ring_claim(struct st_ring *r, u32 len, bool overwrite)
{
	unsigned long head, tail, off, pad, next;
	struct st_rec_hdr *hdr;

	if (unlikely(!READ_ONCE(r->data)))
		return NULL;
	for (;;) {
		head = local_read(&r->head);
		tail = smp_load_acquire(&r->tail);
		off = head & (st_ring_bytes - 1);
		/* A record never straddles the end: pad up to it instead. */
		pad = off + len > st_ring_bytes ? st_ring_bytes - off : 0;
		next = head + pad + len;
		if (next - tail > st_ring_bytes) {
			if (!overwrite || !st_ring_push(r, next - st_ring_bytes))
				return NULL;
			continue;	/* room made: claim it, or a nested writer did */
		}
		if (local_cmpxchg(&r->head, head, next) == head)
			break;
	}

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

/*
 * Reserve a record of @len bytes.  A full ring counts it as dropped or,
 * if @overwrite, frees the oldest records for it (dropped only while a
 * reader reads in place, or when nested in an overwrite on this CPU).
 */
notrace struct st_rec_hdr *st_ring_reserve(u32 len, bool overwrite)
{
	struct st_ring *r = this_cpu_ptr(st_rings);
	struct st_rec_hdr *hdr = st_ring_claim(r, len, overwrite);

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
 * st_ring_cancel() it.  A full ring counts nothing here and overwrites
 * nothing, which would free room for the most, not for the size: the
 * caller falls back to st_ring_reserve() of the real size.
 */
notrace struct st_rec_hdr *st_ring_reserve_max(u32 len)
{
	return st_ring_claim(this_cpu_ptr(st_rings), len, false);
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

/*
 * The drops before it ride on the next record, for readers to show (a
 * clear between them and it included: they still came before it).  Taken
 * with local_xchg(): a nested writer's commit between a read and a
 * subtract would mark the same drops again and leave the count negative.
 */
notrace void st_ring_commit(struct st_rec_hdr *hdr, u32 flags)
{
	struct st_ring *r = this_cpu_ptr(st_rings);
	long lost = local_read(&r->lost) ? local_xchg(&r->lost, 0) : 0;

	if (lost) {
		if (lost > ST_REC_LOST_MAX) {
			local_add(lost - ST_REC_LOST_MAX, &r->lost);
			lost = ST_REC_LOST_MAX;
		}
		flags |= (u32)lost << ST_REC_LOST_SHIFT;
	}
	smp_store_release(&hdr->flags, flags | ST_REC_COMMITTED);
	local_inc(&r->written);
	if (atomic_read(&st_ring_watchers))
		irq_work_queue(&st_ring_wake_work);
}
NOKPROBE_SYMBOL(st_ring_commit);

/* Hold off overwriters, and wait out any under way, for an in-place read. */
static void st_ring_hold_writers(unsigned long spins)
{
	int cpu;

	atomic_inc(&st_ring_reading);
	/* Pairs with st_ring_push(): one of the two sees the other. */
	smp_mb();
	for_each_possible_cpu(cpu) {
		struct st_ring *r = per_cpu_ptr(st_rings, cpu);
		unsigned long n = spins;

		/* An overwrite zeroes a few records: a short wait. */
		while (local_read(&r->pushing) && n--)
			cpu_relax();
	}
	/* What the overwriters wrote is seen, and our writes come after. */
	smp_mb();
}

static void st_ring_release_writers(void)
{
	/* What the reader freed is seen by the next overwriter. */
	smp_mb__before_atomic();
	atomic_dec(&st_ring_reading);
}

void st_ring_read_lock(void)
{
	mutex_lock(&st_ring_read_mutex);
	st_ring_hold_writers(ULONG_MAX);
}

void st_ring_read_unlock(void)
{
	st_ring_release_writers();
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
static struct st_rec_hdr *__st_ring_peek(int cpu, unsigned long *pos)
{
	struct st_ring *r = per_cpu_ptr(st_rings, cpu);
	unsigned long head = local_read(&r->head);
	struct st_rec_hdr *hdr;
	u32 flags;

	if ((long)(*pos - r->tail) < 0)
		*pos = r->tail;
	if (!READ_ONCE(r->data))
		return NULL;
	while (*pos != head) {
		hdr = st_ring_at(r, *pos);
		flags = smp_load_acquire(&hdr->flags);
		if (!(flags & ST_REC_COMMITTED))
			return NULL;
		if (hdr->len < sizeof(*hdr) || (hdr->len & 7) ||
		    (*pos & (st_ring_bytes - 1)) + hdr->len > st_ring_bytes)
			return NULL;	/* cannot happen; never walk off */
		if (!(flags & ST_REC_PAD))
			return hdr;
		*pos += hdr->len;
	}
	return NULL;
}

struct st_rec_hdr *st_ring_peek(int cpu, unsigned long *pos)
{
	lockdep_assert_held(&st_ring_read_mutex);
	return __st_ring_peek(cpu, pos);
}

/* Free [tail, pos): zero it, then publish the new tail to the writer. */
static void st_ring_consume(struct st_ring *r, unsigned long pos)
{
	if (pos == r->tail)
		return;
	st_ring_zero(r, r->tail, pos);
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
	stats->overwritten = local_read(&r->overwritten);
	stats->bytes = local_read(&r->head) - READ_ONCE(r->tail);
	stats->ring = READ_ONCE(r->data) ? st_ring_bytes : 0;
}

/*
 * For a dump on oops or panic, where the reader's mutex may be held by a
 * CPU that will never let go: hold off overwriters (waiting a bounded
 * time for one a stopped CPU may have left half done), then call @fn on
 * each of the last @n committed records of every CPU's ring, oldest
 * first.  Best effort, as ftrace_dump(): a reader that still runs may
 * consume records meanwhile, and st_ring_peek()'s checks keep the walk
 * inside the ring.
 */
void st_ring_dump(unsigned int n, void (*fn)(int cpu, struct st_rec_hdr *hdr, void *arg),
		  void *arg)
{
	struct st_rec_hdr *hdr;
	unsigned long pos, nr, skip, i;
	int cpu;

	if (!st_rings)
		return;
	st_ring_hold_writers(1000000);
	for_each_possible_cpu(cpu) {
		pos = READ_ONCE(per_cpu_ptr(st_rings, cpu)->tail);
		for (nr = 0; (hdr = __st_ring_peek(cpu, &pos)); pos += hdr->len)
			nr++;
		/* The last @n of those: records written since come after. */
		skip = nr > n ? nr - n : 0;
		pos = READ_ONCE(per_cpu_ptr(st_rings, cpu)->tail);
		for (i = 0; i < skip + n && (hdr = __st_ring_peek(cpu, &pos)); i++, pos += hdr->len)
			if (i >= skip)
				fn(cpu, hdr, arg);
	}
	st_ring_release_writers();
}
