// SPDX-License-Identifier: GPL-2.0
/*
 * Arguments: the values a probe's [NAME=]FETCH[:TYPE] options fetch at a
 * hit, stored in its record as struct stacktap_arg entries (uapi).  A
 * FETCH is a register of the hit's pt_regs (argN by the arch's calling
 * convention, or %REG by name), read through up to four OFF(...)
 * dereferences with copy_from_kernel_nofault(), as kprobe_events' fetch
 * args are.  Register offsets are looked up once, when the probe is
 * added; the hit path only reads.
 */
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "stacktap.h"

struct st_reg_name {
	const char *name;
	unsigned short off;
};

#define ST_REG(n, field) { n, offsetof(struct pt_regs, field) }

#if defined(CONFIG_X86_64)
static const struct st_reg_name st_reg_names[] = {
	ST_REG("ax", ax), ST_REG("bx", bx), ST_REG("cx", cx), ST_REG("dx", dx),
	ST_REG("si", si), ST_REG("di", di), ST_REG("bp", bp), ST_REG("sp", sp),
	ST_REG("r8", r8), ST_REG("r9", r9), ST_REG("r10", r10), ST_REG("r11", r11),
	ST_REG("r12", r12), ST_REG("r13", r13), ST_REG("r14", r14), ST_REG("r15", r15),
	ST_REG("ip", ip), ST_REG("flags", flags),
};

/* The System V ABI's integer argument registers. */
static const unsigned short st_arg_regs[] = {
	offsetof(struct pt_regs, di), offsetof(struct pt_regs, si),
	offsetof(struct pt_regs, dx), offsetof(struct pt_regs, cx),
	offsetof(struct pt_regs, r8), offsetof(struct pt_regs, r9),
};
#define ST_ARG_REGS_WHY "argN: x86_64 passes 6 arguments in registers (arg1..arg6)"
#elif defined(CONFIG_ARM64)
#define ST_X(n) ST_REG("x" #n, regs[n])
static const struct st_reg_name st_reg_names[] = {
	ST_X(0), ST_X(1), ST_X(2), ST_X(3), ST_X(4), ST_X(5), ST_X(6), ST_X(7),
	ST_X(8), ST_X(9), ST_X(10), ST_X(11), ST_X(12), ST_X(13), ST_X(14),
	ST_X(15), ST_X(16), ST_X(17), ST_X(18), ST_X(19), ST_X(20), ST_X(21),
	ST_X(22), ST_X(23), ST_X(24), ST_X(25), ST_X(26), ST_X(27), ST_X(28),
	ST_X(29), ST_X(30), ST_REG("fp", regs[29]), ST_REG("lr", regs[30]),
	ST_REG("sp", sp), ST_REG("pc", pc), ST_REG("pstate", pstate),
};
#undef ST_X

static const unsigned short st_arg_regs[] = {
	offsetof(struct pt_regs, regs[0]), offsetof(struct pt_regs, regs[1]),
	offsetof(struct pt_regs, regs[2]), offsetof(struct pt_regs, regs[3]),
	offsetof(struct pt_regs, regs[4]), offsetof(struct pt_regs, regs[5]),
	offsetof(struct pt_regs, regs[6]), offsetof(struct pt_regs, regs[7]),
};
#define ST_ARG_REGS_WHY "argN: N is 1..8"
#elif defined(CONFIG_MIPS)
#define ST_R(n) ST_REG("r" #n, regs[n])
static const struct st_reg_name st_reg_names[] = {
	ST_R(0), ST_R(1), ST_R(2), ST_R(3), ST_R(4), ST_R(5), ST_R(6), ST_R(7),
	ST_R(8), ST_R(9), ST_R(10), ST_R(11), ST_R(12), ST_R(13), ST_R(14),
	ST_R(15), ST_R(16), ST_R(17), ST_R(18), ST_R(19), ST_R(20), ST_R(21),
	ST_R(22), ST_R(23), ST_R(24), ST_R(25), ST_R(26), ST_R(27), ST_R(28),
	ST_R(29), ST_R(30), ST_R(31),
	ST_REG("at", regs[1]), ST_REG("v0", regs[2]), ST_REG("v1", regs[3]),
	ST_REG("a0", regs[4]), ST_REG("a1", regs[5]), ST_REG("a2", regs[6]),
	ST_REG("a3", regs[7]),
#ifdef CONFIG_64BIT
	ST_REG("a4", regs[8]), ST_REG("a5", regs[9]), ST_REG("a6", regs[10]),
	ST_REG("a7", regs[11]),
#endif
	ST_REG("s0", regs[16]), ST_REG("s1", regs[17]), ST_REG("s2", regs[18]),
	ST_REG("s3", regs[19]), ST_REG("s4", regs[20]), ST_REG("s5", regs[21]),
	ST_REG("s6", regs[22]), ST_REG("s7", regs[23]), ST_REG("gp", regs[28]),
	ST_REG("sp", regs[29]), ST_REG("fp", regs[30]), ST_REG("s8", regs[30]),
	ST_REG("ra", regs[31]), ST_REG("epc", cp0_epc),
};
#undef ST_R

