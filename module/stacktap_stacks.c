// SPDX-License-Identifier: GPL-2.0
/*
 * Aggregation: how often each unique stack reached each probe.
 *
 * One preallocated open-addressing table, keyed by (owner, stack), where
 * an owner is a probe's canonical spec.  Any context on any CPU may add:
 * a hit hashes its frames, walks at most ST_STACKS_PROBE slots from the
 * hash's home slot, and either finds its stack (compared frame by frame,
 * never trusted to the hash) and increments the count, or claims the
 * first free slot with a cmpxchg and fills it.  A slot is published by a
 * release store of its state; a slot still being filled is passed over,
 * so two CPUs racing on a new stack can each fill one, and the reader
 * merges such twins.  No free slot within reach counts an overflow:
 * a hit is never lost silently.
 *
 * Owners are interned by name and live until the module goes, so a
 * deleted probe's stacks stay readable and a re-added one counts on; only
 * a name interned for a probe that then failed to arm, so never hit, is
 * dropped at once.
 * Readers work on a snapshot taken under st_stacks_mutex.
 *
 * Clearing swaps in a new, empty table and frees the old one once no hit
 * can be using it (RCU): a hit is never turned away for a clear.
 */
#include <linux/hash.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <asm/local.h>

#include "stacktap.h"

/* Slots a hit may look at: bounds the hit path when the table fills. */
#define ST_STACKS_PROBE		64

enum {
	ST_SLOT_FREE,
	ST_SLOT_FILLING,
	ST_SLOT_READY,
};

struct st_slot {
	atomic_t state;
	u32 hash;
	u32 owner;
	u16 nr;
	u16 truncated;
	atomic_long_t count;
	u64 first_ns;		/* when the stack was first seen */
	unsigned long frames[];
};

struct st_owner {
	struct list_head list;
	u32 idx;
	char name[];
};

struct st_table {
	atomic_t used;
	/* st_slots slots of st_slot_size bytes, 8-aligned as each slot */
	char slots[] __aligned(8);
};

static struct st_table __rcu *st_table;
static unsigned int st_slots;		/* power of two */
static unsigned int st_slot_size;	/* bytes, frames for depth= included */
static unsigned int st_depth;
static DEFINE_PER_CPU(local_t, st_overflow);

static LIST_HEAD(st_owners);
static u32 st_owners_nr;
static DEFINE_MUTEX(st_stacks_mutex);

static __always_inline struct st_slot *st_slot_at(struct st_table *t, unsigned int i)
{
	return (struct st_slot *)(t->slots + (size_t)i * st_slot_size);
}

static struct st_table *st_table_alloc(void)
{
	return vzalloc(struct_size((struct st_table *)NULL, slots,
				   array_size(st_slots, st_slot_size)));
}

/* The table, for those who hold st_stacks_mutex. */
static struct st_table *st_table_locked(void)
{
	return rcu_dereference_protected(st_table, lockdep_is_held(&st_stacks_mutex));
}

int st_stacks_init(unsigned int slots, unsigned int depth)
{
	struct st_table *t;

	st_slots = slots;
	st_depth = depth;
	st_slot_size = ALIGN(struct_size((struct st_slot *)NULL, frames, depth), 8);
	t = st_table_alloc();
	if (!t)
		return -ENOMEM;
	RCU_INIT_POINTER(st_table, t);
	return 0;
}

void st_stacks_exit(void)
{
	struct st_owner *o, *tmp;

	/* No probe is left to hit it. */
	vfree(rcu_dereference_protected(st_table, 1));
	RCU_INIT_POINTER(st_table, NULL);
	list_for_each_entry_safe(o, tmp, &st_owners, list) {
		list_del(&o->list);
		kfree(o);
	}
	st_owners_nr = 0;
}

/*
 * The owner index for probe name @name, interned on first use; *@created
 * says it was, for st_stacks_owner_undo().
 */
int st_stacks_owner(const char *name, u32 *idx, bool *created)
{
	struct st_owner *o;
	size_t len = strlen(name);

	*created = false;
	mutex_lock(&st_stacks_mutex);
	list_for_each_entry(o, &st_owners, list) {
		if (!strcmp(o->name, name)) {
			*idx = o->idx;
			mutex_unlock(&st_stacks_mutex);
			return 0;
		}
	}
	o = kmalloc(struct_size(o, name, len + 1), GFP_KERNEL);
	if (!o) {
		mutex_unlock(&st_stacks_mutex);
		return -ENOMEM;
	}
	o->idx = st_owners_nr++;
	memcpy(o->name, name, len + 1);
	list_add_tail(&o->list, &st_owners);
	*idx = o->idx;
	*created = true;
	mutex_unlock(&st_stacks_mutex);
	return 0;
}

