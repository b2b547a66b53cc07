/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A latency histogram's line as the stacks file prints it, in plain C
 * with no kernel dependency: the module prints it, and stacktapctl prints
 * the same from STACKS_GET's numbers, so both must agree byte for byte.
 */
#ifndef _STACKTAP_HIST_H
#define _STACKTAP_HIST_H

#include "uapi/linux/stacktap.h"

#define ST_HIST_BAR	40	/* a bar's width */

/* A bucket's bound as bpftrace prints it: 512, 1K, 2M...; powers of two. */
static inline void st_hist_bound(char *buf, size_t size, unsigned long long v)
{
	static const char unit[] = "KMGT";
	int u = -1;

	while (u < 3 && v >= 1024) {
		v >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(buf, size, "%llu", v);
	else
		snprintf(buf, size, "%llu%c", v, unit[u]);
}

/*
 * Bucket @i's line, @n of its calls, its bar scaled to @most (the fullest
 * bucket's): " [lo, hi)  n |@@@   |".  No division: 32-bit kernels have
 * none for 64-bit values outside math64.h.
 */
static inline void st_hist_line(char *buf, size_t size, unsigned int i, unsigned int n,
				unsigned int most)
{
	char lo[24], hi[24], range[56], bar[ST_HIST_BAR + 1];
	unsigned int w = 0;

	while (w < ST_HIST_BAR && (unsigned long long)(w + 1) * most <=
				  (unsigned long long)n * ST_HIST_BAR)
		w++;
	if (i < 2) {
		snprintf(range, sizeof(range), "[%u]", i);
	} else {
		st_hist_bound(lo, sizeof(lo), 1ULL << (i - 1));
		st_hist_bound(hi, sizeof(hi), 1ULL << i);
		if (i == STACKTAP_LAT_BUCKETS - 1)
			snprintf(range, sizeof(range), "[%s, ...)", lo);
		else
			snprintf(range, sizeof(range), "[%s, %s)", lo, hi);
	}
	memset(bar, '@', w);
	memset(bar + w, ' ', ST_HIST_BAR - w);
	bar[ST_HIST_BAR] = '\0';
	snprintf(buf, size, " %-14s %10u |%s|", range, n, bar);
}

#endif /* _STACKTAP_HIST_H */
