// SPDX-License-Identifier: GPL-2.0
/*
 * stacktapctl: drive stacktap over its generic netlink family.
 *
 *	stacktapctl add SPEC...		stacktapctl list [--json]
 *	stacktapctl del SPEC|ID...	stacktapctl stats [--json]
 *	stacktapctl clear		stacktapctl show [--json]
 *	stacktapctl reset		stacktapctl stream [--json]
 *	stacktapctl help		stacktapctl report [--folded|--json] [PROBE]
 *
 * Configuration goes over netlink; records and stacks are read from
 * stacktap's debugfs files.
 *
 * Exit status: 0 done, 1 the operation failed, 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/genetlink.h>

#include "../include/uapi/linux/stacktap.h"
#include "funcs.h"
#include "nl.h"
#include "records.h"
#include "recording.h"
#include "stream.h"
#include "usyms.h"

const char *prog = "stacktapctl";
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
	/* Not for other refusals, such as lockdown's. */
	if (err == EPERM && (!why[0] || strstr(why, "CAP_SYS_ADMIN")))
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

/* PROBE_ADD's reply: the new probe's id and flags. */
struct added {
	uint32_t id, flags;
	uint64_t matched;	/* an f: glob's functions, 0 for the rest */
};

static int id_cb(const struct nlmsghdr *nlh, void *data);

/*
 * A word that is an option rather than a probe spec: key=value, a
 * condition (ret<0, lat>1ms), or an argument's fetch (arg1, %di, +8(arg1),
 * NAME=FETCH).
 */
static int is_option(const char *word)
{
	size_t key = strspn(word, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");

	if (word[0] == '%' || word[0] == '+' || word[0] == '-' ||
	    (!strncmp(word, "arg", 3) && word[3] >= '0' && word[3] <= '9'))
		return 1;
	return key && (word[key] == '=' || word[key] == '<' || word[key] == '>' ||
		       (word[key] == '!' && word[key + 1] == '='));
}

/*
 * Each SPEC word, with the option words after it joined on as perf probe
 * joins its arguments: "add vfs_read mode=count" is one probe.  The whole
 * line is grouped before anything is armed, and it is all or nothing: if
 * one probe is refused, the ones this command armed are taken off again.
 */
static int cmd_add(int argc, char **argv)
{
	char **specs = calloc(argc, sizeof(*specs));
	struct added *ids = calloc(argc, sizeof(*ids));
	int i, n = 0, armed = 0, ret = 1, err;
	size_t len;

	if (!specs || !ids) {
		fprintf(stderr, "%s: add: out of memory\n", prog);
		goto out;
	}
	if (argc < 2) {
		ret = -1;
		goto out;
	}
	for (i = 1; i < argc; i++) {
		if (!is_option(argv[i]) || !n) {
			if (is_option(argv[i])) {
				fprintf(stderr, "%s: add: option '%s' comes before any probe "
					"(try: %s add SYMBOL %s)\n", prog, argv[i], prog, argv[i]);
				ret = 2;
				goto out;
			}
			specs[n++] = strdup(argv[i]);
		} else {
			char *joined;

			len = strlen(specs[n - 1]) + strlen(argv[i]) + 2;
			joined = realloc(specs[n - 1], len);
			if (!joined) {
				fprintf(stderr, "%s: add: out of memory\n", prog);
				goto out;
			}
			specs[n - 1] = strcat(strcat(joined, " "), argv[i]);
		}
		if (!specs[n - 1]) {
			fprintf(stderr, "%s: add: out of memory\n", prog);
			goto out;
		}
	}
	for (armed = 0; armed < n; armed++) {
		struct st_req req = { .cmd = STACKTAP_CMD_PROBE_ADD, .spec = specs[armed],
				      .cb = id_cb, .data = &ids[armed] };

		err = st_request(&req);
		if (err) {
			fail("add", err == ENOENT && !req.why[0] ? NULL : specs[armed], err, req.why);
			break;
		}
	}
	if (armed == n) {
		for (i = 0; i < n; i++) {
			printf("%" PRIu32 " %s%s", ids[i].id, specs[i],
			       ids[i].flags & STACKTAP_PROBE_F_PENDING ?
			       " (pending: armed when its module loads)" : "");
			if (ids[i].matched)
				printf(" (on %" PRIu64 " function%s)", ids[i].matched,
				       ids[i].matched > 1 ? "s" : "");
			putchar('\n');
		}
		ret = 0;
		goto out;
	}
	for (i = 0; i < armed; i++) {
		struct st_req req = { .cmd = STACKTAP_CMD_PROBE_DEL, .id = ids[i].id, .has_id = true };

		if (st_request(&req))
			fprintf(stderr, "%s: add: could not take '%s' (id %" PRIu32 ") off again: %s\n",
				prog, specs[i], ids[i].id, req.why[0] ? req.why : "failed");
	}
	if (armed)
		fprintf(stderr, "%s: add: nothing armed: the %d probe%s before '%s' %s taken off again\n",
			prog, armed, armed > 1 ? "s" : "", specs[armed], armed > 1 ? "were" : "was");
out:
	for (i = 0; specs && i < n; i++)
		free(specs[i]);
	free(specs);
	free(ids);
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

static int id_cb(const struct nlmsghdr *nlh, void *data)
{
	struct added *a = data;
	struct attrs t = { 0 };

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), attr_cb, &t);
	a->id = u32_of(t.a[STACKTAP_A_PROBE_ID]);
	a->flags = u32_of(t.a[STACKTAP_A_PROBE_FLAGS]);
	a->matched = u64_of(t.a[STACKTAP_A_COUNT]);
	return MNL_CB_OK;
}

