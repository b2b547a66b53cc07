// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "stacktap" (include/uapi/linux/stacktap.h):
 * the same registry and records as the debugfs files, for stacktapctl.
 * Every command needs CAP_SYS_ADMIN; GENL_ADMIN_PERM alone would only ask
 * for CAP_NET_ADMIN.
 */
#include <linux/capability.h>
#include <linux/kernel.h>
#include <linux/kallsyms.h>
#include <linux/netlink.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "stacktap.h"
#include "stacktap_ring.h"

static const struct nla_policy st_nl_policy[STACKTAP_A_MAX + 1] = {
	[STACKTAP_A_SPEC] = { .type = NLA_NUL_STRING, .len = STACKTAP_TEXT_MAX - 1 },
	[STACKTAP_A_PROBE_ID] = { .type = NLA_U32 },
	[STACKTAP_A_STREAM_FLAGS] = { .type = NLA_U32 },
	[STACKTAP_A_TIME] = { .type = NLA_U64 },
	[STACKTAP_A_ADDR] = { .type = NLA_U64 },
	[STACKTAP_A_RET_ADDR] = { .type = NLA_U64 },
	[STACKTAP_A_SYMBOL] = { .type = NLA_NUL_STRING, .len = STACKTAP_SYMBOL_MAX - 1 },
};

/*
 * NL_SET_ERR_MSG() takes literals only; the registry's reasons are static
 * strings too, so they can be handed over the same way.
 */
static void st_nl_why(struct netlink_ext_ack *extack, const char *why)
{
	if (extack)
		extack->_msg = why;
}

static bool st_nl_allowed(struct sk_buff *skb, struct netlink_ext_ack *extack)
{
	if (netlink_capable(skb, CAP_SYS_ADMIN))
		return true;
	NL_SET_ERR_MSG(extack, "stacktap needs CAP_SYS_ADMIN");
	return false;
}

static int st_nl_probe_add(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *spec = info->attrs[STACKTAP_A_SPEC];
	struct sk_buff *reply;
	const char *why = "out of memory";
	void *hdr;
	u32 id, flags;
	u64 matched;
	int ret;

	if (!st_nl_allowed(skb, info->extack))
		return -EPERM;
	if (!spec) {
		NL_SET_ERR_MSG(info->extack, "missing probe spec");
		return -EINVAL;
	}
	reply = genlmsg_new(2 * nla_total_size(sizeof(u32)) + nla_total_size_64bit(sizeof(u64)),
			    GFP_KERNEL);
	if (!reply)
		goto err_extack;
	ret = st_probe_add(nla_data(spec), nla_len(spec) - 1, &why, &id, &flags, &matched);
	if (ret)
		goto err_free_reply;
	hdr = genlmsg_put_reply(reply, info, &st_nl_family, 0, STACKTAP_CMD_PROBE_ADD);
	if (!hdr || nla_put_u32(reply, STACKTAP_A_PROBE_ID, id) ||
	    nla_put_u32(reply, STACKTAP_A_PROBE_FLAGS, flags) ||
	    (matched && nla_put_u64_64bit(reply, STACKTAP_A_COUNT, matched, STACKTAP_A_PAD))) {
		nlmsg_free(reply);
		return -EMSGSIZE;	/* armed all the same */
	}
	genlmsg_end(reply, hdr);
	return genlmsg_reply(reply, info);

err_free_reply:
	nlmsg_free(reply);
	NL_SET_BAD_ATTR(info->extack, spec);
	st_nl_why(info->extack, why);
	return ret;
err_extack:
	st_nl_why(info->extack, why);
	return -ENOMEM;
}

static int st_nl_probe_del(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *spec = info->attrs[STACKTAP_A_SPEC];
	struct nlattr *id = info->attrs[STACKTAP_A_PROBE_ID];
	const char *why;
	int ret;

	if (!st_nl_allowed(skb, info->extack))
		return -EPERM;
	if (!spec == !id) {
		NL_SET_ERR_MSG(info->extack, "give a probe spec or a probe id");
		return -EINVAL;
	}
	if (spec)
		ret = st_probe_del(nla_data(spec), nla_len(spec) - 1, &why);
	else
		ret = st_probe_del_id(nla_get_u32(id), &why);
	if (ret) {
		NL_SET_BAD_ATTR(info->extack, spec ?: id);
		st_nl_why(info->extack, why);
	}
	return ret;
}

