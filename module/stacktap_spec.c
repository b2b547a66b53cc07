// SPDX-License-Identifier: GPL-2.0
/*
 * The probe spec grammar, [p:|r:|f:]SYMBOL[+OFFSET], parsed strictly: the
 * whole text must match, and every refusal comes with a reason a user can
 * act on.  Returns 0 or a negative errno; *why points at a static string.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#endif
#include "stacktap_spec.h"

#ifndef __KERNEL__
/* 32-bit kernels divide 64-bit values only through math64.h. */
static unsigned long long div_u64_rem(unsigned long long v, unsigned int d, unsigned int *rem)
{
	*rem = v % d;
	return v / d;
}
#endif

static const char *const st_kind_prefixes[__STACKTAP_KIND_LAST] = {
	[STACKTAP_KIND_KPROBE] = "p",
	[STACKTAP_KIND_KRETPROBE] = "r",
	[STACKTAP_KIND_FTRACE] = "f",
	[STACKTAP_KIND_UPROBE] = "u",
	[STACKTAP_KIND_URETPROBE] = "ur",
};

/* A kind's prefix before the ':': "p", "r", "f", "u" or "ur". */
const char *st_spec_kind_prefix(enum stacktap_probe_kind kind)
{
	return kind < __STACKTAP_KIND_LAST ? st_kind_prefixes[kind] : "?";
}

/* Whether @kind's probes see a return: ret and lat conditions, latencies. */
static bool st_kind_returns(enum stacktap_probe_kind kind)
{
	return kind == STACKTAP_KIND_KRETPROBE || kind == STACKTAP_KIND_URETPROBE;
}

static bool st_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool st_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool st_is_glob(char c)
{
	return c == '*' || c == '?' || c == '[' || c == ']';
}

/* Kernel symbols: C identifiers plus the '.' of gcc clones (foo.isra.0). */
static bool st_is_symbol_char(char c)
{
	return st_is_alpha(c) || st_is_digit(c) || c == '.';
}

/* Module names: what a .ko file name gives, '-' folded or not. */
static bool st_is_module_char(char c)
{
	return st_is_alpha(c) || st_is_digit(c) || c == '-';
}

