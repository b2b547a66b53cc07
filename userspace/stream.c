// SPDX-License-Identifier: GPL-2.0
/*
 * Binary records over netlink: start a stream, take the records out of
 * RECORDS messages, name their frames through the kernel (SYMBOLIZE, as
 * the debugfs files name them) and print them as trace_pipe does.
 */
#define _GNU_SOURCE	/* strerrorname_np */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>

#include "json.h"
#include "records.h"
#include "stream.h"
#include "usyms.h"

static void rec_from_le(struct stacktap_record *h)
{
	h->size = le32toh(h->size);
	h->flags = le32toh(h->flags);
	h->time_ns = le64toh(h->time_ns);
	h->ret = le64toh(h->ret);
	h->latency_ns = le64toh(h->latency_ns);
	h->cpu = le32toh(h->cpu);
	h->pid = le32toh(h->pid);
	h->tgid = le32toh(h->tgid);
	h->lost = le32toh(h->lost);
	h->nr_frames = le16toh(h->nr_frames);
	h->args_len = le16toh(h->args_len);
	h->probe_id = le32toh(h->probe_id);
	h->ucopy_len = le32toh(h->ucopy_len);
}

/*
 * F_UCOPY: the user copy at @off of the record at @p, ucopy_len bytes
 * inside its size, into @r; a record without one (or of a format before
 * 3) has ucopy_len 0.  -1 when it does not fit.
 */
static int rec_ucopy_parse(struct st_rec *r, const char *p, size_t off, bool le)
{
	struct stacktap_ucopy *u = &r->ucopy;
	unsigned int i;

	r->ucopy_len = 0;
	if (!(r->h.flags & STACKTAP_RECORD_F_UCOPY))
		return 0;
	off = (off + 7) & ~(size_t)7;
	if (r->h.ucopy_len < sizeof(*u) || r->h.ucopy_len > sizeof(r->ucopy_bytes) ||
	    off + r->h.ucopy_len > r->h.size)
		return -1;
	memcpy(r->ucopy_bytes, p + off, r->h.ucopy_len);
	if (le) {
		u->machine = le16toh(u->machine);
		u->size = le32toh(u->size);
		u->pc = le64toh(u->pc);
		u->sp = le64toh(u->sp);
	}
	/* Each part checked on its own: their sum could wrap on a 32-bit host. */
	if (u->nregs > STACKTAP_UCOPY_REGS_MAX || u->nuret > STACKTAP_UCOPY_URET_MAX ||
	    sizeof(*u) + (u->nregs + u->nuret) * sizeof(uint64_t) > r->h.ucopy_len ||
	    u->size > r->h.ucopy_len - sizeof(*u) - (u->nregs + u->nuret) * sizeof(uint64_t))
		return -1;
	for (i = 0; le && i < u->nregs + u->nuret; i++)
		u->regs[i] = le64toh(u->regs[i]);
	r->ucopy_len = r->h.ucopy_len;
	return 0;
}

void st_ucopy_text(const struct st_rec *r)
{
	if (r->ucopy_len)
		printf(" -- user copy: %u bytes from sp 0x%" PRIx64 " --\n", r->ucopy.size,
		       (uint64_t)r->ucopy.sp);
}

void st_ucopy_json(const struct st_rec *r)
{
	if (r->ucopy_len)
		printf(", \"ucopy\": {\"bytes\": %u, \"sp\": \"0x%" PRIx64 "\", \"pc\": \"0x%" PRIx64
		       "\"}", r->ucopy.size, (uint64_t)r->ucopy.sp, (uint64_t)r->ucopy.pc);
}

bool st_rec_arg_next(const struct st_rec *r, unsigned int *off, struct st_rec_arg *a)
{
	const struct stacktap_arg *e;

	if (!(r->h.flags & STACKTAP_RECORD_F_ARGS) || *off + sizeof(*e) > r->h.args_len)
		return false;
	e = (const struct stacktap_arg *)(r->args + *off);
	a->e = e;
	a->name = e->name;
	a->str = (const unsigned char *)e->name + e->name_len;
	a->value = 0;
	if (e->type != STACKTAP_ARG_STRING && e->value_len == sizeof(uint64_t))
		memcpy(&a->value, a->str, sizeof(a->value));
	*off += sizeof(*e) + e->name_len + e->value_len;
	return true;
}

