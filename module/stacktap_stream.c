// SPDX-License-Identifier: GPL-2.0
/*
 * Record readers over netlink (include/uapi/linux/stacktap.h, STREAM):
 * the records as data, for stacktapctl, without debugfs.
 *
 * Each reader is a socket with its own cursor in every CPU's ring.  One
 * work item sends each reader its records as struct stacktap_record, in
 * RECORDS messages unicast without blocking, a budget per run and its CPUs
 * in turn.  A socket that is full keeps its cursor where it was and is
 * tried again 20 ms later, so nothing is lost on the way; the rings
 * meanwhile free only what every reader has taken, and what they cannot
 * hold is counted in-band as ring drops.  So a reader that stops reading
 * holds up the rings for everyone until its socket closes.  A snapshot
 * reader (ONCE) takes no part in that: it frees nothing, and ends at the
 * first record stamped after it started.  A reader goes when its socket
 * closes (NETLINK_URELEASE) or, found later, when a send finds no socket;
 * its STREAM_END, when its socket is full, is retried like records.
 *
 * Readers are listed under the ring's read lock, which also guards the
 * cursors; the release notifier, which cannot sleep, only marks a reader
 * under RCU for the work to free.
 */
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/rculist.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "stacktap.h"

/*
 * A record at its largest in a message: user frames and arguments
 * included, its user copy not (st_stream_msg_size()).
 */
#define ST_STREAM_RECORD_MAX	(NLA_HDRLEN + sizeof(struct stacktap_record) + \
				 STACKTAP_FRAMES_MAX * sizeof(u64) + STACKTAP_SPEC_MAX + \
				 ST_ARGS_BYTES_MAX + 8 + 256)
#include "stacktap_ring.h"

#define ST_STREAMS_MAX		16
/* A socket found full is tried again after this long. */
#define ST_STREAM_RETRY		msecs_to_jiffies(20)
/* Bytes sent to one reader per run, so the read lock is let go. */
#define ST_STREAM_BUDGET	(256 * 1024)

struct st_stream {
	struct list_head node;		/* st_streams */
	struct rcu_head rcu;
	struct net *net;		/* held */
	u32 portid;
	bool dead;			/* its socket closed */
	bool ending;			/* STREAM_END to send */
	bool once;			/* a snapshot: ends once it has every record */
	u64 start_ns;			/* without backlog: older records are not its */
	u64 end_ns;			/* a snapshot's: newer records are not its */
	unsigned int next_cpu;		/* where the next run starts */
	struct st_ring_cursor cursor;	/* last: its pos[] */
};

static LIST_HEAD(st_streams);
static unsigned int st_streams_nr;
static bool st_streams_closing;
static void st_stream_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(st_stream_work, st_stream_work_fn);
static struct wait_queue_entry st_stream_waiter;

/* A pending run stays as it is: a retry's delay is not cut short. */
static void st_stream_kick(unsigned long delay)
{
	queue_delayed_work(system_wq, &st_stream_work, delay);
}

/* Writers wake the ring's wait queue (from an irq_work): send what is new. */
static int st_stream_wake(struct wait_queue_entry *wq, unsigned int mode, int sync, void *key)
{
	if (READ_ONCE(st_streams_nr))
		st_stream_kick(0);
	return 0;
}

/* A reader was added: its backlog goes out. */
void st_stream_send_soon(void)
{
	st_stream_kick(0);
}

static void st_stream_free(struct st_stream *s)
{
	st_ring_cursor_del(&s->cursor);
	list_del_rcu(&s->node);
	WRITE_ONCE(st_streams_nr, st_streams_nr - 1);
	put_net(s->net);
	kfree_rcu(s, rcu);
}

/*
 * Tell @s its stream is over (STREAM_END) and forget it; when its socket is
 * full, keep it to try again, unless @final (the module goes).
 */
