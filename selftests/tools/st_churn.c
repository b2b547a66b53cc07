// SPDX-License-Identifier: GPL-2.0
/*
 * Probe churn: CYCLES add/del cycles over the SPECs in turn, each cycle
 * through one of four paths: control add + control del, netlink add +
 * netlink del, and the two mixed.  Every add and every del must succeed.
 * Each probe stays armed for ST_CHURN_HOLD_NS before its del, asleep, so
 * the load runs while it is armed: on a 1-CPU guest it otherwise runs in
 * that window only when a tick happens to preempt us there.  With -t,
 * stops after SECONDS even if cycles remain.  Prints the cycles done per
 * path and the time taken.
 *
 *	st_churn [-t SECONDS] CYCLES SPEC...
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "st_nl.h"

#define ST_CHURN_HOLD_NS 1000000

static struct st_nl nl;
static int control_fd;

static int control(const char *verb, const char *spec)
{
	char cmd[256];
	int n = snprintf(cmd, sizeof(cmd), "%s %s", verb, spec);

	return write(control_fd, cmd, n) < 0 ? errno : 0;
}

static int netlink(unsigned char cmd, const char *spec)
{
	return st_nl_spec(&nl, cmd, spec, strlen(spec) + 1);
}

static double elapsed(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	static const char *const paths[] = {
		"control/control", "netlink/netlink", "control/netlink", "netlink/control",
	};
	unsigned long cycles, i, done[4] = { 0 }, failed = 0;
	const struct timespec hold = { 0, ST_CHURN_HOLD_NS };
	struct timespec t0, t1;
	double limit = 0;
	int nspecs;

	if (argc > 2 && !strcmp(argv[1], "-t")) {
		limit = strtod(argv[2], NULL);
		argc -= 2;
		argv += 2;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: st_churn [-t SECONDS] CYCLES SPEC...\n");
		return 2;
	}
	cycles = strtoul(argv[1], NULL, 10);
	nspecs = argc - 2;
	control_fd = open("/sys/kernel/debug/stacktap/control", O_WRONLY);
	if (control_fd < 0) {
		perror("st_churn: control");
		return 1;
	}
	if (st_nl_open(&nl, "st_churn"))
		return 1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < cycles; i++) {
		const char *spec = argv[2 + i % nspecs];
		unsigned int path = (i / nspecs) % 4;
		int err;

		err = path & 1 ? netlink(STACKTAP_CMD_PROBE_ADD, spec) : control("add", spec);
		if (err) {
			printf("cycle %lu: add %s via %s: %s\n", i, spec,
			       path & 1 ? "netlink" : "control", strerror(err));
			failed++;
			continue;
		}
		nanosleep(&hold, NULL);
		err = (path == 1 || path == 2) ? netlink(STACKTAP_CMD_PROBE_DEL, spec) :
						 control("del", spec);
		if (err) {
			printf("cycle %lu: del %s: %s\n", i, spec, strerror(err));
			failed++;
			continue;
		}
		done[path]++;
		if ((i + 1) % 1000 == 0)
			fprintf(stderr, "st_churn: %lu cycles\n", i + 1);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (limit && elapsed(&t0, &t1) >= limit) {
			i++;
			break;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	printf("churn: %lu cycles done of %lu, %lu failed, in %.1f s (%.1f ms a cycle)%s\n",
	       done[0] + done[1] + done[2] + done[3], cycles, failed, elapsed(&t0, &t1),
	       i ? elapsed(&t0, &t1) * 1e3 / i : 0,
	       i < cycles ? ": stopped at the time limit" : "");
	for (i = 0; i < 4; i++)
		printf("  add/del via %s: %lu\n", paths[i], done[i]);
	return failed ? 1 : 0;
}