static int st_hex_value(char c)
{
	if (st_is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int st_parse_offset(const char *s, size_t len, unsigned long *out,
			   const char **why)
{
	unsigned long v = 0;
	unsigned int base = 10;
	size_t i = 0;
	int d;

	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == len) {
		*why = "missing offset after '+'";
		return -EINVAL;
	}
	for (; i < len; i++) {
		d = st_hex_value(s[i]);
		if (d < 0 || (unsigned int)d >= base) {
			*why = "offset must be decimal or 0x-prefixed hex";
			return -EINVAL;
		}
		if (v > (ULONG_MAX - (unsigned long)d) / base) {
			*why = "offset out of range";
			return -ERANGE;
		}
		v = v * base + (unsigned long)d;
	}
	*out = v;
	return 0;
}

/*
 * u:/PATH:SYMBOL[+OFFSET], a function of a user binary: PATH absolute,
 * split from SYMBOL at the last ':'.
 */
static int st_spec_parse_user(struct st_spec *spec, const char *text, size_t len,
			      const char **why)
{
	const char *colon = NULL, *plus;
	size_t i, sym_len;

	for (i = 0; i < len; i++)
		if (text[i] == ':')
			colon = text + i;
	if (!len || text[0] != '/' || !colon) {
		*why = "u: and ur: take /PATH:SYMBOL, an absolute path to the binary";
		return -EINVAL;
	}
	spec->path_len = colon - text;
	for (i = 0; i < spec->path_len; i++) {
		if (text[i] <= ' ' || text[i] > '~' || text[i] == '"' || text[i] == ',') {
			*why = "invalid character in the binary's path";
			return -EINVAL;
		}
	}
	plus = memchr(colon, '+', len - spec->path_len);
	sym_len = plus ? (size_t)(plus - text) : len;
	if (sym_len == spec->path_len + 1) {
		*why = "missing symbol name";
		return -EINVAL;
	}
	if (sym_len >= STACKTAP_SYMBOL_MAX) {
		*why = "path and symbol too long";
		return -ENAMETOOLONG;
	}
	for (i = spec->path_len + 1; i < sym_len; i++) {
		if (!st_is_symbol_char(text[i]) ||
		    (i == spec->path_len + 1 && st_is_digit(text[i]))) {
			*why = "invalid character in symbol name";
			return -EINVAL;
		}
	}
	memcpy(spec->symbol, text, sym_len);
	spec->symbol[sym_len] = '\0';
	if (!plus)
		return 0;
	if (spec->kind == STACKTAP_KIND_URETPROBE) {
		*why = "ur: probes take a function's returns: no offset";
		return -EINVAL;
	}
	return st_parse_offset(plus + 1, len - sym_len - 1, &spec->offset, why);
}

int st_spec_parse(struct st_spec *spec, const char *text, size_t len,
		  const char **why)
{
	const char *sym, *plus, *colon;
	size_t sym_len, i;

	memset(spec, 0, sizeof(*spec));
	spec->kind = STACKTAP_KIND_KPROBE;
	*why = "ok";

	if (len == 0) {
		*why = "empty probe spec";
		return -EINVAL;
	}
	if (len >= 3 && !memcmp(text, "ur:", 3)) {
		spec->kind = STACKTAP_KIND_URETPROBE;
		return st_spec_parse_user(spec, text + 3, len - 3, why);
	}
	if (len >= 2 && text[1] == ':') {
		switch (text[0]) {
		case 'p':
			spec->kind = STACKTAP_KIND_KPROBE;
			break;
		case 'r':
			spec->kind = STACKTAP_KIND_KRETPROBE;
			break;
		case 'f':
			spec->kind = STACKTAP_KIND_FTRACE;
			break;
		case 'u':
			spec->kind = STACKTAP_KIND_UPROBE;
			break;
		default:
			*why = "unknown probe kind (use p:, r:, f:, u: or ur:)";
			return -EINVAL;
		}
		text += 2;
		len -= 2;
	}
	if (spec->kind == STACKTAP_KIND_UPROBE)
		return st_spec_parse_user(spec, text, len, why);

	sym = text;
	plus = memchr(text, '+', len);
	sym_len = plus ? (size_t)(plus - text) : len;
	if (sym_len == 0) {
		*why = "missing symbol name";
		return -EINVAL;
	}
	if (sym_len >= STACKTAP_SYMBOL_MAX) {
		*why = "symbol name too long";
		return -ENAMETOOLONG;
	}
	/* MOD:SYM, a function of module MOD, loaded or not. */
	colon = memchr(sym, ':', sym_len);
	if (colon) {
		spec->module_len = colon - sym;
		if (!spec->module_len || spec->module_len >= ST_MODULE_NAME_MAX) {
			*why = "module name before ':' missing or too long";
			return -EINVAL;
		}
		for (i = 0; i < spec->module_len; i++) {
			if (!st_is_module_char(sym[i])) {
				*why = "invalid character in module name";
				return -EINVAL;
			}
		}
		if (spec->kind == STACKTAP_KIND_FTRACE) {
			*why = "MOD:SYMBOL is for p: and r: probes (f: takes SYMBOL or a glob)";
			return -EINVAL;
		}
		if (spec->module_len + 1 == sym_len) {
			*why = "missing symbol name";
			return -EINVAL;
		}
	}
	for (i = colon ? spec->module_len + 1 : 0; i < sym_len; i++) {
		if (st_is_glob(sym[i])) {
			spec->glob = true;
			continue;
		}
		if (!st_is_symbol_char(sym[i]) ||
		    (i == (colon ? spec->module_len + 1 : 0) && st_is_digit(sym[i]))) {
			*why = "invalid character in symbol name";
			return -EINVAL;
		}
	}
	if (spec->glob && spec->kind != STACKTAP_KIND_FTRACE) {
		*why = "wildcards need an f: probe";
		return -EINVAL;
	}
	memcpy(spec->symbol, sym, sym_len);
	spec->symbol[sym_len] = '\0';
	/* The kernel names a module with '_' for every '-' of its file. */
	for (i = 0; i < spec->module_len; i++)
		if (spec->symbol[i] == '-')
			spec->symbol[i] = '_';

	if (!plus)
		return 0;
	if (spec->kind != STACKTAP_KIND_KPROBE) {
		*why = "only p: probes take an offset";
		return -EINVAL;
	}
	return st_parse_offset(plus + 1, len - sym_len - 1, &spec->offset, why);
}

/* Canonical text of a spec: always prefixed, offset in hex when set. */
int st_spec_format(const struct st_spec *spec, char *buf, size_t size)
{
	if (spec->offset)
		return snprintf(buf, size, "%s:%s+0x%lx",
				st_spec_kind_prefix(spec->kind), spec->symbol,
				spec->offset);
	return snprintf(buf, size, "%s:%s", st_spec_kind_prefix(spec->kind),
			spec->symbol);
}

bool st_spec_equal(const struct st_spec *a, const struct st_spec *b)
{
	return a->kind == b->kind && a->offset == b->offset &&
	       !strcmp(a->symbol, b->symbol);
}

static bool st_is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* A decimal option value in @min..@max; *why names the option. */
static int st_parse_uint(const char *s, size_t len, unsigned int min,
			 unsigned int max, unsigned int *out, const char **why,
			 const char *not_number, const char *out_of_range)
{
	unsigned long v = 0;
	size_t i;

	if (!len) {
		*why = not_number;
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		if (!st_is_digit(s[i])) {
			*why = not_number;
			return -EINVAL;
		}
		if (v <= max)
			v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < min || v > max) {
		*why = out_of_range;
		return -ERANGE;
	}
	*out = v;
	return 0;
}

/*
 * ustack=fp, or ustack=copy[,SIZE]: the user registers and SIZE bytes of
 * the user stack, rounded up to 8, for stacktapctl to unwind.
 */
static int st_parse_ustack(struct st_spec *spec, const char *val, size_t len,
			   const char **why)
{
	if (len == 2 && !memcmp(val, "fp", 2)) {
		spec->ustack = ST_USTACK_FP;
		return 0;
	}
	if (len < 4 || memcmp(val, "copy", 4) || (len > 4 && val[4] != ',')) {
		*why = "ustack= is fp (the user stack walked by its frame pointers) or copy[,SIZE] (registers and SIZE bytes of it for stacktapctl to unwind)";
		return -EINVAL;
	}
	spec->ustack = ST_USTACK_COPY;
	spec->ucopy_size = STACKTAP_UCOPY_SIZE_DEFAULT;
	if (len > 4) {
		int ret = st_parse_uint(val + 5, len - 5, STACKTAP_UCOPY_SIZE_MIN,
					STACKTAP_UCOPY_SIZE_MAX, &spec->ucopy_size, why,
					"ustack=copy,SIZE takes a decimal number of bytes",
					"ustack=copy,SIZE must be 64..16384");
		if (ret)
			return ret;
	}
	spec->ucopy_size = (spec->ucopy_size + 7) & ~7u;
	return 0;
}

/* comm=NAME: a task name as the kernel keeps it, 1..15 printable bytes. */
static int st_parse_comm(struct st_spec *spec, const char *s, size_t len,
			 const char **why)
{
	size_t i;

	if (len < 1 || len >= ST_COMM_LEN) {
		*why = "comm= takes 1..15 characters";
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f) {
			*why = "comm= takes printable characters without spaces";
			return -EINVAL;
		}
	}
	memcpy(spec->comm, s, len);
	spec->comm[len] = '\0';
	return 0;
}