static void list_header(void)
{
	printf("%-4s %-40s %12s %10s %10s %10s %-8s %s\n", "ID", "SPEC", "HITS",
	       "MISSES", "FILTERED", "OVERFLOW", "STATE", "OPTIONS");
}

struct listing {
	unsigned int n;
	uint64_t dropped;	/* stats: summed over CPUs */
	int quiet;		/* stats: only sum */
};

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct listing *l = data;
	struct attrs t = { 0 };
	const char *spec, *opts;
	uint32_t flags;

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), attr_cb, &t);
	spec = t.a[STACKTAP_A_SPEC] ? mnl_attr_get_str(t.a[STACKTAP_A_SPEC]) : "?";
	opts = t.a[STACKTAP_A_OPTIONS] ? mnl_attr_get_str(t.a[STACKTAP_A_OPTIONS]) : "";
	flags = u32_of(t.a[STACKTAP_A_PROBE_FLAGS]);
	if (json) {
		printf("%s\n  {\"id\": %" PRIu32 ", \"spec\": ", l->n ? "," : "",
		       u32_of(t.a[STACKTAP_A_PROBE_ID]));
		json_str(spec);
		printf(", \"hits\": %" PRIu64 ", \"misses\": %" PRIu64
		       ", \"filtered\": %" PRIu64 ", \"overflow\": %" PRIu64
		       ", \"options\": ",
		       u64_of(t.a[STACKTAP_A_HITS]), u64_of(t.a[STACKTAP_A_MISSES]),
		       u64_of(t.a[STACKTAP_A_FILTERED]), u64_of(t.a[STACKTAP_A_OVERFLOW]));
		json_str(opts);
		printf(", \"state\": \"%s\", \"pending\": %s, \"via_ftrace\": %s",
		       flags & STACKTAP_PROBE_F_PENDING ? "pending" : "armed",
		       flags & STACKTAP_PROBE_F_PENDING ? "true" : "false",
		       flags & STACKTAP_PROBE_F_VIA_FTRACE ? "true" : "false");
		if (t.a[STACKTAP_A_COUNT])
			printf(", \"matched\": %" PRIu64, u64_of(t.a[STACKTAP_A_COUNT]));
		printf("}");
	} else {
		if (!l->n)
			list_header();
		printf("%-4" PRIu32 " %-40s %12" PRIu64 " %10" PRIu64 " %10" PRIu64
		       " %10" PRIu64 " %-8s %s%s",
		       u32_of(t.a[STACKTAP_A_PROBE_ID]), spec,
		       u64_of(t.a[STACKTAP_A_HITS]), u64_of(t.a[STACKTAP_A_MISSES]),
		       u64_of(t.a[STACKTAP_A_FILTERED]), u64_of(t.a[STACKTAP_A_OVERFLOW]),
		       flags & STACKTAP_PROBE_F_PENDING ? "pending" : "armed", opts,
		       flags & STACKTAP_PROBE_F_VIA_FTRACE ? " via=ftrace" : "");
		/* An f: glob: on how many functions. */
		if (t.a[STACKTAP_A_COUNT])
			printf("%smatched=%" PRIu64, opts[0] ? " " : "", u64_of(t.a[STACKTAP_A_COUNT]));
		putchar('\n');
	}
	l->n++;
	return MNL_CB_OK;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct listing *l = data;
	struct attrs t = { 0 };

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), attr_cb, &t);
	l->dropped += u64_of(t.a[STACKTAP_A_DROPPED]);
	if (l->quiet)
		return MNL_CB_OK;
	if (json) {
		printf("%s\n  {\"cpu\": %" PRIu32 ", \"written\": %" PRIu64
		       ", \"dropped\": %" PRIu64 ", \"overwritten\": %" PRIu64
		       ", \"bytes\": %" PRIu64 ", \"overflow\": %" PRIu64 "}",
		       l->n ? "," : "", u32_of(t.a[STACKTAP_A_CPU]),
		       u64_of(t.a[STACKTAP_A_WRITTEN]), u64_of(t.a[STACKTAP_A_DROPPED]),
		       u64_of(t.a[STACKTAP_A_OVERWRITTEN]), u64_of(t.a[STACKTAP_A_BYTES]),
		       u64_of(t.a[STACKTAP_A_OVERFLOW]));
	} else {
		if (!l->n)
			printf("%-5s %12s %12s %12s %12s %12s\n", "CPU", "WRITTEN", "DROPPED",
			       "OVERWRITTEN", "BYTES", "OVERFLOW");
		printf("%-5" PRIu32 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64
		       " %12" PRIu64 "\n",
		       u32_of(t.a[STACKTAP_A_CPU]), u64_of(t.a[STACKTAP_A_WRITTEN]),
		       u64_of(t.a[STACKTAP_A_DROPPED]), u64_of(t.a[STACKTAP_A_OVERWRITTEN]),
		       u64_of(t.a[STACKTAP_A_BYTES]), u64_of(t.a[STACKTAP_A_OVERFLOW]));
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
	struct listing l = { 0 };
	struct st_req req = { .cmd = STACKTAP_CMD_PROBE_LIST, .dump = true,
			      .cb = list_cb, .data = &l };
	int err;

	if (argc > 1)
		return -1;
	if (json)
		printf("[");
	err = st_request(&req);
	if (json)
		printf("%s]\n", l.n ? "\n" : "");
	else if (!err && !l.n)
		list_header();	/* no probes: the header says so */
	if (err == EINTR)	/* NLM_F_DUMP_INTR */
		return fail("list", NULL, err, "probes were added or deleted while they were listed: run it again");
	return err ? fail("list", NULL, err, req.why) : 0;
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

/* Open stacktap's debugfs file @name for @cmd, saying what to do if not. */
static FILE *open_debugfs(const char *name, const char *cmd)
{
	char path[4200];
	FILE *f;

	if (debugfs_file(path, sizeof(path), name, cmd))
		return NULL;
	f = fopen(path, "r");
	if (f)
		return f;
	if (errno == ENOENT)
		fprintf(stderr, "%s: %s: %s missing: is stacktap loaded? (try: insmod stacktap.ko)\n",
			prog, cmd, path);
	else
		fprintf(stderr, "%s: %s: %s: %s%s\n", prog, cmd, path, strerror(errno),
			errno == EACCES ? " (run as root)" : "");
	return NULL;
}

/* Every record the buffers hold, as a snapshot stream gives them. */
struct snapshot {
	struct st_records records;
	struct st_rec *recs;
	size_t n;
	int err;
};

static int snapshot_record(struct st_records *s, const struct st_rec *r)
{
	struct snapshot *sn = (struct snapshot *)s;
	struct st_rec *more = realloc(sn->recs, (sn->n + 1) * sizeof(*more));

	if (!more) {
		sn->err = ENOMEM;
		return 1;
	}
	sn->recs = more;
	sn->recs[sn->n++] = *r;
	return 0;
}

static int rec_time_cmp(const void *a, const void *b)
{
	const struct st_rec *x = a, *y = b;

	return x->h.time_ns < y->h.time_ns ? -1 : x->h.time_ns > y->h.time_ns;
}

static volatile sig_atomic_t show_stop;

/*
 * --json show and report ask netlink first, for the raw addresses and
 * typed fields; a reader who may not see addresses reads debugfs.
 */
#define ST_USE_DEBUGFS	(-2)

/*
 * show without debugfs, or as JSON: the buffers' records over netlink,
 * oldest first; ST_USE_DEBUGFS when refused and @fallback.
 */
static int show_netlink(bool fallback)
{
	static char names[ST_NAMES_MAX][SYM_LEN];
	struct snapshot sn = { .records.record = snapshot_record };
	struct st_kernel_namer namer;
	struct st_conn conn = { 0 }, nconn = { 0 };
	unsigned int n = 0;
	char why[256] = "";
	size_t i;
	int err;

	err = st_conn_open(&conn);
	if (!err)
		err = st_conn_open(&nconn);
	if (!err)
		err = st_stream_start(&conn, &sn.records,
				      STACKTAP_STREAM_F_BACKLOG | STACKTAP_STREAM_F_ONCE,
				      why, sizeof(why));
	if (!err)
		err = st_stream_run(&conn, &sn.records, &show_stop, 0);
	if (!err)
		err = sn.err;
	st_kernel_namer_init(&namer, &nconn);
	if (!err)
		err = st_kernel_namer_user(&namer);
	if (sn.n)
		qsort(sn.recs, sn.n, sizeof(*sn.recs), rec_time_cmp);
	if (json && !err)
		printf("[");
	for (i = 0; i < sn.n && !err; i++) {
		err = namer.namer.name(&namer.namer, &sn.recs[i], names);
		if (!err)
			st_rec_print_in(&sn.recs[i], names, json, &n);
	}
	if (json && !err)
		printf("%s]\n", n ? "\n" : "");
	free(sn.recs);
	st_kernel_namer_free(&namer);
	st_conn_close(&nconn);
	st_conn_close(&conn);
	if (err == EPERM && fallback)
		return ST_USE_DEBUGFS;
	return err ? fail("show", NULL, err, why) : 0;
}

static int cmd_show(int argc, char **argv)
{
	static struct block b;
	struct st_usyms *us;
	unsigned int n = 0;
	char root[4096];
	FILE *f;

	int ret;

	if (argc > 1)
		return -1;
	if (debugfs_root(root, sizeof(root)))
		return show_netlink(false);
	if (json) {
		ret = show_netlink(true);
		if (ret != ST_USE_DEBUGFS)
			return ret;
	}
	f = open_debugfs("trace", "show");
	if (!f)
		return 1;
	us = st_usyms_new();
	if (us)
		debugfs_maps(us);
	if (json)
		printf("[");
	while (block_read(f, &b)) {
		block_user_names(&b, us);
		if (json) {
			printf("%s\n  ", n++ ? "," : "");
			record_print_json(&b);
		} else {
			block_print(&b);
		}
	}
	if (json)
		printf("%s]\n", n ? "\n" : "");
	st_usyms_free(us);
	fclose(f);
	return 0;
}

/* A counted stack as STACKS_GET sends it. */
struct counted {
	char spec[STACKTAP_TEXT_MAX];
	uint64_t count, first_ns;
	uint64_t *frames;
	uint16_t nr;
	bool truncated;
	bool has_lat;
	struct stacktap_latency lat;
	void *args;		/* key=args: A_ARGS, args_len bytes */
	size_t args_len;
};

struct counted_list {
	struct counted *c;
	size_t n;
	int err;
};

static int counted_cb(const struct nlmsghdr *nlh, void *data)
{
	struct counted_list *l = data;
	struct attrs t = { 0 };
	const struct nlattr *fr;
	struct counted *more, *c;
	size_t len;

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), attr_cb, &t);
	fr = t.a[STACKTAP_A_FRAMES];
	len = fr ? mnl_attr_get_payload_len(fr) : 0;
	if (!t.a[STACKTAP_A_SPEC] || mnl_attr_validate(t.a[STACKTAP_A_SPEC], MNL_TYPE_NUL_STRING) < 0 ||
	    !t.a[STACKTAP_A_COUNT] || mnl_attr_validate(t.a[STACKTAP_A_COUNT], MNL_TYPE_U64) < 0 ||
	    !t.a[STACKTAP_A_TIME] || mnl_attr_validate(t.a[STACKTAP_A_TIME], MNL_TYPE_U64) < 0 ||
	    len % sizeof(uint64_t) || len / sizeof(uint64_t) > STACKTAP_FRAMES_MAX) {
		l->err = EPROTO;
		return MNL_CB_ERROR;
	}
	more = realloc(l->c, (l->n + 1) * sizeof(*more));
	if (!more) {
		l->err = ENOMEM;
		return MNL_CB_ERROR;
	}
	l->c = more;
	c = &l->c[l->n];
	memset(c, 0, sizeof(*c));
	c->frames = malloc(len ? len : 1);
	if (!c->frames) {
		l->err = ENOMEM;
		return MNL_CB_ERROR;
	}
	l->n++;
	snprintf(c->spec, sizeof(c->spec), "%s", mnl_attr_get_str(t.a[STACKTAP_A_SPEC]));
	c->count = u64_of(t.a[STACKTAP_A_COUNT]);
	c->first_ns = u64_of(t.a[STACKTAP_A_TIME]);
	c->truncated = t.a[STACKTAP_A_TRUNCATED] != NULL;
	c->nr = len / sizeof(uint64_t);
	if (len)
		memcpy(c->frames, mnl_attr_get_payload(fr), len);
	fr = t.a[STACKTAP_A_ARGS];
	if (fr) {
		c->args_len = mnl_attr_get_payload_len(fr);
		c->args = malloc(c->args_len ? c->args_len : 1);
		if (!c->args) {
			l->err = ENOMEM;
			return MNL_CB_ERROR;
		}
		memcpy(c->args, mnl_attr_get_payload(fr), c->args_len);
	}
	fr = t.a[STACKTAP_A_LATENCY];
	if (fr && mnl_attr_get_payload_len(fr) == sizeof(c->lat)) {
		memcpy(&c->lat, mnl_attr_get_payload(fr), sizeof(c->lat));
		c->has_lat = true;
	}
	return MNL_CB_OK;
}

