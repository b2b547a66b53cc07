// SPDX-License-Identifier: GPL-2.0
/*
 * stacktap's netlink commands while another family holds the generic
 * netlink mutex (st_truth's genl_hold): find the family first, print
 * "ready", wait for GO_FILE to exist, then add SPEC and delete it, and say
 * whether HELD_FILE still read 1 when each answer came.  Exits 0 only if
 * both commands succeeded while the mutex was held.
 *
 *	st_nlpar GO_FILE HELD_FILE SPEC
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "st_nl.h"

static int held(const char *file)
{
	FILE *f = fopen(file, "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const unsigned char cmds[] = { STACKTAP_CMD_PROBE_ADD, STACKTAP_CMD_PROBE_DEL };
	static const char *const names[] = { "add", "del" };
	struct st_nl nl;
	int i, ret, h, ok = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: st_nlpar GO_FILE HELD_FILE SPEC\n");
		return 2;
	}
	if (st_nl_open(&nl, "st_nlpar"))
		return 1;
	printf("ready\n");
	fflush(stdout);
	while (access(argv[1], F_OK))
		usleep(10000);
	for (i = 0; i < 2; i++) {
		ret = st_nl_spec(&nl, cmds[i], argv[3], strlen(argv[3]) + 1);
		h = held(argv[2]);
		printf("%s %s: %s, answered while the genl mutex was %s\n", names[i], argv[3],
		       ret ? strerror(ret) : "ok", h == 1 ? "held" : "free");
		ok &= !ret && h == 1;
	}
	return !ok;
}
