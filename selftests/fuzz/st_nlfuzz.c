// SPDX-License-Identifier: GPL-2.0
/*
 * Malformed-message client for the stacktap netlink family: a fixed set
 * of bad requests that must each get an errno, then N random requests
 * (random command, flags, attribute types, lengths and bytes) that must
 * each get an answer.  Exits 1 if any request goes unanswered or a bad
 * one is accepted.
 *
 *	st_nlfuzz [N] [SEED]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "../../include/uapi/linux/stacktap.h"

static int fd;
static unsigned int seq;
static unsigned short family;

struct msg {
	struct nlmsghdr nlh;
	struct genlmsghdr g;
	char attrs[8192];
};

static size_t put_attr(char *at, unsigned short type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)at;

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy(at + NLA_HDRLEN, data, len);
	return NLA_ALIGN(a->nla_len);
}

/*
 * Send @m (attrs of @alen bytes) and read until its ack, error or dump
 * end.  Returns the errno it got (0 for an ack), or -1 with no answer.
 */
static int transact(struct msg *m, size_t alen, unsigned short type,
		    unsigned short flags, unsigned char cmd)
{
	char buf[16384];
	ssize_t n;

	m->nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + alen;
	m->nlh.nlmsg_type = type;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	m->nlh.nlmsg_seq = ++seq;
	m->nlh.nlmsg_pid = 0;
	m->g.cmd = cmd;
	m->g.version = STACKTAP_GENL_VERSION;
	m->g.reserved = 0;
	if (send(fd, m, m->nlh.nlmsg_len, 0) < 0)
		return errno;
	for (;;) {
		struct nlmsghdr *h;

		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -1;	/* timed out: no answer */
		for (h = (void *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -((struct nlmsgerr *)NLMSG_DATA(h))->error;
			if (h->nlmsg_type == NLMSG_DONE)
				return -*(int *)NLMSG_DATA(h);
		}
	}
}

static unsigned short resolve(void)
{
	struct msg m = { 0 };
	char buf[8192];
	size_t alen = put_attr(m.attrs, CTRL_ATTR_FAMILY_NAME, STACKTAP_GENL_NAME,
			       sizeof(STACKTAP_GENL_NAME));
	struct nlmsghdr *h = (void *)buf;
	ssize_t n;

	m.nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + alen;
	m.nlh.nlmsg_type = GENL_ID_CTRL;
	m.nlh.nlmsg_flags = NLM_F_REQUEST;
	m.nlh.nlmsg_seq = ++seq;
	m.g.cmd = CTRL_CMD_GETFAMILY;
	m.g.version = 1;
	if (send(fd, &m, m.nlh.nlmsg_len, 0) < 0)
		return 0;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n <= 0 || h->nlmsg_type == NLMSG_ERROR)
		return 0;
	{
		char *p = (char *)NLMSG_DATA(h) + GENL_HDRLEN;
		char *end = (char *)h + h->nlmsg_len;

		while (p + NLA_HDRLEN <= end) {
			struct nlattr *a = (void *)p;

			if (a->nla_type == CTRL_ATTR_FAMILY_ID)
				return *(unsigned short *)(p + NLA_HDRLEN);
			p += NLA_ALIGN(a->nla_len);
		}
	}
	return 0;
}

static int failures;

/* A request that must be refused with an errno. */
static void refused(const char *what, struct msg *m, size_t alen, unsigned char cmd)
{
	int err = transact(m, alen, family, 0, cmd);

	printf("%s %s: %s\n", err > 0 ? "refused" : "NOT REFUSED", what,
	       err > 0 ? strerror(err) : err ? "no answer" : "accepted");
	if (err <= 0)
		failures++;
}

int main(int argc, char **argv)
{
	unsigned long i, n = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
	unsigned int seed = argc > 2 ? strtoul(argv[2], NULL, 10) : 1;
	unsigned long errors = 0, acks = 0, silent = 0;
	struct timeval tv = { .tv_sec = 5 };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	static struct msg m;
	static char big[4096];
	unsigned int u32 = 1;
	size_t alen;

	fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
	if (fd < 0 || bind(fd, (void *)&sa, sizeof(sa)) < 0) {
		perror("st_nlfuzz: netlink socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	family = resolve();
	if (!family) {
		fprintf(stderr, "st_nlfuzz: no stacktap family (module not loaded?)\n");
		return 1;
	}

	refused("add without a spec", &m, 0, STACKTAP_CMD_PROBE_ADD);
	refused("del without spec or id", &m, 0, STACKTAP_CMD_PROBE_DEL);
	alen = put_attr(m.attrs, STACKTAP_A_SPEC, &u32, sizeof(u32));
	refused("spec that is not a string", &m, alen, STACKTAP_CMD_PROBE_ADD);
	alen = put_attr(m.attrs, STACKTAP_A_PROBE_ID, "x", 2);
	refused("id that is a string", &m, alen, STACKTAP_CMD_PROBE_DEL);
	memset(big, 'a', sizeof(big) - 1);
	alen = put_attr(m.attrs, STACKTAP_A_SPEC, big, sizeof(big));
	refused("4 KiB spec", &m, alen, STACKTAP_CMD_PROBE_ADD);
	alen = put_attr(m.attrs, 99, &u32, sizeof(u32));
	refused("unknown attribute", &m, alen, STACKTAP_CMD_PROBE_LIST);
	refused("unknown command", &m, 0, 200);
	alen = put_attr(m.attrs, STACKTAP_A_SPEC, "st_truth_leaf", 14);
	alen += put_attr(m.attrs + alen, STACKTAP_A_PROBE_ID, &u32, sizeof(u32));
	refused("del with spec and id", &m, alen, STACKTAP_CMD_PROBE_DEL);
	alen = put_attr(m.attrs, STACKTAP_A_SPEC, "st_truth_leaf", 14);
	((struct nlattr *)m.attrs)->nla_len = 400;	/* runs past the message */
	refused("truncated attribute", &m, alen, STACKTAP_CMD_PROBE_ADD);

	srand(seed);
	for (i = 0; i < n; i++) {
		unsigned char cmd = rand() % 4 ? rand() % (STACKTAP_CMD_MAX + 2) : rand();
		unsigned short flags = rand() % 5 ? 0 : NLM_F_DUMP;
		size_t k, len, nattr = rand() % 4;
		int err;

		alen = 0;
		for (k = 0; k < nattr && alen < sizeof(m.attrs) - 512; k++) {
			char data[300];
			size_t j;

			len = rand() % sizeof(data);
			for (j = 0; j < len; j++)
				data[j] = rand();
			alen += put_attr(m.attrs + alen, rand() % (STACKTAP_A_MAX + 3), data, len);
		}
		/* Never RESET: probes other tests armed stay armed. */
		if (cmd == STACKTAP_CMD_RESET)
			cmd = STACKTAP_CMD_PROBE_LIST;
		err = transact(&m, alen, family, flags, cmd);
		if (err < 0)
			silent++;
		else if (err)
			errors++;
		else
			acks++;
	}
	printf("random: %lu sent, %lu refused with an errno, %lu accepted, %lu unanswered\n",
	       n, errors, acks, silent);
	return failures || silent ? 1 : 0;
}
