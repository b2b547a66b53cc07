// SPDX-License-Identifier: GPL-2.0
/*
 * A probe listing that another client changes between its parts: list
 * every probe once; then list again, and after the first part delete the
 * first probe it held.  The second listing must still hold every probe
 * exactly once (the deleted one came in the first part) and be marked
 * NLM_F_DUMP_INTR.  Needs probes enough for more than one part.
 *
 *	st_nldump
 */
#include <stdint.h>
#include <stdlib.h>

#include "st_nl.h"

#define MAX_IDS 4096

struct listing {
	uint32_t ids[MAX_IDS];
	unsigned int n, parts;
	int intr;
};

static int send_dump(struct st_nl *nl)
{
	static struct st_nl_msg m;

	m.nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	m.nlh.nlmsg_type = nl->family;
	m.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	m.nlh.nlmsg_seq = ++nl->seq;
	m.g.cmd = STACKTAP_CMD_PROBE_LIST;
	m.g.version = STACKTAP_GENL_VERSION;
	return send(nl->fd, &m, m.nlh.nlmsg_len, 0) < 0 ? -1 : 0;
}

/* One part of the listing: 1 while more follow, 0 at its end, -1 on error. */
static int recv_part(struct st_nl *nl, struct listing *l)
{
	static char buf[8192];
	struct nlmsghdr *h;
	ssize_t n = recv(nl->fd, buf, sizeof(buf), 0);

	if (n <= 0)
		return -1;
	l->parts++;
	for (h = (void *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
		char *p = (char *)NLMSG_DATA(h) + GENL_HDRLEN, *end = (char *)h + h->nlmsg_len;

		if (h->nlmsg_flags & NLM_F_DUMP_INTR)
			l->intr = 1;
		if (h->nlmsg_type == NLMSG_DONE)
			return 0;
		if (h->nlmsg_type == NLMSG_ERROR)
			return -1;
		while (p + NLA_HDRLEN <= end) {
			struct nlattr *a = (void *)p;

			if (a->nla_len < NLA_HDRLEN)
				break;
			if (a->nla_type == STACKTAP_A_PROBE_ID && l->n < MAX_IDS)
				memcpy(&l->ids[l->n++], p + NLA_HDRLEN, sizeof(uint32_t));
			p += NLA_ALIGN(a->nla_len);
		}
	}
	return 1;
}

static int list_all(struct st_nl *nl, struct listing *l, struct st_nl *other)
{
	static struct st_nl_msg m;
	int ret;
	size_t alen;

	memset(l, 0, sizeof(*l));
	if (send_dump(nl))
		return -1;
	while ((ret = recv_part(nl, l)) > 0) {
		if (!other || l->parts != 1)
			continue;
		alen = st_nl_put(m.attrs, STACKTAP_A_PROBE_ID, &l->ids[0], sizeof(uint32_t));
		if (st_nl_transact(other, &m, alen, other->family, 0, STACKTAP_CMD_PROBE_DEL)) {
			fprintf(stderr, "st_nldump: del of probe %u failed\n", l->ids[0]);
			return -1;
		}
	}
	return ret;
}

int main(void)
{
	static struct listing before, during;
	struct st_nl a, b;
	unsigned int i, j, seen, missing = 0, twice = 0;

	if (st_nl_open(&a, "st_nldump") || st_nl_open(&b, "st_nldump"))
		return 1;
	if (list_all(&a, &before, NULL) || list_all(&a, &during, &b)) {
		fprintf(stderr, "st_nldump: listing failed\n");
		return 1;
	}
	for (i = 0; i < before.n; i++) {
		for (seen = 0, j = 0; j < during.n; j++)
			seen += during.ids[j] == before.ids[i];
		missing += !seen;
		twice += seen > 1;
	}
	printf("st_nldump: %u probes in %u parts; with the first deleted after part 1: %u listed in %u parts, %u missing, %u twice, %s\n",
	       before.n, before.parts, during.n, during.parts, missing, twice,
	       during.intr ? "marked NLM_F_DUMP_INTR" : "not marked interrupted");
	if (before.parts < 3) {
		fprintf(stderr, "st_nldump: too few probes for a listing in parts\n");
		return 1;
	}
	return missing || twice || !during.intr || before.intr;
}
