// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/stacktap/, root only:
 *   trace	all CPUs' records merged in time order; not consuming.
 *		Any write clears the records ("echo > trace").
 *   trace_pipe	the same records, each delivered once; blocks for more.
 *   per_cpu/cpuN/trace  one CPU's records.
 *   stacks	unique stacks per probe with their counts, highest first.
 *		Any write clears them.
 *   control	"add SPEC [OPTION...]", "del SPEC", "clear" (records,
 *		stacks and all) or "eof" (trace_pipe's readers get end of
 *		file, for rmmod), one command per write.
 *   probes	"<spec> <hits> <misses>" and what else applies, per probe.
 *   stats	"cpuN written W dropped D overwritten O bytes B ring R" per
 *		possible CPU (O: records freed for new ones, overwrite=; R:
 *		ring bytes allocated, 0 until the CPU first comes up), then
 *		"stacks used U size S overflow O", "readers streams R"
 *		(netlink record readers), "names owners O init I
 *		unloaded G" (probe names, init-text names and unloaded
 *		ranges kept).
 */
#include <linux/ctype.h>
#include <linux/err.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/poll.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "stacktap.h"
#include "../include/stacktap_hist.h"
#include "stacktap_ring.h"

/* Longest control command: "add ", a probe's text and a newline. */
#define ST_CONTROL_MAX	(STACKTAP_TEXT_MAX + 8)

static struct dentry *st_dir;

/*
 * trace: a k-way merge of the per-CPU rings by timestamp.  The cursor
 * survives between read() calls; *pos counts records shown, so a start()
 * at the same index resumes and any other index restarts from the tails.
 */
struct st_trace_iter {
	loff_t index;
	int only_cpu;			/* per_cpu/cpuN/trace, or -1 */
	int cpu;			/* ring of the current record */
	unsigned int eof_gen;		/* trace_pipe: st_pipe_eof_gen at open */
	struct st_trace_fmt fmt;
	unsigned long pos[];		/* per possible CPU */
};

static struct st_record *st_trace_pick(struct st_trace_iter *it)
{
	struct st_record *best = NULL, *rec;
	int cpu;

	for_each_possible_cpu(cpu) {
		if (it->only_cpu >= 0 && cpu != it->only_cpu)
			continue;
		rec = (struct st_record *)st_ring_peek(cpu, &it->pos[cpu]);
		if (rec && (!best || rec->ts_ns < best->ts_ns)) {
			best = rec;
			it->cpu = cpu;
		}
	}
	return best;
}

static void *st_trace_start(struct seq_file *m, loff_t *ppos)
{
	struct st_trace_iter *it = m->private;
	struct st_record *rec;
	int cpu;

	st_ring_read_lock();
	if (*ppos == it->index && *ppos)
		return st_trace_pick(it);

	for_each_possible_cpu(cpu)
		it->pos[cpu] = st_ring_tail(cpu);
	for (it->index = 0; (rec = st_trace_pick(it)); it->index++) {
		if (it->index == *ppos)
			return rec;
		it->pos[it->cpu] += rec->hdr.len;
	}
	return NULL;
}

static void *st_trace_next(struct seq_file *m, void *v, loff_t *ppos)
{
	struct st_trace_iter *it = m->private;
	struct st_record *rec = v;

	it->pos[it->cpu] += rec->hdr.len;
	*ppos = ++it->index;
	return st_trace_pick(it);
}

static void st_trace_stop(struct seq_file *m, void *v)
{
	st_ring_read_unlock();
}

/*
 * A task names itself: keep its name one word of printable text, so that
 * "x\n => fake+0x0/0x1" cannot add a frame and a space or '[' cannot move
 * the fields after it.  Anything else, and '\\', becomes \ooo.
 */
static void st_comm_escape(char *dst, const char *comm)
{
	const char *end = comm + TASK_COMM_LEN;
	unsigned char c;

	for (; comm < end && *comm; comm++) {
		c = *comm;
		if (c > ' ' && c < 0x7f && c != '\\' && c != '[') {
			*dst++ = c;
			continue;
		}
		*dst++ = '\\';
		*dst++ = '0' + (c >> 6);
		*dst++ = '0' + ((c >> 3) & 7);
		*dst++ = '0' + (c & 7);
	}
	*dst = '\0';
}