/* @c as the debugfs "stacks" file prints it, frames named by the kernel. */
static int counted_block(struct st_kernel_namer *namer, const struct counted *c,
			 struct block *b)
{
	static char names[ST_NAMES_MAX][SYM_LEN];
	static struct st_rec r;
	bool truncated;
	unsigned int i;
	int err;

	memset(&r.h, 0, sizeof(r.h));
	r.h.time_ns = c->first_ns;
	r.h.nr_frames = c->nr;
	memcpy(r.frames, c->frames, c->nr * sizeof(uint64_t));
	if (st_rec_set_args(&r, c->args, c->args ? c->args_len : 0))
		return EPROTO;
	err = namer->namer.name(&namer->namer, &r, names);
	if (err)
		return err;
	b->n = 0;
	snprintf(b->line[b->n++], LINE_MAX_LEN, "@[%s] %" PRIu64, c->spec, c->count);
	b->has_addr[0] = false;
	/* A key=args stack's values, as the stacks file prints them. */
	if (c->args) {
		memcpy(b->line[b->n], " args:", 7);
		st_rec_args_text(b->line[b->n] + 6, LINE_MAX_LEN - 6, &r, names);
		b->has_addr[b->n++] = false;
	}
	truncated = c->truncated;
	for (i = 0; i < c->nr; i++) {
		/* As the stacks file: the kernel's [truncated], then the user's. */
		if (c->frames[i] == STACKTAP_FRAME_USER) {
			if (truncated) {
				b->has_addr[b->n] = false;
				snprintf(b->line[b->n++], LINE_MAX_LEN, " => [truncated]");
			}
			truncated = false;
			b->has_addr[b->n] = false;
			snprintf(b->line[b->n++], LINE_MAX_LEN, " -- user --");
			continue;
		}
		b->addr[b->n] = c->frames[i];
		b->has_addr[b->n] = true;
		snprintf(b->line[b->n++], LINE_MAX_LEN, " => %.*s", SYM_LEN - 1, names[i]);
	}
	if (truncated) {
		b->has_addr[b->n] = false;
		snprintf(b->line[b->n++], LINE_MAX_LEN, " => [truncated]");
	}
	if (c->has_lat) {
		struct blat l;

		blat_from(&l, &c->lat);
		block_add_latency(b, &l);
	}
	return 0;
}

