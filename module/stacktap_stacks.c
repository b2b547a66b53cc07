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
 * A key=args probe's hits are keyed by their argument values too: each
 * slot refers to its values' bytes in the table's arena, taken by a
 * lock-free bump of its offset before the slot is claimed; a full arena
 * counts an overflow.
 *
 * Owners are interned by name, found by index in an xarray, and kept
 * while a probe files under them or the table holds one of their stacks:
 * a deleted probe's stacks stay readable and a re-added one counts on.
 * A name interned for a probe that then failed to arm, so never hit, is
 * dropped at once; the rest are dropped by the first clear or complete
 * snapshot that finds them without probe or stack.
 *
 * Readers work on a snapshot taken under st_stacks_mutex: per stack, its
 * count and its frames, as many as it has, not a slot at full depth.
 *
 * Clearing swaps in a new, empty table and frees the old one once no hit
 * can be using it (RCU): a hit is never turned away for a clear.
 */
#include <linux/bitmap.h>
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
#include <linux/xarray.h>
#include <asm/local.h>

#include "stacktap.h"

/* Slots a hit may look at: bounds the hit path when the table fills. */
#define ST_STACKS_PROBE		64
/* Arena bytes for argument keys, per slot of the table */
#define ST_STACKS_ARGS_PER_SLOT	64

enum {
	ST_SLOT_FREE,
	ST_SLOT_FILLING,
	ST_SLOT_READY,
};

/* An r: probe's latencies down one stack, updated by any CPU at once. */
struct st_lat {
	atomic64_t sum;
	atomic64_t min;		/* plus one: 0 is "none yet" */
	atomic64_t max;
	atomic_t hist[STACKTAP_LAT_BUCKETS];
};

struct st_slot {
	atomic_t state;
	u32 hash;
	u32 owner;
	u16 nr;
	u8 truncated;
	u8 has_lat;		/* an r: probe's: lat is kept */
	u16 args_len;		/* key=args: bytes of its values, 0 for none */
	u32 args_off;		/* where they are in the arena */
	atomic_long_t count;
	u64 first_ns;		/* when the stack was first seen */
	struct st_lat lat;
	unsigned long frames[];
};

struct st_owner {
	u32 idx;
	unsigned int probes;	/* probes filing their stacks under it */
	char name[];
};

struct st_table {
	atomic_t used;
	atomic_t args_used;	/* arena bytes taken */
	/*
	 * st_slots slots of st_slot_size bytes, 8-aligned as each slot, then
	 * the arena: st_args_size bytes of argument keys.
	 */
	char slots[] __aligned(8);
};

static struct st_table __rcu *st_table;
static unsigned int st_slots;		/* power of two */
static unsigned int st_slot_size;	/* bytes, ST_STACK_WORDS(depth=) frames included */
static unsigned int st_depth;
static unsigned int st_args_size;	/* arena bytes */
static DEFINE_PER_CPU(local_t, st_overflow);

static DEFINE_XARRAY(st_owners);	/* index -> struct st_owner */
static u32 st_owners_next;		/* never reused */
static DEFINE_MUTEX(st_stacks_mutex);

static __always_inline struct st_slot *st_slot_at(struct st_table *t, unsigned int i)
{
	return (struct st_slot *)(t->slots + (size_t)i * st_slot_size);
}

static __always_inline u8 *st_arena(struct st_table *t)
{
	return (u8 *)t->slots + (size_t)st_slots * st_slot_size;
}

static struct st_table *st_table_alloc(void)
{
	return vzalloc(struct_size((struct st_table *)NULL, slots,
				   size_add(array_size(st_slots, st_slot_size), st_args_size)));
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
	/* Kernel frames, and with ustack= the marker and the user's. */
	st_slot_size = ALIGN(struct_size((struct st_slot *)NULL, frames, ST_STACK_WORDS(depth)), 8);
	st_args_size = slots * ST_STACKS_ARGS_PER_SLOT;
	t = st_table_alloc();
	if (!t)
		return -ENOMEM;
	RCU_INIT_POINTER(st_table, t);
	return 0;
}