/*
 * An argument's string, quoted: printable bytes as they are, and '"',
 * '\\', spaces and the rest as \ooo, so that fields stay one word each.
 */
static void st_arg_string(struct seq_file *m, const u8 *s, unsigned int len)
{
	unsigned int i;

	seq_putc(m, '"');
	for (i = 0; i < len; i++) {
		if (s[i] > ' ' && s[i] < 0x7f && s[i] != '"' && s[i] != '\\')
			seq_putc(m, s[i]);
		else
			seq_printf(m, "\\%03o", s[i]);
	}
	seq_putc(m, '"');
}

/*
 * Fetched arguments (a u16 length, then the entries), " NAME=VALUE" each:
 * numbers by their type, strings quoted, symbols named as frames are, as
 * at @ts_ns.  A word-sized hex value, likely a kernel pointer, is hidden
 * from a reader without CAP_SYSLOG.
 */
static void st_args_show(struct seq_file *m, struct st_trace_fmt *it, const u8 *a, u64 ts_ns)
{
	const u8 *end = a + sizeof(u16) + get_unaligned((const u16 *)a);
	const struct stacktap_arg *e;
	char *mod;
	u64 v;

	for (a += sizeof(u16); a + sizeof(*e) <= end; a += sizeof(*e) + e->name_len + e->value_len) {
		e = (const struct stacktap_arg *)a;
		seq_printf(m, " %.*s=", e->name_len, e->name);
		if (e->flags & STACKTAP_ARG_F_FAULT) {
			seq_puts(m, "(fault)");
			continue;
		}
		if (e->type == STACKTAP_ARG_STRING) {
			st_arg_string(m, (const u8 *)e->name + e->name_len, e->value_len);
			if (e->flags & STACKTAP_ARG_F_CUT)
				seq_puts(m, "(cut)");
			continue;
		}
		v = get_unaligned((const u64 *)(e->name + e->name_len));
		switch (e->type) {
		case STACKTAP_ARG_U8: case STACKTAP_ARG_U16:
		case STACKTAP_ARG_U32: case STACKTAP_ARG_U64:
			seq_printf(m, "%llu", v);
			break;
		case STACKTAP_ARG_S8: case STACKTAP_ARG_S16:
		case STACKTAP_ARG_S32: case STACKTAP_ARG_S64:
			seq_printf(m, "%lld", (s64)v);
			break;
		case STACKTAP_ARG_SYMBOL:
			st_sym_format(it->sym, sizeof(it->sym), (unsigned long)v, false,
				      ts_ns, it->show_addr);
			/* One word: "f+0x0/0x20[mod]". */
			mod = strstr(it->sym, " [");
			if (mod)
				memmove(mod, mod + 1, strlen(mod));
			seq_puts(m, it->sym);
			break;
		default:
			if (!it->show_addr && ((e->type == STACKTAP_ARG_X64 && sizeof(long) == 8) ||
					       (e->type == STACKTAP_ARG_X32 && sizeof(long) == 4)))
				seq_puts(m, "[hidden]");
			else
				seq_printf(m, "0x%llx", v);
		}
	}
}

/*
 * A stack's frames as " => " lines, frame 0 the probed address and the
 * rest return addresses; the user's (ustack=) after a " -- user --" line,
 * as bare addresses for stacktapctl to name.  @truncated: the kernel's
 * went deeper than kept.
 */
static void st_frames_show(struct seq_file *m, struct st_trace_fmt *it,
			   const unsigned long *frames, unsigned int nr, bool truncated,
			   u64 ts_ns)
{
	bool user = false;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (frames[i] == ST_FRAME_USER) {
			if (truncated)
				seq_puts(m, " => [truncated]\n");
			truncated = false;
			user = true;
			seq_puts(m, " -- user --\n");
		} else if (user) {
			seq_printf(m, " => 0x%lx\n", frames[i]);
		} else {
			st_sym_format(it->sym, sizeof(it->sym), frames[i], i > 0, ts_ns,
				      it->show_addr);
			seq_printf(m, " => %s\n", it->sym);
		}
	}
	if (truncated)
		seq_puts(m, " => [truncated]\n");
}

/*
 * ustack=copy: what was copied, for stacktapctl to unwind; a record whose
 * copy does not lie inside it (torn, in an oops dump) says nothing.
 */
