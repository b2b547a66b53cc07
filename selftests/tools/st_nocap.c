// SPDX-License-Identifier: GPL-2.0
/*
 * Run a program as root but without CAP_SYSLOG: drop it from the bounding
 * set, so that the exec'd program's capabilities lack it.
 *
 *	st_nocap PROG [ARG...]
 */
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <linux/capability.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: st_nocap PROG [ARG...]\n");
		return 2;
	}
	if (prctl(PR_CAPBSET_DROP, CAP_SYSLOG, 0, 0, 0)) {
		perror("st_nocap: PR_CAPBSET_DROP");
		return 1;
	}
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