/*
 * Forget owner @idx, just created for a probe that then failed to arm:
 * a refused name is not kept.  Its index is not reused, so nothing could
 * ever be filed under another name.
 */
void st_stacks_owner_undo(u32 idx)
{
	struct st_owner *o;

	mutex_lock(&st_stacks_mutex);
	list_for_each_entry(o, &st_owners, list) {
		if (o->idx == idx) {
			list_del(&o->list);
			kfree(o);
			break;
		}
	}
	mutex_unlock(&st_stacks_mutex);
}

static notrace bool st_slot_matches(const struct st_slot *s, u32 hash, u32 owner,
				    const unsigned long *frames, unsigned int nr,
				    bool truncated)
{
	unsigned int i;

	if (s->hash != hash || s->owner != owner || s->nr != nr ||
	    s->truncated != truncated)
		return false;
	for (i = 0; i < nr; i++)
		if (s->frames[i] != frames[i])
			return false;
	return true;
}
NOKPROBE_SYMBOL(st_slot_matches);

/*
 * The hash only picks where to look (slots compare frame by frame), so it
 * need not resist crafted input: one xor and one multiply per frame,
 * cheaper than jhash2's mixing of every 32-bit half.  The top half of the
 * product is what every frame's bits feed.
 */
static __always_inline u32 st_stack_hash(const unsigned long *frames,
					 unsigned int nr, u32 seed)
{
	u64 h = seed;
	unsigned int i;

	for (i = 0; i < nr; i++)
		h = (h ^ frames[i]) * GOLDEN_RATIO_64;
	return h >> 32;
}

/*
 * Count one hit of @owner with @frames[0..nr); @truncated when the stack
 * was deeper.  Returns false, counting an overflow, when the table has no
 * room.  Preemption is disabled by the caller.
 */
notrace bool st_stacks_add(u32 owner, const unsigned long *frames,
			   unsigned int nr, bool truncated)
{
	u32 hash = st_stack_hash(frames, nr, owner ^ (nr << 16) ^ truncated);
	unsigned int i, home = hash & (st_slots - 1);
	struct st_table *t = rcu_dereference_sched(st_table);
	struct st_slot *s;
	int state;

	for (i = 0; i < ST_STACKS_PROBE && i < st_slots; i++) {
		s = st_slot_at(t, (home + i) & (st_slots - 1));
		state = atomic_read_acquire(&s->state);
		if (state == ST_SLOT_FREE &&
		    atomic_cmpxchg(&s->state, ST_SLOT_FREE, ST_SLOT_FILLING) == ST_SLOT_FREE) {
			s->hash = hash;
			s->owner = owner;
			s->nr = nr;
			s->truncated = truncated;
			s->first_ns = ktime_get_mono_fast_ns();
			memcpy(s->frames, frames, nr * sizeof(*frames));
			atomic_long_set(&s->count, 1);
			atomic_inc(&t->used);
			atomic_set_release(&s->state, ST_SLOT_READY);
			return true;
		}
		/* Lost the race for this free slot: see what it became. */
		if (state == ST_SLOT_FREE)
			state = atomic_read_acquire(&s->state);
		if (state == ST_SLOT_READY &&
		    st_slot_matches(s, hash, owner, frames, nr, truncated)) {
			atomic_long_inc(&s->count);
			return true;
		}
	}
	local_inc(this_cpu_ptr(&st_overflow));
	return false;
}
NOKPROBE_SYMBOL(st_stacks_add);

/*
 * Forget every stack: hits from now on go to a new table.  An RCU grace
 * period waits out every hit still in the old one (hit paths run with
 * preemption disabled) before it is freed.
 */
int st_stacks_clear(void)
{
	struct st_table *t = st_table_alloc(), *old;

	if (!t)
		return -ENOMEM;
	mutex_lock(&st_stacks_mutex);
	old = st_table_locked();
	rcu_assign_pointer(st_table, t);
	mutex_unlock(&st_stacks_mutex);
	st_synchronize_hits();
	vfree(old);
	return 0;
}

