// SPDX-License-Identifier: GPL-2.0
/*
 * read(fd, buf, 0) on a file: what a zero-length read returns.  POSIX
 * says 0 at once; a reader that loops on "no data" may never return.
 *
 *	st_read0 FILE
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[1];
	ssize_t n;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: st_read0 FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "st_read0: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	n = read(fd, buf, 0);
	printf("st_read0: read(%s, 0) = %zd%s%s\n", argv[1], n, n < 0 ? " " : "",
	       n < 0 ? strerror(errno) : "");
	close(fd);
	return n == 0 ? 0 : 1;
}
