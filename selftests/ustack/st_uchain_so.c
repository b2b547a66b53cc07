// SPDX-License-Identifier: GPL-2.0
/*
 * uchain-so: the user-stack test program with shared libraries, built
 * with -O2, no frame pointers, unwind tables and DWARF, as a PIE: its
 * write(2) comes down main -> uchain_a -> uchain_lib_b (libuchain.so) ->
 * uchain_c -> write() (libc.so.6), below main libc's own start-up code.
 * Each function on the chain makes one call, which build.sh finds in the
 * code to know the return address it leaves.
 */
#include <unistd.h>

long uchain_lib_b(long (*c)(const char *s, unsigned long n), const char *s, unsigned long n);
long uchain_c(const char *s, unsigned long n);
long uchain_a(const char *s, unsigned long n);

__attribute__((noinline, noclone)) long uchain_c(const char *s, unsigned long n)
{
	long r = write(1, s, n);

	asm volatile("" ::: "memory");
	return r;
}

__attribute__((noinline, noclone)) long uchain_a(const char *s, unsigned long n)
{
	long r = uchain_lib_b(uchain_c, s, n);

	asm volatile("" ::: "memory");
	return r;
}

int main(void)
{
	static const char msg[] = "uchain-so\n";

	return uchain_a(msg, sizeof(msg) - 1) == sizeof(msg) - 1 ? 0 : 1;
}
