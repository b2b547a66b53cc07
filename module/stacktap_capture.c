// SPDX-License-Identifier: GPL-2.0
/*
 * The hit path: unwind into a per-CPU, per-nesting-level scratch array,
 * then reserve exactly the record size in this CPU's ring and copy.  No
 * locks and no allocation; everything here is notrace and NOKPROBE so a
 * probe on the kernel's own helpers cannot recurse into us.
 */
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "stacktap.h"
#include "stacktap_ring.h"

static DEFINE_PER_CPU(int, st_nest);
static unsigned long __percpu *st_scratch;	/* [ST_MAX_NEST][depth + 1] */
static unsigned int st_depth;

int st_capture_init(unsigned int depth)
{
	st_depth = depth;
	st_scratch = __alloc_percpu(ST_MAX_NEST * (depth + 1) * sizeof(unsigned long),
				    sizeof(unsigned long));
	return st_scratch ? 0 : -ENOMEM;
}

void st_capture_exit(void)
{
	free_percpu(st_scratch);
	st_scratch = NULL;
}

/*
 * Record one hit of @p.  @regs are the probe's trap registers, @ip the
 * probed address (frame 0, whatever the arch left in regs' pc), @at_entry
 * true when @ip is the first instruction of a function.
 */
notrace void st_capture(struct st_probe *p, struct pt_regs *regs,
			unsigned long ip, bool at_entry)
{
	struct st_probe_stats *stats = this_cpu_ptr(p->stats);
	struct st_record *rec;
	unsigned long *frames;
	unsigned int nr;
	u32 flags = 0;
	int nest;

	preempt_disable_notrace();
	nest = this_cpu_inc_return(st_nest) - 1;
	if (unlikely(nest >= ST_MAX_NEST)) {
		local_inc(&stats->misses);
		goto out;
	}
	local_inc(&stats->hits);

	frames = this_cpu_ptr(st_scratch) + nest * (st_depth + 1);
	/* One frame more than kept tells a truncated stack from a full one. */
	nr = st_unwind_regs(regs, at_entry, frames, st_depth + 1);
	if (nr > st_depth) {
		nr = st_depth;
		flags |= ST_REC_TRUNCATED;
	}
	if (!nr)
		nr = 1;
	frames[0] = ip;

	rec = (struct st_record *)st_ring_reserve(st_record_size(nr, p->name_len));
	if (!rec)
		goto out;
	rec->ts_ns = ktime_get_mono_fast_ns();
	rec->pid = current->pid;
	rec->nr_frames = nr;
	rec->kind = p->spec.kind;
	rec->name_len = p->name_len;
	memcpy(rec->comm, current->comm, TASK_COMM_LEN);
	rec->comm[TASK_COMM_LEN - 1] = '\0';
	memcpy(rec->frames, frames, nr * sizeof(unsigned long));
	memcpy((char *)st_record_name(rec), p->name, p->name_len);
	st_ring_commit(&rec->hdr, flags);
out:
	this_cpu_dec(st_nest);
	preempt_enable_notrace();
}
NOKPROBE_SYMBOL(st_capture);
