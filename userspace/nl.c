// SPDX-License-Identifier: GPL-2.0
/*
 * The stacktap generic netlink family over libmnl: resolve the family,
 * send one request, run every reply through the request's callback, and
 * bring back the kernel's extended-ack reason with the errno.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "../include/uapi/linux/stacktap.h"
#include "nl.h"

/* What mnl_cb_run2() hands every callback, data and control alike. */
struct st_ctx {
	mnl_cb_t cb;
	void *data;
	char *why;
	size_t why_size;
	int err;
};

static int st_data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct st_ctx *c = data;

	return c->cb ? c->cb(nlh, c->data) : MNL_CB_OK;
}

/* The extack message among the TLVs from @a to @end, into c->why. */
static void st_extack_why(struct st_ctx *c, const struct nlattr *a, const char *end)
{
	for (; mnl_attr_ok(a, end - (const char *)a); a = mnl_attr_next(a)) {
		if (mnl_attr_get_type(a) != NLMSGERR_ATTR_MSG ||
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			continue;
		strncpy(c->why, mnl_attr_get_str(a), c->why_size - 1);
		c->why[c->why_size - 1] = '\0';
	}
}

/* NLMSG_ERROR: an ack (error 0), or an errno with extack TLVs after it. */
static int st_error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t len = mnl_nlmsg_get_payload_len(nlh), off = sizeof(*err);
	const char *end = (const char *)err + len;
	struct st_ctx *c = data;

	if (len < sizeof(*err)) {
		c->err = EPROTO;
		return MNL_CB_ERROR;
	}
	if (!err->error)
		return MNL_CB_STOP;
	c->err = -err->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return MNL_CB_ERROR;
	/* Not capped: the request follows, then the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (err->msg.nlmsg_len < sizeof(err->msg) ||
		    err->msg.nlmsg_len - sizeof(err->msg) > len - off)
			return MNL_CB_ERROR;
		off += NLMSG_ALIGN(err->msg.nlmsg_len) - sizeof(err->msg);
		if (off > len)
			return MNL_CB_ERROR;
	}
	st_extack_why(c, (const void *)((const char *)err + off), end);
	return MNL_CB_ERROR;
}

/*
 * NLMSG_DONE ends a dump; a dump that failed carries its errno there, and
 * the extack TLVs after it.
 */
static int st_done_cb(const struct nlmsghdr *nlh, void *data)
{
	const int *error = mnl_nlmsg_get_payload(nlh);
	const char *end = (const char *)error + mnl_nlmsg_get_payload_len(nlh);
	struct st_ctx *c = data;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*error) || !*error)
		return MNL_CB_STOP;
	c->err = -*error;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		st_extack_why(c, (const void *)(error + 1), end);
	return MNL_CB_ERROR;
}

/* Dump messages can exceed a page, and a record with a user copy 16 KiB. */
#define ST_RECV_SIZE	65536

static int st_run(struct mnl_socket *nl, struct nlmsghdr *nlh, struct st_ctx *c)
{
	/* libmnl takes a non-const array; nothing writes to it. */
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = st_error_cb,
		[NLMSG_DONE] = st_done_cb,
	};
	/* Not static: a callback may make a request of its own meanwhile. */
	char buf[ST_RECV_SIZE];
	unsigned int portid = mnl_socket_get_portid(nl);
	uint32_t seq = nlh->nlmsg_seq;
	int ret;

	while (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		if (errno != EINTR)
			return errno;
	for (;;) {
		/* A signal (stream's SIGINT) does not lose the reply. */
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return errno;
		c->err = 0;
		ret = mnl_cb_run2(buf, ret, seq, portid, st_data_cb, c, ctl, NLMSG_MIN_TYPE);
		if (ret < 0)
			return c->err ? c->err : errno;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

static struct nlmsghdr *st_put(char *buf, uint16_t type, uint16_t flags,
			       uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

static int st_family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			*(uint16_t *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

/* A socket bound and the family resolved: 0, or an errno (ENOENT: no module). */
static int st_open(struct mnl_socket **out, uint16_t *family)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	char why[8];
	struct st_ctx c = { .why = why, .why_size = sizeof(why), .cb = st_family_cb,
			    .data = family };
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	int one = 1, ret;

	*family = 0;
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl)
		return errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = errno;
		mnl_socket_close(nl);
		return ret;
	}
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	nlh = st_put(buf, GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, STACKTAP_GENL_NAME);
	ret = st_run(nl, nlh, &c);
	if (ret || !*family) {
		mnl_socket_close(nl);
		return ENOENT;	/* no such family: the module is not loaded */
	}
	*out = nl;
	return 0;
}

int st_conn_open(struct st_conn *conn)
{
	return st_open(&conn->nl, &conn->family);
}

void st_conn_close(struct st_conn *conn)
{
	if (conn->nl)
		mnl_socket_close(conn->nl);
	conn->nl = NULL;
}

int st_conn_request(struct st_conn *conn, struct st_req *req)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct st_ctx c = { .why = req->why, .why_size = sizeof(req->why), .cb = req->cb,
			    .data = req->data };
	struct nlmsghdr *nlh;

	req->why[0] = '\0';
	nlh = st_put(buf, conn->family, req->dump ? NLM_F_DUMP : NLM_F_ACK, req->cmd,
		     STACKTAP_GENL_VERSION);
	if (req->spec)
		mnl_attr_put_strz(nlh, STACKTAP_A_SPEC, req->spec);
	if (req->has_id)
		mnl_attr_put_u32(nlh, STACKTAP_A_PROBE_ID, req->id);
	if (req->put)
		req->put(nlh, req->put_data);
	return st_run(conn->nl, nlh, &c);
}

int st_request(struct st_req *req)
{
	struct st_conn conn = { 0 };
	int ret;

	req->why[0] = '\0';
	ret = st_conn_open(&conn);
	if (ret)
		return ret;
	ret = st_conn_request(&conn, req);
	st_conn_close(&conn);
	return ret;
}

/* Messages the kernel sends unasked: records and the end of a stream. */
int st_conn_receive(struct st_conn *conn, mnl_cb_t cb, void *data)
{
	static char buf[ST_RECV_SIZE];
	int ret = mnl_socket_recvfrom(conn->nl, buf, sizeof(buf));

	if (ret < 0)
		return errno;
	ret = mnl_cb_run(buf, ret, 0, 0, cb, data);
	return ret < 0 ? errno : ret == MNL_CB_STOP ? -1 : 0;
}