/*
 * Check @r's arguments entry by entry, turn their numbers to this
 * machine's order when @le, and note the symbols' values to be named.
 */
static int rec_args_parse(struct st_rec *r, bool le)
{
	const struct stacktap_arg *e;
	unsigned int off = 0, n;
	uint64_t v;

	r->nsyms = 0;
	for (n = 0; off < r->h.args_len; n++) {
		e = (const struct stacktap_arg *)(r->args + off);
		if (n == STACKTAP_ARGS_MAX || off + sizeof(*e) > r->h.args_len ||
		    off + sizeof(*e) + e->name_len + e->value_len > r->h.args_len ||
		    !e->name_len || e->name_len >= STACKTAP_ARG_NAME_MAX ||
		    e->type == STACKTAP_ARG_DEFAULT || e->type >= __STACKTAP_ARG_LAST)
			return -1;
		if (e->flags & STACKTAP_ARG_F_FAULT) {
			if (e->value_len)
				return -1;
		} else if (e->type == STACKTAP_ARG_STRING) {
			if (e->value_len > STACKTAP_ARG_STRING_MAX)
				return -1;
		} else {
			if (e->value_len != sizeof(v))
				return -1;
			memcpy(&v, e->name + e->name_len, sizeof(v));
			if (le) {
				v = le64toh(v);
				memcpy(r->args + off + sizeof(*e) + e->name_len, &v, sizeof(v));
			}
			if (e->type == STACKTAP_ARG_SYMBOL)
				r->syms[r->nsyms++] = v;
		}
		off += sizeof(*e) + e->name_len + e->value_len;
	}
	return 0;
}

int st_rec_parse(const void *data, size_t len, struct st_rec *r, bool le, uint32_t format)
{
	/* Format 1 ended at args_len and a reserved __u16, before context. */
	size_t head = format >= 2 ? sizeof(r->h) : offsetof(struct stacktap_record, probe_id);
	const char *p = data;
	size_t frames;
	unsigned int i;

	if (len < head || format < 1 || format > STACKTAP_RECORD_FORMAT)
		return -1;
	memset(&r->h, 0, sizeof(r->h));
	memcpy(&r->h, p, head);
	if (format < 2)
		r->h.context = ST_CONTEXT_UNKNOWN;
	if (format < 3)
		r->h.flags &= ~STACKTAP_RECORD_F_UCOPY;
	if (le)
		rec_from_le(&r->h);
	if (!(r->h.flags & STACKTAP_RECORD_F_ARGS))
		r->h.args_len = 0;
	frames = (size_t)r->h.nr_frames * sizeof(uint64_t);
	if (r->h.size > len || r->h.nr_frames > STACKTAP_FRAMES_MAX ||
	    r->h.args_len > sizeof(r->args) ||
	    head + frames + r->h.spec_len + r->h.args_len > r->h.size)
		return -1;
	memcpy(r->frames, p + head, frames);
	for (i = 0; le && i < r->h.nr_frames; i++)
		r->frames[i] = le64toh(r->frames[i]);
	memcpy(r->spec, p + head + frames, r->h.spec_len);
	r->spec[r->h.spec_len] = '\0';
	r->h.comm[sizeof(r->h.comm) - 1] = '\0';
	memcpy(r->args, p + head + frames + r->h.spec_len, r->h.args_len);
	if (rec_ucopy_parse(r, p, head + frames + r->h.spec_len + r->h.args_len, le))
		return -1;
	return rec_args_parse(r, le);
}