/* The options: NAME=VALUE, each at most once. */
static const char *const st_cmp_text[] = {
	[ST_CMP_LT] = "<", [ST_CMP_LE] = "<=", [ST_CMP_GT] = ">",
	[ST_CMP_GE] = ">=", [ST_CMP_EQ] = "==", [ST_CMP_NE] = "!=",
};

/* The operator at @s (at most @len bytes), its length in *@n; 0: none. */
static unsigned char st_parse_cmp(const char *s, size_t len, size_t *n)
{
	unsigned char op, best = ST_CMP_NONE;
	size_t l;

	*n = 0;
	for (op = ST_CMP_LT; op <= ST_CMP_NE; op++) {
		l = strlen(st_cmp_text[op]);
		if (l <= len && l > *n && !memcmp(s, st_cmp_text[op], l)) {
			best = op;
			*n = l;
		}
	}
	return best;
}

/* A signed decimal or 0x hex number, the whole of @s; 0 or -EINVAL. */
static int st_parse_s64(const char *s, size_t len, long long *out)
{
	unsigned long long v = 0, limit;
	bool neg = len && s[0] == '-';
	unsigned int base = 10;
	size_t i = neg;
	int d;

	if (len > i + 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		base = 16;
		i += 2;
	}
	if (i == len)
		return -EINVAL;
	limit = neg ? (unsigned long long)LLONG_MAX + 1 : ~0ULL;
	for (; i < len; i++) {
		d = base == 16 ? st_hex_value(s[i]) : (st_is_digit(s[i]) ? s[i] - '0' : -1);
		/* No 64-bit division: v * base must not wrap, nor pass limit. */
		if (d < 0 || v > (base == 16 ? ~0ULL >> 4 : 1844674407370955161ULL))
			return -EINVAL;
		v *= base;
		if (v > limit - d)
			return -EINVAL;
		v += d;
	}
	/* Hex up to 64 bits reads as the register does: 0xffff... is -1. */
	*out = neg ? (long long)(0 - v) : (long long)v;
	if (!neg && base == 10 && v > LLONG_MAX)
		return -EINVAL;
	return 0;
}