void st_stacks_stats(struct st_stacks_stats *stats)
{
	int cpu;

	rcu_read_lock_sched();
	stats->used = atomic_read(&rcu_dereference_sched(st_table)->used);
	rcu_read_unlock_sched();
	stats->size = st_slots;
	stats->overflow = 0;
	for_each_possible_cpu(cpu)
		stats->overflow += local_read(per_cpu_ptr(&st_overflow, cpu));
}

unsigned long st_stacks_overflow(int cpu)
{
	return local_read(per_cpu_ptr(&st_overflow, cpu));
}

/* Snapshot order for finding twins: by owner, then by whole key. */
static int st_cmp_key(const void *a, const void *b)
{
	const struct st_stack *x = *(const struct st_stack * const *)a;
	const struct st_stack *y = *(const struct st_stack * const *)b;
	unsigned int n = min(x->nr, y->nr);
	int c;

	if (x->owner != y->owner)
		return x->owner < y->owner ? -1 : 1;
	if (x->truncated != y->truncated)
		return x->truncated ? 1 : -1;
	c = memcmp(x->frames, y->frames, n * sizeof(x->frames[0]));
	if (c)
		return c;
	return x->nr == y->nr ? 0 : (x->nr < y->nr ? -1 : 1);
}

/* Output order: by owner, then highest count first. */
static int st_cmp_count(const void *a, const void *b)
{
	const struct st_stack *x = *(const struct st_stack * const *)a;
	const struct st_stack *y = *(const struct st_stack * const *)b;

	if (x->owner != y->owner)
		return x->owner < y->owner ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return st_cmp_key(a, b);
}

static const char *st_owner_name(u32 idx)
{
	struct st_owner *o;

	lockdep_assert_held(&st_stacks_mutex);
	list_for_each_entry(o, &st_owners, list)
		if (o->idx == idx)
			return o->name;
	return "?";
}

/*
 * Copy the table's stacks, twins merged, sorted for output.  NULL when out
 * of memory; free with st_stacks_snapshot_free().
 */
struct st_stacks_snap *st_stacks_snapshot(void)
{
	size_t stack_size = struct_size((struct st_stack *)NULL, frames, st_depth);
	struct st_stacks_snap *snap;
	struct st_stack *st, *prev;
	unsigned int i, n = 0, kept, cap;
	struct st_table *t;
	struct st_slot *s;

	mutex_lock(&st_stacks_mutex);
	t = st_table_locked();
	/* Stacks that appear while this runs are left for the next one. */
	cap = atomic_read(&t->used);
	snap = kvzalloc(struct_size(snap, stacks, cap), GFP_KERNEL);
	if (!snap)
		goto out_unlock;
	snap->data = kvmalloc_array(max(cap, 1U), stack_size, GFP_KERNEL);
	if (!snap->data) {
		kvfree(snap);
		snap = NULL;
		goto out_unlock;
	}
	for (i = 0; i < st_slots && n < cap; i++) {
		s = st_slot_at(t, i);
		if (atomic_read_acquire(&s->state) != ST_SLOT_READY)
			continue;
		st = (struct st_stack *)(snap->data + n * stack_size);
		st->owner = s->owner;
		st->nr = s->nr;
		st->truncated = s->truncated;
		st->first_ns = s->first_ns;
		st->count = atomic_long_read(&s->count);
		memcpy(st->frames, s->frames, s->nr * sizeof(s->frames[0]));
		snap->stacks[n++] = st;
	}

	/* Merge twins (same key, filled concurrently), keeping the oldest. */
	sort(snap->stacks, n, sizeof(snap->stacks[0]), st_cmp_key, NULL);
	for (i = 0, kept = 0; i < n; i++) {
		st = snap->stacks[i];
		prev = kept ? snap->stacks[kept - 1] : NULL;
		if (prev && !st_cmp_key(&prev, &st)) {
			prev->count += st->count;
			prev->first_ns = min(prev->first_ns, st->first_ns);
			continue;
		}
		snap->stacks[kept++] = st;
	}
	sort(snap->stacks, kept, sizeof(snap->stacks[0]), st_cmp_count, NULL);
	for (i = 0; i < kept; i++)
		snap->stacks[i]->name = st_owner_name(snap->stacks[i]->owner);
	snap->nr = kept;
out_unlock:
	mutex_unlock(&st_stacks_mutex);
	return snap;
}

void st_stacks_snapshot_free(struct st_stacks_snap *snap)
{
	if (!snap)
		return;
	kvfree(snap->data);
	kvfree(snap);
}
