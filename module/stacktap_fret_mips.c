// SPDX-License-Identifier: GPL-2.0
/*
 * MIPS: r: on a function whose entry is an ftrace call site, where a
 * kernel without KPROBES_ON_FTRACE takes no kretprobe (frameless
 * functions such as tun_chr_ioctl, a module's leaf functions).  An
 * ftrace_ops callback takes the return as the function graph tracer
 * does: ftrace_caller runs after F's prologue, with F's return address
 * in its saved AT (regs[1], ra again on the way out) and, where F saved
 * ra, in F's frame too (its epilogue reloads it).  Both get a return
 * stub of ours (stacktap_fret_stubs_mips.S); F returns into it, and
 * st_fret_return() records the entry's stack and arguments with the
 * return value and latency, as a kretprobe's r: record reads, and gives
 * the stub the real return address.
 *
 * The callback runs before ftrace_graph_caller: the graph tracer, if on
 * F too, saves our stub as F's return and returns into it.  A second r:
 * of ours on F saves the first one's stub.  Walks resolve stubs of the
 * current task (st_fret_real()).
 *
 * Each pending return holds a module reference: rmmod says the module is
 * in use until every such call has returned.  A probe deleted meanwhile
 * leaves its pending returns to go back, unrecorded.  A task that exits
 * inside the call (a kthread's function that ends in
 * kthread_complete_and_exit()) never returns into its stub: once the task
 * is freed (tracepoint sched_process_free, after its last switch) its
 * slots and references are given back, and a probe still armed counts
 * a miss.  A zombie nobody reaps keeps its slots.
 */
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "stacktap.h"
#include "wrapper/tracepoint.h"

enum st_fret_state {
	ST_FRET_FREE,		/* no probe's */
	ST_FRET_IDLE,		/* a probe's, no call pending */
	ST_FRET_CLAIMED,	/* its callback is taking a call */
	ST_FRET_PENDING,	/* the call returns into its stub */
	ST_FRET_ORPHAN,		/* pending, its probe deleted */
};

/* One return stub's state. */
struct st_fret_slot {
	atomic_t state;
	unsigned long ret_addr;		/* where the call returns really */
	struct task_struct *task;	/* whose call */
	struct st_probe *probe;		/* owner: IDLE, CLAIMED and PENDING */
	unsigned long *frames;		/* the owner's buffer for the entry's stack */
	u64 entry_ns;
	unsigned int nr;
};

/* A probe's slots and the buffers their entries fill. */
struct st_fret_pool {
	unsigned int n;
	atomic_long_t missed;		/* calls no idle slot was left for */
	size_t data_words;		/* frames, then arguments, per slot */
	unsigned long *data;
	u16 slot[];
};

extern char st_fret_stubs[];
unsigned long st_fret_return(unsigned long idx, unsigned long value,
			    unsigned long *ra_slot);

static struct st_fret_slot st_fret_slots[ST_FRET_SLOTS];
static DEFINE_MUTEX(st_fret_mutex);	/* FREE -> IDLE, under it only */
static atomic_t st_fret_pending = ATOMIC_INIT(0);
static struct tracepoint *st_fret_free_tp;	/* set under st_fret_mutex */

notrace bool st_fret_is_stub(unsigned long addr)
{
	unsigned long off = addr - (unsigned long)st_fret_stubs;

	return off < ST_FRET_SLOTS * ST_FRET_STUB_SIZE && !(off % ST_FRET_STUB_SIZE);
}
NOKPROBE_SYMBOL(st_fret_is_stub);

notrace unsigned long st_fret_real(unsigned long addr)
{
	const struct st_fret_slot *s;
	unsigned int i, state;

	/* A chain: a later r: (or hook) saved an earlier one's stub. */
	for (i = 0; i < 8 && st_fret_is_stub(addr); i++) {
		s = &st_fret_slots[(addr - (unsigned long)st_fret_stubs) / ST_FRET_STUB_SIZE];
		state = atomic_read_acquire(&s->state);
		if ((state != ST_FRET_PENDING && state != ST_FRET_ORPHAN) ||
		    READ_ONCE(s->task) != current)
			return 0;
		addr = READ_ONCE(s->ret_addr);
	}
	return st_fret_is_stub(addr) ? 0 : addr;
}
NOKPROBE_SYMBOL(st_fret_real);

static __always_inline u8 *st_fret_args(struct st_probe *p, unsigned long *frames)
{
	return (u8 *)&frames[st_capture_max(p)];
}

