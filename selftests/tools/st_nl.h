/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A raw generic netlink client for the stacktap family, for the test
 * tools that must send what a well-behaved library would not: one
 * request at a time, each answered by an errno (0 for an ack) and, where
 * the kernel gave one, its extended-ack message.
 */
#ifndef _ST_NL_H
#define _ST_NL_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "../../include/uapi/linux/stacktap.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct st_nl_msg {
	struct nlmsghdr nlh;
	struct genlmsghdr g;
	char attrs[70000];	/* room for one attribute of 64 KiB */
};

struct st_nl {
	int fd;
	unsigned int seq;
	unsigned short family;
	char why[512];		/* the last answer's extack message, or "" */
};

/* Append one attribute at @at; returns the aligned bytes it takes. */
static inline size_t st_nl_put(char *at, unsigned short type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)at;

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy(at + NLA_HDRLEN, data, len);
	return NLA_ALIGN(a->nla_len);
}

/* The extack message after an NLMSG_ERROR, into nl->why. */
static inline void st_nl_extack(struct st_nl *nl, struct nlmsghdr *h)
{
	struct nlmsgerr *e = NLMSG_DATA(h);
	size_t echoed = 0;
	char *p, *end = (char *)h + h->nlmsg_len;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* Without NLM_F_CAPPED the request is echoed before the TLVs. */
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		echoed = e->msg.nlmsg_len - sizeof(e->msg);
	p = (char *)e + NLMSG_ALIGN(sizeof(*e) + echoed);
	while (p + NLA_HDRLEN <= end) {
		struct nlattr *a = (void *)p;

		if (a->nla_len < NLA_HDRLEN)
			return;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG)
			snprintf(nl->why, sizeof(nl->why), "%.*s",
				 (int)(a->nla_len - NLA_HDRLEN), p + NLA_HDRLEN);
		p += NLA_ALIGN(a->nla_len);
	}
}

/*
 * Send @m (attributes of @alen bytes) as @cmd and read until its ack,
 * error or dump end.  Returns the errno it got (0 for an ack), or -1 when
 * nothing answered within the socket's timeout.
 */
static inline int st_nl_transact(struct st_nl *nl, struct st_nl_msg *m, size_t alen,
				 unsigned short type, unsigned short flags, unsigned char cmd)
{
	static char buf[140000];
	ssize_t n;

	nl->why[0] = '\0';
	m->nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + alen;
	m->nlh.nlmsg_type = type;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	m->nlh.nlmsg_seq = ++nl->seq;
	m->nlh.nlmsg_pid = 0;
	m->g.cmd = cmd;
	m->g.version = type == GENL_ID_CTRL ? 1 : STACKTAP_GENL_VERSION;
	m->g.reserved = 0;
	if (send(nl->fd, m, m->nlh.nlmsg_len, 0) < 0)
		return errno;
	for (;;) {
		struct nlmsghdr *h;

		n = recv(nl->fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -1;
		for (h = (void *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != nl->seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				st_nl_extack(nl, h);
				return -((struct nlmsgerr *)NLMSG_DATA(h))->error;
			}
			if (h->nlmsg_type == NLMSG_DONE)
				return -*(int *)NLMSG_DATA(h);
		}
	}
}

/* Open the socket and find the stacktap family; 0, or -1 saying why. */
static inline int st_nl_open(struct st_nl *nl, const char *prog)
{
	static struct st_nl_msg m;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 5 };
	static char buf[8192];
	struct nlmsghdr *h = (void *)buf;
	int one = 1;
	size_t alen;
	ssize_t n;
	char *p, *end;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
	if (nl->fd < 0 || bind(nl->fd, (void *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "%s: netlink socket: %s\n", prog, strerror(errno));
		return -1;
	}
	setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	alen = st_nl_put(m.attrs, CTRL_ATTR_FAMILY_NAME, STACKTAP_GENL_NAME,
			 sizeof(STACKTAP_GENL_NAME));
	m.nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + alen;
	m.nlh.nlmsg_type = GENL_ID_CTRL;
	m.nlh.nlmsg_flags = NLM_F_REQUEST;
	m.nlh.nlmsg_seq = ++nl->seq;
	m.g.cmd = CTRL_CMD_GETFAMILY;
	m.g.version = 1;
	if (send(nl->fd, &m, m.nlh.nlmsg_len, 0) < 0)
		goto err_family;
	n = recv(nl->fd, buf, sizeof(buf), 0);
	if (n <= 0 || h->nlmsg_type == NLMSG_ERROR)
		goto err_family;
	p = (char *)NLMSG_DATA(h) + GENL_HDRLEN;
	end = (char *)h + h->nlmsg_len;
	while (p + NLA_HDRLEN <= end) {
		struct nlattr *a = (void *)p;

		if (a->nla_type == CTRL_ATTR_FAMILY_ID) {
			memcpy(&nl->family, p + NLA_HDRLEN, sizeof(nl->family));
			return 0;
		}
		p += NLA_ALIGN(a->nla_len);
	}
err_family:
	fprintf(stderr, "%s: no stacktap netlink family (is stacktap loaded?)\n", prog);
	return -1;
}

/* One request carrying @len bytes of spec (ADD, DEL): its errno, or 0. */
static inline int st_nl_spec(struct st_nl *nl, unsigned char cmd, const char *spec, size_t len)
{
	static struct st_nl_msg m;
	size_t alen;

	alen = st_nl_put(m.attrs, STACKTAP_A_SPEC, spec, len);
	return st_nl_transact(nl, &m, alen, nl->family, 0, cmd);
}

#endif