/*
 * $a0 up: n64 passes 8 arguments in registers, o32 4 (the rest on the
 * stack).  ftrace_caller saves exactly these, and f: probes read them
 * from its frame (st_unwind_ftrace_args()).
 */
static const unsigned short st_arg_regs[] = {
	offsetof(struct pt_regs, regs[4]), offsetof(struct pt_regs, regs[5]),
	offsetof(struct pt_regs, regs[6]), offsetof(struct pt_regs, regs[7]),
#ifdef CONFIG_64BIT
	offsetof(struct pt_regs, regs[8]), offsetof(struct pt_regs, regs[9]),
	offsetof(struct pt_regs, regs[10]), offsetof(struct pt_regs, regs[11]),
#endif
};
#ifdef CONFIG_64BIT
#define ST_ARG_REGS_WHY "argN: N is 1..8"
#else
#define ST_ARG_REGS_WHY "argN: o32 passes 4 arguments in registers (arg1..arg4)"
#endif
#else
#error "stacktap fetches arguments on x86_64, arm64 and MIPS"
#endif
#undef ST_REG

/* Each argument's largest entry in a record: header, name, value. */
static unsigned int st_arg_max(const struct st_arg *a)
{
	return sizeof(struct stacktap_arg) + strlen(a->name) +
	       (a->type == STACKTAP_ARG_STRING ? STACKTAP_ARG_STRING_MAX + 1 : sizeof(u64));
}

/*
 * At add: find every argument's register and the most bytes a hit's
 * arguments can take; 0 or -EINVAL with *why.
 */
int st_args_resolve(struct st_spec *spec, unsigned int *max, const char **why)
{
	unsigned int i, r;

	*max = 0;
	for (i = 0; i < spec->nargs; i++) {
		struct st_arg *a = &spec->args[i];

		if (a->base == ST_ARG_ARGN) {
			if (a->argn > ARRAY_SIZE(st_arg_regs)) {
				*why = ST_ARG_REGS_WHY;
				return -EINVAL;
			}
			a->reg_off = st_arg_regs[a->argn - 1];
		} else {
			for (r = 0; r < ARRAY_SIZE(st_reg_names); r++)
				if (!strcmp(st_reg_names[r].name, a->reg))
					break;
			if (r == ARRAY_SIZE(st_reg_names)) {
				*why = "no such register on this arch (pt_regs names: %di on x86_64, %x0 on arm64, %a0 or %r4 on MIPS)";
				return -EINVAL;
			}
			a->reg_off = st_reg_names[r].off;
		}
		*max += st_arg_max(a);
	}
	/* The u16 length before them in a record. */
	if (*max)
		*max += sizeof(u16);
	return 0;
}

/* Bytes a value of @type takes in memory; 0 for a string. */
static __always_inline unsigned int st_arg_size(unsigned int type)
{
	switch (type) {
	case STACKTAP_ARG_U8: case STACKTAP_ARG_S8: case STACKTAP_ARG_X8:
		return 1;
	case STACKTAP_ARG_U16: case STACKTAP_ARG_S16: case STACKTAP_ARG_X16:
		return 2;
	case STACKTAP_ARG_U32: case STACKTAP_ARG_S32: case STACKTAP_ARG_X32:
		return 4;
	case STACKTAP_ARG_U64: case STACKTAP_ARG_S64: case STACKTAP_ARG_X64:
		return 8;
	case STACKTAP_ARG_STRING:
		return 0;
	default:
		return sizeof(long);
	}
}

/* @v, @size bytes read as @type, widened to 64 bits. */
static __always_inline u64 st_arg_widen(u64 v, unsigned int size, unsigned int type)
{
	bool sign = type >= STACKTAP_ARG_S8 && type <= STACKTAP_ARG_S64;
	unsigned int shift = 64 - 8 * size;

	if (size == 8)
		return v;
	v <<= shift;
	return sign ? (u64)((s64)v >> shift) : v >> shift;
}