int st_rec_set_args(struct st_rec *r, const void *args, size_t len)
{
	r->h.flags &= ~STACKTAP_RECORD_F_ARGS;
	r->h.args_len = 0;
	r->nsyms = 0;
	if (len > sizeof(r->args))
		return -1;
	if (!len)
		return 0;
	memcpy(r->args, args, len);
	r->h.args_len = len;
	r->h.flags |= STACKTAP_RECORD_F_ARGS;
	return rec_args_parse(r, false);
}

struct sym_reply {
	char (*names)[SYM_LEN];
	unsigned int n, max;
};

static int sym_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sym_reply *s = data;
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != STACKTAP_A_SYMBOL || s->n >= s->max ||
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			continue;
		snprintf(s->names[s->n++], SYM_LEN, "%s", mnl_attr_get_str(a));
	}
	return MNL_CB_OK;
}

struct sym_ask {
	struct sym_reply reply;
	const struct st_rec *r;
	unsigned int first, count;
};

/* Address @i of @r to name: its frames, then its symbol arguments'. */
static uint64_t rec_addr(const struct st_rec *r, unsigned int i)
{
	return i < r->h.nr_frames ? r->frames[i] : r->syms[i - r->h.nr_frames];
}

static void sym_put(struct nlmsghdr *nlh, void *data)
{
	struct sym_ask *q = data;
	unsigned int i;

	mnl_attr_put_u64(nlh, STACKTAP_A_TIME, q->r->h.time_ns);
	/* Frame 0 and arguments are exact addresses, the rest return addresses. */
	for (i = q->first; i < q->first + q->count; i++)
		mnl_attr_put_u64(nlh, i && i < q->r->h.nr_frames ? STACKTAP_A_RET_ADDR : STACKTAP_A_ADDR,
				 rec_addr(q->r, i));
}

struct maps_sink {
	st_map_fn fn;
	void *arg;
};

static int maps_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct maps_sink *sink = data;
	uint64_t start = 0, end = 0, pgoff = 0;
	const char *path = NULL;
	uint32_t tgid = 0;
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case STACKTAP_A_TGID:
			tgid = mnl_attr_get_u32(a);
			break;
		case STACKTAP_A_ADDR:
			start = mnl_attr_get_u64(a);
			break;
		case STACKTAP_A_MAP_END:
			end = mnl_attr_get_u64(a);
			break;
		case STACKTAP_A_MAP_PGOFF:
			pgoff = mnl_attr_get_u64(a);
			break;
		case STACKTAP_A_PATH:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
				path = mnl_attr_get_str(a);
			break;
		}
	}
	if (path && sink->fn(sink->arg, tgid, start, end, pgoff, path))
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

int st_maps_each(struct st_conn *conn, st_map_fn fn, void *arg)
{
	struct maps_sink sink = { fn, arg };
	struct st_req req = { .cmd = STACKTAP_CMD_MAPS_GET, .dump = true, .cb = maps_cb,
			      .data = &sink };

	return st_conn_request(conn, &req);
}

