// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test for the probe spec parser (module/stacktap_spec.c, the
 * very file the module compiles).  Prints TAP; exits non-zero on failure.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "../../module/stacktap_spec.h"

static int nr, failed;

static void ok(int cond, const char *what, const char *text)
{
	nr++;
	if (!cond)
		failed++;
	printf("%sok %d - %s: '%s'\n", cond ? "" : "not ", nr, what, text);
}

static void accept(const char *text, enum stacktap_probe_kind kind,
		   const char *symbol, unsigned long offset, const char *canon)
{
	struct st_spec s;
	const char *why;
	char buf[STACKTAP_SPEC_MAX + 1];
	int ret = st_spec_parse(&s, text, strlen(text), &why);

	st_spec_format(&s, buf, sizeof(buf));
	ok(ret == 0 && s.kind == kind && !strcmp(s.symbol, symbol) &&
	   s.offset == offset && !strcmp(buf, canon), "accepts", text);
	if (ret)
		printf("# got %d (%s)\n", ret, why);
}

static void refuse(const char *text, size_t len, int err, const char *reason)
{
	struct st_spec s;
	const char *why;
	int ret = st_spec_parse(&s, text, len, &why);

	ok(ret == err && !strcmp(why, reason), "refuses", len < 64 ? text : "<long>");
	if (ret != err || strcmp(why, reason))
		printf("# got %d (%s), want %d (%s)\n", ret, why, err, reason);
}

#define REFUSE(t, e, r) refuse(t, strlen(t), e, r)