/*
 * report without debugfs, or as JSON: the counted stacks over netlink;
 * ST_USE_DEBUGFS when refused and @fallback.
 */
static int report_netlink(const char *probe, enum report_format fmt, bool callers,
			  bool latency, bool fallback)
{
	static struct block b;
	struct counted_list l = { 0 };
	struct st_req req = { .cmd = STACKTAP_CMD_STACKS_GET, .dump = true,
			      .cb = counted_cb, .data = &l };
	struct st_kernel_namer namer;
	struct st_conn conn = { 0 };
	struct report r;
	size_t i;
	int err, ret;

	st_kernel_namer_init(&namer, &conn);
	err = st_conn_open(&conn);
	if (!err) {
		err = st_conn_request(&conn, &req);
		if (l.err)
			err = l.err;
	}
	if (err) {
		ret = err == EPERM && fallback ? ST_USE_DEBUGFS : fail("report", NULL, err, req.why);
		goto out;
	}
	if (st_kernel_namer_user(&namer)) {
		ret = fail("report", NULL, ENOMEM, "");
		goto out;
	}
	report_begin(&r, probe, fmt);
	r.callers = callers;
	r.latency = latency;
	for (i = 0; i < l.n && !r.err; i++) {
		err = counted_block(&namer, &l.c[i], &b);
		if (err)
			break;
		report_block(&r, &b);
	}
	if (err)
		r.err = 1;	/* no partial folded output */
	ret = report_end(&r);
	if (err)
		ret = fail("report", NULL, err, "");
out:
	for (i = 0; i < l.n; i++) {
		free(l.c[i].frames);
		free(l.c[i].args);
	}
	free(l.c);
	st_kernel_namer_free(&namer);
	st_conn_close(&conn);
	return ret;
}

