// SPDX-License-Identifier: GPL-2.0
/*
 * stacktapctl: drive stacktap over its generic netlink family.
 *
 *	stacktapctl add SPEC...		stacktapctl list [--json]
 *	stacktapctl del SPEC|ID...	stacktapctl stats [--json]
 *	stacktapctl clear		stacktapctl show [--json]
 *	stacktapctl reset		stacktapctl help
 *
 * Exit status: 0 done, 1 the operation failed, 2 usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>

#include "../include/uapi/linux/stacktap.h"
#include "nl.h"

#define TRACE_FILE "/sys/kernel/debug/stacktap/trace"

static const char *prog = "stacktapctl";
static int json;

struct cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *args;
	const char *help;
	int json_ok;
};

static const struct cmd *find_cmd(const char *name);
static void usage(FILE *f);

/* Report a failed request the way a user can act on it; returns 1. */
static int fail(const char *what, const char *arg, int err, const char *why)
{
	if (err == ENOENT && !why[0] && !arg) {
		fprintf(stderr, "%s: stacktap module not loaded (try: insmod stacktap.ko)\n", prog);
		return 1;
	}
	fprintf(stderr, "%s: %s", prog, what);
	if (arg)
		fprintf(stderr, " '%s'", arg);
	fprintf(stderr, ": %s", why[0] ? why : strerror(err));
	if (err == EPERM)
		fprintf(stderr, " (stacktap needs CAP_SYS_ADMIN: run as root)");
	fputc('\n', stderr);
	return 1;
}

static int simple(uint8_t cmd, const char *what)
{
	struct st_req req = { .cmd = cmd };
	int err = st_request(&req);

	if (err == ENOENT && !req.why[0])
		return fail(what, NULL, err, req.why);
	return err ? fail(what, NULL, err, req.why) : 0;
}

static int cmd_add(int argc, char **argv)
{
	int i, ret = 0, err;

	if (argc < 2)
		return -1;
	for (i = 1; i < argc; i++) {
		struct st_req req = { .cmd = STACKTAP_CMD_PROBE_ADD, .spec = argv[i] };

		err = st_request(&req);
		if (err)
			ret = fail("add", err == ENOENT && !req.why[0] ? NULL : argv[i], err, req.why);
	}
	return ret;
}

static int cmd_del(int argc, char **argv)
{
	int i, ret = 0, err;
	char *end;

	if (argc < 2)
		return -1;
	for (i = 1; i < argc; i++) {
		struct st_req req = { .cmd = STACKTAP_CMD_PROBE_DEL };
		unsigned long id = strtoul(argv[i], &end, 10);

		if (*argv[i] && !*end && id <= UINT32_MAX) {
			req.id = id;
			req.has_id = true;
		} else {
			req.spec = argv[i];
		}
		err = st_request(&req);
		if (err)
			ret = fail("del", err == ENOENT && !req.why[0] ? NULL : argv[i], err, req.why);
	}
	return ret;
}

/* Print @s as a JSON string. */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

struct attrs {
	const struct nlattr *a[STACKTAP_A_MAX + 1];
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct attrs *t = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, STACKTAP_A_MAX) >= 0)
		t->a[type] = attr;
	return MNL_CB_OK;
}

static uint64_t u64_of(const struct nlattr *a)
{
	return a ? mnl_attr_get_u64(a) : 0;
}

static uint32_t u32_of(const struct nlattr *a)
{
	return a ? mnl_attr_get_u32(a) : 0;
}