int st_maps_get(struct st_conn *conn, struct st_usyms *us)
{
	return st_maps_each(conn, st_usyms_map_fn, us);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * @r's user frames as "0xADDR func+0xOFF (BINARY)" where its process's
 * mappings (any process's, for a counted stack: tgid 0) name them.  A
 * frame none names asks the module for its mappings again, at most
 * every 200 ms: a process seen first since.
 */
static void user_names(struct st_kernel_namer *k, const struct st_rec *r,
		       char (*names)[SYM_LEN])
{
	unsigned int i, user = 0;
	char name[SYM_LEN - 24];
	bool named;

	for (i = 0; i < r->h.nr_frames; i++) {
		if (!user) {
			user = r->frames[i] == STACKTAP_FRAME_USER;
			continue;
		}
		named = st_usyms_name(k->usyms, r->h.tgid, r->frames[i], user > 1, name, sizeof(name));
		if (!named && now_ms() - k->maps_ms >= 200) {
			k->maps_ms = now_ms();
			named = !st_maps_get(k->conn, k->usyms) &&
				st_usyms_name(k->usyms, r->h.tgid, r->frames[i], user > 1, name,
					      sizeof(name));
		}
		if (named)
			snprintf(names[i], SYM_LEN, "0x%" PRIx64 " %s", r->frames[i], name);
		user++;
	}
}

static int kernel_name(struct st_namer *n, const struct st_rec *r, char (*names)[SYM_LEN])
{
	struct st_kernel_namer *k = (struct st_kernel_namer *)n;
	unsigned int i, total = r->h.nr_frames + r->nsyms;
	int err;

	for (i = 0; i < total; i += STACKTAP_SYMBOLIZE_MAX) {
		struct sym_ask q = { .r = r, .first = i };
		struct st_req req = { .cmd = STACKTAP_CMD_SYMBOLIZE, .cb = sym_reply_cb,
				      .data = &q.reply, .put = sym_put, .put_data = &q };

		q.count = total - i;
		if (q.count > STACKTAP_SYMBOLIZE_MAX)
			q.count = STACKTAP_SYMBOLIZE_MAX;
		q.reply.names = names + i;
		q.reply.max = q.count;
		err = st_conn_request(k->conn, &req);
		if (err)
			return err;
		for (; q.reply.n < q.count; q.reply.n++)
			snprintf(names[i + q.reply.n], SYM_LEN, "0x%" PRIx64, rec_addr(r, i + q.reply.n));
	}
	st_user_names(r->frames, r->h.nr_frames, names);
	if (k->usyms)
		user_names(k, r, names);
	return 0;
}

/*
 * ustack=: the user frames after STACKTAP_FRAME_USER are not the
 * kernel's to name: bare addresses (the marker's name is never shown).
 */
void st_user_names(const uint64_t *frames, unsigned int nr, char (*names)[SYM_LEN])
{
	bool user = false;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (frames[i] == STACKTAP_FRAME_USER)
			user = true;
		else if (user)
			snprintf(names[i], SYM_LEN, "0x%" PRIx64, frames[i]);
	}
}

/* The user stack's " -- user --" line, after the kernel's [truncated] if it was cut. */
void st_user_mark_text(bool *truncated)
{
	if (*truncated)
		printf(" => [truncated]\n");
	*truncated = false;
	printf(" -- user --\n");
}

/* A stack's " => " lines as trace prints them: the user's after " -- user --". */
void st_frames_text(const uint64_t *frames, unsigned int nr, char (*names)[SYM_LEN],
		    bool truncated)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (frames[i] != STACKTAP_FRAME_USER)
			printf(" => %s\n", names[i]);
		else
			st_user_mark_text(&truncated);
	}
	if (truncated)
		printf(" => [truncated]\n");
}

/* "frames": [...] and, with a user stack, "ustack": [...]. */
void st_frames_json(const uint64_t *frames, unsigned int nr, char (*names)[SYM_LEN])
{
	unsigned int i, n = 0;
	bool user = false;

	printf(", \"frames\": [");
	for (i = 0; i < nr; i++) {
		if (frames[i] == STACKTAP_FRAME_USER) {
			printf("], \"ustack\": [");
			n = 0;
			user = true;
			continue;
		}
		printf("%s", n++ ? ", " : "");
		if (user)
			json_uframe_text(names[i], frames[i]);
		else
			json_frame(names[i], &frames[i]);
	}
	printf("]");
}

int st_records_name(struct st_records *s, struct st_namer *n, const struct st_rec *r,
		    char (*names)[SYM_LEN], int *err)
{
	*err = n->name(n, r, names);
	if (*err == ENOENT) {
		/* Unloaded meanwhile: its end message is on its way. */
		*err = 0;
		s->ended = true;
		return 1;
	}
	return *err != 0;
}

void st_kernel_namer_init(struct st_kernel_namer *k, struct st_conn *conn)
{
	k->namer.name = kernel_name;
	k->conn = conn;
	k->usyms = NULL;
	k->maps_ms = -1000000;
}

int st_kernel_namer_user(struct st_kernel_namer *k)
{
	k->usyms = st_usyms_new();
	return k->usyms ? 0 : ENOMEM;
}