static void st_ucopy_show(struct seq_file *m, const struct st_record *rec)
{
	const struct stacktap_ucopy *u = st_record_ucopy(rec);
	const char *end = (const char *)rec + rec->hdr.len;

	if ((const char *)(u + 1) > end || u->nregs > STACKTAP_UCOPY_REGS_MAX ||
	    u->nuret > STACKTAP_UCOPY_URET_MAX || (const char *)u + st_ucopy_len(u) > end)
		return;
	seq_printf(m, " -- user copy: %u bytes from sp 0x%llx --\n", u->size, u->sp);
}

/* One record as trace shows it, @cpu's; also the dump on oops and panic. */
void st_trace_format(struct seq_file *m, struct st_trace_fmt *it,
		     const struct st_record *rec, int cpu)
{
	u32 nsec;
	u64 sec = div_u64_rem(rec->ts_ns, NSEC_PER_SEC, &nsec);

	/* Where the ring dropped records, as ftrace marks it. */
	if (st_rec_lost(rec->hdr.flags))
		seq_printf(m, "CPU:%d [LOST %u EVENTS]\n\n", cpu,
			   st_rec_lost(rec->hdr.flags));
	st_comm_escape(it->comm, rec->comm);
	seq_printf(m, "%s-%u [%03d] %llu.%06u: %.*s", it->comm, rec->pid,
		   cpu, sec, (u32)(nsec / NSEC_PER_USEC), rec->name_len,
		   st_record_name(rec));
	if (rec->hdr.flags & ST_REC_GLOB) {
		/* The bare name, without "+0x0/0x20 [module]". */
		st_sym_format(it->sym, sizeof(it->sym), rec->frames[0], false, rec->ts_ns,
			      it->show_addr);
		it->sym[strcspn(it->sym, "+ ")] = '\0';
		seq_printf(m, " func=%s", it->sym);
	}
	if (rec->hdr.flags & ST_REC_RET) {
		long ret = (long)(unsigned long)get_unaligned(st_record_ret(rec));

		seq_puts(m, " ret=");
		if (IS_ERR_VALUE((unsigned long)ret)) {
			/* -2 (ENOENT): %pe names it "-ENOENT" where it can. */
			snprintf(it->err, sizeof(it->err), "%pe", ERR_PTR(ret));
			if (it->err[0] == '-' && it->err[1] == 'E')
				seq_printf(m, "%ld (%s)", ret, it->err + 1);
			else
				seq_printf(m, "%ld", ret);
		} else if (ret >= 0)
			seq_printf(m, "%ld", ret);
		else if (it->show_addr)		/* a kernel pointer */
			seq_printf(m, "0x%lx", (unsigned long)ret);
		else
			seq_puts(m, "[hidden]");
		seq_printf(m, " lat=%lluns", get_unaligned(st_record_ret(rec) + 1));
	}
	if (rec->hdr.flags & ST_REC_ARGS)
		st_args_show(m, it, st_record_args(rec), rec->ts_ns);
	seq_putc(m, '\n');
	st_frames_show(m, it, rec->frames, rec->nr_frames, rec->hdr.flags & ST_REC_TRUNCATED,
		       rec->ts_ns);
	if (rec->hdr.flags & ST_REC_UCOPY)
		st_ucopy_show(m, rec);
	seq_putc(m, '\n');
}

static int st_trace_show(struct seq_file *m, void *v)
{
	struct st_trace_iter *it = m->private;

	st_trace_format(m, &it->fmt, v, it->cpu);
	return 0;
}

static const struct seq_operations st_trace_seq_ops = {
	.start = st_trace_start,
	.next = st_trace_next,
	.stop = st_trace_stop,
	.show = st_trace_show,
};

/* Records and stacks are tracing output: closed under lockdown, as tracefs. */
static int st_check_lockdown(void)
{
	return security_locked_down(LOCKDOWN_TRACEFS) ? -EPERM : 0;
}

