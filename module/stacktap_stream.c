// SPDX-License-Identifier: GPL-2.0
/*
 * Record readers over netlink (include/uapi/linux/stacktap.h, STREAM):
 * the records as data, for stacktapctl, without debugfs.
 *
 * Each reader is a socket with its own cursor in every CPU's ring.  One
 * work item sends each reader its records as struct stacktap_record, in
 * RECORDS messages unicast without blocking.  A socket that is full keeps
 * its cursor where it was and is tried again a little later, so nothing
 * is lost on the way; the rings meanwhile free only what every reader has
 * taken, and what they cannot hold is counted in-band as ring drops.
 * A reader goes when its socket closes (NETLINK_URELEASE) or, found later,
 * when a send finds no socket.
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
	bool once;			/* ends once it has every record */
	u64 start_ns;			/* without backlog: older records are not its */
	struct st_ring_cursor cursor;	/* last: its pos[] */
};

static LIST_HEAD(st_streams);
static unsigned int st_streams_nr;
static bool st_streams_closing;
static void st_stream_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(st_stream_work, st_stream_work_fn);
static struct wait_queue_entry st_stream_waiter;

static void st_stream_kick(unsigned long delay)
{
	mod_delayed_work(system_wq, &st_stream_work, delay);
}

/* Writers wake the ring's wait queue (from an irq_work): send what is new. */
static int st_stream_wake(struct wait_queue_entry *wq, unsigned int mode, int sync, void *key)
{
	st_stream_kick(0);
	return 0;
}

static void st_stream_free(struct st_stream *s)
{
	st_ring_cursor_del(&s->cursor);
	list_del_rcu(&s->node);
	st_streams_nr--;
	put_net(s->net);
	kfree_rcu(s, rcu);
}

/* Tell @s its stream is over (STREAM_END), and forget it. */
static void st_stream_end(struct st_stream *s)
{
	struct sk_buff *skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	void *msg = skb ? genlmsg_put(skb, 0, 0, &st_nl_family, 0, STACKTAP_CMD_STREAM_END) : NULL;

	if (msg) {
		genlmsg_end(skb, msg);
		genlmsg_unicast(s->net, skb, s->portid);
	} else {
		nlmsg_free(skb);
	}
	st_stream_free(s);
}

/* @rec of @cpu as a struct stacktap_record in a new attribute of @skb. */
static int st_stream_put(struct sk_buff *skb, const struct st_record *rec, int cpu)
{
	u32 size = ALIGN(sizeof(struct stacktap_record) + rec->nr_frames * sizeof(u64) +
			 rec->name_len, 8);
	struct stacktap_record *out;
	struct nlattr *attr;
	unsigned int i;

	attr = nla_reserve(skb, STACKTAP_A_RECORD, size);
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
	memcpy(out->comm, rec->comm, sizeof(out->comm));
	for (i = 0; i < rec->nr_frames; i++)
		put_unaligned((u64)rec->frames[i], &out->frames[i]);
	memcpy((char *)&out->frames[rec->nr_frames], st_record_name(rec), rec->name_len);
	return 0;
}

/*
 * Send @s the records of @cpu's ring it has not had, up to *budget bytes.
 * 0 when it has them all, -EAGAIN when its socket is full (or the budget
 * ran out), another errno when its socket is gone.
 */
static int st_stream_cpu(struct st_stream *s, int cpu, long *budget)
{
	unsigned long pos = s->cursor.pos[cpu];
	struct st_rec_hdr *hdr;
	struct sk_buff *skb;
	unsigned int n;
	void *msg;
	int ret;

	while (*budget > 0) {
		skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
		if (!skb)
			return -EAGAIN;
		msg = genlmsg_put(skb, 0, 0, &st_nl_family, 0, STACKTAP_CMD_RECORDS);
		if (!msg || nla_put_u32(skb, STACKTAP_A_FORMAT, STACKTAP_RECORD_FORMAT)) {
			nlmsg_free(skb);
			return -EAGAIN;
		}
		n = 0;
		while ((hdr = st_ring_peek(cpu, &pos))) {
			const struct st_record *rec = (const struct st_record *)hdr;

			if (s->start_ns && rec->ts_ns < s->start_ns) {
				pos += hdr->len;	/* before this reader started */
				continue;
			}
			if (st_stream_put(skb, rec, cpu))
				break;
			pos += hdr->len;
			n++;
		}
		if (!n) {
			nlmsg_free(skb);
			/* Skipped records are taken too. */
			st_ring_cursor_advance(&s->cursor, cpu, pos);
			return 0;
		}
		genlmsg_end(skb, msg);
		*budget -= skb->len;
		ret = genlmsg_unicast(s->net, skb, s->portid);
		if (ret)
			return ret;
		st_ring_cursor_advance(&s->cursor, cpu, pos);
	}
	return -EAGAIN;
}

static void st_stream_work_fn(struct work_struct *work)
{
	struct st_stream *s, *next;
	bool again = false;
	long budget;
	int cpu, ret;

	st_ring_read_lock();
	list_for_each_entry_safe(s, next, &st_streams, node) {
		if (READ_ONCE(s->dead)) {
			st_stream_free(s);
			continue;
		}
		budget = ST_STREAM_BUDGET;
		ret = 0;
		for_each_possible_cpu(cpu) {
			ret = st_stream_cpu(s, cpu, &budget);
			if (ret)
				break;
		}
		if (ret == -EAGAIN)
			again = true;
		else if (ret)
			st_stream_free(s);	/* its socket is gone */
		else if (s->once)
			st_stream_end(s);
	}
	st_ring_read_unlock();
	if (again)
		st_stream_kick(ST_STREAM_RETRY);
}

int st_stream_add(struct sk_buff *skb, struct genl_info *info, u32 flags,
		  const char **why)
{
	struct st_stream *s;
	int ret = 0;

	if (security_locked_down(LOCKDOWN_TRACEFS)) {
		*why = "the kernel is locked down: records are tracing output";
		return -EPERM;
	}
	if (!st_may_see_addresses()) {
		*why = "records carry kernel addresses, hidden from this reader (needs CAP_SYSLOG and kptr_restrict below 2)";
		return -EPERM;
	}
	s = kzalloc(struct_size(s, cursor.pos, nr_cpu_ids), GFP_KERNEL);
	if (!s) {
		*why = "out of memory";
		return -ENOMEM;
	}
	s->net = get_net(genl_info_net(info));
	s->portid = info->snd_portid;
	s->start_ns = flags & STACKTAP_STREAM_F_BACKLOG ? 0 : ktime_get_mono_fast_ns();
	s->once = flags & STACKTAP_STREAM_F_ONCE;

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
	st_streams_nr++;
	st_ring_read_unlock();
	st_stream_kick(0);
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

/* Tell each reader its stream ends, and forget them all. */
void st_stream_end_all(void)
{
	struct st_stream *s, *next;

	st_ring_read_lock();
	list_for_each_entry_safe(s, next, &st_streams, node)
		st_stream_end(s);
	st_ring_read_unlock();
}

void st_stream_exit(void)
{
	st_ring_read_lock();
	st_streams_closing = true;
	st_ring_read_unlock();
	cancel_delayed_work_sync(&st_stream_work);
	st_stream_end_all();
	netlink_unregister_notifier(&st_stream_nb);
	remove_wait_queue(st_ring_waitqueue(), &st_stream_waiter);
	/* The wake function may have queued it meanwhile: once more. */
	cancel_delayed_work_sync(&st_stream_work);
}