int main(void)
{
	static char big[4096];
	struct st_spec a, b;
	const char *why;

	accept("register_netdevice", STACKTAP_KIND_KPROBE, "register_netdevice", 0,
	       "p:register_netdevice");
	accept("p:vfs_read+0x10", STACKTAP_KIND_KPROBE, "vfs_read", 16, "p:vfs_read+0x10");
	accept("p:vfs_read+16", STACKTAP_KIND_KPROBE, "vfs_read", 16, "p:vfs_read+0x10");
	accept("p:vfs_read+0", STACKTAP_KIND_KPROBE, "vfs_read", 0, "p:vfs_read");
	accept("r:do_sys_open", STACKTAP_KIND_KRETPROBE, "do_sys_open", 0, "r:do_sys_open");
	accept("bonding:bond_create", STACKTAP_KIND_KPROBE, "bonding:bond_create", 0,
	       "p:bonding:bond_create");
	accept("r:nf-conntrack:nf_ct_get", STACKTAP_KIND_KRETPROBE, "nf_conntrack:nf_ct_get", 0,
	       "r:nf_conntrack:nf_ct_get");
	accept("p:tun:tun_chr_ioctl+0x8", STACKTAP_KIND_KPROBE, "tun:tun_chr_ioctl", 8,
	       "p:tun:tun_chr_ioctl+0x8");
	REFUSE("f:bonding:bond_*", -EINVAL, "MOD:SYMBOL is for p: and r: probes (f: takes SYMBOL or a glob)");
	REFUSE(":bond_create", -EINVAL, "module name before ':' missing or too long");
	REFUSE("bonding:", -EINVAL, "missing symbol name");
	REFUSE("bon.ding:bond_create", -EINVAL, "invalid character in module name");
	REFUSE("bonding:1bond", -EINVAL, "invalid character in symbol name");
	REFUSE("bonding:bond:create", -EINVAL, "invalid character in symbol name");
	accept("f:tcp_*", STACKTAP_KIND_FTRACE, "tcp_*", 0, "f:tcp_*");
	accept("f:st_truth_[abc]", STACKTAP_KIND_FTRACE, "st_truth_[abc]", 0, "f:st_truth_[abc]");
	accept("foo.isra.0", STACKTAP_KIND_KPROBE, "foo.isra.0", 0, "p:foo.isra.0");
	accept("p:_x+0XfF", STACKTAP_KIND_KPROBE, "_x", 255, "p:_x+0xff");

	accept("u:/bin/uchain-fp:uchain_b", STACKTAP_KIND_UPROBE, "/bin/uchain-fp:uchain_b", 0,
	       "u:/bin/uchain-fp:uchain_b");
	accept("u:/a:b:c+0x10", STACKTAP_KIND_UPROBE, "/a:b:c", 16, "u:/a:b:c+0x10");
	accept("ur:/bin/uchain-fp:uchain_b", STACKTAP_KIND_URETPROBE, "/bin/uchain-fp:uchain_b", 0,
	       "ur:/bin/uchain-fp:uchain_b");
	REFUSE("ur:/bin/x:f+4", -EINVAL, "ur: probes take a function's returns: no offset");
	REFUSE("ur:x:f", -EINVAL, "u: and ur: take /PATH:SYMBOL, an absolute path to the binary");
	REFUSE("u:bin/x:f", -EINVAL, "u: and ur: take /PATH:SYMBOL, an absolute path to the binary");
	REFUSE("u:/bin/x", -EINVAL, "u: and ur: take /PATH:SYMBOL, an absolute path to the binary");
	REFUSE("u:/bin/x:", -EINVAL, "missing symbol name");
	REFUSE("u:/bin/x:+4", -EINVAL, "missing symbol name");
	REFUSE("u:/bin/x:1f", -EINVAL, "invalid character in symbol name");
	REFUSE("u:/bin/x,y:f", -EINVAL, "invalid character in the binary's path");
	REFUSE("u:/bin/x:f+z", -EINVAL, "offset must be decimal or 0x-prefixed hex");
	REFUSE("", -EINVAL, "empty probe spec");
	REFUSE("p:", -EINVAL, "missing symbol name");
	REFUSE("x:foo", -EINVAL, "unknown probe kind (use p:, r:, f:, u: or ur:)");
	REFUSE("foo+", -EINVAL, "missing offset after '+'");
	REFUSE("foo+0x", -EINVAL, "missing offset after '+'");
	REFUSE("foo+junk", -EINVAL, "offset must be decimal or 0x-prefixed hex");
	REFUSE("foo+12z", -EINVAL, "offset must be decimal or 0x-prefixed hex");
	REFUSE("foo+1+2", -EINVAL, "offset must be decimal or 0x-prefixed hex");
	REFUSE("foo+99999999999999999999999", -ERANGE, "offset out of range");
	REFUSE("+4", -EINVAL, "missing symbol name");
	REFUSE("foo bar", -EINVAL, "invalid character in symbol name");
	REFUSE("1foo", -EINVAL, "invalid character in symbol name");
	REFUSE("p:foo.bar:baz", -EINVAL, "invalid character in module name");
	REFUSE("p:tcp_*", -EINVAL, "wildcards need an f: probe");
	REFUSE("tcp_*", -EINVAL, "wildcards need an f: probe");
	REFUSE("r:foo+4", -EINVAL, "only p: probes take an offset");
	REFUSE("f:foo+4", -EINVAL, "only p: probes take an offset");
	refuse("foo\0bar", 7, -EINVAL, "invalid character in symbol name");

	memset(big, 'a', sizeof(big));
	refuse(big, STACKTAP_SYMBOL_MAX, -ENAMETOOLONG, "symbol name too long");
	refuse(big, STACKTAP_SYMBOL_MAX - 1, 0, "ok");
	refuse(big, sizeof(big), -ENAMETOOLONG, "symbol name too long");
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7919 + 13);
	refuse(big, 100, -EINVAL, "invalid character in symbol name");
	refuse(big, sizeof(big), -ENAMETOOLONG, "symbol name too long");

	{
		struct st_spec o;
		int r;

		r = st_spec_parse_text(&o, "r:do_sys_open maxactive=64", 26, &why);
		ok(!r && o.kind == STACKTAP_KIND_KRETPROBE && o.maxactive == 64 &&
		   !strcmp(o.symbol, "do_sys_open"), "option maxactive=64", "r:do_sys_open maxactive=64");
		r = st_spec_parse_text(&o, "r:f  maxactive=1 ", 17, &why);
		ok(!r && o.maxactive == 1, "spaces around options", "r:f  maxactive=1 ");
		r = st_spec_parse_text(&o, "p:f", 3, &why);
		ok(!r && o.maxactive == 0, "no options", "p:f");
		r = st_spec_parse_text(&o, "p:f maxactive=4", 15, &why);
		ok(r == -EINVAL && !strcmp(why, "maxactive= is an r: probe option"), "maxactive on p:", "p:f maxactive=4");
		r = st_spec_parse_text(&o, "r:f maxactive=0", 15, &why);
		ok(r == -ERANGE, "maxactive=0", "r:f maxactive=0");
		r = st_spec_parse_text(&o, "r:f maxactive=99999999999999999999", 34, &why);
		ok(r == -ERANGE, "maxactive huge", "r:f maxactive=99999999999999999999");
		r = st_spec_parse_text(&o, "r:f maxactive=1x", 16, &why);
		ok(r == -EINVAL, "maxactive junk", "r:f maxactive=1x");
		r = st_spec_parse_text(&o, "r:f depht=3", 11, &why);
		ok(r == -EINVAL && !strcmp(why, "unknown option (known: mode= key= ustack= depth= pid= comm= cpu= ring= maxactive= ret<OP>N lat<OP>T, arguments [NAME=]FETCH[:TYPE])"),
		   "unknown option", "r:f depht=3");
		r = st_spec_parse_text(&o, "r:f+4 maxactive=2", 17, &why);
		ok(r == -EINVAL && !strcmp(why, "only p: probes take an offset"), "spec error first", "r:f+4 maxactive=2");
	}

	{
		static const char all[] = "f:vfs_read  cpu=1 comm=cat pid=42 depth=8 mode=count";
		char opts[STACKTAP_TEXT_MAX];
		struct st_spec o;
		int r;

		r = st_spec_parse_text(&o, all, strlen(all), &why);
		st_spec_format_options(&o, opts, sizeof(opts));
		ok(!r && o.count_only && o.depth == 8 && o.pid == 42 && o.cpu == 1 &&
		   !strcmp(o.comm, "cat") &&
		   o.filters == (ST_FILTER_PID | ST_FILTER_COMM | ST_FILTER_CPU) &&
		   !strcmp(opts, "mode=count depth=8 pid=42 comm=cat cpu=1"), "all options", all);
		if (r || strcmp(opts, "mode=count depth=8 pid=42 comm=cat cpu=1"))
			printf("# got %d (%s), options '%s'\n", r, why, opts);
		r = st_spec_parse_text(&o, "p:f mode=trace", 14, &why);
		st_spec_format_options(&o, opts, sizeof(opts));
		ok(!r && !o.count_only && !o.filters && !opts[0], "mode=trace is the default", "p:f mode=trace");
		r = st_spec_parse_text(&o, "p:f cpu=0", 9, &why);
		ok(!r && o.filters == ST_FILTER_CPU && o.cpu == 0, "cpu=0 is a filter", "p:f cpu=0");

#define OPT_REFUSE(t, e, r_) do { \
		r = st_spec_parse_text(&o, t, strlen(t), &why); \
		ok(r == (e) && !strcmp(why, r_), "refuses option", t); \
		if (r != (e) || strcmp(why, r_)) \
			printf("# got %d (%s)\n", r, why); \
	} while (0)
		r = st_spec_parse_text(&o, "r:f ring=overwrite depth=4", 26, &why);
		st_spec_format_options(&o, opts, sizeof(opts));
		ok(!r && o.ring == ST_RING_OVERWRITE && !strcmp(opts, "depth=4 ring=overwrite"),
		   "ring=overwrite", "r:f ring=overwrite depth=4");
		r = st_spec_parse_text(&o, "f:f* ring=drop", 14, &why);
		st_spec_format_options(&o, opts, sizeof(opts));
		ok(!r && o.ring == ST_RING_DROP && !strcmp(opts, "ring=drop"), "ring=drop", "f:f* ring=drop");
		r = st_spec_parse_text(&o, "p:f", 3, &why);
		ok(!r && !o.ring, "ring= not given: the module's overwrite=", "p:f");
		OPT_REFUSE("p:f ring=wrap", -EINVAL, "ring= is overwrite or drop");
		OPT_REFUSE("p:f ring=", -EINVAL, "ring= is overwrite or drop");
		OPT_REFUSE("p:f ring=drop ring=drop", -EINVAL, "option given twice");
		OPT_REFUSE("p:f ring=overwrite mode=count", -EINVAL, "ring= is for records, and mode=count writes none");
		OPT_REFUSE("p:f mode=count ring=drop", -EINVAL, "ring= is for records, and mode=count writes none");
		r = st_spec_parse_text(&o, "r:f mode=count s=+4(arg2):u16 key=args", 38, &why);
		st_spec_format_options(&o, opts, sizeof(opts));
		ok(!r && o.key_args && !strcmp(opts, "mode=count key=args s=+4(arg2):u16"),
		   "key=args", "r:f mode=count s=+4(arg2):u16 key=args");
		r = st_spec_parse_text(&o, "p:f key=stack arg1", 18, &why);
		st_spec_format_options(&o, opts, sizeof(opts));
		ok(!r && !o.key_args && !strcmp(opts, "arg1"), "key=stack is the default", "p:f key=stack arg1");
		OPT_REFUSE("p:f mode=count key=args", -EINVAL,
			   "key=args counts per argument value: fetch at least one (e.g. arg1)");
		OPT_REFUSE("p:f key=arg arg1", -EINVAL,
			   "key= is stack (the default) or args: count per stack and argument values");
		OPT_REFUSE("p:f key=args key=args arg1", -EINVAL, "option given twice");
		OPT_REFUSE("p:f key=arg1", -EINVAL,
			   "key= is stack (the default) or args: count per stack and argument values");
		r = st_spec_parse_text(&o, "f:f depth=8 ustack=fp mode=count", 32, &why);
		st_spec_format_options(&o, opts, sizeof(opts));
		ok(!r && o.ustack == ST_USTACK_FP && !strcmp(opts, "mode=count ustack=fp depth=8"),
		   "ustack=fp", "f:f depth=8 ustack=fp mode=count");
		r = st_spec_parse_text(&o, "p:f ustack=copy", 15, &why);
		st_spec_format_options(&o, opts, sizeof(opts));
		ok(!r && o.ustack == ST_USTACK_COPY && o.ucopy_size == 4096 &&
		   !strcmp(opts, "ustack=copy,4096"), "ustack=copy: 4096 bytes", "p:f ustack=copy");
		r = st_spec_parse_text(&o, "u:/x:f ustack=copy,1001", 23, &why);
		st_spec_format_options(&o, opts, sizeof(opts));
		ok(!r && o.ucopy_size == 1008 && !strcmp(opts, "ustack=copy,1008"),
		   "ustack=copy,SIZE: rounded up to 8, on a u: probe too", "u:/x:f ustack=copy,1001");
		OPT_REFUSE("u:/x:f ustack=fp", -EINVAL, "a u: or ur: probe's stack is the user's already: no ustack=fp");
		OPT_REFUSE("u:/x:f arg1", -EINVAL, "u: and ur: probes fetch no arguments yet");
		r = st_spec_parse_text(&o, "ur:/x:f ret<0 lat>1ms", 21, &why);
		st_spec_format_options(&o, opts, sizeof(opts));
		ok(!r && o.kind == STACKTAP_KIND_URETPROBE && !strcmp(opts, "ret<0 lat>1ms"),
		   "ur: takes ret and lat conditions", "ur:/x:f ret<0 lat>1ms");
		OPT_REFUSE("p:f ustack=dwarf", -EINVAL, "ustack= is fp (the user stack walked by its frame pointers) or copy[,SIZE] (registers and SIZE bytes of it for stacktapctl to unwind)");
		OPT_REFUSE("p:f ustack=", -EINVAL, "ustack= is fp (the user stack walked by its frame pointers) or copy[,SIZE] (registers and SIZE bytes of it for stacktapctl to unwind)");
		OPT_REFUSE("p:f ustack=fp ustack=fp", -EINVAL, "option given twice");
		OPT_REFUSE("p:f ustack=copy,63", -ERANGE, "ustack=copy,SIZE must be 64..16384");
		OPT_REFUSE("p:f ustack=copy,16385", -ERANGE, "ustack=copy,SIZE must be 64..16384");
		OPT_REFUSE("p:f ustack=copy,", -EINVAL, "ustack=copy,SIZE takes a decimal number of bytes");
		OPT_REFUSE("p:f ustack=copy,0x100", -EINVAL, "ustack=copy,SIZE takes a decimal number of bytes");
		OPT_REFUSE("p:f ustack=copyx", -EINVAL, "ustack= is fp (the user stack walked by its frame pointers) or copy[,SIZE] (registers and SIZE bytes of it for stacktapctl to unwind)");
		OPT_REFUSE("p:f ustack=copy mode=count", -EINVAL, "ustack=copy keeps each hit's user stack in its record, and mode=count writes none");
		OPT_REFUSE("p:f ustack=arg1", -EINVAL, "ustack= is fp (the user stack walked by its frame pointers) or copy[,SIZE] (registers and SIZE bytes of it for stacktapctl to unwind)");
		OPT_REFUSE("p:f mode=fast", -EINVAL, "mode= is trace or count");
		OPT_REFUSE("p:f mode=", -EINVAL, "mode= is trace or count");
		OPT_REFUSE("p:f depth=0", -ERANGE, "depth= must be 1..256");
		OPT_REFUSE("p:f depth=100000", -ERANGE, "depth= must be 1..256");
		OPT_REFUSE("p:f depth=99999999999999999999999", -ERANGE, "depth= must be 1..256");
		OPT_REFUSE("p:f depth=-1", -EINVAL, "depth= takes a decimal number");
		OPT_REFUSE("p:f pid=0", -ERANGE, "pid= must be 1..4194304");
		OPT_REFUSE("p:f pid=", -EINVAL, "pid= takes a decimal number");
		OPT_REFUSE("p:f pid=1 pid=2", -EINVAL, "option given twice");
		OPT_REFUSE("p:f cpu=8192", -ERANGE, "cpu= must be 0..8191");
		OPT_REFUSE("p:f comm=", -EINVAL, "comm= takes 1..15 characters");
		OPT_REFUSE("p:f comm=0123456789abcdef", -EINVAL, "comm= takes 1..15 characters");
		OPT_REFUSE("p:f comm=a\x01b", -EINVAL, "comm= takes printable characters without spaces");
		OPT_REFUSE("p:f mode", -EINVAL, "unknown option (known: mode= key= ustack= depth= pid= comm= cpu= ring= maxactive= ret<OP>N lat<OP>T, arguments [NAME=]FETCH[:TYPE])");
		/* ret and lat conditions: r: only, once each, strict values. */
		OPT_REFUSE("p:f ret<0", -EINVAL, "ret conditions are r: and ur: probe options");
		OPT_REFUSE("f:f lat>1ms", -EINVAL, "lat conditions are r: and ur: probe options");
		OPT_REFUSE("r:f ret<0 ret>5", -EINVAL, "option given twice");
		OPT_REFUSE("r:f ret<", -EINVAL, "ret takes a number: decimal (-22) or hex (0x10)");
		OPT_REFUSE("r:f ret<x", -EINVAL, "ret takes a number: decimal (-22) or hex (0x10)");
		OPT_REFUSE("r:f ret<=-", -EINVAL, "ret takes a number: decimal (-22) or hex (0x10)");
		OPT_REFUSE("r:f ret==99999999999999999999", -EINVAL, "ret takes a number: decimal (-22) or hex (0x10)");
		OPT_REFUSE("r:f ret==0x1ffffffffffffffff", -EINVAL, "ret takes a number: decimal (-22) or hex (0x10)");
		OPT_REFUSE("r:f ret=5", -EINVAL, "unknown option (known: mode= key= ustack= depth= pid= comm= cpu= ring= maxactive= ret<OP>N lat<OP>T, arguments [NAME=]FETCH[:TYPE])");
		OPT_REFUSE("r:f lat>1h", -EINVAL, "lat takes a duration: N, Nns, Nus, Nms or Ns");
		OPT_REFUSE("r:f lat>ms", -EINVAL, "lat takes a duration: N, Nns, Nus, Nms or Ns");
		OPT_REFUSE("r:f lat>-1", -EINVAL, "lat takes a duration: N, Nns, Nus, Nms or Ns");
		OPT_REFUSE("r:f lat>3601s", -ERANGE, "lat: at most an hour (3600s)");
		OPT_REFUSE("r:f lat>99999999999999999999999", -ERANGE, "lat: at most an hour (3600s)");
