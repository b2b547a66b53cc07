// SPDX-License-Identifier: GPL-2.0
/*
 * Write to FILE N times from a user page the process never touched: each
 * time a fresh private mapping of a file holding the word 42, so the
 * kernel's first read of the buffer takes a page fault it can serve.  With
 * "bad", write from where such a mapping was and is no more, which the kernel
 * must refuse with EFAULT.  Prints how many writes did what was expected.
 *
 *	st_uread FILE N [bad]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define DATA "/tmp/st_uread.dat"

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	uint32_t word = 42;
	int i, n, fd, data, ok = 0, bad = argc == 4 && !strcmp(argv[3], "bad");
	void *p;

	if (argc < 3 || argc > 4 || (n = atoi(argv[2])) <= 0 || (argc == 4 && !bad)) {
		fprintf(stderr, "usage: st_uread FILE N [bad]\n");
		return 2;
	}
	data = open(DATA, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (data < 0 || write(data, &word, sizeof(word)) != sizeof(word) ||
	    ftruncate(data, page)) {
		fprintf(stderr, "st_uread: %s: %s\n", DATA, strerror(errno));
		return 1;
	}
	fd = open(argv[1], O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "st_uread: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		p = mmap(NULL, page, PROT_READ, MAP_PRIVATE, data, 0);
		if (p == MAP_FAILED) {
			fprintf(stderr, "st_uread: mmap: %s\n", strerror(errno));
			return 1;
		}
		if (bad) {
			/* Where the mapping was: nothing is there now. */
			munmap(p, page);
			if (write(fd, p, 4) < 0 && errno == EFAULT)
				ok++;
			continue;
		}
		if (write(fd, p, 4) == 4)
			ok++;
		else
			fprintf(stderr, "st_uread: write %d: %s\n", i + 1, strerror(errno));
		munmap(p, page);
	}
	close(fd);
	close(data);
	printf("%d\n", ok);
	return ok == n ? 0 : 1;
}