/* A latency, "N" or "N" with ns, us, ms or s; into ns. */
static int st_parse_lat(const char *s, size_t len, long long *ns)
{
	static const struct { const char *unit; long long ns, max; } units[] = {
		{ "ns", 1, ST_LAT_MAX_NS }, { "us", 1000, ST_LAT_MAX_NS / 1000 },
		{ "ms", 1000000, ST_LAT_MAX_NS / 1000000 },
		{ "s", 1000000000, ST_LAT_MAX_NS / 1000000000 },
	};
	long long mult = 1, max = ST_LAT_MAX_NS, v = 0;
	size_t i, n = 0;

	while (n < len && st_is_digit(s[n]))
		n++;
	if (!n)
		return -EINVAL;
	if (n < len) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strlen(units[i].unit) == len - n && !memcmp(s + n, units[i].unit, len - n))
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return -EINVAL;
		mult = units[i].ns;
		max = units[i].max;
	}
	for (i = 0; i < n; i++) {
		v = v * 10 + (s[i] - '0');
		if (v > max)
			return -ERANGE;
	}
	*ns = v * mult;
	return 0;
}

/* In *seen with the ST_OPT_* bits: conditions given. */
#define ST_SEEN_RET	(1u << 30)
#define ST_SEEN_LAT	(1u << 31)

/*
 * ret<0, ret==-22, ret!=0, lat>1ms...: @opt starts with "ret" or "lat"
 * and an operator.  1 when it is no such condition (another option).
 */
static int st_parse_cond(struct st_spec *spec, const char *opt, size_t len,
			 unsigned int *seen, const char **why)
{
	bool lat = len > 3 && !memcmp(opt, "lat", 3);
	struct st_cond *c = lat ? &spec->lat_cond : &spec->ret_cond;
	unsigned int bit = lat ? ST_SEEN_LAT : ST_SEEN_RET;
	unsigned char op;
	size_t n;
	int ret;

	if (len <= 3 || (!lat && memcmp(opt, "ret", 3)))
		return 1;
	op = st_parse_cmp(opt + 3, len - 3, &n);
	/* "ret=5" is no comparison: an unknown option, said as such. */
	if (op == ST_CMP_NONE)
		return 1;
	if (!st_kind_returns(spec->kind)) {
		*why = lat ? "lat conditions are r: and ur: probe options" :
			     "ret conditions are r: and ur: probe options";
		return -EINVAL;
	}
	if (*seen & bit) {
		*why = "option given twice";
		return -EINVAL;
	}
	*seen |= bit;
	if (lat)
		ret = st_parse_lat(opt + 3 + n, len - 3 - n, &c->val);
	else
		ret = st_parse_s64(opt + 3 + n, len - 3 - n, &c->val);
	if (ret == -ERANGE) {
		*why = "lat: at most an hour (3600s)";
		return ret;
	}
	if (ret) {
		*why = lat ? "lat takes a duration: N, Nns, Nus, Nms or Ns" :
			     "ret takes a number: decimal (-22) or hex (0x10)";
		return ret;
	}
	c->op = op;
	return 0;
}