static notrace void st_fret_hit(unsigned long ip, unsigned long parent_ip,
				struct ftrace_ops *ops, struct st_ftrace_regs *fregs)
{
	struct st_probe *p = container_of(ops, struct st_probe, ops);
	struct st_fret_pool *pool = p->fret;
	unsigned long *at, *ra, ret, stub;
	struct st_fret_slot *s = NULL;
	unsigned int k;
	int bit;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0) {
		local_inc(&this_cpu_ptr(p->stats)->misses);
		return;
	}
	/* No frame we can read both slots of: no return to take. */
	if (!st_unwind_ftrace_ret_slots(ip, parent_ip, &at, &ra)) {
		local_inc(&this_cpu_ptr(p->stats)->misses);
		goto out;
	}
	for (k = 0; k < pool->n; k++) {
		s = &st_fret_slots[pool->slot[k]];
		if (atomic_cmpxchg(&s->state, ST_FRET_IDLE, ST_FRET_CLAIMED) == ST_FRET_IDLE)
			break;
	}
	if (k == pool->n) {
		atomic_long_inc(&pool->missed);
		goto out;
	}
	/* Filtered, or a hit from inside stacktap's own path: no return to take. */
	s->nr = st_capture_ftrace_entry(p, ip, parent_ip, s->frames,
					st_fret_args(p, s->frames));
	/*
	 * Or rmmod is under way (the reference is taken before probes are
	 * disarmed): no return that would hold it up.
	 */
	if (!s->nr || !try_module_get(THIS_MODULE)) {
		atomic_set_release(&s->state, ST_FRET_IDLE);
		goto out;
	}
	ret = *at;
	s->ret_addr = ret;
	WRITE_ONCE(s->task, current);
	atomic_inc(&st_fret_pending);
	s->entry_ns = ktime_get_mono_fast_ns();
	atomic_set_release(&s->state, ST_FRET_PENDING);
	stub = (unsigned long)st_fret_stubs + pool->slot[k] * ST_FRET_STUB_SIZE;
	*at = stub;
	if (ra)
		*ra = stub;
out:
	ftrace_test_recursion_unlock(bit);
}
NOKPROBE_SYMBOL(st_fret_hit);

/*
 * From stub @idx, with F's return value @value: record the call, free
 * the slot, and return where F really returns.  *@ra_slot is where the
 * stub's frame keeps its ra, the stub's address: the real one goes there
 * before the slot is free, so a walk from an interrupt never reads a
 * stub whose slot another call may have taken.
 */
notrace unsigned long st_fret_return(unsigned long idx, unsigned long value,
				     unsigned long *ra_slot)
{
	struct st_fret_slot *s = &st_fret_slots[idx];
	u64 now = ktime_get_mono_fast_ns();
	unsigned long ret_addr = s->ret_addr;
	struct st_probe *p;

	WRITE_ONCE(*ra_slot, ret_addr);
	barrier();	/* an interrupt here walks from the frame, on this CPU */

	/*
	 * Disarm orphans a pending slot and then waits for a grace period:
	 * while preemption is off here, the probe and its buffers stay.
	 */
	preempt_disable_notrace();
	if (atomic_read_acquire(&s->state) == ST_FRET_PENDING) {
		struct st_ret ret = { .value = value, .lat_ns = now - s->entry_ns };

		p = s->probe;
		st_capture_return(p, s->frames, s->nr, st_fret_args(p, s->frames), &ret);
	}
	if (atomic_cmpxchg(&s->state, ST_FRET_PENDING, ST_FRET_IDLE) != ST_FRET_PENDING)
		atomic_set_release(&s->state, ST_FRET_FREE);	/* orphaned */
	atomic_dec(&st_fret_pending);
	preempt_enable_notrace();
	module_put(THIS_MODULE);
	return ret_addr;
}
NOKPROBE_SYMBOL(st_fret_return);

/*
 * Take back @s if it holds a pending call of @p's, which is freed: PENDING
 * -> IDLE (a miss for its probe), ORPHAN -> FREE.  Only st_fret_release()
 * may move such a slot meanwhile (PENDING -> ORPHAN), hence the loop.  A
 * probe that orphans its slots waits a grace period before it goes, so
 * with preemption off a slot taken back from PENDING still has its probe.
 */