void st_stacks_exit(void)
{
	struct st_owner *o;
	unsigned long i;

	/* No probe is left to hit it. */
	vfree(rcu_dereference_protected(st_table, 1));
	RCU_INIT_POINTER(st_table, NULL);
	xa_for_each(&st_owners, i, o)
		kfree(o);
	xa_destroy(&st_owners);
	st_owners_next = 0;
}

static void st_owner_free(struct st_owner *o)
{
	xa_erase(&st_owners, o->idx);
	kfree(o);
}

/*
 * The owner index for probe name @name, interned on first use; *@created
 * says it was, for st_stacks_owner_undo().
 */
int st_stacks_owner(const char *name, u32 *idx, bool *created)
{
	struct st_owner *o;
	size_t len = strlen(name);
	unsigned long i;
	int ret;

	*created = false;
	mutex_lock(&st_stacks_mutex);
	/* A walk of the owners, on the control path only. */
	xa_for_each(&st_owners, i, o) {
		if (!strcmp(o->name, name)) {
			o->probes++;
			*idx = o->idx;
			mutex_unlock(&st_stacks_mutex);
			return 0;
		}
	}
	ret = -ENOMEM;
	o = kmalloc(struct_size(o, name, len + 1), GFP_KERNEL);
	if (!o)
		goto out_unlock;
	o->idx = st_owners_next;
	o->probes = 1;
	memcpy(o->name, name, len + 1);
	ret = xa_err(xa_store(&st_owners, o->idx, o, GFP_KERNEL));
	if (ret) {
		kfree(o);
		goto out_unlock;
	}
	st_owners_next++;
	*idx = o->idx;
	*created = true;
out_unlock:
	mutex_unlock(&st_stacks_mutex);
	return ret;
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
	o = xa_load(&st_owners, idx);
	if (o)
		st_owner_free(o);
	mutex_unlock(&st_stacks_mutex);
}

/*
 * A probe filing under @idx is gone, its hits waited out.  Its stacks
 * keep the name until a clear, or a snapshot finds none left.
 */
void st_stacks_owner_put(u32 idx)
{
	struct st_owner *o;

	mutex_lock(&st_stacks_mutex);
	o = xa_load(&st_owners, idx);
	if (o && o->probes)
		o->probes--;
	mutex_unlock(&st_stacks_mutex);
}

unsigned int st_stacks_owners(void)
{
	struct st_owner *o;
	unsigned int n = 0;
	unsigned long i;

	mutex_lock(&st_stacks_mutex);
	xa_for_each(&st_owners, i, o)
		n++;
	mutex_unlock(&st_stacks_mutex);
	return n;
}

/* Owners no probe files under: the table that held their stacks is gone. */
static void st_owners_prune(const struct st_stacks_snap *snap)
{
	unsigned int j = 0;
	struct st_owner *o;
	unsigned long i;

	lockdep_assert_held(&st_stacks_mutex);
	xa_for_each(&st_owners, i, o) {
		/* @snap, sorted by owner, lists every owner with a stack. */
		while (snap && j < snap->nr && snap->stacks[j].owner < o->idx)
			j++;
		if (o->probes || (snap && j < snap->nr && snap->stacks[j].owner == o->idx))
			continue;
		st_owner_free(o);
	}
}

static notrace bool st_slot_matches(struct st_table *t, const struct st_slot *s, u32 hash,
				    u32 owner, const unsigned long *frames, unsigned int nr,
				    bool truncated, const u8 *args, unsigned int args_len)
{
	unsigned int i;

	if (s->hash != hash || s->owner != owner || s->nr != nr ||
	    s->truncated != truncated || s->args_len != args_len)
		return false;
	for (i = 0; i < nr; i++)
		if (s->frames[i] != frames[i])
			return false;
	return !args_len || !memcmp(st_arena(t) + s->args_off, args, args_len);
}
NOKPROBE_SYMBOL(st_slot_matches);

/*
 * The hash only picks where to look (slots compare frame by frame), so it
 * need not resist crafted input: one xor and one multiply per frame,
 * cheaper than jhash2's mixing of every 32-bit half.  The top half of the
 * product is what every frame's bits feed.
 */