/* inode->i_private: NULL for every CPU, else the CPU number plus one. */
static int st_trace_open(struct inode *inode, struct file *file)
{
	struct st_trace_iter *it;
	int ret = st_check_lockdown();

	if (ret)
		return ret;
	if (!(file->f_mode & FMODE_READ))
		return 0;
	it = __seq_open_private(file, &st_trace_seq_ops,
				struct_size(it, pos, nr_cpu_ids));
	if (!it)
		return -ENOMEM;
	it->only_cpu = (long)inode->i_private - 1;
	it->fmt.show_addr = st_may_see_addresses();
	return 0;
}

static int st_trace_release(struct inode *inode, struct file *file)
{
	if (!(file->f_mode & FMODE_READ))
		return 0;
	return seq_release_private(inode, file);
}

/* A write-only open has no seq_file for seq_lseek() to use. */
static loff_t st_seq_lseek(struct file *file, loff_t offset, int whence)
{
	if (!(file->f_mode & FMODE_READ))
		return noop_llseek(file, offset, whence);
	return seq_lseek(file, offset, whence);
}

void st_trace_clear(void)
{
	st_ring_read_lock();
	st_ring_clear();
	st_ring_read_unlock();
}

/*
 * Records, stacks, and the names kept for them.  The stacks go first:
 * their new table is the one thing that can fail to allocate.
 */
int st_clear_all(void)
{
	int ret = st_stacks_clear();

	if (ret)
		return ret;
	st_trace_clear();
	st_symbols_clear();
	return 0;
}

static ssize_t st_trace_write(struct file *file, const char __user *buf,
			      size_t count, loff_t *ppos)
{
	st_trace_clear();
	return count;
}

static const struct file_operations st_trace_fops = {
	.owner = THIS_MODULE,
	.open = st_trace_open,
	.read = seq_read,
	.write = st_trace_write,
	.llseek = st_seq_lseek,
	.release = st_trace_release,
};

static const struct file_operations st_cpu_trace_fops = {
	.owner = THIS_MODULE,
	.open = st_trace_open,
	.read = seq_read,
	.llseek = st_seq_lseek,
	.release = st_trace_release,
};

/*
 * trace_pipe: the same merge from trace_pipe's positions, which next()
 * advances.  seq_read() calls next() only for a record whose text is in
 * its buffer, and hands the buffer out across reads, so every record is
 * delivered once; concurrent readers share the positions.
 */
static void *st_pipe_start(struct seq_file *m, loff_t *ppos)
{
	struct st_trace_iter *it = m->private;
	int cpu;

	st_ring_read_lock();
	for_each_possible_cpu(cpu)
		it->pos[cpu] = st_ring_pipe_pos(cpu);
	return st_trace_pick(it);
}

static void *st_pipe_next(struct seq_file *m, void *v, loff_t *ppos)
{
	struct st_trace_iter *it = m->private;
	struct st_record *rec = v;

	it->pos[it->cpu] += rec->hdr.len;
	st_ring_pipe_advance(it->cpu, it->pos[it->cpu]);
	++*ppos;
	return st_trace_pick(it);
}

static const struct seq_operations st_pipe_seq_ops = {
	.start = st_pipe_start,
	.next = st_pipe_next,
	.stop = st_trace_stop,
	.show = st_trace_show,
};

/*
 * "eof" on control: every trace_pipe open so far reads end of file from
 * then on, so its readers (cat, stacktapctl stream) exit and let go of
 * the module for rmmod.
 */
static atomic_t st_pipe_eof_gen = ATOMIC_INIT(0);

static bool st_pipe_ended(struct file *file)
{
	struct seq_file *m = file->private_data;
	struct st_trace_iter *it = m->private;

	return atomic_read(&st_pipe_eof_gen) != it->eof_gen;
}

static void st_pipe_end_readers(void)
{
	atomic_inc(&st_pipe_eof_gen);
	st_stream_end_all(false);	/* netlink readers too */
	wake_up_interruptible_all(st_ring_waitqueue());
	pr_info("control: trace_pipe readers get end of file\n");
}

static int st_pipe_open(struct inode *inode, struct file *file)
{
	struct st_trace_iter *it;
	int ret = st_check_lockdown();

	if (ret)
		return ret;
	it = __seq_open_private(file, &st_pipe_seq_ops,
				struct_size(it, pos, nr_cpu_ids));
	if (!it)
		return -ENOMEM;
	it->only_cpu = -1;
	it->eof_gen = atomic_read(&st_pipe_eof_gen);
	it->fmt.show_addr = st_may_see_addresses();
	ret = nonseekable_open(inode, file);
	if (ret) {
		seq_release_private(inode, file);
		return ret;
	}
	st_ring_watch(true);
	return 0;
}