struct st_nl_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

static int st_nl_put_probe(const struct st_probe_info *p, void *arg)
{
	struct st_nl_dump *d = arg;
	void *hdr;

	/* Netlink compares it with the last part's: NLM_F_DUMP_INTR. */
	d->cb->seq = p->gen + 1;
	hdr = genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid, d->cb->nlh->nlmsg_seq,
			  &st_nl_family, NLM_F_MULTI, STACKTAP_CMD_PROBE_LIST);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(d->cb, hdr);
	if (nla_put_u32(d->skb, STACKTAP_A_PROBE_ID, p->id) ||
	    nla_put_string(d->skb, STACKTAP_A_SPEC, p->name) ||
	    nla_put_u8(d->skb, STACKTAP_A_KIND, p->kind) ||
	    nla_put_u64_64bit(d->skb, STACKTAP_A_HITS, p->hits, STACKTAP_A_PAD) ||
	    nla_put_u64_64bit(d->skb, STACKTAP_A_MISSES, p->misses, STACKTAP_A_PAD) ||
	    nla_put_u32(d->skb, STACKTAP_A_PROBE_FLAGS, p->flags) ||
	    nla_put_u64_64bit(d->skb, STACKTAP_A_FILTERED, p->filtered, STACKTAP_A_PAD) ||
	    nla_put_u64_64bit(d->skb, STACKTAP_A_OVERFLOW, p->overflow, STACKTAP_A_PAD) ||
	    nla_put_string(d->skb, STACKTAP_A_OPTIONS, p->options) ||
	    (p->glob && !(p->flags & STACKTAP_PROBE_F_PENDING) &&
	     nla_put_u64_64bit(d->skb, STACKTAP_A_COUNT, p->matched, STACKTAP_A_PAD))) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	return 0;
}

/* cb->args[0]: the id of the last probe reported. */
static int st_nl_probe_list(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct st_nl_dump d = { .skb = skb, .cb = cb };
	int ret;

	if (!st_nl_allowed(cb->skb, cb->extack))
		return -EPERM;
	ret = st_probe_dump((unsigned long *)&cb->args[0], st_nl_put_probe, &d);
	/* A full message is no error: the dump resumes from the cursor. */
	if (ret == -EMSGSIZE && skb->len)
		return skb->len;
	return ret ?: skb->len;
}

static int st_nl_clear(struct sk_buff *skb, struct genl_info *info)
{
	if (!st_nl_allowed(skb, info->extack))
		return -EPERM;
	return st_clear_all();
}