static __always_inline u32 st_stack_hash(const unsigned long *frames,
					 unsigned int nr, u32 seed,
					 const u8 *args, unsigned int args_len)
{
	u64 h = seed;
	unsigned int i;

	for (i = 0; i < nr; i++)
		h = (h ^ frames[i]) * GOLDEN_RATIO_64;
	for (i = 0; i + sizeof(u64) <= args_len; i += sizeof(u64))
		h = (h ^ get_unaligned((const u64 *)(args + i))) * GOLDEN_RATIO_64;
	for (; i < args_len; i++)
		h = (h ^ args[i]) * GOLDEN_RATIO_64;
	return h >> 32;
}

/* @len bytes of the arena for a new slot's key, or false when full. */
static __always_inline bool st_args_take(struct st_table *t, unsigned int len, u32 *off)
{
	int used = atomic_read(&t->args_used);

	do {
		if ((unsigned int)used + len > st_args_size)
			return false;
	} while (!atomic_try_cmpxchg(&t->args_used, &used, used + len));
	*off = used;
	return true;
}

/* One latency into @l: bucket, sum, and the extremes by compare-exchange. */
static __always_inline void st_lat_add(struct st_lat *l, u64 ns)
{
	s64 cur;

	atomic_inc(&l->hist[min_t(unsigned int, fls64(ns), STACKTAP_LAT_BUCKETS - 1)]);
	atomic64_add(ns, &l->sum);
	cur = atomic64_read(&l->min);
	while ((!cur || ns + 1 < (u64)cur) && !atomic64_try_cmpxchg(&l->min, &cur, ns + 1))
		;
	cur = atomic64_read(&l->max);
	while (ns > (u64)cur && !atomic64_try_cmpxchg(&l->max, &cur, ns))
		;
}

/*
 * Count one hit of @owner with @frames[0..nr); @truncated when the stack
 * was deeper; @lat_ns, an r: probe's latency, or NULL; @args, a key=args
 * probe's fetched arguments (st_args_fetch()), or NULL.  Returns false,
 * counting an overflow, when the table has no room.  Preemption is
 * disabled by the caller.
 */
