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
#include <linux/nmi.h>
#include <linux/notifier.h>
#include <linux/seq_file.h>

#include "stacktap.h"
#include "stacktap_ring.h"
#include "wrapper/die_notifier.h"

bool st_overwrite;
module_param_named(overwrite, st_overwrite, bool, 0644);
MODULE_PARM_DESC(overwrite, "A full ring overwrites its oldest records instead of dropping new ones (a probe's ring=overwrite|drop says otherwise for it; default 0)");

static unsigned int dump_on_oops;
module_param(dump_on_oops, uint, 0644);
MODULE_PARM_DESC(dump_on_oops, "On an oops or a panic, print the last N records of every CPU to the console (default 0: none)");

/* A dump of more is a dump of everything: a full 128 MiB ring of 48-byte records. */
#define ST_DUMP_MAX	(1U << 22)

static atomic_t st_dumped = ATOMIC_INIT(0);

/*
 * One record at a time, copied out of the ring first: a reader on a CPU
 * still running may free it meanwhile.  Its text in a second buffer: a
 * deep stack of long names fits.
 */
static u64 st_dump_rec[8192 / sizeof(u64)];
static char st_dump_buf[16384];
static struct seq_file st_dump_seq;
static struct st_trace_fmt st_dump_fmt;
static int st_dump_cpu;

/*
 * Whether every field of @rec, arguments included, lies inside its
 * length, as the trace's formatter will read them: a record torn by a
 * writer or a reader meanwhile is skipped, not followed.
 */
static bool st_dump_sane(const struct st_record *rec)
{
	bool ret = rec->hdr.flags & ST_REC_RET;
	const struct stacktap_arg *e;
	const u8 *a, *end;
	u16 args;

	if (rec->hdr.len < sizeof(*rec) || rec->nr_frames > STACKTAP_FRAMES_MAX ||
	    st_record_head(rec->nr_frames, rec->name_len, ret, 0) > rec->hdr.len)
		return false;
	if (!(rec->hdr.flags & ST_REC_ARGS))
		return true;
	if (st_record_head(rec->nr_frames, rec->name_len, ret, sizeof(u16)) > rec->hdr.len)
		return false;
	a = st_record_args(rec);
	args = get_unaligned((const u16 *)a);
	if (st_record_head(rec->nr_frames, rec->name_len, ret, sizeof(u16) + args) > rec->hdr.len)
		return false;
	end = a + sizeof(u16) + args;
	for (a += sizeof(u16); a < end; a += sizeof(*e) + e->name_len + e->value_len) {
		e = (const struct stacktap_arg *)a;
		if (a + sizeof(*e) > end || a + sizeof(*e) + e->name_len + e->value_len > end ||
		    (e->type != STACKTAP_ARG_STRING && !(e->flags & STACKTAP_ARG_F_FAULT) &&
		     e->value_len != sizeof(u64)))
			return false;
	}
	return true;
}

static void st_dump_record(int cpu, struct st_rec_hdr *hdr, void *arg)
{
	const struct st_record *rec = (const struct st_record *)st_dump_rec;
	u32 len = READ_ONCE(hdr->len);
	char *line, *end;

	/* A serial console at 115200 baud takes a while: as ftrace_dump(). */
	touch_nmi_watchdog();
	if (cpu != st_dump_cpu) {
		st_dump_cpu = cpu;
		pr_emerg("cpu%d:\n", cpu);
	}
	if (len > sizeof(st_dump_rec)) {
		pr_emerg("[a record of %u bytes, longer than a dump takes]\n", len);
		return;
	}
	memcpy(st_dump_rec, hdr, len);
	if (rec->hdr.len != len || !st_dump_sane(rec)) {
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
	n = min(n, ST_DUMP_MAX);
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
	int ret;

	/*
	 * MIPS calls the die chain at every page fault: an interrupt there
	 * shows this below it, a tracer's frame (as st_kprobe_die()).
	 */
	st_tracer_add((unsigned long)st_die_notify);
	ret = st_register_die_notifier(&st_die_nb);
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