/* cb->args[0]: the next CPU to report. */
static int st_nl_stats_get(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct st_ring_stats s;
	unsigned int cpu;
	void *hdr;

	if (!st_nl_allowed(cb->skb, cb->extack))
		return -EPERM;
	for (cpu = cb->args[0]; cpu < nr_cpu_ids; cpu++) {
		if (!cpu_possible(cpu))
			continue;
		st_ring_stats(cpu, &s);
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &st_nl_family, NLM_F_MULTI, STACKTAP_CMD_STATS_GET);
		if (!hdr)
			break;
		if (nla_put_u32(skb, STACKTAP_A_CPU, cpu) ||
		    nla_put_u64_64bit(skb, STACKTAP_A_WRITTEN, s.written, STACKTAP_A_PAD) ||
		    nla_put_u64_64bit(skb, STACKTAP_A_DROPPED, s.dropped, STACKTAP_A_PAD) ||
		    nla_put_u64_64bit(skb, STACKTAP_A_OVERWRITTEN, s.overwritten,
				      STACKTAP_A_PAD) ||
		    nla_put_u64_64bit(skb, STACKTAP_A_BYTES, s.bytes, STACKTAP_A_PAD) ||
		    nla_put_u64_64bit(skb, STACKTAP_A_OVERFLOW, st_stacks_overflow(cpu),
				      STACKTAP_A_PAD)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = cpu;
	return skb->len;
}

static int st_nl_reset(struct sk_buff *skb, struct genl_info *info)
{
	if (!st_nl_allowed(skb, info->extack))
		return -EPERM;
	st_probe_del_all();
	return 0;
}

static int st_nl_stream(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *flags = info->attrs[STACKTAP_A_STREAM_FLAGS];
	u32 f = flags ? nla_get_u32(flags) : 0;
	const char *why = "";
	struct sk_buff *reply;
	void *hdr;
	int ret;

	if (!st_nl_allowed(skb, info->extack))
		return -EPERM;
	if (f & ~(STACKTAP_STREAM_F_BACKLOG | STACKTAP_STREAM_F_ONCE)) {
		NL_SET_ERR_MSG_ATTR(info->extack, flags, "unknown stream flags");
		return -EINVAL;
	}
	reply = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	hdr = genlmsg_put_reply(reply, info, &st_nl_family, 0, STACKTAP_CMD_STREAM);
	if (!hdr || nla_put_u32(reply, STACKTAP_A_FORMAT, STACKTAP_RECORD_FORMAT)) {
		nlmsg_free(reply);
		return -EMSGSIZE;
	}
	genlmsg_end(reply, hdr);
	ret = st_stream_add(skb, info, f, &why);
	if (ret) {
		nlmsg_free(reply);
		st_nl_why(info->extack, why);
		return ret;
	}
	/* Records go only after the reply: its socket has room for it. */
	ret = genlmsg_reply(reply, info);
	st_stream_send_soon();
	return ret;
}

/* Frames named as the debugfs files name them, for a stream's reader. */
static int st_nl_symbolize(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *time = info->attrs[STACKTAP_A_TIME];
	const char *why;
	char *sym = NULL;
	struct sk_buff *reply;
	struct nlattr *a;
	unsigned int n = 0;
	void *hdr;
	int rem, ret;

	if (!st_nl_allowed(skb, info->extack))
		return -EPERM;
	/* Names of any address would give the layout away: as for records. */
	ret = st_stream_may_read(&why);
	if (ret) {
		st_nl_why(info->extack, why);
		return ret;
	}
	if (!time) {
		NL_SET_ERR_MSG(info->extack, "missing the record's time");
		return -EINVAL;
	}
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem)
		if (nla_type(a) == STACKTAP_A_ADDR || nla_type(a) == STACKTAP_A_RET_ADDR)
			n++;
	if (n > STACKTAP_SYMBOLIZE_MAX) {
		NL_SET_ERR_MSG(info->extack, "too many addresses: at most 64 per request");
		return -E2BIG;
	}
	ret = -ENOMEM;
	reply = genlmsg_new(n * nla_total_size(KSYM_SYMBOL_LEN), GFP_KERNEL);
	sym = kmalloc(KSYM_SYMBOL_LEN, GFP_KERNEL);
	if (!reply || !sym)
		goto err_free;
	ret = -EMSGSIZE;
	hdr = genlmsg_put_reply(reply, info, &st_nl_family, 0, STACKTAP_CMD_SYMBOLIZE);
	if (!hdr)
		goto err_free;
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) != STACKTAP_A_ADDR && nla_type(a) != STACKTAP_A_RET_ADDR)
			continue;
		st_sym_format(sym, KSYM_SYMBOL_LEN, (unsigned long)nla_get_u64(a),
			      nla_type(a) == STACKTAP_A_RET_ADDR, nla_get_u64(time), true);
		if (nla_put_string(reply, STACKTAP_A_SYMBOL, sym))
			goto err_free;
	}
	kfree(sym);
	genlmsg_end(reply, hdr);
	return genlmsg_reply(reply, info);

err_free:
	kfree(sym);
	nlmsg_free(reply);
	return ret;
}

/* Which probe kinds each named function can take (stacktap_funcs.c). */
static int st_nl_funcs_check(struct sk_buff *skb, struct genl_info *info)
{
	const char *names[STACKTAP_SYMBOLIZE_MAX];
	u32 flags[STACKTAP_SYMBOLIZE_MAX];
	struct sk_buff *reply;
	unsigned int n = 0, i;
	struct nlattr *a;
	void *hdr;
	int rem, ret;

	if (!st_nl_allowed(skb, info->extack))
		return -EPERM;
	if (security_locked_down(LOCKDOWN_KPROBES)) {
		NL_SET_ERR_MSG(info->extack, "the kernel is locked down: no kprobes");
		return -EPERM;
	}
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) != STACKTAP_A_SYMBOL)
			continue;
		if (n == STACKTAP_SYMBOLIZE_MAX) {
			NL_SET_ERR_MSG(info->extack, "too many functions: at most 64 per request");
			return -E2BIG;
		}
		names[n++] = nla_data(a);
	}
	ret = st_funcs_check(names, flags, n);
	if (ret)
		return ret;
	reply = genlmsg_new(n * nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	hdr = genlmsg_put_reply(reply, info, &st_nl_family, 0, STACKTAP_CMD_FUNCS_CHECK);
	if (!hdr)
		goto err_free;
	for (i = 0; i < n; i++)
		if (nla_put_u32(reply, STACKTAP_A_FUNC_FLAGS, flags[i]))
			goto err_free;
	genlmsg_end(reply, hdr);
	return genlmsg_reply(reply, info);

err_free:
	nlmsg_free(reply);
	return -EMSGSIZE;
}