static int cmd_report(int argc, char **argv)
{
	enum report_format fmt = json ? REPORT_JSON : REPORT_TEXT;
	const char *probe = NULL;
	bool callers = false, latency = false;
	struct st_usyms *us;
	char root[4096];
	int i, ret;
	FILE *f;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-i"))
			return report_recording(argc, argv, json);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--folded") && !json && !callers && !latency)
			fmt = REPORT_FOLDED;
		else if (!strcmp(argv[i], "--callers") && fmt != REPORT_FOLDED && !latency)
			callers = true;
		else if (!strcmp(argv[i], "--latency") && fmt != REPORT_FOLDED && !callers)
			latency = true;
		else if (argv[i][0] != '-' && !probe)
			probe = argv[i];
		else
			return -1;
	}
	/* "Who calls it" is asked of one probe (or symbol). */
	if ((callers || latency) && !probe)
		return -1;
	if (debugfs_root(root, sizeof(root)))
		return report_netlink(probe, fmt, callers, latency, false);
	if (json) {
		ret = report_netlink(probe, fmt, callers, latency, true);
		if (ret != ST_USE_DEBUGFS)
			return ret;
	}
	f = open_debugfs("stacks", "report");
	if (!f)
		return 1;
	us = st_usyms_new();
	if (us)
		debugfs_maps(us);
	ret = report_stacks(f, probe, fmt, callers, latency, us);
	st_usyms_free(us);
	fclose(f);
	return ret;
}