const char *const st_arg_type_names[__STACKTAP_ARG_LAST] = {
	[STACKTAP_ARG_DEFAULT] = "",
	[STACKTAP_ARG_U8] = "u8", [STACKTAP_ARG_U16] = "u16",
	[STACKTAP_ARG_U32] = "u32", [STACKTAP_ARG_U64] = "u64",
	[STACKTAP_ARG_S8] = "s8", [STACKTAP_ARG_S16] = "s16",
	[STACKTAP_ARG_S32] = "s32", [STACKTAP_ARG_S64] = "s64",
	[STACKTAP_ARG_X8] = "x8", [STACKTAP_ARG_X16] = "x16",
	[STACKTAP_ARG_X32] = "x32", [STACKTAP_ARG_X64] = "x64",
	[STACKTAP_ARG_STRING] = "string", [STACKTAP_ARG_SYMBOL] = "symbol",
};

/* Whether the option token @opt looks like an argument's FETCH. */
static bool st_is_fetch(const char *opt, size_t len)
{
	return (len && (opt[0] == '%' || opt[0] == '+' || opt[0] == '-')) ||
	       (len > 3 && !memcmp(opt, "arg", 3) && st_is_digit(opt[3]));
}

/* FETCH, the whole of @s: argN, %REG, or +OFF(FETCH) / -OFF(FETCH). */
static int st_parse_fetch(struct st_spec *spec, struct st_arg *a, const char *s,
			  size_t len, const char **why)
{
	int outer[ST_ARG_DEREF_MAX];
	unsigned int depth = 0, i, n;
	const char *open;
	long long off;

	while (len && (s[0] == '+' || s[0] == '-')) {
		open = memchr(s, '(', len);
		if (!open || s[len - 1] != ')') {
			*why = "+OFF(FETCH): the fetch goes in parentheses";
			return -EINVAL;
		}
		if (depth == ST_ARG_DEREF_MAX) {
			*why = "at most 4 dereferences: +OFF(+OFF(+OFF(+OFF(FETCH))))";
			return -EINVAL;
		}
		/* st_parse_s64() takes a '-' but not a '+'. */
		if ((s[0] == '+' && s[1] == '-') ||
		    st_parse_s64(s + (s[0] == '+'), open - s - (s[0] == '+'), &off) ||
		    off > ST_ARG_OFF_MAX || off < -ST_ARG_OFF_MAX ||
		    (open - s == 1)) {
			*why = "OFF in +OFF(FETCH) is a decimal or 0x hex number of bytes (at most 0x7fffffff)";
			return -EINVAL;
		}
		outer[depth++] = (int)off;
		len -= open - s + 2;
		s = open + 1;
	}
	a->nderef = depth;
	for (i = 0; i < depth; i++)
		a->off[i] = outer[depth - 1 - i];
	if (len > 3 && !memcmp(s, "arg", 3)) {
		unsigned int argn;

		if (st_parse_uint(s + 3, len - 3, 1, STACKTAP_ARGS_MAX, &argn, why,
				  "argN takes a decimal N", "argN: N is 1..8"))
			return -EINVAL;
		if (spec->kind == STACKTAP_KIND_KPROBE && spec->offset) {
			*why = "argN is the argument at the function's entry: a p: probe with an offset sees registers the function has since changed (use %REG)";
			return -EINVAL;
		}
		a->base = ST_ARG_ARGN;
		a->argn = argn;
		return 0;
	}
	if (len && s[0] == '%') {
		for (n = 1; n < len; n++)
			if (!st_is_alpha(s[n]) && !st_is_digit(s[n]))
				break;
		if (n == 1 || n != len || len > ST_ARG_REG_MAX) {
			*why = "%REG names a register: %di, %x0, %a0";
			return -EINVAL;
		}
		if (spec->kind == STACKTAP_KIND_FTRACE) {
			*why = "f: probes fetch arguments (argN); registers by name need p: or r:";
			return -EINVAL;
		}
		a->base = ST_ARG_REG;
		memcpy(a->reg, s + 1, len - 1);
		a->reg[len - 1] = '\0';
		return 0;
	}
	*why = "an argument's FETCH is argN, %REG or +OFF(FETCH)";
	return -EINVAL;
}