struct listing {
	unsigned int n;
};

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct listing *l = data;
	struct attrs t = { 0 };
	uint32_t flags;
	const char *spec;

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), attr_cb, &t);
	spec = t.a[STACKTAP_A_SPEC] ? mnl_attr_get_str(t.a[STACKTAP_A_SPEC]) : "?";
	flags = u32_of(t.a[STACKTAP_A_PROBE_FLAGS]);
	if (json) {
		printf("%s\n  {\"id\": %" PRIu32 ", \"spec\": ", l->n ? "," : "",
		       u32_of(t.a[STACKTAP_A_PROBE_ID]));
		json_str(spec);
		printf(", \"hits\": %" PRIu64 ", \"misses\": %" PRIu64
		       ", \"pending\": %s, \"via_ftrace\": %s}",
		       u64_of(t.a[STACKTAP_A_HITS]), u64_of(t.a[STACKTAP_A_MISSES]),
		       flags & STACKTAP_PROBE_F_PENDING ? "true" : "false",
		       flags & STACKTAP_PROBE_F_VIA_FTRACE ? "true" : "false");
	} else {
		if (!l->n)
			printf("%-4s %-40s %12s %10s\n", "ID", "SPEC", "HITS", "MISSES");
		printf("%-4" PRIu32 " %-40s %12" PRIu64 " %10" PRIu64 "%s%s\n",
		       u32_of(t.a[STACKTAP_A_PROBE_ID]), spec,
		       u64_of(t.a[STACKTAP_A_HITS]), u64_of(t.a[STACKTAP_A_MISSES]),
		       flags & STACKTAP_PROBE_F_PENDING ? " pending" : "",
		       flags & STACKTAP_PROBE_F_VIA_FTRACE ? " via=ftrace" : "");
	}
	l->n++;
	return MNL_CB_OK;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct listing *l = data;
	struct attrs t = { 0 };

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), attr_cb, &t);
	if (json) {
		printf("%s\n  {\"cpu\": %" PRIu32 ", \"written\": %" PRIu64
		       ", \"dropped\": %" PRIu64 ", \"bytes\": %" PRIu64 "}",
		       l->n ? "," : "", u32_of(t.a[STACKTAP_A_CPU]),
		       u64_of(t.a[STACKTAP_A_WRITTEN]), u64_of(t.a[STACKTAP_A_DROPPED]),
		       u64_of(t.a[STACKTAP_A_BYTES]));
	} else {
		if (!l->n)
			printf("%-5s %12s %12s %12s\n", "CPU", "WRITTEN", "DROPPED", "BYTES");
		printf("%-5" PRIu32 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 "\n",
		       u32_of(t.a[STACKTAP_A_CPU]), u64_of(t.a[STACKTAP_A_WRITTEN]),
		       u64_of(t.a[STACKTAP_A_DROPPED]), u64_of(t.a[STACKTAP_A_BYTES]));
	}
	l->n++;
	return MNL_CB_OK;
}

static int dump(uint8_t cmd, mnl_cb_t cb, const char *what)
{
	struct listing l = { 0 };
	struct st_req req = { .cmd = cmd, .dump = true, .cb = cb, .data = &l };
	int err;

	if (json)
		printf("[");
	err = st_request(&req);
	if (json)
		printf("%s]\n", l.n ? "\n" : "");
	return err ? fail(what, NULL, err, req.why) : 0;
}

static int cmd_list(int argc, char **argv)
{
	return argc > 1 ? -1 : dump(STACKTAP_CMD_PROBE_LIST, list_cb, "list");
}

static int cmd_stats(int argc, char **argv)
{
	return argc > 1 ? -1 : dump(STACKTAP_CMD_STATS_GET, stats_cb, "stats");
}

static int cmd_clear(int argc, char **argv)
{
	return argc > 1 ? -1 : simple(STACKTAP_CMD_CLEAR, "clear");
}

static int cmd_reset(int argc, char **argv)
{
	return argc > 1 ? -1 : simple(STACKTAP_CMD_RESET, "reset");
}