notrace bool st_stacks_add(u32 owner, const unsigned long *frames,
			   unsigned int nr, bool truncated, const u64 *lat_ns,
			   const u8 *args)
{
	unsigned int args_len = st_args_len(args);
	u32 hash = st_stack_hash(frames, nr, owner ^ (nr << 16) ^ truncated, args, args_len);
	unsigned int i, home = hash & (st_slots - 1);
	struct st_table *t = rcu_dereference_sched(st_table);
	struct st_slot *s;
	bool args_taken = false;
	u32 args_off = 0;
	int state;

	for (i = 0; i < ST_STACKS_PROBE && i < st_slots; i++) {
		s = st_slot_at(t, (home + i) & (st_slots - 1));
		state = atomic_read_acquire(&s->state);
		/*
		 * Room for the values first, so a claimed slot is always
		 * filled: a slot given back would leave a hole in other keys'
		 * probe sequences.  A race lost after taking it wastes it.
		 */
		if (state == ST_SLOT_FREE && args_len && !args_taken) {
			if (!st_args_take(t, args_len, &args_off))
				break;
			args_taken = true;
		}
		if (state == ST_SLOT_FREE &&
		    atomic_cmpxchg(&s->state, ST_SLOT_FREE, ST_SLOT_FILLING) == ST_SLOT_FREE) {
			s->hash = hash;
			s->owner = owner;
			s->nr = nr;
			s->truncated = truncated;
			s->has_lat = !!lat_ns;
			s->args_len = args_len;
			s->args_off = args_off;
			if (args_len)
				memcpy(st_arena(t) + args_off, args, args_len);
			s->first_ns = ktime_get_mono_fast_ns();
			memcpy(s->frames, frames, nr * sizeof(*frames));
			if (lat_ns)
				st_lat_add(&s->lat, *lat_ns);
			atomic_long_set(&s->count, 1);
			atomic_inc(&t->used);
			atomic_set_release(&s->state, ST_SLOT_READY);
			return true;
		}
		/* Lost the race for this free slot: see what it became. */
		if (state == ST_SLOT_FREE)
			state = atomic_read_acquire(&s->state);
		if (state == ST_SLOT_READY &&
		    st_slot_matches(t, s, hash, owner, frames, nr, truncated, args, args_len)) {
			if (lat_ns && s->has_lat)
				st_lat_add(&s->lat, *lat_ns);
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
	st_owners_prune(NULL);
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

/* A slot's latencies as they are now, into a snapshot's plain copy. */
static void st_lat_read(struct stacktap_latency *to, struct st_lat *l)
{
	unsigned int i;
	u64 min = atomic64_read(&l->min);

	to->sum_ns = atomic64_read(&l->sum);
	to->min_ns = min ? min - 1 : 0;
	to->max_ns = atomic64_read(&l->max);
	for (i = 0; i < STACKTAP_LAT_BUCKETS; i++)
		to->hist[i] = atomic_read(&l->hist[i]);
}

/* Twins' latencies, one stack's. */
static void st_lat_merge(struct stacktap_latency *to, const struct stacktap_latency *l)
{
	unsigned int i;

	to->sum_ns += l->sum_ns;
	to->min_ns = min(to->min_ns, l->min_ns);
	to->max_ns = max(to->max_ns, l->max_ns);
	for (i = 0; i < STACKTAP_LAT_BUCKETS; i++)
		to->hist[i] += l->hist[i];
}

/* Snapshot order for finding twins: by owner, then by whole key. */
static int st_cmp_key(const void *a, const void *b)
{
	const struct st_stack *x = a, *y = b;
	unsigned int n = min(x->nr, y->nr);
	int c;

	if (x->owner != y->owner)
		return x->owner < y->owner ? -1 : 1;
	if (x->truncated != y->truncated)
		return x->truncated ? 1 : -1;
	c = memcmp(x->frames, y->frames, n * sizeof(x->frames[0]));
	if (c)
		return c;
	if (x->nr != y->nr)
		return x->nr < y->nr ? -1 : 1;
	if (x->args_len != y->args_len)
		return x->args_len < y->args_len ? -1 : 1;
	return x->args_len ? memcmp(x->args, y->args, x->args_len) : 0;
}

/* Output order: by owner, then highest count first. */
static int st_cmp_count(const void *a, const void *b)
{
	const struct st_stack *x = a, *y = b;

	if (x->owner != y->owner)
		return x->owner < y->owner ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return st_cmp_key(a, b);
}

/* Each owner's name, copied: an owner may go while the snapshot is read. */
static int st_snapshot_names(struct st_stacks_snap *snap)
{
	struct st_stack *st;
	struct st_owner *o;
	unsigned int i;

	for (i = 0; i < snap->nr; i++) {
		st = &snap->stacks[i];
		if (i && st->owner == snap->stacks[i - 1].owner) {
			st->name = snap->stacks[i - 1].name;
			continue;
		}
		o = xa_load(&st_owners, st->owner);
		st->name = kstrdup(o ? o->name : "?", GFP_KERNEL);
		if (!st->name)
			return -ENOMEM;
	}
	return 0;
}

/*
 * The table's stacks, twins merged, sorted for output.  NULL when out of
 * memory; free with st_stacks_snapshot_free().
 */
struct st_stacks_snap *st_stacks_snapshot(void)
{
	struct st_stacks_snap *snap;
	struct st_stack *st, *prev;
	unsigned int i, n = 0, kept, cap, nlat = 0, ilat = 0;
	size_t nframes = 0, used = 0, nargs = 0, args_used = 0;
	bool complete = true;
	unsigned long *seen;
	struct st_table *t;
	struct st_slot *s;

	/* Which slots the count saw: the copy takes those, and only those. */
	seen = bitmap_zalloc(st_slots, GFP_KERNEL);
	if (!seen)
		return NULL;
	mutex_lock(&st_stacks_mutex);
	t = st_table_locked();
	/* Stacks that appear while this runs are left for the next one. */
	cap = atomic_read(&t->used);
	for (i = 0; i < st_slots && n < cap; i++) {
		s = st_slot_at(t, i);
		if (atomic_read_acquire(&s->state) == ST_SLOT_READY) {
			__set_bit(i, seen);
			n++;
			nframes += s->nr;
			nlat += s->has_lat;
			nargs += s->args_len;
		}
	}
	cap = n;
	snap = kvzalloc(struct_size(snap, stacks, cap), GFP_KERNEL);
	if (!snap)
		goto out_unlock;
	snap->frames = kvmalloc_array(max_t(size_t, nframes, 1), sizeof(*snap->frames),
				      GFP_KERNEL);
	if (!snap->frames)
		goto err_free;
	/* Latencies are big (216 bytes): only r: stacks get theirs. */
	snap->lats = kvmalloc_array(max(nlat, 1U), sizeof(*snap->lats), GFP_KERNEL);
	if (!snap->lats)
		goto err_free;
	snap->args = kvmalloc(max_t(size_t, nargs, 1), GFP_KERNEL);
	if (!snap->args)
		goto err_free;
	if (n < atomic_read(&t->used))
		complete = false;	/* filled since, or being filled */
	n = 0;
	for_each_set_bit(i, seen, st_slots) {
		s = st_slot_at(t, i);
		st = &snap->stacks[n++];
		st->owner = s->owner;
		st->nr = s->nr;
		st->truncated = s->truncated;
		st->first_ns = s->first_ns;
		st->count = atomic_long_read(&s->count);
		st->lat = NULL;
		if (s->has_lat) {
			st->lat = &snap->lats[ilat++];
			st_lat_read(st->lat, &s->lat);
		}
		st->frames = snap->frames + used;
		memcpy(snap->frames + used, s->frames, s->nr * sizeof(s->frames[0]));
		used += s->nr;
		st->args_len = s->args_len;
		st->args = NULL;
		if (s->args_len) {
			st->args = snap->args + args_used;
			memcpy(snap->args + args_used, st_arena(t) + s->args_off, s->args_len);
			args_used += s->args_len;
		}
	}

	/* Merge twins (same key, filled concurrently), keeping the oldest. */
	sort(snap->stacks, n, sizeof(snap->stacks[0]), st_cmp_key, NULL);
	for (i = 0, kept = 0; i < n; i++) {
		st = &snap->stacks[i];
		prev = kept ? &snap->stacks[kept - 1] : NULL;
		if (prev && !st_cmp_key(prev, st)) {
			prev->count += st->count;
			prev->first_ns = min(prev->first_ns, st->first_ns);
			if (prev->lat && st->lat)
				st_lat_merge(prev->lat, st->lat);
			continue;
		}
		snap->stacks[kept++] = *st;
	}
	sort(snap->stacks, kept, sizeof(snap->stacks[0]), st_cmp_count, NULL);
	snap->nr = kept;
	/* A scan that saw every slot knows which owners have no stack left. */
	if (complete)
		st_owners_prune(snap);
	if (st_snapshot_names(snap))
		goto err_free;
out_unlock:
	mutex_unlock(&st_stacks_mutex);
	bitmap_free(seen);
	return snap;

err_free:
	mutex_unlock(&st_stacks_mutex);
	bitmap_free(seen);
	st_stacks_snapshot_free(snap);
	return NULL;
}

void st_stacks_snapshot_free(struct st_stacks_snap *snap)
{
	unsigned int i;

	if (!snap)
		return;
	for (i = 0; i < snap->nr; i++)
		if (!i || snap->stacks[i].name != snap->stacks[i - 1].name)
			kfree(snap->stacks[i].name);
	kvfree(snap->args);
	kvfree(snap->lats);
	kvfree(snap->frames);
	kvfree(snap);
}

/*
 * Call @fn for each frame of each stack in the table, in place: no copy,
 * whatever the table's size.  @fn may not sleep on st_stacks_mutex.
 */
void st_stacks_for_each_frame(void (*fn)(unsigned long addr, bool ret_addr,
					 u64 first_ns, void *arg), void *arg)
{
	struct st_table *t;
	struct st_slot *s;
	unsigned int i, j;

	mutex_lock(&st_stacks_mutex);
	t = st_table_locked();
	for (i = 0; i < st_slots; i++) {
		s = st_slot_at(t, i);
		if (atomic_read_acquire(&s->state) != ST_SLOT_READY)
			continue;
		for (j = 0; j < s->nr; j++)
			fn(s->frames[j], j > 0, s->first_ns, arg);
		cond_resched();
	}
	mutex_unlock(&st_stacks_mutex);
}