static volatile sig_atomic_t stream_stop;

static void stream_signal(int sig)
{
	stream_stop = 1;
}

struct streamer {
	struct st_records records;
	struct st_kernel_namer namer;
	unsigned long long printed, lost;
	int err;
};

static int stream_record(struct st_records *s, const struct st_rec *r)
{
	static char names[ST_NAMES_MAX][SYM_LEN];
	struct streamer *st = (struct streamer *)s;

	if (st_records_name(s, &st->namer.namer, r, names, &st->err))
		return 1;
	st_rec_print(r, names, json);
	st->printed++;
	st->lost += r->h.lost;
	/* The reader went away. */
	return fflush(stdout) == EOF;
}

/*
 * Follow the record stream (netlink: every stream gets every record) until
 * SIGINT or SIGTERM, then say how many were printed and how many the
 * buffers dropped meanwhile.  --backlog starts with the buffers' records.
 */
static int cmd_stream(int argc, char **argv)
{
	struct streamer st = { .records.record = stream_record };
	struct sigaction sa = { .sa_handler = stream_signal };
	struct st_conn conn = { 0 }, names = { 0 };
	bool backlog = false;
	char why[256];
	int err;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--backlog")))
		return -1;
	backlog = argc == 2;
	err = st_conn_open(&conn);
	if (!err)
		err = st_conn_open(&names);
	if (err) {
		st_conn_close(&conn);
		return fail("stream", NULL, err, "");
	}
	st_kernel_namer_init(&st.namer, &names);
	if (st_kernel_namer_user(&st.namer)) {
		st_conn_close(&names);
		st_conn_close(&conn);
		return fail("stream", NULL, ENOMEM, "");
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);	/* no SA_RESTART: poll() returns */
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	err = st_stream_start(&conn, &st.records, backlog ? STACKTAP_STREAM_F_BACKLOG : 0,
			      why, sizeof(why));
	if (!err)
		err = st_stream_run(&conn, &st.records, &stream_stop, 0);
	if (!err)
		err = st.err;
	st_kernel_namer_free(&st.namer);
	st_conn_close(&names);
	st_conn_close(&conn);
	if (err == EPROTO)
		return fail("stream", NULL, err, "the module sends records in a newer format: update stacktapctl");
	if (err)
		return fail("stream", NULL, err, why);
	fprintf(stderr, "%s: stream: %llu records printed, %llu dropped%s\n", prog,
		st.printed, st.lost, st_stream_ended(&st.records));
	return 0;
}