/*
 * STACKS_GET: the counted stacks, from one snapshot taken at the first
 * call (where, unlike in a dump's start, the extack reaches the reader).
 * cb->args[0]: the next stack to send; cb->args[1]: the snapshot.
 */
static int st_nl_stacks_snapshot(struct netlink_callback *cb)
{
	struct st_stacks_snap *snap;
	const char *why;
	int ret;

	if (!st_nl_allowed(cb->skb, cb->extack))
		return -EPERM;
	/* Raw addresses, as records carry them. */
	ret = st_stream_may_read(&why);
	if (ret) {
		st_nl_why(cb->extack, why);
		return ret;
	}
	snap = st_stacks_snapshot();
	if (!snap) {
		NL_SET_ERR_MSG(cb->extack, "out of memory for a snapshot of the stacks");
		return -ENOMEM;
	}
	cb->args[0] = 0;
	cb->args[1] = (long)snap;
	return 0;
}

static int st_nl_put_stack(struct sk_buff *skb, struct netlink_callback *cb,
			   const struct st_stack *st)
{
	struct nlattr *frames;
	unsigned int i;
	u64 *addr;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &st_nl_family, NLM_F_MULTI, STACKTAP_CMD_STACKS_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_string(skb, STACKTAP_A_SPEC, st->name) ||
	    nla_put_u64_64bit(skb, STACKTAP_A_COUNT, st->count, STACKTAP_A_PAD) ||
	    nla_put_u64_64bit(skb, STACKTAP_A_TIME, st->first_ns, STACKTAP_A_PAD) ||
	    (st->truncated && nla_put_flag(skb, STACKTAP_A_TRUNCATED)))
		goto err_cancel;
	/* Padded where the arch needs it: the kernel stores u64s in place. */
	frames = nla_reserve_64bit(skb, STACKTAP_A_FRAMES, st->nr * sizeof(u64),
				   STACKTAP_A_PAD);
	if (!frames)
		goto err_cancel;
	addr = nla_data(frames);
	for (i = 0; i < st->nr; i++)
		addr[i] = st_frame_u64(st->frames[i]);
	if (st->lat &&
	    nla_put_64bit(skb, STACKTAP_A_LATENCY, sizeof(*st->lat), st->lat, STACKTAP_A_PAD))
		goto err_cancel;
	/* The entries, without the length the attribute has. */
	if (st->args && nla_put(skb, STACKTAP_A_ARGS, st->args_len - sizeof(u16),
				st->args + sizeof(u16)))
		goto err_cancel;
	genlmsg_end(skb, hdr);
	return 0;

err_cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int st_nl_stacks_get(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct st_stacks_snap *snap;
	unsigned long i;
	int ret;

	if (!cb->args[1]) {
		ret = st_nl_stacks_snapshot(cb);
		if (ret)
			return ret;
	}
	snap = (struct st_stacks_snap *)cb->args[1];
	for (i = cb->args[0]; i < snap->nr; i++) {
		if (st_nl_put_stack(skb, cb, &snap->stacks[i])) {
			/* One stack always fits an empty message. */
			if (!skb->len)
				return -EMSGSIZE;
			break;
		}
	}
	cb->args[0] = i;
	return skb->len;
}

static int st_nl_stacks_done(struct netlink_callback *cb)
{
	st_stacks_snapshot_free((struct st_stacks_snap *)cb->args[1]);
	return 0;
}

