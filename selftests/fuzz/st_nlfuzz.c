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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tools/st_nl.h"

static struct st_nl nl;

static int failures;

/* A request that must be refused with an errno. */
static void refused(const char *what, struct st_nl_msg *m, size_t alen, unsigned char cmd)
{
	int err = st_nl_transact(&nl, m, alen, nl.family, 0, cmd);

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
	static struct st_nl_msg m;
	static char big[4096];
	unsigned int u32 = 1;
	size_t alen;

	if (st_nl_open(&nl, "st_nlfuzz"))
		return 1;

	refused("add without a spec", &m, 0, STACKTAP_CMD_PROBE_ADD);
	refused("del without spec or id", &m, 0, STACKTAP_CMD_PROBE_DEL);
	alen = st_nl_put(m.attrs, STACKTAP_A_SPEC, &u32, sizeof(u32));
	refused("spec that is not a string", &m, alen, STACKTAP_CMD_PROBE_ADD);
	alen = st_nl_put(m.attrs, STACKTAP_A_PROBE_ID, "x", 2);
	refused("id that is a string", &m, alen, STACKTAP_CMD_PROBE_DEL);
	memset(big, 'a', sizeof(big) - 1);
	alen = st_nl_put(m.attrs, STACKTAP_A_SPEC, big, sizeof(big));
	refused("4 KiB spec", &m, alen, STACKTAP_CMD_PROBE_ADD);
	alen = st_nl_put(m.attrs, 99, &u32, sizeof(u32));
	refused("unknown attribute", &m, alen, STACKTAP_CMD_PROBE_LIST);
	refused("unknown command", &m, 0, 200);
	alen = st_nl_put(m.attrs, STACKTAP_A_SPEC, "st_truth_leaf", 14);
	alen += st_nl_put(m.attrs + alen, STACKTAP_A_PROBE_ID, &u32, sizeof(u32));
	refused("del with spec and id", &m, alen, STACKTAP_CMD_PROBE_DEL);
	alen = st_nl_put(m.attrs, STACKTAP_A_SPEC, "st_truth_leaf", 14);
	((struct nlattr *)m.attrs)->nla_len = 400;	/* runs past the message */
	refused("truncated attribute", &m, alen, STACKTAP_CMD_PROBE_ADD);

	srand(seed);
	for (i = 0; i < n; i++) {
		unsigned char cmd = rand() % 4 ? rand() % (STACKTAP_CMD_MAX + 2) : rand();
		unsigned short flags = rand() % 5 ? 0 : NLM_F_DUMP;
		size_t k, len, nattr = rand() % 4;
		int err;

		alen = 0;
		for (k = 0; k < nattr && alen < 8192 - 512; k++) {
			char data[300];
			size_t j;

			len = rand() % sizeof(data);
			for (j = 0; j < len; j++)
				data[j] = rand();
			alen += st_nl_put(m.attrs + alen, rand() % (STACKTAP_A_MAX + 3), data, len);
		}
		/* Never RESET: probes other tests armed stay armed. */
		if (cmd == STACKTAP_CMD_RESET)
			cmd = STACKTAP_CMD_PROBE_LIST;
		err = st_nl_transact(&nl, &m, alen, nl.family, flags, cmd);
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
