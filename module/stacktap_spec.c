// SPDX-License-Identifier: GPL-2.0
/*
 * The probe spec grammar, [p:|r:|f:]SYMBOL[+OFFSET], parsed strictly: the
 * whole text must match, and every refusal comes with a reason a user can
 * act on.  Returns 0 or a negative errno; *why points at a static string.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#endif
#include "stacktap_spec.h"

static const char st_kind_chars[__STACKTAP_KIND_LAST] = {
	[STACKTAP_KIND_KPROBE] = 'p',
	[STACKTAP_KIND_KRETPROBE] = 'r',
	[STACKTAP_KIND_FTRACE] = 'f',
};

char st_spec_kind_char(enum stacktap_probe_kind kind)
{
	return kind < __STACKTAP_KIND_LAST ? st_kind_chars[kind] : '?';
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
		default:
			*why = "unknown probe kind (use p:, r: or f:)";
			return -EINVAL;
		}
		text += 2;
		len -= 2;
	}

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
		return snprintf(buf, size, "%c:%s+0x%lx",
				st_spec_kind_char(spec->kind), spec->symbol,
				spec->offset);
	return snprintf(buf, size, "%c:%s", st_spec_kind_char(spec->kind),
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
enum st_option {
	ST_OPT_MAXACTIVE,
	ST_OPT_MODE,
	ST_OPT_DEPTH,
	ST_OPT_PID,
	ST_OPT_COMM,
	ST_OPT_CPU,
	ST_OPT_NR
};

static const char *const st_option_names[ST_OPT_NR] = {
	[ST_OPT_MAXACTIVE] = "maxactive",
	[ST_OPT_MODE] = "mode",
	[ST_OPT_DEPTH] = "depth",
	[ST_OPT_PID] = "pid",
	[ST_OPT_COMM] = "comm",
	[ST_OPT_CPU] = "cpu",
};

static int st_parse_option(struct st_spec *spec, const char *opt, size_t len,
			   unsigned int *seen, const char **why)
{
	const char *eq = memchr(opt, '=', len), *val;
	size_t name_len, val_len;
	unsigned int o;

	name_len = eq ? (size_t)(eq - opt) : len;
	for (o = 0; o < ST_OPT_NR; o++)
		if (strlen(st_option_names[o]) == name_len &&
		    !memcmp(opt, st_option_names[o], name_len))
			break;
	if (o == ST_OPT_NR || !eq) {
		*why = "unknown option (known: mode= depth= pid= comm= cpu= maxactive=)";
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
		if (val_len == 5 && !memcmp(val, "trace", 5))
			return 0;
		if (val_len == 5 && !memcmp(val, "count", 5)) {
			spec->count_only = true;
			return 0;
		}
		*why = "mode= is trace or count";
		return -EINVAL;
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
	int n = 0;

	buf[0] = '\0';
#define ST_APPEND(...) \
	(n += snprintf(buf + n, (size_t)n < size ? size - n : 0, __VA_ARGS__))
	if (spec->count_only)
		ST_APPEND("%smode=count", n ? " " : "");
	if (spec->depth)
		ST_APPEND("%sdepth=%u", n ? " " : "", spec->depth);
	if (spec->filters & ST_FILTER_PID)
		ST_APPEND("%spid=%u", n ? " " : "", spec->pid);
	if (spec->filters & ST_FILTER_COMM)
		ST_APPEND("%scomm=%s", n ? " " : "", spec->comm);
	if (spec->filters & ST_FILTER_CPU)
		ST_APPEND("%scpu=%u", n ? " " : "", spec->cpu);
	if (spec->maxactive)
		ST_APPEND("%smaxactive=%u", n ? " " : "", spec->maxactive);
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
	return ret;
}