/* The canonical text of @arg's FETCH: "+8(+0(arg1))". */
int st_arg_format_fetch(const struct st_arg *arg, char *buf, size_t size)
{
	int n = 0, i;

#define ST_APPEND(...) \
	(n += snprintf(buf + n, (size_t)n < size ? size - n : 0, __VA_ARGS__))
	for (i = arg->nderef - 1; i >= 0; i--)
		ST_APPEND("%s%d(", arg->off[i] < 0 ? "" : "+", arg->off[i]);
	if (arg->base == ST_ARG_ARGN)
		ST_APPEND("arg%u", arg->argn);
	else
		ST_APPEND("%%%s", arg->reg);
	for (i = 0; i < arg->nderef; i++)
		ST_APPEND(")");
#undef ST_APPEND
	return n;
}

static const char *const st_arg_reserved[] = {
	"ret", "lat", "func", "maxactive", "mode", "depth", "pid", "comm", "cpu", "ring",
	"key", "ustack",
};

/* [NAME=]FETCH[:TYPE]; @eq: the '=' after NAME, or NULL. */
static int st_parse_arg(struct st_spec *spec, const char *opt, size_t len,
			const char *eq, const char **why)
{
	struct st_arg *a = &spec->args[spec->nargs];
	const char *colon, *fetch = eq ? eq + 1 : opt;
	size_t fetch_len = len - (fetch - opt), name_len, i;
	unsigned int t;
	int ret;

	if (spec->nargs == STACKTAP_ARGS_MAX) {
		*why = "at most 8 arguments";
		return -E2BIG;
	}
	memset(a, 0, sizeof(*a));
	colon = memchr(fetch, ':', fetch_len);
	if (colon) {
		for (t = STACKTAP_ARG_U8; t < __STACKTAP_ARG_LAST; t++)
			if (strlen(st_arg_type_names[t]) == fetch_len - (colon + 1 - fetch) &&
			    !memcmp(colon + 1, st_arg_type_names[t], strlen(st_arg_type_names[t])))
				break;
		if (t == __STACKTAP_ARG_LAST) {
			*why = "unknown type (known: u8..u64 s8..s64 x8..x64 string symbol)";
			return -EINVAL;
		}
		a->type = t;
		fetch_len = colon - fetch;
	}
	ret = st_parse_fetch(spec, a, fetch, fetch_len, why);
	if (ret)
		return ret;
	if (eq) {
		name_len = eq - opt;
		a->named = true;
		if (!name_len) {
			*why = "an argument's NAME is a C identifier";
			return -EINVAL;
		}
		if (name_len >= STACKTAP_ARG_NAME_MAX) {
			*why = "an argument's NAME is at most 31 characters";
			return -EINVAL;
		}
		for (i = 0; i < name_len; i++) {
			if (!st_is_alpha(opt[i]) && (!i || !st_is_digit(opt[i]))) {
				*why = "an argument's NAME is a C identifier";
				return -EINVAL;
			}
		}
		memcpy(a->name, opt, name_len);
		a->name[name_len] = '\0';
		for (i = 0; i < sizeof(st_arg_reserved) / sizeof(st_arg_reserved[0]); i++) {
			if (!strcmp(a->name, st_arg_reserved[i])) {
				*why = "an argument's NAME may not be an option's or ret, lat or func";
				return -EINVAL;
			}
		}
	} else if (st_arg_format_fetch(a, a->name, sizeof(a->name)) >= (int)sizeof(a->name)) {
		*why = "name a fetch over 31 characters: NAME=FETCH";
		return -EINVAL;
	}
	for (i = 0; i < spec->nargs; i++) {
		if (!strcmp(spec->args[i].name, a->name)) {
			*why = "two arguments of the same name";
			return -EINVAL;
		}
	}
	spec->nargs++;
	return 0;
}

enum st_option {
	ST_OPT_MAXACTIVE,
	ST_OPT_MODE,
	ST_OPT_DEPTH,
	ST_OPT_PID,
	ST_OPT_COMM,
	ST_OPT_CPU,
	ST_OPT_RING,
	ST_OPT_KEY,
	ST_OPT_USTACK,
	ST_OPT_NR
};

static const char *const st_option_names[ST_OPT_NR] = {
	[ST_OPT_MAXACTIVE] = "maxactive",
	[ST_OPT_MODE] = "mode",
	[ST_OPT_DEPTH] = "depth",
	[ST_OPT_PID] = "pid",
	[ST_OPT_COMM] = "comm",
	[ST_OPT_CPU] = "cpu",
	[ST_OPT_RING] = "ring",
	[ST_OPT_KEY] = "key",
	[ST_OPT_USTACK] = "ustack",
};