/* show --json: one object per record: header fields, then frames. */
static void show_json(FILE *f)
{
	char line[1024], spec[512], rest[512];
	unsigned int pid, cpu, n = 0, frames = 0;
	double ts;
	int in = 0;

	printf("[");
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0]) {
			if (in)
				printf("]}");
			in = 0;
			continue;
		}
		if (!strncmp(line, " => ", 4)) {
			if (in) {
				printf("%s", frames++ ? ", " : "");
				json_str(line + 4);
			}
			continue;
		}
		rest[0] = '\0';
		/* <comm>-<pid> [<cpu>] <s.us>: <spec>[ fields] */
		char *dash = strrchr(line, '[');
		if (!dash || dash == line)
			continue;
		while (dash > line && dash[-1] == ' ')
			dash--;
		*dash = '\0';
		char *p = strrchr(line, '-');
		if (!p || sscanf(p + 1, "%u", &pid) != 1 ||
		    sscanf(dash + 1, " [%u] %lf: %511s %511[^\n]", &cpu, &ts, spec, rest) < 3)
			continue;
		*p = '\0';	/* line now holds the comm */
		printf("%s\n  {\"comm\": ", n++ ? "," : "");
		json_str(line);
		printf(", \"pid\": %u, \"cpu\": %u, \"time\": %.6f, \"probe\": ", pid, cpu, ts);
		json_str(spec);
		printf(", \"fields\": ");
		json_str(rest);
		printf(", \"frames\": [");
		frames = 0;
		in = 1;
	}
	if (in)
		printf("]}");
	printf("%s]\n", n ? "\n" : "");
}

static int cmd_show(int argc, char **argv)
{
	char buf[65536];
	size_t n;
	FILE *f;

	if (argc > 1)
		return -1;
	f = fopen(TRACE_FILE, "r");
	if (!f) {
		if (errno == ENOENT)
			fprintf(stderr, "%s: show: %s missing: is stacktap loaded and debugfs mounted? "
				"(try: insmod stacktap.ko; mount -t debugfs none /sys/kernel/debug)\n",
				prog, TRACE_FILE);
		else
			fprintf(stderr, "%s: show: %s: %s%s\n", prog, TRACE_FILE, strerror(errno),
				errno == EACCES ? " (run as root)" : "");
		return 1;
	}
	if (json) {
		show_json(f);
	} else {
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			fwrite(buf, 1, n, stdout);
	}
	fclose(f);
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	usage(stdout);
	return 0;
}

static const struct cmd cmds[] = {
	{ "add", cmd_add, "SPEC...", "arm probes: [p:|r:|f:]SYMBOL[+OFFSET] [OPTION...]", 0 },
	{ "del", cmd_del, "SPEC|ID...", "disarm probes by spec or by id", 0 },
	{ "list", cmd_list, "", "list probes with hits and misses", 1 },
	{ "stats", cmd_stats, "", "per-CPU records written, dropped, bytes in use", 1 },
	{ "show", cmd_show, "", "print the recorded stacks", 1 },
	{ "clear", cmd_clear, "", "drop every record", 0 },
	{ "reset", cmd_reset, "", "disarm and remove every probe", 0 },
	{ "help", cmd_help, "", "this text", 0 },
};

static const struct cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s [--json] COMMAND [ARGS]\n\nCommands:\n", prog);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-6s %-11s %s\n", cmds[i].name, cmds[i].args, cmds[i].help);
	fprintf(f, "\n--json: machine-readable output for list, stats and show.\n"
		   "Exit status: 0 done, 1 the operation failed, 2 usage.\n"
		   "See stacktapctl(8).\n");
}

int main(int argc, char **argv)
{
	const struct cmd *c;
	int i, j, ret;

	/* --json and -h/--help may stand anywhere; the rest stays in order. */
	for (i = j = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return cmd_help(0, NULL);
		else
			argv[j++] = argv[i];
	}
	argc = j;
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	c = find_cmd(argv[1]);
	if (!c) {
		fprintf(stderr, "%s: unknown command '%s' (try: %s help)\n", prog, argv[1], prog);
		return 2;
	}
	if (json && !c->json_ok) {
		fprintf(stderr, "%s: %s has no --json output\n", prog, c->name);
		return 2;
	}
	ret = c->run(argc - 1, argv + 1);
	if (ret < 0) {
		fprintf(stderr, "Usage: %s %s %s\n", prog, c->name, c->args);
		return 2;
	}
	return ret;
}