static int st_pipe_release(struct inode *inode, struct file *file)
{
	st_ring_watch(false);
	return seq_release_private(inode, file);
}

/* Text left over from an earlier read, or a record to format. */
static bool st_pipe_readable(struct file *file)
{
	struct seq_file *m = file->private_data;

	return READ_ONCE(m->count) || st_ring_pipe_ready();
}

/*
 * After "eof": only the text a read already took from the rings, then end
 * of file.  Not seq_read(), which would go on taking new records.
 */
static ssize_t st_pipe_leftover(struct file *file, char __user *buf, size_t count,
				loff_t *ppos)
{
	struct seq_file *m = file->private_data;
	size_t n;

	mutex_lock(&m->lock);
	n = min(count, m->count);
	if (n && copy_to_user(buf, m->buf + m->from, n)) {
		mutex_unlock(&m->lock);
		return -EFAULT;
	}
	m->count -= n;
	m->from += n;
	m->read_pos += n;
	*ppos += n;
	mutex_unlock(&m->lock);
	return n;
}

static ssize_t st_pipe_read(struct file *file, char __user *buf, size_t count,
			    loff_t *ppos)
{
	ssize_t ret;

	/* seq_read() gives 0 for it, which the loop would take for "empty". */
	if (!count)
		return 0;
	for (;;) {
		if (st_pipe_ended(file))
			return st_pipe_leftover(file, buf, count, ppos);
		ret = seq_read(file, buf, count, ppos);
		if (ret)
			return ret;
		if (signal_pending(current))
			return -ERESTARTSYS;
		/* Nothing: wait, unless another reader took what woke us. */
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(*st_ring_waitqueue(),
					       st_pipe_readable(file) ||
					       st_pipe_ended(file));
		if (ret)
			return ret;
	}
}

static __poll_t st_pipe_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, st_ring_waitqueue(), wait);
	if (st_pipe_ended(file))
		return EPOLLIN | EPOLLRDNORM | EPOLLHUP;
	return st_pipe_readable(file) ? EPOLLIN | EPOLLRDNORM : 0;
}

static const struct file_operations st_pipe_fops = {
	.owner = THIS_MODULE,
	.open = st_pipe_open,
	.read = st_pipe_read,
	.poll = st_pipe_poll,
	.llseek = st_no_llseek,
	.release = st_pipe_release,
};

/* stacks: a snapshot taken at open, one stack per seq_file record. */
struct st_stacks_iter {
	struct st_stacks_snap *snap;
	struct st_trace_fmt fmt;	/* show_addr: the opener has CAP_SYSLOG */
};

static void *st_stacks_start(struct seq_file *m, loff_t *pos)
{
	struct st_stacks_iter *it = m->private;

	return *pos < it->snap->nr ? &it->snap->stacks[*pos] : NULL;
}

static void *st_stacks_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return st_stacks_start(m, pos);
}

static void st_stacks_stop(struct seq_file *m, void *v)
{
}

/* A histogram bound as bpftrace prints it: 512, 1K, 2M...; powers of two. */
/*
 * An r: stack's latencies: count, min, mean and max, then the log2
 * histogram from its first to its last bucket in use, bars scaled to the
 * fullest (stacktapctl prints the same from STACKS_GET).
 */
static void st_lat_show(struct seq_file *m, const struct stacktap_latency *l)
{
	unsigned int i, first = STACKTAP_LAT_BUCKETS, last = 0;
	char line[80];
	u64 n = 0;
	u32 most = 0;

	for (i = 0; i < STACKTAP_LAT_BUCKETS; i++) {
		if (!l->hist[i])
			continue;
		n += l->hist[i];
		most = max(most, l->hist[i]);
		first = min(first, i);
		last = i;
	}
	if (!n)
		return;
	seq_printf(m, " lat: count %llu, min %llu ns, mean %llu ns, max %llu ns\n",
		   n, l->min_ns, div64_u64(l->sum_ns, n), l->max_ns);
	for (i = first; i <= last; i++) {
		st_hist_line(line, sizeof(line), i, l->hist[i], most);
		seq_printf(m, "%s\n", line);
	}
}