/* An option's value that is one of two words: 0 for @first, 1 for @second, or -1. */
static int st_option_either(const char *val, size_t len, const char *first, const char *second)
{
	if (len == strlen(first) && !memcmp(val, first, len))
		return 0;
	if (len == strlen(second) && !memcmp(val, second, len))
		return 1;
	return -1;
}

static int st_parse_option(struct st_spec *spec, const char *opt, size_t len,
			   unsigned int *seen, const char **why)
{
	const char *eq = memchr(opt, '=', len), *val;
	size_t name_len, val_len;
	unsigned int o;
	int ret;

	ret = st_parse_cond(spec, opt, len, seen, why);
	if (ret <= 0)
		return ret;
	/* A FETCH holds no '=': "arg1=arg2" is an argument named arg1. */
	if (!eq && st_is_fetch(opt, len))
		return st_parse_arg(spec, opt, len, NULL, why);
	name_len = eq ? (size_t)(eq - opt) : len;
	for (o = 0; o < ST_OPT_NR; o++)
		if (strlen(st_option_names[o]) == name_len &&
		    !memcmp(opt, st_option_names[o], name_len))
			break;
	if (o == ST_OPT_NR && eq && st_is_fetch(eq + 1, len - name_len - 1))
		return st_parse_arg(spec, opt, len, eq, why);
	if (o == ST_OPT_NR || !eq) {
		*why = "unknown option (known: mode= key= ustack= depth= pid= comm= cpu= ring= maxactive= ret<OP>N lat<OP>T, arguments [NAME=]FETCH[:TYPE])";
		return -EINVAL;
	}
	if (*seen & (1u << o)) {
		*why = "option given twice";
		return -EINVAL;
	}
	*seen |= 1u << o;
	val = eq + 1;
	val_len = len - name_len - 1;

	switch (o) {
	case ST_OPT_MAXACTIVE:
		if (spec->kind != STACKTAP_KIND_KRETPROBE) {
			*why = "maxactive= is an r: probe option";
			return -EINVAL;
		}
		return st_parse_uint(val, val_len, 1, ST_MAXACTIVE_MAX, &spec->maxactive,
				     why, "maxactive= takes a decimal number",
				     "maxactive= must be 1..4096");
	case ST_OPT_MODE:
		ret = st_option_either(val, val_len, "trace", "count");
		if (ret < 0) {
			*why = "mode= is trace or count";
			return -EINVAL;
		}
		spec->count_only = ret;
		return 0;
	case ST_OPT_KEY:
		ret = st_option_either(val, val_len, "stack", "args");
		if (ret < 0) {
			*why = "key= is stack (the default) or args: count per stack and argument values";
			return -EINVAL;
		}
		spec->key_args = ret;
		return 0;
	case ST_OPT_USTACK:
		return st_parse_ustack(spec, val, val_len, why);
	case ST_OPT_DEPTH:
		return st_parse_uint(val, val_len, 1, STACKTAP_DEPTH_MAX, &spec->depth,
				     why, "depth= takes a decimal number",
				     "depth= must be 1..256");
	case ST_OPT_PID:
		spec->filters |= ST_FILTER_PID;
		return st_parse_uint(val, val_len, 1, ST_PID_MAX, &spec->pid,
				     why, "pid= takes a decimal number",
				     "pid= must be 1..4194304");
	case ST_OPT_COMM:
		spec->filters |= ST_FILTER_COMM;
		return st_parse_comm(spec, val, val_len, why);
	case ST_OPT_RING:
		ret = st_option_either(val, val_len, "overwrite", "drop");
		if (ret < 0) {
			*why = "ring= is overwrite or drop";
			return -EINVAL;
		}
		spec->ring = ret ? ST_RING_DROP : ST_RING_OVERWRITE;
		return 0;
	default:
		spec->filters |= ST_FILTER_CPU;
		return st_parse_uint(val, val_len, 0, ST_CPU_MAX, &spec->cpu,
				     why, "cpu= takes a decimal number",
				     "cpu= must be 0..8191");
	}
}

