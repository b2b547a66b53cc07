// SPDX-License-Identifier: GPL-2.0
/*
 * Symbolising frames at read time, including frames whose text is gone.
 *
 * Records and stacks keep raw addresses; kallsyms names them when read.
 * Two kinds of frame outlive their text:
 *
 *  - A module's __init text.  Once do_init_module() has run, kallsyms
 *    forgets its symbols and the kernel frees it: the frame that answers
 *    "who created bond0?" (bonding_init) would read as a bare address.
 *    So when a module goes live, just before that happens, every recorded
 *    frame in its init text is named and the name kept, valid for records
 *    taken before that moment.
 *
 *  - An unloaded module's text.  Its range and the time it went are
 *    kept; a frame in it, recorded before then, reads "0x<addr>
 *    [unloaded]" even if another module now lives at that address.
 *
 * Both are bounded.  An init-text name is kept once per frame and era:
 * a frame that an earlier name already covers gets none, and past
 * ST_INITSYMS_MAX the frame reads as its address.  An unloaded range
 * that a later one covers is dropped (a module reloaded at the same
 * place), and past ST_GONES_MAX the oldest goes; both are logged.
 *
 * Writers hold st_symbols_mutex; each printed frame looks them up under
 * RCU, init names in a hash table by address.  A full clear empties both.
 */
#include <linux/capability.h>
#include <linux/hashtable.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "stacktap.h"
#include "stacktap_ring.h"

#define ST_INITSYMS_MAX		65536
#define ST_GONES_MAX		1024

struct st_initsym {
	struct hlist_node node;
	struct rcu_head rcu;
	unsigned long addr;
	bool ret_addr;		/* named as a return address (%pB) */
	u64 before_ns;		/* valid for records older than this */
	char name[];
};

struct st_gone {
	struct list_head list;	/* oldest first */
	struct rcu_head rcu;
	unsigned long base;
	unsigned long size;
	u64 gone_ns;
};

static DEFINE_HASHTABLE(st_initsyms, 10);
static unsigned int st_initsyms_nr;
static LIST_HEAD(st_gones);
static unsigned int st_gones_nr;
static DEFINE_MUTEX(st_symbols_mutex);

/* The init name of @addr for a frame recorded at @ts_ns: its own era's. */
static struct st_initsym *st_initsym_find(unsigned long addr, bool ret_addr, u64 ts_ns)
{
	struct st_initsym *s, *best = NULL;

	/* Under rcu_read_lock() to print, under st_symbols_mutex to add. */
	hash_for_each_possible_rcu(st_initsyms, s, node, addr,
				   lockdep_is_held(&st_symbols_mutex))
		if (s->addr == addr && s->ret_addr == ret_addr && ts_ns < s->before_ns &&
		    (!best || s->before_ns < best->before_ns))
			best = s;
	return best;
}

/*
 * Name @addr, a frame recorded at @ts_ns, into @buf: frame 0 as the
 * probed address (%pS), the others as return addresses (%pB).  Without
 * @show_addr (a reader without CAP_SYSLOG) a frame no symbol names
 * reads "[unknown]" or "[unloaded]", never as its address.
 */
void st_sym_format(char *buf, size_t size, unsigned long addr, bool ret_addr,
		   u64 ts_ns, bool show_addr)
{
	struct st_initsym *s;
	struct st_gone *g;

	rcu_read_lock();
	list_for_each_entry_rcu(g, &st_gones, list) {
		if (addr - g->base < g->size && ts_ns < g->gone_ns) {
			if (show_addr)
				snprintf(buf, size, "0x%lx [unloaded]", addr);
			else
				strscpy(buf, "[unloaded]", size);
			goto out_unlock;
		}
	}
	s = st_initsym_find(addr, ret_addr, ts_ns);
	if (s)
		strscpy(buf, s->name, size);
	else
		snprintf(buf, size, ret_addr ? "%pB" : "%pS", (void *)addr);
	/* kallsyms prints an address it cannot name as the bare number. */
	if (!show_addr && !strncmp(buf, "0x", 2))
		strscpy(buf, "[unknown]", size);
out_unlock:
	rcu_read_unlock();
}

/*
 * Whether the task opening a stacktap file may see kernel addresses: as
 * %pK decides for it, since kptr_restrict is not exported.  2 hides them
 * from everyone and 1 shows them to CAP_SYSLOG (%pK prints zeros to the
 * rest); 0 hashes %pK, and then /proc/kallsyms's rule stands: CAP_SYSLOG.
 */
bool st_may_see_addresses(void)
{
	unsigned long probe = (unsigned long)&st_symbols_mutex, shown;
	char buf[32];

	snprintf(buf, sizeof(buf), "%pK", (void *)probe);
	if (kstrtoul(buf, 16, &shown) || !shown)
		return false;
	return shown == probe || st_capable_syslog();
}

/* The init text being named, and when. */
struct st_init_range {
	unsigned long base;
	unsigned long size;
	u64 now;
};

