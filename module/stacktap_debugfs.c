// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/stacktap/, root only:
 *   trace	all CPUs' records merged in time order; not consuming.
 *		Any write clears the records ("echo > trace").
 *   control	"add SPEC [OPTION...]", "del SPEC" or "clear", one command
 *		per write.
 *   probes	"<spec> <hits> <misses>" per probe.
 *   stats	"cpuN written W dropped D bytes B" per possible CPU.
 */
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/unaligned.h>

#include "stacktap.h"
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
	int cpu;			/* ring of the current record */
	unsigned long pos[];		/* per possible CPU */
};

static struct st_record *st_trace_pick(struct st_trace_iter *it)
{
	struct st_record *best = NULL, *rec;
	int cpu;

	for_each_possible_cpu(cpu) {
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

/* Scratch for st_trace_show(), which runs under the ring's read lock. */
static char st_func[KSYM_SYMBOL_LEN];

static int st_trace_show(struct seq_file *m, void *v)
{
	struct st_trace_iter *it = m->private;
	struct st_record *rec = v;
	char *space;
	u32 nsec;
	u64 sec = div_u64_rem(rec->ts_ns, NSEC_PER_SEC, &nsec);
	unsigned int i;

	seq_printf(m, "%s-%u [%03d] %llu.%06u: %.*s", rec->comm, rec->pid,
		   it->cpu, sec, (u32)(nsec / NSEC_PER_USEC), rec->name_len,
		   st_record_name(rec));
	if (rec->hdr.flags & ST_REC_GLOB) {
		/* The bare name: %ps would append " [module]". */
		snprintf(st_func, sizeof(st_func), "%ps", (void *)rec->frames[0]);
		space = strchr(st_func, ' ');
		if (space)
			*space = '\0';
		seq_printf(m, " func=%s", st_func);
	}
	if (rec->hdr.flags & ST_REC_RET)
		seq_printf(m, " ret=0x%llx lat=%lluns",
			   get_unaligned(st_record_ret(rec)),
			   get_unaligned(st_record_ret(rec) + 1));
	seq_putc(m, '\n');
	/* Frame 0 is the probed address, the rest are return addresses. */
	for (i = 0; i < rec->nr_frames; i++) {
		void *addr = (void *)rec->frames[i];
		const char *name = st_initsym_lookup(rec->frames[i], i > 0, rec->ts_ns);

		if (name)
			seq_printf(m, " => %s\n", name);
		else if (i)
			seq_printf(m, " => %pB\n", addr);
		else
			seq_printf(m, " => %pS\n", addr);
	}
	if (rec->hdr.flags & ST_REC_TRUNCATED)
		seq_puts(m, " => [truncated]\n");
	seq_putc(m, '\n');
	return 0;
}

static const struct seq_operations st_trace_seq_ops = {
	.start = st_trace_start,
	.next = st_trace_next,
	.stop = st_trace_stop,
	.show = st_trace_show,
};

static int st_trace_open(struct inode *inode, struct file *file)
{
	struct st_trace_iter *it;

	if (!(file->f_mode & FMODE_READ))
		return 0;
	it = __seq_open_private(file, &st_trace_seq_ops,
				struct_size(it, pos, nr_cpu_ids));
	return it ? 0 : -ENOMEM;
}

static int st_trace_release(struct inode *inode, struct file *file)
{
	if (!(file->f_mode & FMODE_READ))
		return 0;
	return seq_release_private(inode, file);
}

void st_trace_clear(void)
{
	st_ring_read_lock();
	st_ring_clear();
	st_initsyms_clear();
	st_ring_read_unlock();
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
	.llseek = seq_lseek,
	.release = st_trace_release,
};

static int st_control_run(char *cmd, size_t len)
{
	char *arg;

	while (len && isspace(cmd[len - 1]))
		len--;
	cmd[len] = '\0';
	cmd = skip_spaces(cmd);
	arg = strchr(cmd, ' ');
	if (arg) {
		*arg = '\0';
		arg = skip_spaces(arg + 1);
	}

	if (!strcmp(cmd, "clear") && !arg) {
		st_trace_clear();
		return 0;
	}
	if (arg && *arg) {
		if (!strcmp(cmd, "add"))
			return st_probe_add(arg, strlen(arg), NULL, NULL);
		if (!strcmp(cmd, "del") && !strchr(arg, ' '))
			return st_probe_del(arg, strlen(arg), NULL);
	}
	pr_warn("control: expected 'add SPEC [OPTION...]', 'del SPEC' or 'clear', got '%*pE'\n",
		(int)min_t(size_t, strlen(cmd), 32), cmd);
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
	.llseek = no_llseek,
};

static int st_probes_emit(const struct st_probe_info *info, void *m)
{
	seq_printf(m, "%s %llu %llu%s%s\n", info->name, info->hits, info->misses,
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
	struct st_ring_stats s;
	int cpu;

	for_each_possible_cpu(cpu) {
		st_ring_stats(cpu, &s);
		seq_printf(m, "cpu%d written %lu dropped %lu bytes %lu\n", cpu,
			   s.written, s.dropped, s.bytes);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(st_stats);

int st_debugfs_init(void)
{
	st_dir = debugfs_create_dir("stacktap", NULL);
	if (IS_ERR_OR_NULL(st_dir))
		return st_dir ? PTR_ERR(st_dir) : -ENOMEM;
	debugfs_create_file("trace", 0600, st_dir, NULL, &st_trace_fops);
	debugfs_create_file("control", 0200, st_dir, NULL, &st_control_fops);
	debugfs_create_file("probes", 0400, st_dir, NULL, &st_probes_fops);
	debugfs_create_file("stats", 0400, st_dir, NULL, &st_stats_fops);
	return 0;
}

void st_debugfs_exit(void)
{
	debugfs_remove_recursive(st_dir);
}