static int st_stacks_show(struct seq_file *m, void *v)
{
	struct st_stacks_iter *it = m->private;
	struct st_stack *st = v;

	seq_printf(m, "@[%s] %lu\n", st->name, st->count);
	/* A key=args stack's values, on a line of their own. */
	if (st->args) {
		seq_puts(m, " args:");
		st_args_show(m, &it->fmt, st->args, st->first_ns);
		seq_putc(m, '\n');
	}
	st_frames_show(m, &it->fmt, st->frames, st->nr, st->truncated, st->first_ns);
	if (st->lat)
		st_lat_show(m, st->lat);
	seq_putc(m, '\n');
	return 0;
}

static const struct seq_operations st_stacks_seq_ops = {
	.start = st_stacks_start,
	.next = st_stacks_next,
	.stop = st_stacks_stop,
	.show = st_stacks_show,
};

static int st_stacks_open(struct inode *inode, struct file *file)
{
	struct st_stacks_iter *it;
	int ret = st_check_lockdown();

	if (ret)
		return ret;
	if (!(file->f_mode & FMODE_READ))
		return 0;
	it = __seq_open_private(file, &st_stacks_seq_ops, sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->fmt.show_addr = st_may_see_addresses();
	it->snap = st_stacks_snapshot();
	if (!it->snap) {
		seq_release_private(inode, file);
		return -ENOMEM;
	}
	return 0;
}

static int st_stacks_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct st_stacks_iter *it;

	if (!(file->f_mode & FMODE_READ))
		return 0;
	it = m->private;
	st_stacks_snapshot_free(it->snap);
	return seq_release_private(inode, file);
}

static ssize_t st_stacks_write(struct file *file, const char __user *buf,
			       size_t count, loff_t *ppos)
{
	int ret = st_stacks_clear();

	return ret ?: count;
}

static const struct file_operations st_stacks_fops = {
	.owner = THIS_MODULE,
	.open = st_stacks_open,
	.read = seq_read,
	.write = st_stacks_write,
	.llseek = st_seq_lseek,
	.release = st_stacks_release,
};

static int st_control_run(char *cmd, size_t len)
{
	char *arg, *sep;

	while (len && isspace(cmd[len - 1]))
		len--;
	cmd[len] = '\0';
	cmd = skip_spaces(cmd);
	sep = strchr(cmd, ' ');
	arg = NULL;
	if (sep) {
		*sep = '\0';
		arg = skip_spaces(sep + 1);
	}

	if (!strcmp(cmd, "clear") && !arg)
		return st_clear_all();
	if (!strcmp(cmd, "eof") && !arg) {
		st_pipe_end_readers();
		return 0;
	}
	if (arg && *arg) {
		if (!strcmp(cmd, "add"))
			return st_probe_add(arg, strlen(arg), NULL, NULL, NULL, NULL);
		if (!strcmp(cmd, "del") && !strchr(arg, ' '))
			return st_probe_del(arg, strlen(arg), NULL);
	}
	if (sep)
		*sep = ' ';	/* the whole command goes in the message */
	pr_warn("control: expected 'add SPEC [OPTION...]', 'del SPEC', 'clear' or 'eof', got '%*pE'%s\n",
		(int)min_t(size_t, strlen(cmd), 200), cmd, strlen(cmd) > 200 ? "..." : "");
	return -EINVAL;
}

static ssize_t st_control_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	char *cmd;
	int ret;

	if (count > ST_CONTROL_MAX) {
		pr_warn("control: command of %zu bytes is longer than %d\n",
			count, ST_CONTROL_MAX);
		return -EINVAL;
	}
	cmd = memdup_user_nul(ubuf, count);
	if (IS_ERR(cmd))
		return PTR_ERR(cmd);
	ret = st_control_run(cmd, count);
	kfree(cmd);
	return ret ? ret : count;
}

static const struct file_operations st_control_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.write = st_control_write,
	.llseek = st_no_llseek,
};

