// SPDX-License-Identifier: GPL-2.0
/*
 * A user program whose call chain is known to the instruction, for the
 * user-stack tests (selftests/guest/tests/52-ustack.sh): _start calls
 * uchain_main, which calls uchain_a, b and c, and c makes the write(2)
 * the kernel probe sees.  No libc: static, freestanding, the same source
 * built with and without frame pointers for every guest arch (MIPS: o32
 * on mipsel, n64 on mips64el)
 * (selftests/ustack/build.sh), which also writes down the addresses the
 * stack must hold.
 */
#define UCHAIN_NOINLINE __attribute__((noinline, noclone))

#if defined(__x86_64__)
#define UCHAIN_SYSCALL3(nr, a, b, c) ({					\
	register long _a asm("rdi") = (long)(a);			\
	register long _b asm("rsi") = (long)(b);			\
	register long _c asm("rdx") = (long)(c);			\
	long _r;							\
	asm volatile("syscall" : "=a"(_r)				\
		     : "0"((long)(nr)), "r"(_a), "r"(_b), "r"(_c)	\
		     : "rcx", "r11", "memory");				\
	_r; })
#define UCHAIN_NR_WRITE	1
#define UCHAIN_NR_EXIT	60
asm(".text\n.globl _start\n.type _start,@function\n_start:\n"
    "\txor %ebp, %ebp\n\tand $-16, %rsp\n\tcall uchain_main\n\thlt\n"
    ".size _start, .-_start\n");
#elif defined(__aarch64__)
#define UCHAIN_SYSCALL3(nr, a, b, c) ({					\
	register long _a asm("x0") = (long)(a);				\
	register long _b asm("x1") = (long)(b);				\
	register long _c asm("x2") = (long)(c);				\
	register long _n asm("x8") = (long)(nr);			\
	asm volatile("svc #0" : "+r"(_a)				\
		     : "r"(_n), "r"(_b), "r"(_c) : "memory");		\
	_a; })
#define UCHAIN_NR_WRITE	64
#define UCHAIN_NR_EXIT	93
asm(".text\n.globl _start\n.type _start,%function\n_start:\n"
    "\tmov x29, #0\n\tmov x30, #0\n\tbl uchain_main\n\tbrk #0\n"
    ".size _start, .-_start\n");
#elif defined(__mips__)
/* o32 and n64 alike: v0 the number, a0..a2, a3 the error flag. */
#define UCHAIN_SYSCALL3(nr, a, b, c) ({					\
	register long _v0 asm("$2") = (long)(nr);			\
	register long _a0 asm("$4") = (long)(a);			\
	register long _a1 asm("$5") = (long)(b);			\
	register long _a2 asm("$6") = (long)(c);			\
	register long _a3 asm("$7");					\
	asm volatile("syscall" : "+r"(_v0), "=r"(_a3)			\
		     : "r"(_a0), "r"(_a1), "r"(_a2)			\
		     : "$1", "$3", "$8", "$9", "$10", "$11", "$12", "$13",	\
		       "$14", "$15", "$24", "$25", "hi", "lo", "memory");	\
	_v0; })
#if _MIPS_SIM == _ABIO32
#define UCHAIN_NR_WRITE	4004
#define UCHAIN_NR_EXIT	4001
#define UCHAIN_SP_ADD	"addiu"
#else
#define UCHAIN_NR_WRITE	5001
#define UCHAIN_NR_EXIT	5058
#define UCHAIN_SP_ADD	"daddiu"
#endif
/* Room for o32's argument save area; ra and fp zero end the chain. */
asm(".text\n.globl _start\n.type _start,@function\n.set push\n.set noreorder\n_start:\n"
    "\tmove $fp, $zero\n\tmove $ra, $zero\n\t" UCHAIN_SP_ADD " $sp, $sp, -32\n"
    "\tjal uchain_main\n\tnop\n\tbreak\n.set pop\n.size _start, .-_start\n");
#else
#error "st_uchain: no syscall for this arch yet"
#endif

void uchain_main(void);
void uchain_done(void);

UCHAIN_NOINLINE void uchain_done(void)
{
	asm volatile("" ::: "memory");
}

/*
 * The write(2) the kernel probe sees, made from c itself.  c calls after
 * it, so frame pointers give c a frame record of its own: a leaf's caller
 * is lost to every frame-pointer walk (perf's, bpftrace's, this one).
 */
UCHAIN_NOINLINE long uchain_c(const char *s, unsigned long n)
{
	long r = UCHAIN_SYSCALL3(UCHAIN_NR_WRITE, 1, s, n);

	uchain_done();
	return r;	/* what write(2) gave: 7, for a ur: probe to see */
}

UCHAIN_NOINLINE void uchain_b(const char *s, unsigned long n)
{
	uchain_c(s, n);
	asm volatile("" ::: "memory");
}

UCHAIN_NOINLINE void uchain_a(const char *s, unsigned long n)
{
	uchain_b(s, n);
	asm volatile("" ::: "memory");
}

UCHAIN_NOINLINE void uchain_main(void)
{
	static const char msg[] = "uchain\n";

	uchain_a(msg, sizeof(msg) - 1);
	UCHAIN_SYSCALL3(UCHAIN_NR_EXIT, 0, 0, 0);
	for (;;)
		;
}
