// SPDX-License-Identifier: GPL-2.0
/*
 * Ask stacktap's SYMBOLIZE for the names of addresses, as a reader of the
 * record stream does, and print the errno and the kernel's reason (or
 * "ok"): the test of who may have kernel addresses named.
 *
 *	st_symbolize ADDR...	(hex; frame 0's kind for the first)
 */
#include <stdlib.h>
#include <time.h>

#include "st_nl.h"

int main(int argc, char **argv)
{
	static struct st_nl_msg m;
	struct st_nl nl = { 0 };
	unsigned long long addr;
	unsigned long long now = time(NULL) * 1000000000ULL;
	size_t alen = 0;
	int i, err;

	if (argc < 2) {
		fprintf(stderr, "usage: st_symbolize ADDR...\n");
		return 2;
	}
	if (st_nl_open(&nl, "st_symbolize"))
		return 1;
	alen += st_nl_put(m.attrs + alen, STACKTAP_A_TIME, &now, sizeof(now));
	for (i = 1; i < argc; i++) {
		addr = strtoull(argv[i], NULL, 16);
		alen += st_nl_put(m.attrs + alen, i == 1 ? STACKTAP_A_ADDR : STACKTAP_A_RET_ADDR,
				  &addr, sizeof(addr));
	}
	err = st_nl_transact(&nl, &m, alen, nl.family, 0, STACKTAP_CMD_SYMBOLIZE);
	if (err)
		printf("%s: %s\n", strerror(err < 0 ? ETIMEDOUT : err), nl.why);
	else
		printf("ok\n");
	return !!err;
}