static bool st_fret_take_back(struct st_fret_slot *s, struct task_struct *p)
{
	struct st_probe *owner;
	unsigned int state;

	for (;;) {
		state = atomic_read_acquire(&s->state);
		/* Its task is written before a slot goes PENDING. */
		if ((state != ST_FRET_PENDING && state != ST_FRET_ORPHAN) ||
		    READ_ONCE(s->task) != p)
			return false;
		/* Fixed while PENDING: the cmpxchg proves it is ours. */
		owner = READ_ONCE(s->probe);
		if (atomic_cmpxchg(&s->state, state, state == ST_FRET_PENDING ?
				   ST_FRET_IDLE : ST_FRET_FREE) != state)
			continue;
		if (state == ST_FRET_PENDING)
			local_inc(&this_cpu_ptr(owner->stats)->misses);
		return true;
	}
}

/*
 * @p is freed: it ran its last, so no call of it returns any more.  Give
 * its pending slots back, with the module references they held.
 */
static void st_fret_task_free(void *data, struct task_struct *p)
{
	unsigned int i;
	bool taken;

	if (!atomic_read(&st_fret_pending))
		return;
	for (i = 0; i < ST_FRET_SLOTS; i++) {
		if (READ_ONCE(st_fret_slots[i].task) != p)
			continue;
		/* As tracepoint callbacks run anyway. */
		preempt_disable();
		taken = st_fret_take_back(&st_fret_slots[i], p);
		preempt_enable();
		if (!taken)
			continue;
		atomic_dec(&st_fret_pending);
		module_put(THIS_MODULE);
	}
}

/* Watch for tasks freed with a return pending, from the first r: on. */
static int st_fret_watch_exits(void)
{
	int ret = 0;

	mutex_lock(&st_fret_mutex);
	if (!st_fret_free_tp) {
		struct tracepoint *tp = st_tracepoint_find("sched_process_free");

		ret = tp ? tracepoint_probe_register(tp, st_fret_task_free, NULL) : -EOPNOTSUPP;
		if (!ret)
			st_fret_free_tp = tp;
	}
	mutex_unlock(&st_fret_mutex);
	return ret;
}

/* Take @n free slots for @p: false when fewer are free. */
static bool st_fret_claim(struct st_probe *p, struct st_fret_pool *pool)
{
	unsigned int i, k = 0;

	mutex_lock(&st_fret_mutex);
	for (i = 0; i < ST_FRET_SLOTS && k < pool->n; i++)
		if (atomic_read(&st_fret_slots[i].state) == ST_FRET_FREE)
			pool->slot[k++] = i;
	if (k < pool->n) {
		mutex_unlock(&st_fret_mutex);
		return false;
	}
	for (k = 0; k < pool->n; k++) {
		struct st_fret_slot *s = &st_fret_slots[pool->slot[k]];

		WRITE_ONCE(s->probe, p);
		s->frames = pool->data + k * pool->data_words;
		atomic_set_release(&s->state, ST_FRET_IDLE);
	}
	mutex_unlock(&st_fret_mutex);
	return true;
}

/*
 * Give @pool's slots back: idle ones at once, pending ones once their
 * call returns (st_fret_return() sees them orphaned).  No callback of
 * the probe runs any more, so none is CLAIMED.
 */
static void st_fret_release(struct st_fret_pool *pool)
{
	unsigned int k, state;

	for (k = 0; k < pool->n; k++) {
		struct st_fret_slot *s = &st_fret_slots[pool->slot[k]];

		for (;;) {
			state = atomic_read(&s->state);
			if (state == ST_FRET_IDLE &&
			    atomic_cmpxchg(&s->state, ST_FRET_IDLE, ST_FRET_FREE) == ST_FRET_IDLE)
				break;
			if (state == ST_FRET_PENDING &&
			    atomic_cmpxchg(&s->state, ST_FRET_PENDING, ST_FRET_ORPHAN) == ST_FRET_PENDING)
				break;
			if (WARN_ON_ONCE(state != ST_FRET_IDLE && state != ST_FRET_PENDING))
				break;
		}
	}
	/* A return that read PENDING is done with the probe's buffers. */
	synchronize_rcu();
}