void st_kernel_namer_free(struct st_kernel_namer *k)
{
	st_usyms_free(k->usyms);
	k->usyms = NULL;
}

/* As the kernel escapes a task name in trace: the header's first word. */
static void comm_escape(char *dst, const char *comm)
{
	unsigned char c;

	for (; (c = *comm); comm++) {
		if (c > ' ' && c < 0x7f && c != '\\' && c != '[') {
			*dst++ = c;
			continue;
		}
		*dst++ = '\\';
		*dst++ = '0' + (c >> 6);
		*dst++ = '0' + ((c >> 3) & 7);
		*dst++ = '0' + (c & 7);
	}
	*dst = '\0';
}

/* The kernel's own errnos, which libc does not name (linux/errno.h). */
static const char *const st_kernel_errnos[] = {
	[512 - 512] = "ERESTARTSYS", [513 - 512] = "ERESTARTNOINTR",
	[514 - 512] = "ERESTARTNOHAND", [515 - 512] = "ENOIOCTLCMD",
	[516 - 512] = "ERESTART_RESTARTBLOCK", [517 - 512] = "EPROBE_DEFER",
	[518 - 512] = "EOPENSTALE", [519 - 512] = "ENOPARAM",
	[521 - 512] = "EBADHANDLE", [522 - 512] = "ENOTSYNC",
	[523 - 512] = "EBADCOOKIE", [524 - 512] = "ENOTSUPP",
	[525 - 512] = "ETOOSMALL", [526 - 512] = "ESERVERFAULT",
	[527 - 512] = "EBADTYPE", [528 - 512] = "EJUKEBOX",
	[529 - 512] = "EIOCBQUEUED", [530 - 512] = "ERECALLCONFLICT",
	[531 - 512] = "ENOGRACE",
};

/* An errno's name ("ENOENT"), or NULL. */
const char *st_errno_name(long err)
{
	if (err >= 512 && err < 512 + (long)(sizeof(st_kernel_errnos) / sizeof(st_kernel_errnos[0])))
		return st_kernel_errnos[err - 512];
	return err > 0 && err < 4096 ? strerrorname_np((int)err) : NULL;
}

/*
 * A return value as the trace prints it: "0", "42", "-2 (ENOENT)" for an
 * errno, "0x..." for a kernel pointer (a negative value past the errnos).
 */
void st_ret_format(char *buf, size_t size, uint64_t value)
{
	long v = (long)(unsigned long)value;
	const char *name;

	if (v < 0 && v >= -4095) {
		name = st_errno_name(-v);
		if (name)
			snprintf(buf, size, "%ld (%s)", v, name);
		else
			snprintf(buf, size, "%ld", v);
	} else if (v >= 0) {
		snprintf(buf, size, "%ld", v);
	} else {
		snprintf(buf, size, "0x%lx", (unsigned long)v);
	}
}

/* An argument's string as the kernel quotes it: one word, \ooo escapes. */
static size_t arg_string(char *buf, size_t size, const unsigned char *s, unsigned int n)
{
	size_t len = 0;
	unsigned int i;

	len += snprintf(buf + len, len < size ? size - len : 0, "\"");
	for (i = 0; i < n; i++) {
		if (s[i] > ' ' && s[i] < 0x7f && s[i] != '"' && s[i] != '\\')
			len += snprintf(buf + len, len < size ? size - len : 0, "%c", s[i]);
		else
			len += snprintf(buf + len, len < size ? size - len : 0, "\\%03o", s[i]);
	}
	len += snprintf(buf + len, len < size ? size - len : 0, "\"");
	return len;
}

/* A symbol argument's name, one word: "f+0x0/0x20[mod]". */
static void arg_symbol(char *buf, size_t size, const char *name)
{
	const char *mod = strstr(name, " [");

	if (mod)
		snprintf(buf, size, "%.*s%s", (int)(mod - name), name, mod + 1);
	else
		snprintf(buf, size, "%s", name);
}