#undef OPT_REFUSE
	}
	{
		static const struct { const char *in, *out; int op; long long val; } conds[] = {
			{ "r:f ret<0", "ret<0", ST_CMP_LT, 0 },
			{ "r:f ret==-22", "ret==-22", ST_CMP_EQ, -22 },
			{ "r:f ret!=0", "ret!=0", ST_CMP_NE, 0 },
			{ "r:f ret>=0x10", "ret>=16", ST_CMP_GE, 16 },
			{ "r:f ret<=0xffffffffffffffea", "ret<=-22", ST_CMP_LE, -22 },
			{ "r:f ret>-9223372036854775808", "ret>-9223372036854775808", ST_CMP_GT,
			  -9223372036854775807LL - 1 },
			{ "r:f lat>1ms", "lat>1ms", ST_CMP_GT, 1000000 },
			{ "r:f lat>=1500us", "lat>=1500us", ST_CMP_GE, 1500000 },
			{ "r:f lat<2000000", "lat<2ms", ST_CMP_LT, 2000000 },
			{ "r:f lat<3600s", "lat<3600s", ST_CMP_LT, 3600000000000LL },
			{ "r:f lat==0", "lat==0ns", ST_CMP_EQ, 0 },
		};
		struct st_spec o;
		char buf[128];
		size_t i;
		int r;

		for (i = 0; i < sizeof(conds) / sizeof(conds[0]); i++) {
			const struct st_cond *c;

			r = st_spec_parse_text(&o, conds[i].in, strlen(conds[i].in), &why);
			c = conds[i].in[4] == 'l' ? &o.lat_cond : &o.ret_cond;
			st_spec_format_options(&o, buf, sizeof(buf));
			ok(!r && c->op == conds[i].op && c->val == conds[i].val &&
			   !strcmp(buf, conds[i].out), "condition parsed and formatted", conds[i].in);
			if (r || strcmp(buf, conds[i].out))
				printf("# got %d (%s), '%s'\n", r, r ? why : "", buf);
		}
		r = st_spec_parse_text(&o, "r:f lat>1ms ret<0 maxactive=8", 29, &why);
		st_spec_format_options(&o, buf, sizeof(buf));
		ok(!r && !strcmp(buf, "maxactive=8 ret<0 lat>1ms") && !o.filters,
		   "conditions with options, no entry filter", buf);
		ok(st_cond_true(&o.ret_cond, -22) && !st_cond_true(&o.ret_cond, 0) &&
		   st_cond_true(&o.lat_cond, 1000001) && !st_cond_true(&o.lat_cond, 1000000),
		   "conditions evaluate", "ret<0 lat>1ms");
	}

	{
		/* Arguments: [NAME=]FETCH[:TYPE], canonical in the options. */
		static const struct { const char *in, *out; } args[] = {
			{ "p:f arg1", "arg1" },
			{ "p:f dev=+0(arg1):string", "dev=+0(arg1):string" },
			{ "r:f flags=arg2:x32 arg3:s64", "flags=arg2:x32 arg3:s64" },
			{ "p:f+0x10 %di %x0:u8", "%di %x0:u8" },
			{ "p:f +0x10(-8(%sp)):symbol", "+16(-8(%sp)):symbol" },
			{ "f:f* n=+8(+0(+16(+24(arg8)))):u16", "n=+8(+0(+16(+24(arg8)))):u16" },
			{ "p:f mode=count a_1=arg1 depth=4", "mode=count depth=4 a_1=arg1" },
			{ "p:f arg1=arg2 arg2_name=+0(arg1):string", "arg1=arg2 arg2_name=+0(arg1):string" },
			{ "r:f ret<0 arg1:u64", "ret<0 arg1:u64" },
		};
		static const struct { const char *in; int err; const char *why; } bad[] = {
			{ "p:f arg0", -EINVAL, "argN: N is 1..8" },
			{ "p:f arg9", -EINVAL, "argN: N is 1..8" },
			{ "p:f argx", -EINVAL, "unknown option (known: mode= key= ustack= depth= pid= comm= cpu= ring= maxactive= ret<OP>N lat<OP>T, arguments [NAME=]FETCH[:TYPE])" },
			{ "p:f+4 arg1", -EINVAL, "argN is the argument at the function's entry: a p: probe with an offset sees registers the function has since changed (use %REG)" },
			{ "f:f %di", -EINVAL, "f: probes fetch arguments (argN); registers by name need p: or r:" },
			{ "p:f %", -EINVAL, "%REG names a register: %di, %x0, %a0" },
			{ "p:f %verylongreg", -EINVAL, "%REG names a register: %di, %x0, %a0" },
			{ "p:f +8arg1", -EINVAL, "+OFF(FETCH): the fetch goes in parentheses" },
			{ "p:f +8(arg1", -EINVAL, "+OFF(FETCH): the fetch goes in parentheses" },
			{ "p:f +(arg1)", -EINVAL, "OFF in +OFF(FETCH) is a decimal or 0x hex number of bytes (at most 0x7fffffff)" },
			{ "p:f +-8(arg1)", -EINVAL, "OFF in +OFF(FETCH) is a decimal or 0x hex number of bytes (at most 0x7fffffff)" },
			{ "p:f +0x80000000(arg1)", -EINVAL, "OFF in +OFF(FETCH) is a decimal or 0x hex number of bytes (at most 0x7fffffff)" },
			{ "p:f +0(+0(+0(+0(+0(arg1)))))", -EINVAL, "at most 4 dereferences: +OFF(+OFF(+OFF(+OFF(FETCH))))" },
			{ "p:f +0(foo)", -EINVAL, "an argument's FETCH is argN, %REG or +OFF(FETCH)" },
			{ "p:f arg1:u128", -EINVAL, "unknown type (known: u8..u64 s8..s64 x8..x64 string symbol)" },
			{ "p:f arg1:", -EINVAL, "unknown type (known: u8..u64 s8..s64 x8..x64 string symbol)" },
			{ "p:f 1x=arg1", -EINVAL, "an argument's NAME is a C identifier" },
			{ "p:f =arg1", -EINVAL, "an argument's NAME is a C identifier" },
			{ "p:f a-b=arg1", -EINVAL, "an argument's NAME is a C identifier" },
			{ "p:f ret=arg1", -EINVAL, "an argument's NAME may not be an option's or ret, lat or func" },
			{ "p:f a=arg1 a=arg2", -EINVAL, "two arguments of the same name" },
			{ "p:f arg1 arg1", -EINVAL, "two arguments of the same name" },
			{ "p:f abcdefghijklmnopqrstuvwxyz123456=arg1", -EINVAL, "an argument's NAME is at most 31 characters" },
			{ "p:f +1000(+1000(+1000(+1000(arg1))))", -EINVAL, "name a fetch over 31 characters: NAME=FETCH" },
			{ "p:f arg1 arg2 arg3 arg4 arg5 arg6 arg7 arg8 %di", -E2BIG, "at most 8 arguments" },
			{ "p:f pid=arg1", -EINVAL, "pid= takes a decimal number" },
		};
		struct st_spec o;
		char buf[STACKTAP_TEXT_MAX];
		size_t i;
		int r;

		for (i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
			r = st_spec_parse_text(&o, args[i].in, strlen(args[i].in), &why);
			st_spec_format_options(&o, buf, sizeof(buf));
			ok(!r && !strcmp(buf, args[i].out), "argument parsed and formatted", args[i].in);
			if (r || strcmp(buf, args[i].out))
				printf("# got %d (%s), '%s'\n", r, r ? why : "", buf);
		}
		r = st_spec_parse_text(&o, "p:f dev=+0(+8(arg1)):string %di", 31, &why);
		ok(!r && o.nargs == 2 && o.args[0].named && !strcmp(o.args[0].name, "dev") &&
		   o.args[0].base == ST_ARG_ARGN && o.args[0].argn == 1 && o.args[0].nderef == 2 &&
		   o.args[0].off[0] == 8 && o.args[0].off[1] == 0 &&
		   o.args[0].type == STACKTAP_ARG_STRING && !o.args[1].named &&
		   !strcmp(o.args[1].name, "%di") && o.args[1].base == ST_ARG_REG &&
		   !strcmp(o.args[1].reg, "di") && o.args[1].type == STACKTAP_ARG_DEFAULT,
		   "argument fields, innermost offset first", "p:f dev=+0(+8(arg1)):string %di");
		r = st_spec_parse_text(&o, "p:f -16(%sp):s32", 16, &why);
		ok(!r && o.args[0].off[0] == -16, "negative offset", "p:f -16(%sp):s32");
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			r = st_spec_parse_text(&o, bad[i].in, strlen(bad[i].in), &why);
			ok(r == bad[i].err && !strcmp(why, bad[i].why), "refuses argument", bad[i].in);
			if (r != bad[i].err || strcmp(why, bad[i].why))
				printf("# got %d (%s)\n", r, why);
		}
	}

	st_spec_parse(&a, "vfs_read+16", 11, &why);
	st_spec_parse(&b, "p:vfs_read+0x10", 15, &why);
	ok(st_spec_equal(&a, &b), "equal specs compare equal", "vfs_read+16");
	st_spec_parse(&b, "r:vfs_read", 10, &why);
	ok(!st_spec_equal(&a, &b), "kinds differ", "r:vfs_read");

	printf("1..%d\n", nr);
	return failed ? 1 : 0;
}
