// SPDX-License-Identifier: GPL-2.0
/*
 * Names for frames in a module's __init text.  Records are symbolised
 * when read, but once do_init_module() has run, kallsyms forgets a
 * module's init symbols and the kernel frees that text: the frame that
 * answers "who created bond0?" (bonding_init) would read as a bare
 * address.  So when a module goes live, just before that happens, every
 * recorded frame inside its init text is named and the name kept, valid
 * for records taken before that moment (the address may be reused).
 *
 * The list is guarded by the ring's read lock; it only ever holds names
 * of frames that are in the rings, and is emptied when they are cleared.
 */
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/module.h>
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

static LIST_HEAD(st_initsyms);

/* Caller holds the ring read lock. */
const char *st_initsym_lookup(unsigned long addr, bool ret_addr, u64 ts_ns)
{
	struct st_initsym *s;

	list_for_each_entry(s, &st_initsyms, list)
		if (s->addr == addr && s->ret_addr == ret_addr && ts_ns < s->before_ns)
			return s->name;
	return NULL;
}

static void st_initsym_add(unsigned long addr, bool ret_addr, u64 now)
{
	struct st_initsym *s;
	char buf[KSYM_SYMBOL_LEN];
	int len;

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

/* Caller holds the ring read lock. */
void st_initsyms_clear(void)
{
	struct st_initsym *s, *tmp;

	list_for_each_entry_safe(s, tmp, &st_initsyms, list) {
		list_del(&s->list);
		kfree(s);
	}
}

static int st_initsyms_notify(struct notifier_block *nb, unsigned long action,
			      void *data)
{
	unsigned long base, size, pos;
	struct st_record *rec;
	unsigned int i;
	u64 now;
	int cpu;

	if (action != MODULE_STATE_LIVE)
		return NOTIFY_DONE;
	st_module_init_text(data, &base, &size);
	if (!size)
		return NOTIFY_DONE;

	now = ktime_get_mono_fast_ns();
	st_ring_read_lock();
	for_each_possible_cpu(cpu) {
		pos = st_ring_tail(cpu);
		while ((rec = (struct st_record *)st_ring_peek(cpu, &pos))) {
			for (i = 0; i < rec->nr_frames; i++)
				if (rec->frames[i] - base < size)
					st_initsym_add(rec->frames[i], i > 0, now);
			pos += rec->hdr.len;
		}
	}
	st_ring_read_unlock();
	return NOTIFY_DONE;
}

static struct notifier_block st_initsyms_nb = {
	.notifier_call = st_initsyms_notify,
};

int st_initsyms_init(void)
{
	return register_module_notifier(&st_initsyms_nb);
}

void st_initsyms_exit(void)
{
	unregister_module_notifier(&st_initsyms_nb);
	st_ring_read_lock();
	st_initsyms_clear();
	st_ring_read_unlock();
}