/* A number's text: decimal for u and s types, true; 0x hex for x, false. */
static bool arg_number(char *buf, size_t size, const struct st_rec_arg *a)
{
	switch (a->e->type) {
	case STACKTAP_ARG_U8: case STACKTAP_ARG_U16:
	case STACKTAP_ARG_U32: case STACKTAP_ARG_U64:
		snprintf(buf, size, "%" PRIu64, a->value);
		return true;
	case STACKTAP_ARG_S8: case STACKTAP_ARG_S16:
	case STACKTAP_ARG_S32: case STACKTAP_ARG_S64:
		snprintf(buf, size, "%" PRId64, (int64_t)a->value);
		return true;
	default:
		snprintf(buf, size, "0x%" PRIx64, a->value);
		return false;
	}
}

size_t st_rec_args_text(char *buf, size_t size, const struct st_rec *r,
			char (*names)[SYM_LEN])
{
	unsigned int off = 0, sym = 0;
	struct st_rec_arg a;
	char name[SYM_LEN];
	size_t len = 0;

#define APPEND(...) (len += snprintf(buf + len, len < size ? size - len : 0, __VA_ARGS__))
	while (st_rec_arg_next(r, &off, &a)) {
		APPEND(" %.*s=", a.e->name_len, a.name);
		/* A faulted symbol has no name in syms[]: sym counts the others. */
		if (a.e->flags & STACKTAP_ARG_F_FAULT) {
			APPEND("(fault)");
			continue;
		}
		switch (a.e->type) {
		case STACKTAP_ARG_STRING:
			len += arg_string(buf + len, len < size ? size - len : 0, a.str, a.e->value_len);
			if (a.e->flags & STACKTAP_ARG_F_CUT)
				APPEND("(cut)");
			break;
		case STACKTAP_ARG_SYMBOL:
			arg_symbol(name, sizeof(name), sym < r->nsyms ?
				   names[r->h.nr_frames + sym++] : "?");
			APPEND("%s", name);
			break;
		default:
			arg_number(name, sizeof(name), &a);
			APPEND("%s", name);
		}
	}
#undef APPEND
	return len;
}

/* "func=NAME ret=.. lat=..ns NAME=VALUE..": what follows the spec in the header. */
static void rec_fields(char *buf, size_t size, const struct st_rec *r, char (*names)[SYM_LEN])
{
	size_t len = 0;

	buf[0] = '\0';
	if ((r->h.flags & STACKTAP_RECORD_F_GLOB) && r->h.nr_frames)
		len += snprintf(buf + len, size - len, "func=%.*s ",
				(int)strcspn(names[0], "+ "), names[0]);
	if (r->h.flags & STACKTAP_RECORD_F_RET && len < size) {
		char ret[48];

		st_ret_format(ret, sizeof(ret), r->h.ret);
		len += snprintf(buf + len, size - len, "ret=%s lat=%" PRIu64 "ns ", ret,
				(uint64_t)r->h.latency_ns);
	}
	if (len && len < size)
		buf[--len] = '\0';
	/* The arguments' text starts with its space. */
	if (len < size)
		st_rec_args_text(buf + len, size - len, r, names);
	if (buf[0] == ' ')
		memmove(buf, buf + 1, strlen(buf));
}

/* "args": {...}: numbers as numbers, hex and symbols as strings, faults null. */
static void rec_args_json(const struct st_rec *r, char (*names)[SYM_LEN])
{
	unsigned int off = 0, sym = 0, n = 0;
	struct st_rec_arg a;
	char buf[SYM_LEN], key[STACKTAP_ARG_NAME_MAX];

	printf(", \"args\": {");
	while (st_rec_arg_next(r, &off, &a)) {
		snprintf(key, sizeof(key), "%.*s", a.e->name_len, a.name);
		printf("%s", n++ ? ", " : "");
		json_str(key);
		printf(": ");
		if (a.e->flags & STACKTAP_ARG_F_FAULT) {
			printf("null");
			continue;
		}
		switch (a.e->type) {
		case STACKTAP_ARG_STRING:
			json_bytes(a.str, a.e->value_len);
			break;
		case STACKTAP_ARG_SYMBOL:
			json_str(sym < r->nsyms ? names[r->h.nr_frames + sym++] : "?");
			break;
		default:
			if (arg_number(buf, sizeof(buf), &a))
				printf("%s", buf);
			else
				json_str(buf);	/* hex */
		}
	}
	printf("}");
	/* Strings longer than kept, by name. */
	off = 0;
	n = 0;
	while (st_rec_arg_next(r, &off, &a)) {
		if (!(a.e->flags & STACKTAP_ARG_F_CUT))
			continue;
		snprintf(key, sizeof(key), "%.*s", a.e->name_len, a.name);
		printf("%s", n++ ? ", " : ", \"args_cut\": [");
		json_str(key);
	}
	if (n)
		printf("]");
}