/* Name @addr, a frame recorded at @ts_ns, unless a name covers it already. */
static void st_initsym_add(unsigned long addr, bool ret_addr, u64 ts_ns, void *arg)
{
	struct st_init_range *r = arg;
	struct st_initsym *s;
	char buf[KSYM_SYMBOL_LEN];
	int len;

	lockdep_assert_held(&st_symbols_mutex);
	if (addr - r->base >= r->size || st_initsym_find(addr, ret_addr, ts_ns))
		return;
	if (st_initsyms_nr >= ST_INITSYMS_MAX) {
		pr_warn_once("%u init-text names kept: later ones read as addresses until a clear\n",
			     st_initsyms_nr);
		return;
	}
	len = snprintf(buf, sizeof(buf), ret_addr ? "%pB" : "%pS", (void *)addr);
	len = min_t(int, len, sizeof(buf) - 1);
	s = kmalloc(struct_size(s, name, len + 1), GFP_KERNEL);
	if (!s)
		return;	/* the frame will read as a bare address */
	s->addr = addr;
	s->ret_addr = ret_addr;
	s->before_ns = r->now;
	memcpy(s->name, buf, len + 1);
	hash_add_rcu(st_initsyms, &s->node, addr);
	st_initsyms_nr++;
}

void st_symbols_counts(unsigned int *init, unsigned int *unloaded)
{
	mutex_lock(&st_symbols_mutex);
	*init = st_initsyms_nr;
	*unloaded = st_gones_nr;
	mutex_unlock(&st_symbols_mutex);
}

static void st_gone_free(struct st_gone *g)
{
	list_del_rcu(&g->list);
	kfree_rcu(g, rcu);
	st_gones_nr--;
}

void st_symbols_clear(void)
{
	struct st_initsym *s;
	struct hlist_node *tmp;
	struct st_gone *g, *gtmp;
	int bkt;

	mutex_lock(&st_symbols_mutex);
	hash_for_each_safe(st_initsyms, bkt, tmp, s, node) {
		hash_del_rcu(&s->node);
		kfree_rcu(s, rcu);
	}
	st_initsyms_nr = 0;
	list_for_each_entry_safe(g, gtmp, &st_gones, list)
		st_gone_free(g);
	mutex_unlock(&st_symbols_mutex);
}

/* Name the recorded and counted frames in [base, base + size). */
static void st_initsyms_name(unsigned long base, unsigned long size)
{
	struct st_init_range r = { base, size, ktime_get_mono_fast_ns() };
	struct st_record *rec;
	unsigned long pos;
	unsigned int i;
	int cpu;

	st_ring_read_lock();
	mutex_lock(&st_symbols_mutex);
	for_each_possible_cpu(cpu) {
		pos = st_ring_tail(cpu);
		while ((rec = (struct st_record *)st_ring_peek(cpu, &pos))) {
			for (i = 0; i < rec->nr_frames; i++)
				st_initsym_add(rec->frames[i], i > 0, rec->ts_ns, &r);
			pos += rec->hdr.len;
		}
	}
	/* The table in place: a module load copies nothing. */
	st_stacks_for_each_frame(st_initsym_add, &r);
	mutex_unlock(&st_symbols_mutex);
	st_ring_read_unlock();
}

static void st_gone_add(unsigned long base, unsigned long size)
{
	struct st_gone *g, *old, *tmp;

	if (!size)
		return;
	g = kmalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return;	/* its frames may read as bare addresses or stale names */
	g->base = base;
	g->size = size;
	g->gone_ns = ktime_get_mono_fast_ns();
	mutex_lock(&st_symbols_mutex);
	/* A range inside the new one says nothing the new one does not. */
	list_for_each_entry_safe(old, tmp, &st_gones, list)
		if (old->base >= base && old->base - base + old->size <= size)
			st_gone_free(old);
	list_add_tail_rcu(&g->list, &st_gones);
	st_gones_nr++;
	if (st_gones_nr > ST_GONES_MAX) {
		pr_warn_once("%u unloaded ranges kept: the oldest are forgotten until a clear\n",
			     ST_GONES_MAX);
		st_gone_free(list_first_entry(&st_gones, struct st_gone, list));
	}
	mutex_unlock(&st_symbols_mutex);
}

static int st_symbols_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	unsigned long base, size;

	switch (action) {
	case MODULE_STATE_LIVE:
		st_module_init_text(data, &base, &size);
		if (size)
			st_initsyms_name(base, size);
		break;
	case MODULE_STATE_GOING:
		/* Init text too: it is still there when a module's init failed. */
		st_module_init_text(data, &base, &size);
		st_gone_add(base, size);
		st_module_core_text(data, &base, &size);
		st_gone_add(base, size);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block st_symbols_nb = {
	.notifier_call = st_symbols_notify,
};

int st_symbols_init(void)
{
	return register_module_notifier(&st_symbols_nb);
}

void st_symbols_exit(void)
{
	unregister_module_notifier(&st_symbols_nb);
	st_symbols_clear();
}