static int cmd_diff_json(int argc, char **argv)
{
	return cmd_diff(argc, argv, json);
}

static int cmd_funcs_json(int argc, char **argv)
{
	return cmd_funcs(argc, argv, json);
}

static int cmd_help(int argc, char **argv)
{
	usage(stdout);
	return 0;
}

/* This tool's version, and the loaded module's when there is one. */
static int cmd_version(void)
{
	char mod[64] = "";
	FILE *f = fopen("/sys/module/stacktap/version", "r");

	if (f) {
		if (!fgets(mod, sizeof(mod), f))
			mod[0] = '\0';
		mod[strcspn(mod, "\n")] = '\0';
		fclose(f);
	}
	printf("stacktapctl %s", STACKTAP_VERSION);
	if (mod[0])
		printf(", stacktap module %s", mod);
	printf("\n");
	return 0;
}

static const struct cmd cmds[] = {
	{ "add", cmd_add, "SPEC...", "arm probes: [p:|r:|f:]SYMBOL[+OFFSET] [OPTION...]", 0 },
	{ "del", cmd_del, "SPEC|ID...", "disarm probes by spec or by id", 0 },
	{ "list", cmd_list, "", "list probes with hits and misses", 1 },
	{ "stats", cmd_stats, "", "per-CPU records written, dropped, overwritten, bytes in use, stack overflow", 1 },
	{ "show", cmd_show, "", "print the recorded stacks", 1 },
	{ "report", cmd_report,
	  "[-i FILE [--vmlinux F] [--modules D] [--debug-dir D] [--symfs D] [--perf-script|--pprof OUT|--svg OUT]] [--folded|--callers|--latency] [PROBE]",
	  "unique stacks with counts, live or from a recording", 1 },
	{ "stream", cmd_stream, "[--backlog]", "follow new records until interrupted", 1 },
	{ "record", cmd_record, "-o FILE [--backlog] [--duration S] [--count N]",
	  "write records, probes and symbols to FILE", 0 },
	{ "diff", cmd_diff_json, "A B [--folded | --svg OUT] [--all] [PROBE]",
	  "stacks that appear, vanish or change count between two recordings", 1 },
	{ "funcs", cmd_funcs_json, "GLOB|MOD:GLOB",
	  "functions GLOB matches, and which of p: r: f: each can take", 1 },
	{ "clear", cmd_clear, "", "drop every record and counted stack", 0 },
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
		fprintf(f, "  %-6s %-18s %s\n", cmds[i].name, cmds[i].args, cmds[i].help);
	fprintf(f, "\nSPEC: [p:|r:|f:]SYMBOL[+OFFSET], u:/PATH:SYMBOL[+OFFSET] or ur:/PATH:SYMBOL,\n"
		   "      then options:\n"
		   "      [mode=trace|count] [key=stack|args] [ustack=fp|copy[,SIZE]] [depth=N] [pid=N]\n"
		   "      [comm=NAME] [cpu=N] [ring=overwrite|drop] [maxactive=N] [retOPN] [latOPT]\n"
		   "      [[NAME=]FETCH[:TYPE]...]\n"
		   "--json: machine-readable output for list, stats, show, report, stream, diff\n"
		   "and funcs, in one schema (see: man stacktapctl, JSON OUTPUT).\n"
		   "--version: this tool's version and the loaded module's.\n"
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
		else if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version"))
			return cmd_version();
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