/* enum stacktap_context's names. */
static const char *const st_contexts[] = { "task", "softirq", "hardirq", "nmi" };

void st_rec_print(const struct st_rec *r, char (*names)[SYM_LEN], bool json)
{
	st_rec_print_in(r, names, json, NULL);
}

void st_rec_print_in(const struct st_rec *r, char (*names)[SYM_LEN], bool json,
		     unsigned int *array)
{
	char comm[4 * sizeof(r->h.comm) + 1], fields[SYM_LEN + 64 + 4 * ST_ARGS_BYTES + STACKTAP_ARGS_MAX * SYM_LEN];
	uint64_t sec = r->h.time_ns / 1000000000;
	unsigned int usec = r->h.time_ns % 1000000000 / 1000;

	if (json) {
		/* JSON lines, or elements of an array @array counts. */
		const char *sep = !array ? "" : (*array)++ ? ",\n  " : "\n  ";

		if (r->h.lost) {
			printf("%s{\"cpu\": %u, \"lost\": %u}%s", sep, r->h.cpu, r->h.lost,
			       array ? "" : "\n");
			sep = array ? ",\n  " : "";
		}
		printf("%s{\"time\": %" PRIu64 ".%06u, \"cpu\": %u, \"comm\": ", sep, sec, usec,
		       r->h.cpu);
		json_str(r->h.comm);
		printf(", \"tid\": %u, \"tgid\": %u, \"context\": ", r->h.pid, r->h.tgid);
		if (r->h.context < sizeof(st_contexts) / sizeof(st_contexts[0]))
			json_str(st_contexts[r->h.context]);
		else
			printf("null");	/* format 1 */
		if (r->h.probe_id)
			printf(", \"probe_id\": %u, \"spec\": ", r->h.probe_id);
		else
			printf(", \"probe_id\": null, \"spec\": ");
		json_str(r->spec);
		printf(", ");
		json_func(r->h.nr_frames ? names[0] : NULL);
		if (r->h.flags & STACKTAP_RECORD_F_RET) {
			printf(", ");
			json_ret(r->h.ret);
			printf(", \"lat_ns\": %" PRIu64, (uint64_t)r->h.latency_ns);
		}
		if (r->h.flags & STACKTAP_RECORD_F_ARGS)
			rec_args_json(r, names);
		st_frames_json(r->frames, r->h.nr_frames, names);
		st_ucopy_json(r);
		printf(", \"truncated\": %s}%s",
		       r->h.flags & STACKTAP_RECORD_F_TRUNCATED ? "true" : "false", array ? "" : "\n");
		return;
	}
	rec_fields(fields, sizeof(fields), r, names);
	if (r->h.lost)
		printf("CPU:%u [LOST %u EVENTS]\n\n", r->h.cpu, r->h.lost);
	comm_escape(comm, r->h.comm);
	printf("%s-%u [%03u] %" PRIu64 ".%06u: %s%s%s\n", comm, r->h.pid, r->h.cpu, sec, usec,
	       r->spec, fields[0] ? " " : "", fields);
	st_frames_text(r->frames, r->h.nr_frames, names,
		       r->h.flags & STACKTAP_RECORD_F_TRUNCATED);
	st_ucopy_text(r);
	putchar('\n');
}