static void st_stream_end(struct st_stream *s, bool final)
{
	struct sk_buff *skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	void *msg = skb ? genlmsg_put(skb, 0, 0, &st_nl_family, 0, STACKTAP_CMD_STREAM_END) : NULL;
	int ret = -ENOMEM;

	if (msg) {
		genlmsg_end(skb, msg);
		ret = genlmsg_unicast(s->net, skb, s->portid);
	} else {
		nlmsg_free(skb);
	}
	if ((ret == -EAGAIN || ret == -ENOMEM) && !final) {
		s->ending = true;
		return;
	}
	st_stream_free(s);
}

/* @rec of @cpu as a struct stacktap_record in a new attribute of @skb. */
static int st_stream_put(struct sk_buff *skb, const struct st_record *rec, int cpu)
{
	u16 args_len = rec->hdr.flags & ST_REC_ARGS ?
		       get_unaligned((const u16 *)st_record_args(rec)) : 0;
	u32 head = ALIGN(sizeof(struct stacktap_record) + rec->nr_frames * sizeof(u64) +
			 rec->name_len + args_len, 8);
	const struct stacktap_ucopy *u = NULL;
	u32 ucopy = 0, size = head;
	struct stacktap_record *out;
	struct nlattr *attr;
	unsigned int i;

	if (rec->hdr.flags & ST_REC_UCOPY) {
		u = st_record_ucopy(rec);
		ucopy = st_ucopy_len(u);
		size += ucopy;
	}
	/* 8-byte aligned: the u64 fields are plain stores. */
	attr = nla_reserve_64bit(skb, STACKTAP_A_RECORD, size, STACKTAP_A_PAD);
	if (!attr)
		return -EMSGSIZE;
	out = nla_data(attr);
	memset(out, 0, size);
	out->size = size;
	if (rec->hdr.flags & ST_REC_TRUNCATED)
		out->flags |= STACKTAP_RECORD_F_TRUNCATED;
	if (rec->hdr.flags & ST_REC_GLOB)
		out->flags |= STACKTAP_RECORD_F_GLOB;
	if (rec->hdr.flags & ST_REC_RET) {
		out->flags |= STACKTAP_RECORD_F_RET;
		out->ret = get_unaligned(st_record_ret(rec));
		out->latency_ns = get_unaligned(st_record_ret(rec) + 1);
	}
	out->time_ns = rec->ts_ns;
	out->cpu = cpu;
	out->pid = rec->pid;
	out->tgid = rec->tgid;
	out->lost = st_rec_lost(rec->hdr.flags);
	out->nr_frames = rec->nr_frames;
	out->kind = rec->kind;
	out->spec_len = rec->name_len;
	out->context = (rec->hdr.flags & ST_REC_CTX_MASK) >> ST_REC_CTX_SHIFT;
	out->probe_id = rec->probe_id;
	memcpy(out->comm, rec->comm, sizeof(out->comm));
	for (i = 0; i < rec->nr_frames; i++)
		put_unaligned(st_frame_u64(rec->frames[i]), &out->frames[i]);
	memcpy((char *)&out->frames[rec->nr_frames], st_record_name(rec), rec->name_len);
	if (args_len) {
		out->flags |= STACKTAP_RECORD_F_ARGS;
		out->args_len = args_len;
		memcpy((char *)&out->frames[rec->nr_frames] + rec->name_len,
		       st_record_args(rec) + sizeof(u16), args_len);
	}
	if (u) {
		out->flags |= STACKTAP_RECORD_F_UCOPY;
		out->ucopy_len = ucopy;
		memcpy((char *)out + head, u, ucopy);
	}
	return 0;
}

/* A message that takes @rec, whose user copy may be 16 KiB, and more. */
static size_t st_stream_msg_size(const struct st_record *rec)
{
	const struct stacktap_ucopy *u;

	if (!(rec->hdr.flags & ST_REC_UCOPY))
		return max_t(size_t, NLMSG_GOODSIZE, ST_STREAM_RECORD_MAX);
	u = st_record_ucopy(rec);
	return max_t(size_t, NLMSG_GOODSIZE, ST_STREAM_RECORD_MAX + st_ucopy_len(u));
}

/*
 * The next record of @cpu's ring for @s at or after *pos, skipping what is
 * not its: older than it (no backlog) or, for a snapshot, newer.
 */
