// SPDX-License-Identifier: GPL-2.0
/*
 * Write to FILE from a user page never touched before, N times, each from
 * a fresh page: the kernel's first read of the buffer takes a page fault.
 * Prints how many writes went through.
 *
 *	st_uread FILE N
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	int i, n, fd, ok = 0;
	void *p;

	if (argc != 3 || (n = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: st_uread FILE N\n");
		return 2;
	}
	fd = open(argv[1], O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "st_uread: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			fprintf(stderr, "st_uread: mmap: %s\n", strerror(errno));
			return 1;
		}
		if (write(fd, p, 4) == 4)
			ok++;
		else
			fprintf(stderr, "st_uread: write %d: %s\n", i + 1, strerror(errno));
		munmap(p, page);
	}
	close(fd);
	printf("%d\n", ok);
	return ok == n ? 0 : 1;
}
