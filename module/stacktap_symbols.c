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
 * Both lists are guarded by st_symbols_mutex and emptied by a full clear.
 */
#include <linux/capability.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "stacktap.h"
#include "stacktap_ring.h"

struct st_initsym {
	struct list_head list;
	unsigned long addr;
	bool ret_addr;		/* named as a return address (%pB) */
	u64 before_ns;		/* valid for records older than this */
	char name[];
};

struct st_gone {
	struct list_head list;
	unsigned long base;
	unsigned long size;
	u64 gone_ns;
};

static LIST_HEAD(st_initsyms);
static LIST_HEAD(st_gones);
static DEFINE_MUTEX(st_symbols_mutex);

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

	mutex_lock(&st_symbols_mutex);
	list_for_each_entry(g, &st_gones, list) {
		if (addr - g->base < g->size && ts_ns < g->gone_ns) {
			if (show_addr)
				snprintf(buf, size, "0x%lx [unloaded]", addr);
			else
				strscpy(buf, "[unloaded]", size);
			goto out_unlock;
		}
	}
	list_for_each_entry(s, &st_initsyms, list) {
		if (s->addr == addr && s->ret_addr == ret_addr && ts_ns < s->before_ns) {
			strscpy(buf, s->name, size);
			goto out_hide;
		}
	}
	snprintf(buf, size, ret_addr ? "%pB" : "%pS", (void *)addr);
out_hide:
	/* kallsyms prints an address it cannot name as the bare number. */
	if (!show_addr && !strncmp(buf, "0x", 2))
		strscpy(buf, "[unknown]", size);
out_unlock:
	mutex_unlock(&st_symbols_mutex);
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

static void st_initsym_add(unsigned long addr, bool ret_addr, u64 now)
{
	struct st_initsym *s;
	char buf[KSYM_SYMBOL_LEN];
	int len;

	lockdep_assert_held(&st_symbols_mutex);
	list_for_each_entry(s, &st_initsyms, list)
		if (s->addr == addr && s->ret_addr == ret_addr && s->before_ns == now)
			return;
	len = snprintf(buf, sizeof(buf), ret_addr ? "%pB" : "%pS", (void *)addr);
	len = min_t(int, len, sizeof(buf) - 1);
	s = kmalloc(struct_size(s, name, len + 1), GFP_KERNEL);
	if (!s)
		return;	/* the frame will read as a bare address */
	s->addr = addr;
	s->ret_addr = ret_addr;
	s->before_ns = now;
	memcpy(s->name, buf, len + 1);
	list_add(&s->list, &st_initsyms);
}

void st_symbols_clear(void)
{
	struct st_initsym *s, *stmp;
	struct st_gone *g, *gtmp;

	mutex_lock(&st_symbols_mutex);
	list_for_each_entry_safe(s, stmp, &st_initsyms, list) {
		list_del(&s->list);
		kfree(s);
	}
	list_for_each_entry_safe(g, gtmp, &st_gones, list) {
		list_del(&g->list);
		kfree(g);
	}
	mutex_unlock(&st_symbols_mutex);
}

/* Name the recorded and counted frames in [base, base + size). */
static void st_initsyms_name(unsigned long base, unsigned long size)
{
	struct st_stacks_snap *snap;
	struct st_record *rec;
	unsigned long pos;
	unsigned int i, j;
	u64 now = ktime_get_mono_fast_ns();
	int cpu;

	snap = st_stacks_snapshot();
	st_ring_read_lock();
	mutex_lock(&st_symbols_mutex);
	for_each_possible_cpu(cpu) {
		pos = st_ring_tail(cpu);
		while ((rec = (struct st_record *)st_ring_peek(cpu, &pos))) {
			for (i = 0; i < rec->nr_frames; i++)
				if (rec->frames[i] - base < size)
					st_initsym_add(rec->frames[i], i > 0, now);
			pos += rec->hdr.len;
		}
	}
	for (j = 0; snap && j < snap->nr; j++)
		for (i = 0; i < snap->stacks[j]->nr; i++)
			if (snap->stacks[j]->frames[i] - base < size)
				st_initsym_add(snap->stacks[j]->frames[i], i > 0, now);
	mutex_unlock(&st_symbols_mutex);
	st_ring_read_unlock();
	st_stacks_snapshot_free(snap);
}

static void st_gone_add(unsigned long base, unsigned long size)
{
	struct st_gone *g;

	if (!size)
		return;
	g = kmalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return;	/* its frames may read as bare addresses or stale names */
	g->base = base;
	g->size = size;
	g->gone_ns = ktime_get_mono_fast_ns();
	mutex_lock(&st_symbols_mutex);
	list_add(&g->list, &st_gones);
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
