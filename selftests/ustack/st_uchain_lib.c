// SPDX-License-Identifier: GPL-2.0
/*
 * libuchain.so, the shared library of uchain-so (st_uchain_so.c): its
 * one function calls back into the program, so the program's write(2)
 * comes down a chain that crosses from the program into the library
 * and back, and into libc.
 */
long uchain_lib_b(long (*c)(const char *s, unsigned long n), const char *s, unsigned long n);

__attribute__((noinline, noclone)) long uchain_lib_b(long (*c)(const char *s, unsigned long n),
					    const char *s, unsigned long n)
{
	long r = c(s, n);

	asm volatile("" ::: "memory");
	return r;
}