/*
 * The NUL-terminated string at @addr into @buf (STACKTAP_ARG_STRING_MAX + 1
 * bytes): its length, more than STACKTAP_ARG_STRING_MAX when it is longer
 * than that, or -EFAULT.  Read a page at a time, never past the page
 * where the NUL is (the kernel's strncpy_from_kernel_nofault() is not
 * exported to modules).
 */
static notrace long st_arg_string(u8 *buf, unsigned long addr)
{
	unsigned int got = 0, want = STACKTAP_ARG_STRING_MAX + 1, chunk;
	const u8 *nul;

	while (got < want) {
		chunk = min_t(unsigned int, want - got,
			      PAGE_SIZE - offset_in_page(addr + got));
		if (copy_from_kernel_nofault(buf + got, (void *)(addr + got), chunk))
			return -EFAULT;
		nul = memchr(buf + got, 0, chunk);
		if (nul)
			return nul - buf;
		got += chunk;
	}
	return want;
}
NOKPROBE_SYMBOL(st_arg_string);

/*
 * One argument into @out: its entry, and the bytes it took.  The innermost
 * value is a register; each OFF(...) adds OFF and reads a word there, the
 * outermost reads the type's size, or the string, at its address.
 */
static notrace unsigned int st_arg_fetch(const struct st_arg *a, struct pt_regs *regs,
					 u8 *out)
{
	struct stacktap_arg *e = (struct stacktap_arg *)out;
	unsigned int size = st_arg_size(a->type), name_len = strlen(a->name), i;
	u8 *val = out + sizeof(*e) + name_len;
	unsigned long v;
	union {
		u8 b;
		u16 h;
		u32 w;
		u64 q;
	} mem;
	u64 q;
	long n;

	e->type = a->type ?: (sizeof(long) == 8 ? STACKTAP_ARG_X64 : STACKTAP_ARG_X32);
	e->flags = 0;
	e->name_len = name_len;
	memcpy(e->name, a->name, name_len);
	/* MIPS f: without ftrace_caller's frame found: no registers. */
	if (!regs)
		goto fault;
	v = *(unsigned long *)((char *)regs + a->reg_off);
	for (i = 0; i + 1 < a->nderef; i++) {
		if (copy_from_kernel_nofault(&v, (void *)(v + a->off[i]), sizeof(v)))
			goto fault;
	}
	if (a->nderef)
		v += a->off[a->nderef - 1];
	if (a->type == STACKTAP_ARG_STRING) {
		/* The string at v: OFF(FETCH)'s address, or FETCH's value. */
		n = st_arg_string(val, v);
		if (n < 0)
			goto fault;
		if (n > STACKTAP_ARG_STRING_MAX) {
			n = STACKTAP_ARG_STRING_MAX;
			e->flags |= STACKTAP_ARG_F_CUT;
		}
		e->value_len = n;
		return sizeof(*e) + name_len + n;
	}
	if (!a->nderef) {
		q = v;
	} else {
		if (copy_from_kernel_nofault(&mem, (void *)v, size))
			goto fault;
		q = size == 1 ? mem.b : size == 2 ? mem.h : size == 4 ? mem.w : mem.q;
	}
	put_unaligned(st_arg_widen(q, size, a->type), (u64 *)val);
	e->value_len = sizeof(u64);
	return sizeof(*e) + name_len + sizeof(u64);

fault:
	e->flags |= STACKTAP_ARG_F_FAULT;
	e->value_len = 0;
	return sizeof(*e) + name_len;
}
NOKPROBE_SYMBOL(st_arg_fetch);

/*
 * Every argument of @spec from @regs into @out, as a record stores them:
 * a u16 length, then the entries.  The bytes written, at most what
 * st_args_resolve() gave.  Without @regs every argument is a fault.
 */
notrace unsigned int st_args_fetch(const struct st_spec *spec, struct pt_regs *regs, u8 *out)
{
	unsigned int i, len = sizeof(u16);

	for (i = 0; i < spec->nargs; i++)
		len += st_arg_fetch(&spec->args[i], regs, out + len);
	put_unaligned((u16)(len - sizeof(u16)), (u16 *)out);
	return len;
}
NOKPROBE_SYMBOL(st_args_fetch);
