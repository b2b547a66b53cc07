// SPDX-License-Identifier: GPL-2.0
/*
 * The flight recorder: what a full ring does, and the last records on
 * the console when the kernel dies.
 *
 *   overwrite=1	a full ring frees its oldest records for new ones
 *			instead of dropping the new (a probe's ring=
 *			option says otherwise for that probe)
 *   dump_on_oops=N	on an oops or a panic, print the last N records
 *			of every CPU to the console, as trace shows them
 *			(0, the default: no dump)
 *
 * Both can be changed at any time in /sys/module/stacktap/parameters/,
 * or given on the command line of a kernel with stacktap built in.  The
 * dump comes once: from the die chain on an oops, from the panic chain
 * on a panic that no oops preceded, as ftrace_dump_on_oops does.
 */
#include <linux/atomic.h>
#include <linux/kdebug.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/notifier.h>
#include <linux/seq_file.h>

#include "stacktap.h"
#include "stacktap_ring.h"

bool st_overwrite;
module_param_named(overwrite, st_overwrite, bool, 0644);
MODULE_PARM_DESC(overwrite, "A full ring overwrites its oldest records instead of dropping new ones (a probe's ring=overwrite|drop says otherwise for it; default 0)");

static unsigned int dump_on_oops;
module_param(dump_on_oops, uint, 0644);
MODULE_PARM_DESC(dump_on_oops, "On an oops or a panic, print the last N records of every CPU to the console (default 0: none)");

static atomic_t st_dumped = ATOMIC_INIT(0);

/* One record's text at a time: a deep stack of long names fits. */
static char st_dump_buf[16384];
static struct seq_file st_dump_seq;
static struct st_trace_fmt st_dump_fmt;
static int st_dump_cpu;

/* Whether @rec's fields lie inside its length: a torn record is skipped. */
static bool st_dump_sane(const struct st_record *rec)
{
	bool ret = rec->hdr.flags & ST_REC_RET;
	u16 args = 0;

	if (rec->hdr.len < sizeof(*rec) || rec->nr_frames > STACKTAP_DEPTH_MAX + 1 ||
	    st_record_size(rec->nr_frames, rec->name_len, ret, 0) > rec->hdr.len)
		return false;
	if (rec->hdr.flags & ST_REC_ARGS)
		args = sizeof(u16) + get_unaligned((const u16 *)st_record_args(rec));
	return st_record_size(rec->nr_frames, rec->name_len, ret, args) <= rec->hdr.len;
}

static void st_dump_record(int cpu, struct st_rec_hdr *hdr, void *arg)
{
	const struct st_record *rec = (const struct st_record *)hdr;
	char *line, *end;

	if (cpu != st_dump_cpu) {
		st_dump_cpu = cpu;
		pr_emerg("cpu%d:\n", cpu);
	}
	if (!st_dump_sane(rec)) {
		pr_emerg("[a record torn while read]\n");
		return;
	}
	st_dump_seq.count = 0;
	st_trace_format(&st_dump_seq, &st_dump_fmt, rec, cpu);
	if (st_dump_seq.count >= st_dump_seq.size)
		st_dump_seq.count = st_dump_seq.size - 1;	/* cut; says so below */
	st_dump_buf[st_dump_seq.count] = '\0';
	for (line = st_dump_buf; *line; line = end + 1) {
		end = strchrnul(line, '\n');
		if (end > line)
			pr_emerg("%.*s\n", (int)(end - line), line);
		if (!*end)
			break;
	}
	if (st_dump_seq.count == st_dump_seq.size - 1)
		pr_emerg(" => [cut: longer than %zu bytes]\n", sizeof(st_dump_buf));
}

/* The last @n records of every CPU, once per boot. */
static void st_dump(unsigned int n, const char *why)
{
	if (!n || atomic_xchg(&st_dumped, 1))
		return;
	st_dump_seq.buf = st_dump_buf;
	st_dump_seq.size = sizeof(st_dump_buf);
	/* As a reader without CAP_SYSLOG: anyone may read the console. */
	st_dump_fmt.show_addr = false;
	st_dump_cpu = -1;
	pr_emerg("dump on %s: the last %u records of each CPU, oldest first\n", why, n);
	st_ring_dump(n, st_dump_record, NULL);
	pr_emerg("end of dump\n");
}

static int st_die_notify(struct notifier_block *nb, unsigned long val, void *data)
{
	if (val == DIE_OOPS)
		st_dump(READ_ONCE(dump_on_oops), "oops");
	return NOTIFY_DONE;
}

static int st_panic_notify(struct notifier_block *nb, unsigned long val, void *data)
{
	st_dump(READ_ONCE(dump_on_oops), "panic");
	return NOTIFY_DONE;
}

static struct notifier_block st_die_nb = {
	.notifier_call = st_die_notify,
};

static struct notifier_block st_panic_nb = {
	.notifier_call = st_panic_notify,
};

int st_flight_init(void)
{
	int ret = register_die_notifier(&st_die_nb);

	if (ret)
		return ret;
	atomic_notifier_chain_register(&panic_notifier_list, &st_panic_nb);
	return 0;
}

void st_flight_exit(void)
{
	atomic_notifier_chain_unregister(&panic_notifier_list, &st_panic_nb);
	unregister_die_notifier(&st_die_nb);
}