static int st_nl_put_map(void *arg, u32 tgid, const struct st_map *map)
{
	struct st_nl_dump *d = arg;
	void *hdr;

	hdr = genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid, d->cb->nlh->nlmsg_seq,
			  &st_nl_family, NLM_F_MULTI, STACKTAP_CMD_MAPS_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(d->skb, STACKTAP_A_TGID, tgid) ||
	    nla_put_u64_64bit(d->skb, STACKTAP_A_ADDR, map->start, STACKTAP_A_PAD) ||
	    nla_put_u64_64bit(d->skb, STACKTAP_A_MAP_END, map->end, STACKTAP_A_PAD) ||
	    nla_put_u64_64bit(d->skb, STACKTAP_A_MAP_PGOFF, map->pgoff, STACKTAP_A_PAD) ||
	    nla_put_string(d->skb, STACKTAP_A_PATH, map->path)) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	return 0;
}

/* MAPS_GET: cb->args[0], where the next mapping is (st_maps_dump()). */
static int st_nl_maps_get(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct st_nl_dump d = { .skb = skb, .cb = cb };
	const char *why;
	int ret;

	if (!st_nl_allowed(cb->skb, cb->extack))
		return -EPERM;
	/* User addresses of other processes, as records carry them. */
	ret = st_stream_may_read(&why);
	if (ret) {
		st_nl_why(cb->extack, why);
		return ret;
	}
	ret = st_maps_dump((unsigned long *)&cb->args[0], st_nl_put_map, &d);
	/* One mapping always fits an empty message. */
	if (ret && !skb->len)
		return ret;
	return skb->len;
}

static const struct genl_small_ops st_nl_ops[] = {
	{ .cmd = STACKTAP_CMD_PROBE_ADD, .doit = st_nl_probe_add, .flags = GENL_ADMIN_PERM },
	{ .cmd = STACKTAP_CMD_PROBE_DEL, .doit = st_nl_probe_del, .flags = GENL_ADMIN_PERM },
	{ .cmd = STACKTAP_CMD_PROBE_LIST, .dumpit = st_nl_probe_list, .flags = GENL_ADMIN_PERM },
	{ .cmd = STACKTAP_CMD_CLEAR, .doit = st_nl_clear, .flags = GENL_ADMIN_PERM },
	{ .cmd = STACKTAP_CMD_STATS_GET, .dumpit = st_nl_stats_get, .flags = GENL_ADMIN_PERM },
	{ .cmd = STACKTAP_CMD_RESET, .doit = st_nl_reset, .flags = GENL_ADMIN_PERM },
	{ .cmd = STACKTAP_CMD_STREAM, .doit = st_nl_stream, .flags = GENL_ADMIN_PERM },
	{ .cmd = STACKTAP_CMD_SYMBOLIZE, .doit = st_nl_symbolize, .flags = GENL_ADMIN_PERM },
	{ .cmd = STACKTAP_CMD_FUNCS_CHECK, .doit = st_nl_funcs_check, .flags = GENL_ADMIN_PERM },
	{ .cmd = STACKTAP_CMD_MAPS_GET, .dumpit = st_nl_maps_get, .flags = GENL_ADMIN_PERM },
};

/* A dump that holds a snapshot between calls frees it in done. */
static const struct genl_ops st_nl_dump_ops[] = {
	{
		.cmd = STACKTAP_CMD_STACKS_GET,
		.dumpit = st_nl_stacks_get,
		.done = st_nl_stacks_done,
		.flags = GENL_ADMIN_PERM,
	},
};

struct genl_family st_nl_family __ro_after_init = {
	.name = STACKTAP_GENL_NAME,
	.version = STACKTAP_GENL_VERSION,
	.maxattr = STACKTAP_A_MAX,
	.policy = st_nl_policy,
	.module = THIS_MODULE,
	/*
	 * Not under genl_mutex: add and del wait out ftrace updates and RCU
	 * grace periods, which would stall every other family.  The registry
	 * and the records have their own locks, as the debugfs door needs.
	 */
	.parallel_ops = true,
	.small_ops = st_nl_ops,
	.n_small_ops = ARRAY_SIZE(st_nl_ops),
	.ops = st_nl_dump_ops,
	.n_ops = ARRAY_SIZE(st_nl_dump_ops),
};

int __init st_netlink_init(void)
{
	int ret = st_stream_init();

	if (ret)
		return ret;
	ret = genl_register_family(&st_nl_family);
	if (ret)
		goto err_stream;
	return 0;

err_stream:
	st_stream_exit();
	return ret;
}

/* Readers are told first; then no command can be running any more. */
void st_netlink_exit(void)
{
	st_stream_exit();
	genl_unregister_family(&st_nl_family);
}
