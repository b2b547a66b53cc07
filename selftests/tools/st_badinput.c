// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input for stacktap, over one interface at a time: a corpus of more
 * than 1000 malformed probe specs (random bytes, 64 KiB lines, unknown,
 * blacklisted, notrace and freed __init symbols, offsets inside an
 * instruction or past a function's end, duplicates, globs over thousands
 * of functions, depth=0 and depth=100000, bad options).  Every input must
 * be refused with an errno and a reason: a kernel log line of warning
 * level or worse, or, over netlink, the extended ack.  Prints one line per
 * category with the errnos seen, and exits 1 if any input was accepted or
 * refused without a reason.
 *
 *	st_badinput control | netlink | insmod STACKTAP_KO [STRIDE]
 *
 * STRIDE (insmod only): offer every STRIDE-th input, a load each, for a
 * time budget (make check); every category keeps its first input.
 *
 * control and netlink need stacktap loaded (the tool arms and removes
 * p:st_truth_leaf for its duplicates); insmod needs it unloaded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "st_nl.h"

enum mode { M_CONTROL, M_NETLINK, M_INSMOD };

#define MAX_INPUTS	2000
#define BIG		(64 * 1024)

struct input {
	const char *cat;
	char *buf;		/* the spec text, not NUL-terminated */
	size_t len;
	int raw;		/* control: the whole command, no "add " */
};

static struct input inputs[MAX_INPUTS];
static unsigned int ninputs;
static unsigned int stride;	/* insmod: every stride-th input, 0/1: all */
static enum mode mode;

static void add_bytes(const char *cat, const char *buf, size_t len, int raw)
{
	struct input *in;

	if (ninputs == MAX_INPUTS)
		return;
	in = &inputs[ninputs++];
	in->cat = cat;
	in->buf = malloc(len + 1);
	memcpy(in->buf, buf, len);
	in->buf[len] = '\0';
	in->len = len;
	in->raw = raw;
}