/* The options that are set, canonically ordered, space-separated. */
int st_spec_format_options(const struct st_spec *spec, char *buf, size_t size)
{
	unsigned int i;
	int n = 0;

	buf[0] = '\0';
#define ST_APPEND(...) \
	(n += snprintf(buf + n, (size_t)n < size ? size - n : 0, __VA_ARGS__))
	if (spec->count_only)
		ST_APPEND("%smode=count", n ? " " : "");
	if (spec->key_args)
		ST_APPEND("%skey=args", n ? " " : "");
	if (spec->ustack == ST_USTACK_FP)
		ST_APPEND("%sustack=fp", n ? " " : "");
	else if (spec->ustack == ST_USTACK_COPY)
		ST_APPEND("%sustack=copy,%u", n ? " " : "", spec->ucopy_size);
	if (spec->depth)
		ST_APPEND("%sdepth=%u", n ? " " : "", spec->depth);
	if (spec->filters & ST_FILTER_PID)
		ST_APPEND("%spid=%u", n ? " " : "", spec->pid);
	if (spec->filters & ST_FILTER_COMM)
		ST_APPEND("%scomm=%s", n ? " " : "", spec->comm);
	if (spec->filters & ST_FILTER_CPU)
		ST_APPEND("%scpu=%u", n ? " " : "", spec->cpu);
	if (spec->ring)
		ST_APPEND("%sring=%s", n ? " " : "",
			  spec->ring == ST_RING_OVERWRITE ? "overwrite" : "drop");
	if (spec->maxactive)
		ST_APPEND("%smaxactive=%u", n ? " " : "", spec->maxactive);
	if (spec->ret_cond.op)
		ST_APPEND("%sret%s%lld", n ? " " : "", st_cmp_text[spec->ret_cond.op],
			  spec->ret_cond.val);
	if (spec->lat_cond.op) {
		static const char *const unit[] = { "ns", "us", "ms", "s" };
		unsigned long long v = spec->lat_cond.val, q;
		unsigned int u = 0, rem;

		/* The largest unit that says it exactly: lat>1ms, not 1000000ns. */
		while (u < 3 && v) {
			q = div_u64_rem(v, 1000, &rem);
			if (rem)
				break;
			v = q;
			u++;
		}
		ST_APPEND("%slat%s%llu%s", n ? " " : "", st_cmp_text[spec->lat_cond.op],
			  v, unit[u]);
	}
	for (i = 0; i < spec->nargs; i++) {
		const struct st_arg *a = &spec->args[i];

		ST_APPEND("%s%s%s", n ? " " : "", a->named ? a->name : "", a->named ? "=" : "");
		n += st_arg_format_fetch(a, buf + n, (size_t)n < size ? size - n : 0);
		if (a->type)
			ST_APPEND(":%s", st_arg_type_names[a->type]);
	}
#undef ST_APPEND
	return n;
}

/*
 * A probe as written everywhere: a spec, then options separated by
 * spaces, e.g. "r:do_sys_open maxactive=64" or "f:vfs_read mode=count
 * comm=cat depth=8".
 */
int st_spec_parse_text(struct st_spec *spec, const char *text, size_t len,
		       const char **why)
{
	unsigned int seen = 0;
	size_t i = 0, start;
	int ret;

	while (i < len && !st_is_space(text[i]))
		i++;
	ret = st_spec_parse(spec, text, i, why);
	while (!ret && i < len) {
		while (i < len && st_is_space(text[i]))
			i++;
		start = i;
		while (i < len && !st_is_space(text[i]))
			i++;
		if (i > start)
			ret = st_parse_option(spec, text + start, i - start, &seen, why);
	}
	if (!ret && spec->ring && spec->count_only) {
		*why = "ring= is for records, and mode=count writes none";
		ret = -EINVAL;
	}
	if (!ret && (spec->kind == STACKTAP_KIND_UPROBE || spec->kind == STACKTAP_KIND_URETPROBE) &&
	    (spec->nargs || spec->ustack == ST_USTACK_FP)) {
		*why = spec->nargs ? "u: and ur: probes fetch no arguments yet" :
				     "a u: or ur: probe's stack is the user's already: no ustack=fp";
		ret = -EINVAL;
	}
	if (!ret && spec->ustack == ST_USTACK_COPY && spec->count_only) {
		*why = "ustack=copy keeps each hit's user stack in its record, and mode=count writes none";
		ret = -EINVAL;
	}
	if (!ret && spec->key_args && !spec->nargs) {
		*why = "key=args counts per argument value: fetch at least one (e.g. arg1)";
		ret = -EINVAL;
	}
	return ret;
}