static int st_probes_emit(const struct st_probe_info *info, void *m)
{
	seq_printf(m, "%s %llu %llu", info->name, info->hits, info->misses);
	if (info->filtering)
		seq_printf(m, " filtered=%llu", info->filtered);
	if (info->overflow)
		seq_printf(m, " overflow=%llu", info->overflow);
	if (info->glob && !(info->flags & STACKTAP_PROBE_F_PENDING))
		seq_printf(m, " matched=%llu", info->matched);
	if (info->options[0])
		seq_printf(m, " %s", info->options);
	seq_printf(m, "%s%s\n",
		   info->flags & STACKTAP_PROBE_F_PENDING ? " pending" : "",
		   info->flags & STACKTAP_PROBE_F_VIA_FTRACE ? " via=ftrace" : "");
	return 0;
}

static int st_probes_show(struct seq_file *m, void *v)
{
	unsigned long cursor = 0;

	return st_probe_dump(&cursor, st_probes_emit, m);
}
DEFINE_SHOW_ATTRIBUTE(st_probes);

static int st_stats_show(struct seq_file *m, void *v)
{
	struct st_stacks_stats ss;
	struct st_ring_stats s;
	unsigned int init, unloaded;
	int cpu;

	for_each_possible_cpu(cpu) {
		st_ring_stats(cpu, &s);
		seq_printf(m, "cpu%d written %lu dropped %lu overwritten %lu bytes %lu ring %lu\n",
			   cpu, s.written, s.dropped, s.overwritten, s.bytes, s.ring);
	}
	st_stacks_stats(&ss);
	seq_printf(m, "stacks used %lu size %lu overflow %lu\n", ss.used, ss.size,
		   ss.overflow);
	st_symbols_counts(&init, &unloaded);
	seq_printf(m, "readers streams %u\n", st_stream_readers());
	seq_printf(m, "names owners %u init %u unloaded %u\n", st_stacks_owners(), init,
		   unloaded);
	for_each_possible_cpu(cpu) {
		unsigned long h[ST_MAX_NEST];

		st_capture_context_hits(cpu, h);
		seq_printf(m, "cpu%d hits task %lu softirq %lu hardirq %lu nmi %lu\n",
			   cpu, h[0], h[1], h[2], h[3]);
	}
	if (ST_KPROBE_HOLD_SOFTIRQ)
		seq_printf(m, "kprobe steps recovered %lu faulted %lu\n",
			   st_kprobe_steps_recovered(), st_kprobe_steps_faulted());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(st_stats);

static int st_maps_line(void *arg, u32 tgid, const struct st_map *map)
{
	seq_printf(arg, "%u %llx-%llx %llx %s\n", tgid, map->start, map->end, map->pgoff,
		   map->path);
	return 0;
}

/* "TGID START-END PGOFF PATH": the code mappings user stacks are in. */
static int st_maps_show(struct seq_file *m, void *v)
{
	unsigned long pos = 0;

	return st_maps_dump(&pos, st_maps_line, m);
}
DEFINE_SHOW_ATTRIBUTE(st_maps);

int st_debugfs_init(void)
{
	struct dentry *per_cpu, *dir;
	char name[16];
	int cpu;

	st_dir = debugfs_create_dir("stacktap", NULL);
	if (IS_ERR_OR_NULL(st_dir))
		return st_dir ? PTR_ERR(st_dir) : -ENOMEM;
	debugfs_create_file("trace", 0600, st_dir, NULL, &st_trace_fops);
	debugfs_create_file("trace_pipe", 0400, st_dir, NULL, &st_pipe_fops);
	debugfs_create_file("stacks", 0600, st_dir, NULL, &st_stacks_fops);
	debugfs_create_file("control", 0200, st_dir, NULL, &st_control_fops);
	debugfs_create_file("probes", 0400, st_dir, NULL, &st_probes_fops);
	debugfs_create_file("stats", 0400, st_dir, NULL, &st_stats_fops);
	debugfs_create_file("maps", 0400, st_dir, NULL, &st_maps_fops);
	per_cpu = debugfs_create_dir("per_cpu", st_dir);
	for_each_possible_cpu(cpu) {
		snprintf(name, sizeof(name), "cpu%d", cpu);
		dir = debugfs_create_dir(name, per_cpu);
		debugfs_create_file("trace", 0400, dir, (void *)(long)(cpu + 1),
				    &st_cpu_trace_fops);
	}
	return 0;
}

void st_debugfs_exit(void)
{
	debugfs_remove_recursive(st_dir);
}