static void add(const char *cat, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add(const char *cat, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	add_bytes(cat, buf, n, 0);
}

static const char *const options[] = { "", " depth=4", " comm=sh mode=count" };
#define for_each_option(o) for (o = 0; o < sizeof(options) / sizeof(*options); o++)

/* What insmod cannot carry or would read as no spec at all is left out. */
static void build_corpus(void)
{
	/*
	 * NOKPROBE_SYMBOL on every arch.  (MIPS's 6.1 kprobes accept some of
	 * the kernel's own, get_kprobe and notifier_call_chain among them.)
	 */
	static const char *const blacklisted[] = {
		"notify_die", "st_capture_ftrace", "st_capture_regs", "st_capture_entry",
		"st_capture_return", "st_hit_filtered", "st_kprobe_pre", "st_kprobe_post",
		"st_fprobe_hit", "st_unwind_regs",
	};
	static const char *const notrace[] = {
		"ring_buffer_lock_reserve", "ftrace_set_filter", "register_ftrace_function",
		"tracing_on", "st_capture_ftrace", "st_fprobe_hit", "st_capture_regs",
		"st_capture_return",
	};
	static const char *const freed_init[] = {
		"p:start_kernel", "r:start_kernel", "f:start_kernel",
		"p:kernel_init_freeable", "r:kernel_init_freeable", "f:kernel_init_freeable",
		"p:st_truth_init", "r:st_truth_init",
	};
	static const char *const functions[] = {
		"st_truth_leaf", "st_truth_c", "st_truth_b", "st_truth_a", "vfs_read",
		"vfs_write", "ksys_write", "ksys_read", "do_sys_openat2", "kfree",
		"__kmalloc", "schedule", "register_netdevice", "kmem_cache_alloc",
		"do_nanosleep",
	};
	static const char *const past_end[] = {
		"st_truth_leaf+0x2000", "st_truth_leaf+0x1000", "st_truth_leaf+0x10000",
		"st_truth_leaf+0x100000", "st_truth_c+0x800", "vfs_read+0x100000",
		"vfs_read+0x7ffffff0", "kfree+0x400000", "schedule+0x1000000",
		"vfs_read+0xfffffffffffffff0", "vfs_read+0x1000", "kfree+0x1000",
	};
	static const char *const globs[] = {
		"*", "*_*", "*e*", "*a*", "*t*", "*r*", "*i*", "*o*", "*n*", "*s*",
		"[a-z]*", "?*", "*?", "[a-z_]*", "*[a-z]*",
	};
	static const char *const depths[] = {
		"depth=0", "depth=100000", "depth=-1", "depth=", "depth=abc", "depth=257",
		"depth=99999999999999999999", "depth=4 depth=8", "depth=0x10",
	};
	static const char *const bad_options[] = {
		"mode=x", "mode=", "pid=-1", "pid=abc", "pid=99999999999",
		"comm=aaaaaaaaaaaaaaaaaaaaaaaa", "cpu=-1", "cpu=100000", "cpu=4096",
		"maxactive=0", "maxactive=5000", "unknown=1", "=", "depth", "mode=trace mode=count",
		"comm=a comm=b", "pid=1 pid=2",
	};
	static const char *const malformed[] = {
		"p:", "r:", "f:", "x:vfs_read", "p:+0x10", "p:vfs_read+", "p:vfs_read+bar",
		"p:vfs_read+-1", "p:vfs read", "P:vfs_read", "p:vfs_read\tx", "p:vfs_read+0x",
		"p:vfs_read++1", "r:vfs_read+0x10", "p:vfs_read+1+1", "f:vfs_read+4",
		"p:vfs_read,", "p:*", "r:vfs_*", "p:vfs_read  depth=4  junk",
	};
	static const char *const kinds[] = { "p:", "r:", "f:" };
	char name[300];
	unsigned int i, k, o, nstruct;
	size_t len, j;

	for (i = 0; i < 50; i++)
		for (k = 0; k < 3; k++) {
			/* At load time an unknown f: name waits for a module. */
			if (mode == M_INSMOD && k == 2)
				continue;
			add("unknown symbol", "%sst_no_such_function_%u%s", kinds[k], i,
			    options[i % 3]);
		}
	for (i = 0; i < sizeof(blacklisted) / sizeof(*blacklisted); i++)
		for_each_option(o) {
			add("blacklisted", "p:%s%s", blacklisted[i], options[o]);
			add("blacklisted", "r:%s%s", blacklisted[i], options[o]);
		}
	for (i = 0; i < sizeof(notrace) / sizeof(*notrace); i++)
		for_each_option(o)
			add("notrace", "f:%s%s", notrace[i], options[o]);
	for (i = 0; i < sizeof(freed_init) / sizeof(*freed_init); i++)
		for_each_option(o)
			add("freed __init", "%s%s", freed_init[i], options[o]);
	for (i = 0; i < sizeof(functions) / sizeof(*functions); i++)
		for (j = 1; j <= 3; j++) {
			add("mid-instruction", "p:%s+%zu", functions[i], j);
			add("mid-instruction", "p:%s+0x%zx depth=4", functions[i], j);
		}
	for (i = 0; i < sizeof(past_end) / sizeof(*past_end); i++)
		for_each_option(o)
			add("past the end", "p:%s%s", past_end[i], options[o]);
	for (i = 0; i < sizeof(globs) / sizeof(*globs); i++)
		for_each_option(o)
			add("glob over thousands", "f:%s%s", globs[i], options[o]);
	for (i = 0; i < sizeof(depths) / sizeof(*depths); i++)
		for (k = 0; k < 3; k++)
			add("depth", "%sst_truth_c %s", kinds[k], depths[i]);
	for (i = 0; i < sizeof(bad_options) / sizeof(*bad_options); i++)
		for (k = 0; k < 3; k++)
			add("bad option", "%sst_truth_c %s", kinds[k], bad_options[i]);
	for (i = 0; i < sizeof(malformed) / sizeof(*malformed); i++)
		if (mode != M_INSMOD || !strchr(malformed[i], ','))	/* a list there */
			add("malformed", "%s", malformed[i]);
	memset(name, 'x', sizeof(name));
	for (len = 126; len <= 290; len += 4)
		add("malformed", "p:%.*s", (int)len, name);
	if (mode != M_INSMOD) {
		add("malformed", "%s", "");
		add("malformed", "%s", " ");
	}
	/* The same probe again: armed first by the tool, or twice in one list. */
	for (i = 0; i < 10; i++) {
		static const char *const dup[] = {
			"p:st_truth_leaf", "st_truth_leaf", "p:st_truth_leaf+0",
			"p:st_truth_leaf+0x0", "st_truth_leaf+0",
		};
		if (mode == M_INSMOD)
			add("duplicate", "%s%s,%s%s", dup[i % 5], options[i % 3],
			    dup[(i + 1) % 5], options[(i + 1) % 3]);
		else
			add("duplicate", "%s%s", dup[i % 5], options[i % 3]);
	}
	/* 64 KiB lines; netlink carries at most 65531 bytes in one attribute. */
	for (i = 0; i < 8; i++) {
		static char big[BIG + 4096];

		len = mode == M_NETLINK ? 60000 + i * 690 : BIG - 4 + i * 512;
		for (j = 0; j < len; j++)
			big[j] = i & 1 ? (char)('a' + j % 26) : (char)(0x20 + rand() % 0x5f);
		if (mode == M_INSMOD)
			for (j = 0; j < len; j++)
				if (big[j] == '"')
					big[j] = '?';
		memcpy(big, "p:", 2);
		add_bytes("64 KiB line", big, len, 0);
	}

	/* Random bytes make up the rest, and at least 400. */
	nstruct = ninputs;
	for (i = 0; i < 400 || ninputs < 1100; i++) {
		char buf[300];

		/* Mostly short enough for the parser to see, some longer. */
		len = 8 + rand() % (i % 8 ? 240 : sizeof(buf) - 8);
		for (j = 0; j < len; j++) {
			buf[j] = 1 + rand() % 255;
			if (mode == M_INSMOD && buf[j] == '"')
				buf[j] = '?';
		}
		buf[rand() % len] = 0x80 | rand();	/* never a valid name */
		add_bytes("random bytes", buf, len, mode == M_CONTROL && (i & 1));
	}
	printf("corpus: %u inputs, %u structured, %u random\n", ninputs, nstruct,
	       ninputs - nstruct);
}

/* Warning-or-worse kernel log records since the last call; the first in @why. */
static int kmsg_fd = -1;

static unsigned int kmsg_reasons(char *why, size_t size)
{
	char rec[8192];
	unsigned int n = 0;
	ssize_t len;

	while ((len = read(kmsg_fd, rec, sizeof(rec) - 1)) > 0 || (len < 0 && errno == EPIPE)) {
		char *msg;

		if (len <= 0)
			continue;	/* overwritten records: read on */
		rec[len] = '\0';
		msg = strchr(rec, ';');
		if (!msg || atoi(rec) % 8 > 4)
			continue;
		msg++;
		msg[strcspn(msg, "\n")] = '\0';
		if (!n++)
			snprintf(why, size, "%s", msg);
	}
	return n;
}

static int control_fd = -1;
static struct st_nl nl;
static char *ko_image;
static size_t ko_len;

static int control_write(const char *buf, size_t len)
{
	return write(control_fd, buf, len) < 0 ? errno : 0;
}

/* Offer one spec (or control command) through the interface; its errno. */
static int offer(const struct input *in, int del)
{
	static char cmd[BIG + 8192];
	size_t n;

	switch (mode) {
	case M_CONTROL:
		if (in->raw)
			return control_write(in->buf, in->len);
		n = snprintf(cmd, sizeof(cmd), "%s ", del ? "del" : "add");
		memcpy(cmd + n, in->buf, in->len);
		return control_write(cmd, n + in->len);
	case M_NETLINK:
		return st_nl_spec(&nl, del ? STACKTAP_CMD_PROBE_DEL : STACKTAP_CMD_PROBE_ADD,
				  in->buf, in->len + 1);
	case M_INSMOD:
		n = snprintf(cmd, sizeof(cmd), "buffer_kb=4 stacks_max=16 probes=\"");
		memcpy(cmd + n, in->buf, in->len);
		memcpy(cmd + n + in->len, "\"", 2);
		if (syscall(SYS_init_module, ko_image, ko_len, cmd) == 0) {
			syscall(SYS_delete_module, "stacktap", O_NONBLOCK);
			return 0;
		}
		return errno;
	}
	return 0;
}

struct category {
	const char *name;
	unsigned int inputs, refused, reasons;
	unsigned int errnos[256];
	char example[160];
};

static int setup(const char *ko)
{
	static const struct input leaf = { "setup", "p:st_truth_leaf", 15, 0 };
	struct stat st;
	int fd;

	switch (mode) {
	case M_CONTROL:
		control_fd = open("/sys/kernel/debug/stacktap/control", O_WRONLY);
		if (control_fd < 0) {
			perror("st_badinput: control");
			return -1;
		}
		break;
	case M_NETLINK:
		if (st_nl_open(&nl, "st_badinput"))
			return -1;
		break;
	case M_INSMOD:
		fd = open(ko, O_RDONLY);
		if (fd < 0 || fstat(fd, &st) < 0) {
			perror("st_badinput: module");
			return -1;
		}
		ko_len = st.st_size;
		ko_image = malloc(ko_len);
		if (read(fd, ko_image, ko_len) != (ssize_t)ko_len) {
			perror("st_badinput: module");
			return -1;
		}
		close(fd);
		return 0;
	}
	if (offer(&leaf, 0)) {
		fprintf(stderr, "st_badinput: could not arm p:st_truth_leaf for the duplicates\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct category cats[32];
	unsigned int ncats = 0, i, c, e, bad = 0;
	char why[512];

	if (argc < 2 || (!strcmp(argv[1], "insmod") && argc < 3)) {
		fprintf(stderr, "usage: st_badinput control | netlink | insmod STACKTAP_KO\n");
		return 2;
	}
	mode = !strcmp(argv[1], "control") ? M_CONTROL :
	       !strcmp(argv[1], "netlink") ? M_NETLINK : M_INSMOD;
	if (mode == M_INSMOD && argc > 3)
		stride = (unsigned int)strtoul(argv[3], NULL, 10);
	srand(7);
	build_corpus();
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg_fd < 0 || lseek(kmsg_fd, 0, SEEK_END) < 0) {
		perror("st_badinput: /dev/kmsg");
		return 1;
	}
	if (setup(argv[2]))
		return 1;
	kmsg_reasons(why, sizeof(why));

	for (i = 0; i < ninputs; i++) {
		const struct input *in = &inputs[i];
		struct category *cat = NULL;
		unsigned int logged;
		bool first;
		int err;

		first = !i || strcmp(in->cat, inputs[i - 1].cat);
		if (stride > 1 && i % stride && !first)
			continue;

		for (c = 0; c < ncats; c++)
			if (!strcmp(cats[c].name, in->cat))
				cat = &cats[c];
		if (!cat) {
			cat = &cats[ncats++];
			cat->name = in->cat;
		}
		cat->inputs++;
		err = offer(in, 0);
		why[0] = '\0';
		logged = kmsg_reasons(why, sizeof(why));
		if (!logged && mode == M_NETLINK && nl.why[0]) {
			snprintf(why, sizeof(why), "extack: %.400s", nl.why);
			logged = 1;
		}
		if (err > 0)
			cat->refused++;
		if (logged)
			cat->reasons++;
		cat->errnos[err > 0 && err < 256 ? err : 0]++;
		if (!cat->example[0] && err > 0 && logged)
			snprintf(cat->example, sizeof(cat->example), "%.60s -> %s: %.80s",
				 in->buf, strerrorname_np(err) ?: "?", why);
		if (err <= 0 || !logged) {
			bad++;
			printf("NOT REFUSED WITH A REASON: [%s] '%.80s' (%zu bytes): %s%s\n",
			       in->cat, in->buf, in->len, err > 0 ? strerror(err) :
			       err ? "no answer" : "accepted", logged ? "" : ", nothing logged");
			if (!err && mode != M_INSMOD)
				offer(in, 1);	/* take back what was armed */
		}
	}
	if (mode != M_INSMOD) {
		static const struct input leaf = { "setup", "p:st_truth_leaf", 15, 0 };

		offer(&leaf, 1);
	}

	for (c = 0; c < ncats; c++) {
		printf("%-20s %4u inputs, %4u refused, %4u with a reason:", cats[c].name,
		       cats[c].inputs, cats[c].refused, cats[c].reasons);
		for (e = 1; e < 256; e++)
			if (cats[c].errnos[e])
				printf(" %s %u", strerrorname_np(e) ?: "?", cats[c].errnos[e]);
		printf("\n  e.g. %s\n", cats[c].example);
	}
	for (c = 0, i = 0; c < ncats; c++)
		i += cats[c].inputs;
	printf("%s: %u inputs, %u refused with an errno and a reason, %u not\n", argv[1],
	       i, i - bad, bad);
	return bad ? 1 : 0;
}