int st_records_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct st_records *s = data;
	static struct st_rec r;
	struct nlattr *a;

	if (g->cmd == STACKTAP_CMD_STREAM_END) {
		s->ended = true;
		return MNL_CB_STOP;
	}
	if (g->cmd != STACKTAP_CMD_RECORDS && g->cmd != STACKTAP_CMD_STREAM)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*g)) {
		switch (mnl_attr_get_type(a)) {
		case STACKTAP_A_FORMAT:
			s->format = mnl_attr_get_u32(a);
			/* An older module's format too: a newer tool reads it. */
			if (s->format < 1 || s->format > STACKTAP_RECORD_FORMAT) {
				s->bad_format = true;
				return MNL_CB_ERROR;
			}
			break;
		case STACKTAP_A_RECORD:
			if (st_rec_parse(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a), &r, false,
					 s->format))
				break;
			if (s->record(s, &r))
				return MNL_CB_STOP;
			break;
		}
	}
	return MNL_CB_OK;
}

static void stream_put(struct nlmsghdr *nlh, void *data)
{
	mnl_attr_put_u32(nlh, STACKTAP_A_STREAM_FLAGS, *(uint32_t *)data);
}

int st_stream_start(struct st_conn *conn, struct st_records *s, uint32_t flags,
		    char *why, size_t size)
{	struct st_req req = { .cmd = STACKTAP_CMD_STREAM, .cb = st_records_cb, .data = s };
	int bufsize = 4 << 20, one = 1, err;

	/* Room for bursts; a full socket is retried by the kernel, not dropped. */
	if (setsockopt(mnl_socket_get_fd(conn->nl), SOL_SOCKET, SO_RCVBUFFORCE,
		       &bufsize, sizeof(bufsize)))
		setsockopt(mnl_socket_get_fd(conn->nl), SOL_SOCKET, SO_RCVBUF,
			   &bufsize, sizeof(bufsize));
	mnl_socket_setsockopt(conn->nl, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	req.put = stream_put;
	req.put_data = &flags;
	err = st_conn_request(conn, &req);
	snprintf(why, size, "%s", req.why);
	return err;
}

const char *st_stream_ended(const struct st_records *s)
{
	if (!s->ended)
		return "";
	char state[16] = "";
	FILE *f = fopen("/sys/module/stacktap/initstate", "r");

	if (f) {
		if (!fgets(state, sizeof(state), f))
			state[0] = '\0';
		fclose(f);
	} else if (!access("/sys/module/stacktap/parameters", F_OK)) {
		strcpy(state, "live");	/* built in: it never goes */
	}
	/* A module going away is "going" until its exit is done. */
	return strncmp(state, "live", 4) ? " (stacktap was unloaded)" :
	       " (the stream was ended: eof)";
}

/*
 * Take records until *@stop, the end of the stream, @s's callback stops,
 * or @duration_ms (0: no limit) has passed; 0 or an errno.
 */
int st_stream_run(struct st_conn *conn, struct st_records *s, volatile sig_atomic_t *stop,
		  long duration_ms)
{
	struct pollfd pfd = { .fd = mnl_socket_get_fd(conn->nl), .events = POLLIN };
	struct timespec t0, t;
	long left = -1;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!*stop && !s->ended) {
		if (duration_ms) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			left = duration_ms - ((t.tv_sec - t0.tv_sec) * 1000 +
					      (t.tv_nsec - t0.tv_nsec) / 1000000);
			if (left <= 0)
				break;
		}
		ret = poll(&pfd, 1, left >= 0 && left < 1000 ? left : 1000);
		if (ret < 0 && errno != EINTR)
			return errno;
		if (ret <= 0) {
			/* Quiet: is stacktap still there? */
			if (access("/sys/module/stacktap", F_OK))
				s->ended = true;
			continue;
		}
		ret = st_conn_receive(conn, st_records_cb, s);
		if (ret == -1)
			break;		/* the callback stopped */
		if (ret == EINTR)
			continue;
		if (ret)
			return s->bad_format ? EPROTO : ret;
	}
	return 0;
}