static int st_fret_arm(struct st_probe *p, const char **why)
{
	/* ftrace_set_filter() may write into the pattern it parses. */
	char name[STACKTAP_SYMBOL_MAX];
	struct st_fret_pool *pool;
	unsigned long matched;
	unsigned int i, n;
	int ret;

	/* ftrace_caller saves the argument registers only. */
	for (i = 0; i < p->spec.nargs; i++) {
		if (p->spec.args[i].base == ST_ARG_REG) {
			*why = "its entry is an ftrace call site, so its return is taken through ftrace, which does not save every register: fetch argN, not %REG";
			return -EINVAL;
		}
	}
	n = p->spec.maxactive ?: clamp_t(unsigned int, 2 * num_possible_cpus(), 10, ST_FRET_SLOTS / 4);
	if (n > ST_FRET_SLOTS) {
		*why = "its entry is an ftrace call site, so its return is taken through ftrace, where maxactive= may be 256 at most";
		return -ERANGE;
	}
	pool = kzalloc(struct_size(pool, slot, n), GFP_KERNEL);
	if (!pool) {
		*why = "out of memory";
		return -ENOMEM;
	}
	pool->n = n;
	pool->data_words = st_capture_max(p) + DIV_ROUND_UP(p->args_max, sizeof(unsigned long));
	pool->data = kcalloc(n, pool->data_words * sizeof(unsigned long), GFP_KERNEL);
	if (!pool->data) {
		*why = "out of memory";
		ret = -ENOMEM;
		goto err_free_pool;
	}
	ret = st_fret_watch_exits();
	if (ret) {
		*why = "its entry is an ftrace call site, so its return is taken through ftrace, which needs the sched_process_free tracepoint to reclaim the returns of tasks that exit inside the call";
		goto err_free_data;
	}
	if (!st_fret_claim(p, pool)) {
		*why = "its entry is an ftrace call site, so its return is taken through ftrace, and fewer return slots than its maxactive= are free (256 in all): lower maxactive= or delete such r: probes";
		ret = -ENOSPC;
		goto err_free_data;
	}
	p->fret = pool;

	strscpy(name, p->spec.symbol + (p->spec.module_len ? p->spec.module_len + 1 : 0),
		sizeof(name));
	p->ops.func = st_fret_hit;
	p->ops.flags = ST_FTRACE_OPS_FLAGS;
	ret = ftrace_set_filter(&p->ops, name, strlen(name), 1);
	if (ret) {
		*why = "its entry is an ftrace call site, but ftrace cannot trace it: no return can be taken";
		ret = ret == -EINVAL ? -ENOENT : ret;
		goto err_free_filter;
	}
	matched = st_ftrace_filter_count(&p->ops);
	if (matched != 1) {
		*why = "its name is not the only one: ftrace, which takes its return, cannot single out one function";
		ret = -ENOTUNIQ;
		goto err_free_filter;
	}
	ret = register_ftrace_function(&p->ops);
	if (ret) {
		*why = "ftrace_ops registration failed";
		goto err_free_filter;
	}
	return 0;

err_free_filter:
	st_ftrace_free_filter(&p->ops);
	p->fret = NULL;
	st_fret_release(pool);
err_free_data:
	kfree(pool->data);
err_free_pool:
	kfree(pool);
	return ret;
}

static void st_fret_disarm(struct st_probe *p)
{
	struct st_fret_pool *pool = p->fret;

	unregister_ftrace_function(&p->ops);
	st_ftrace_free_filter(&p->ops);
	/* A callback still running claims no slot once this returns. */
	synchronize_rcu();
	st_fret_release(pool);
	p->fret = NULL;
	kfree(pool->data);
	kfree(pool);
}

static unsigned long st_fret_nmissed(struct st_probe *p)
{
	return p->fret ? atomic_long_read(&p->fret->missed) : 0;
}

const struct st_probe_kind st_fret_kind = {
	.arm = st_fret_arm,
	.disarm = st_fret_disarm,
	.nmissed = st_fret_nmissed,
};

/*
 * Module exit: a return in flight holds a module reference, so none is
 * pending at rmmod; after a failed init there may be (the kernel frees
 * the module whatever its references), and the watch on freed tasks
 * stays until they are all given back.  Then it goes, and we wait for a
 * task that has left st_fret_return() to be past the stub's last
 * instructions.
 */
void st_fret_exit(void)
{
	unsigned int waited = 0;

	while (atomic_read(&st_fret_pending)) {
		if (!(waited++ % 1000))
			pr_warn("waiting for %d r: calls to return through ftrace\n",
				atomic_read(&st_fret_pending));
		msleep(10);
	}
	if (st_fret_free_tp) {
		tracepoint_probe_unregister(st_fret_free_tp, st_fret_task_free, NULL);
		tracepoint_synchronize_unregister();
		st_fret_free_tp = NULL;
	}
	st_sync_trampolines();
}