static struct st_rec_hdr *st_stream_peek(struct st_stream *s, int cpu, unsigned long *pos)
{
	struct st_rec_hdr *hdr;

	while ((hdr = st_ring_peek(cpu, pos))) {
		const struct st_record *rec = (const struct st_record *)hdr;

		if (s->once && rec->ts_ns > s->end_ns)
			return NULL;	/* each CPU's records are in time order */
		if (rec->ts_ns >= s->start_ns)
			return hdr;
		*pos += hdr->len;	/* before this reader started */
	}
	return NULL;
}

/*
 * Send @s the records of @cpu's ring it has not had, up to *budget bytes.
 * 0 when it has them all, 1 when the budget ran out, -EAGAIN when its
 * socket is full, another errno when its socket is gone.
 */
static int st_stream_cpu(struct st_stream *s, int cpu, long *budget)
{
	unsigned long pos = s->cursor.pos[cpu], start;
	struct st_rec_hdr *hdr;
	struct sk_buff *skb;
	void *msg;
	int ret;

	for (;;) {
		hdr = st_stream_peek(s, cpu, &pos);
		/* Skipped records are taken too. */
		st_ring_cursor_advance(&s->cursor, cpu, pos);
		if (!hdr)
			return 0;
		if (*budget <= 0)
			return 1;
		skb = genlmsg_new(st_stream_msg_size((const struct st_record *)hdr), GFP_KERNEL);
		if (!skb)
			return -EAGAIN;
		msg = genlmsg_put(skb, 0, 0, &st_nl_family, 0, STACKTAP_CMD_RECORDS);
		if (!msg || nla_put_u32(skb, STACKTAP_A_FORMAT, STACKTAP_RECORD_FORMAT)) {
			nlmsg_free(skb);
			return -EAGAIN;
		}
		/* As many as fit; the first always does (st_stream_msg_size()). */
		start = pos;
		while (hdr && !st_stream_put(skb, (const struct st_record *)hdr, cpu)) {
			pos += hdr->len;
			hdr = st_stream_peek(s, cpu, &pos);
		}
		if (WARN_ON_ONCE(pos == start)) {
			nlmsg_free(skb);
			return -EAGAIN;
		}
		genlmsg_end(skb, msg);
		*budget -= skb->len;
		ret = genlmsg_unicast(s->net, skb, s->portid);
		if (ret)
			return ret;
		st_ring_cursor_advance(&s->cursor, cpu, pos);
	}
}

/* Send @s what it has not had, its CPUs in turn; as st_stream_cpu(). */
static int st_stream_send(struct st_stream *s)
{
	long budget = ST_STREAM_BUDGET;
	unsigned int i, cpu;
	int ret;

	for (i = 0; i < nr_cpu_ids; i++) {
		cpu = (s->next_cpu + i) % nr_cpu_ids;
		if (!cpu_possible(cpu))
			continue;
		ret = st_stream_cpu(s, cpu, &budget);
		if (ret) {
			/* A full socket: this CPU again; out of budget: the next. */
			s->next_cpu = ret == 1 ? cpu + 1 : cpu;
			return ret;
		}
	}
	return 0;
}

static void st_stream_work_fn(struct work_struct *work)
{
	struct st_stream *s, *next;
	bool more = false, blocked = false;
	int ret;

	st_ring_read_lock();
	list_for_each_entry_safe(s, next, &st_streams, node) {
		if (READ_ONCE(s->dead)) {
			st_stream_free(s);
			continue;
		}
		if (s->ending) {
			st_stream_end(s, false);
			blocked = true;		/* if it is still there */
			continue;
		}
		ret = st_stream_send(s);
		if (ret == 1)
			more = true;
		else if (ret == -EAGAIN)
			blocked = true;
		else if (ret)
			st_stream_free(s);	/* its socket is gone */
		else if (s->once)
			st_stream_end(s, false);
	}
	st_ring_read_unlock();
	if (more)
		st_stream_kick(0);
	else if (blocked)
		st_stream_kick(ST_STREAM_RETRY);
}

