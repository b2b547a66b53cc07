// SPDX-License-Identifier: GPL-2.0
/*
 * What holding a file open costs the kernel: open FILE N times at once
 * and print how far MemFree fell, in KiB, while all N are open.
 *
 *	st_openn FILE N
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long memfree_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	long before, after;
	int i, n, *fds;

	if (argc != 3 || (n = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: st_openn FILE N\n");
		return 2;
	}
	fds = calloc(n, sizeof(*fds));
	if (!fds)
		return 1;
	before = memfree_kb();
	for (i = 0; i < n; i++) {
		fds[i] = open(argv[1], O_RDONLY);
		if (fds[i] < 0) {
			fprintf(stderr, "st_openn: open %d of %s: %s\n", i + 1, argv[1],
				strerror(errno));
			return 1;
		}
	}
	after = memfree_kb();
	for (i = 0; i < n; i++)
		close(fds[i]);
	printf("%ld\n", before - after);
	return 0;
}