/*
 * Whether the caller may have records or frame names: they carry raw
 * kernel addresses (STREAM) or give them away (SYMBOLIZE), and they are
 * tracing output.  0, or -EPERM with *@why.
 */
int st_stream_may_read(const char **why)
{
	if (security_locked_down(LOCKDOWN_TRACEFS)) {
		*why = "the kernel is locked down: records are tracing output";
		return -EPERM;
	}
	if (!st_may_see_addresses()) {
		*why = "kernel addresses are hidden from this caller (needs CAP_SYSLOG and kptr_restrict below 2)";
		return -EPERM;
	}
	return 0;
}

int st_stream_add(struct sk_buff *skb, struct genl_info *info, u32 flags,
		  const char **why)
{
	struct st_stream *s;
	int ret = 0;

	ret = st_stream_may_read(why);
	if (ret)
		return ret;
	s = kzalloc(struct_size(s, cursor.pos, nr_cpu_ids), GFP_KERNEL);
	if (!s) {
		*why = "out of memory";
		return -ENOMEM;
	}
	s->net = get_net(genl_info_net(info));
	s->portid = info->snd_portid;
	s->start_ns = flags & STACKTAP_STREAM_F_BACKLOG ? 0 : ktime_get_mono_fast_ns();
	s->once = flags & STACKTAP_STREAM_F_ONCE;
	s->end_ns = ktime_get_mono_fast_ns();
	/* A snapshot takes records without freeing them: a reader, not a consumer. */
	s->cursor.snapshot = s->once;

	st_ring_read_lock();
	if (st_streams_closing) {
		*why = "stacktap is being unloaded";
		ret = -ESHUTDOWN;
		goto err_unlock;
	}
	if (st_streams_nr >= ST_STREAMS_MAX) {
		*why = "too many record readers (16): stop one first";
		ret = -EBUSY;
		goto err_unlock;
	}
	st_ring_cursor_add(&s->cursor);
	list_add_tail_rcu(&s->node, &st_streams);
	WRITE_ONCE(st_streams_nr, st_streams_nr + 1);
	st_ring_read_unlock();
	return 0;

err_unlock:
	st_ring_read_unlock();
	put_net(s->net);
	kfree(s);
	return ret;
}

/* A netlink socket closed: its reader, if any, goes at the next run. */
static int st_stream_release(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;
	struct st_stream *s;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	rcu_read_lock();
	list_for_each_entry_rcu(s, &st_streams, node) {
		if (s->portid == n->portid && net_eq(s->net, n->net)) {
			WRITE_ONCE(s->dead, true);
			st_stream_kick(0);
		}
	}
	rcu_read_unlock();
	return NOTIFY_DONE;
}

static struct notifier_block st_stream_nb = {
	.notifier_call = st_stream_release,
};

int st_stream_init(void)
{
	init_waitqueue_func_entry(&st_stream_waiter, st_stream_wake);
	add_wait_queue(st_ring_waitqueue(), &st_stream_waiter);
	return netlink_register_notifier(&st_stream_nb);
}

/*
 * Tell each reader its stream ends; @final (the module goes): forget them
 * all now, else a reader whose socket is full is told when there is room.
 */
void st_stream_end_all(bool final)
{
	struct st_stream *s, *next;

	st_ring_read_lock();
	list_for_each_entry_safe(s, next, &st_streams, node)
		st_stream_end(s, final);
	st_ring_read_unlock();
	st_stream_kick(ST_STREAM_RETRY);
}

unsigned int st_stream_readers(void)
{
	return READ_ONCE(st_streams_nr);
}

void st_stream_exit(void)
{
	st_ring_read_lock();
	st_streams_closing = true;
	st_ring_read_unlock();
	cancel_delayed_work_sync(&st_stream_work);
	st_stream_end_all(true);
	netlink_unregister_notifier(&st_stream_nb);
	remove_wait_queue(st_ring_waitqueue(), &st_stream_waiter);
	/* The wake function may have queued it meanwhile: once more. */
	cancel_delayed_work_sync(&st_stream_work);
}
