// SPDX-License-Identifier: GPL-2.0
/*
 * Recordings: stacktapctl record writes one on the target from the record
 * stream; report -i reads it anywhere, naming frames from the names the
 * kernel gave them when recorded or, given debug files, from DWARF.
 */
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <linux/genetlink.h>

#include "flamegraph.h"
#include "recording.h"
#include "records.h"

extern const char *prog;

static const unsigned char zeros[4];

int recording_chunk(FILE *f, uint32_t type, const void *data, uint32_t len)
{
	uint32_t head[2] = { htole32(type), htole32(len) };

	if (fwrite(head, sizeof(head), 1, f) != 1 || (len && fwrite(data, len, 1, f) != 1) ||
	    ((len & 3) && fwrite(zeros, 4 - (len & 3), 1, f) != 1))
		return -1;
	return 0;
}

/* The record with every field little-endian, whatever this machine's order. */
int recording_record(FILE *f, const struct st_rec *r)
{
	static unsigned char buf[sizeof(struct stacktap_record) +
				 STACKTAP_FRAMES_MAX * sizeof(uint64_t) + 256 + ST_ARGS_BYTES + 8 +
				 sizeof(r->ucopy_bytes)];
	struct stacktap_record h = r->h;
	uint32_t head = (sizeof(h) + h.nr_frames * 8 + h.spec_len + h.args_len + 7) & ~7u;
	uint32_t size = head + r->ucopy_len;
	unsigned char *args = buf + sizeof(h) + r->h.nr_frames * 8 + r->h.spec_len;
	unsigned int i, off = 0;
	struct st_rec_arg a;

	memset(buf, 0, size);
	h.ucopy_len = htole32(r->ucopy_len);
	if (!r->ucopy_len)
		h.flags &= ~STACKTAP_RECORD_F_UCOPY;
	h.size = htole32(size);
	h.flags = htole32(h.flags);
	h.time_ns = htole64(h.time_ns);
	h.ret = htole64(h.ret);
	h.latency_ns = htole64(h.latency_ns);
	h.cpu = htole32(h.cpu);
	h.pid = htole32(h.pid);
	h.tgid = htole32(h.tgid);
	h.lost = htole32(h.lost);
	h.nr_frames = htole16(h.nr_frames);
	h.args_len = htole16(h.args_len);
	h.probe_id = htole32(h.probe_id);
	memcpy(buf, &h, sizeof(h));
	for (i = 0; i < r->h.nr_frames; i++) {
		uint64_t a = htole64(r->frames[i]);

		memcpy(buf + sizeof(h) + i * 8, &a, 8);
	}
	memcpy(buf + sizeof(h) + r->h.nr_frames * 8, r->spec, r->h.spec_len);
	memcpy(args, r->args, r->h.args_len);
	/* Numbers little-endian too, in place. */
	while (st_rec_arg_next(r, &off, &a)) {
		if (a.e->type != STACKTAP_ARG_STRING && a.e->value_len == sizeof(uint64_t)) {
			uint64_t le = htole64(a.value);

			memcpy(args + (a.str - r->args), &le, sizeof(le));
		}
	}
	if (r->ucopy_len) {
		struct stacktap_ucopy *u = (struct stacktap_ucopy *)(buf + head);

		memcpy(u, r->ucopy_bytes, r->ucopy_len);
		u->machine = htole16(u->machine);
		u->size = htole32(u->size);
		u->pc = htole64(u->pc);
		u->sp = htole64(u->sp);
		for (i = 0; i < r->ucopy.nregs + r->ucopy.nuret; i++)
			u->regs[i] = htole64(u->regs[i]);
	}
	return recording_chunk(f, CHUNK_RECORD, buf, size);
}

/* An ELF note file's GNU build-id as hex, or "" (sysfs notes files). */
static void note_build_id(const char *path, char *hex, size_t size)
{
	unsigned char buf[4096];
	size_t n, off = 0, i;
	FILE *f = fopen(path, "rb");

	hex[0] = '\0';
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	while (off + 12 <= n) {
		uint32_t namesz, descsz, type;

		memcpy(&namesz, buf + off, 4);
		memcpy(&descsz, buf + off + 4, 4);
		memcpy(&type, buf + off + 8, 4);
		off += 12;
		if (off + ((namesz + 3) & ~3u) + descsz > n)
			return;
		if (type == 3 && namesz == 4 && !memcmp(buf + off, "GNU", 4)) {
			off += 4;
			for (i = 0; i < descsz && 2 * i + 2 < size; i++)
				sprintf(hex + 2 * i, "%02x", buf[off + i]);
			return;
		}
		off += ((namesz + 3) & ~3u) + ((descsz + 3) & ~3u);
	}
}

/* A kernel symbol's address from /proc/kallsyms; 0 when hidden or absent. */
static uint64_t kallsyms_addr(const char *name)
{
	char line[512], sym[256], type;
	unsigned long long addr;
	FILE *f = fopen("/proc/kallsyms", "r");
	uint64_t found = 0;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, sym) == 3 && !strcmp(sym, name) &&
		    !strchr(line, '[')) {
			found = addr;
			break;
		}
	}
	if (f)
		fclose(f);
	return found;
}

int recording_meta(FILE *f)
{
	const char *text_sym = "_text";
	char text[1024], id[128];
	struct utsname u;
	uint64_t text_addr = kallsyms_addr(text_sym);
	int len;

	/* Where kallsyms leaves _text out (MIPS: it is below _stext). */
	if (!text_addr) {
		text_sym = "_stext";
		text_addr = kallsyms_addr(text_sym);
	}
	if (uname(&u))
		return -1;
	if (!text_addr) {
		fprintf(stderr, "%s: record: /proc/kallsyms hides kernel addresses (run as root, kptr_restrict below 2)\n",
			prog);
		return -1;
	}
	note_build_id("/sys/kernel/notes", id, sizeof(id));
	len = snprintf(text, sizeof(text),
		       "release=%s\nversion=%s\nmachine=%s\nbuild_id=%s\ntext=0x%" PRIx64
		       "\ntext_symbol=%s\nstacktap=%s\nformat=%u\ntime=%lld\n",
		       u.release, u.version, u.machine, id, text_addr, text_sym, STACKTAP_VERSION,
		       STACKTAP_RECORD_FORMAT, (long long)time(NULL));
	return recording_chunk(f, CHUNK_META, text, len + 1);
}

int recording_modules(FILE *f)
{
	char line[1024], name[256], path[600], text[16384], sec[256], id[128];
	unsigned long long size, base, addr;
	FILE *m = fopen("/proc/modules", "r"), *s;
	struct dirent *d;
	size_t len;
	DIR *dir;

	if (!m)
		return 0;
	while (fgets(line, sizeof(line), m)) {
		if (sscanf(line, "%255s %llu %*s %*s %*s %llx", name, &size, &base) != 3)
			continue;
		snprintf(path, sizeof(path), "/sys/module/%s/notes/.note.gnu.build-id", name);
		note_build_id(path, id, sizeof(id));
		len = snprintf(text, sizeof(text), "name=%s\nbase=0x%llx\nsize=%llu\nbuild_id=%s\n",
			       name, base, size, id);
		snprintf(path, sizeof(path), "/sys/module/%s/sections", name);
		dir = opendir(path);
		while (dir && (d = readdir(dir)) && len < sizeof(text) - 600) {
			if (d->d_name[0] == '.' && (!d->d_name[1] || !strcmp(d->d_name, "..")))
				continue;
			snprintf(path, sizeof(path), "/sys/module/%s/sections/%s", name, d->d_name);
			s = fopen(path, "r");
			if (!s)
				continue;
			if (fscanf(s, "%llx", &addr) == 1 && addr) {
				snprintf(sec, sizeof(sec), "%s", d->d_name);
				len += snprintf(text + len, sizeof(text) - len, "section=%s 0x%llx\n",
						sec, addr);
			}
			fclose(s);
		}
		if (dir)
			closedir(dir);
		if (recording_chunk(f, CHUNK_MODULE, text, len + 1)) {
			fclose(m);
			return -1;
		}
	}
	fclose(m);
	return 0;
}

/* (address, is a return address) pairs already named in a recording. */
struct symset {
	uint64_t *keys;		/* address << 1 | ret, plus one; 0 is free */
	size_t cap, n;
};

static uint64_t sym_key(uint64_t addr, bool ret)
{
	return (addr << 1 | ret) + 1;
}

/* 1 when added, 0 when there already, -1 without memory. */
static int symset_add(struct symset *s, uint64_t key)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap) {
		struct symset bigger = { .cap = s->cap ? 2 * s->cap : 1024 };

		bigger.keys = calloc(bigger.cap, sizeof(*bigger.keys));
		if (!bigger.keys)
			return -1;
		for (i = 0; i < s->cap; i++)
			if (s->keys[i])
				symset_add(&bigger, s->keys[i]);
		free(s->keys);
		*s = bigger;
	}
	for (i = (key * 0x9e3779b97f4a7c15ull) % s->cap; s->keys[i]; i = (i + 1) % s->cap)
		if (s->keys[i] == key)
			return 0;
	s->keys[i] = key;
	s->n++;
	return 1;
}

struct recorder {
	struct st_records records;
	FILE *f;
	struct st_kernel_namer namer;
	struct symset syms;
	unsigned long long n, lost, max;
	int err;
};

/* A record, and the kernel's names of the frames it is the first to hold. */
static int recorder_record(struct st_records *s, const struct st_rec *r)
{
	static char names[ST_NAMES_MAX][SYM_LEN];
	static unsigned char buf[8 + 1 + SYM_LEN];
	struct recorder *rc = (struct recorder *)s;
	bool named = false;
	unsigned int i;
	uint64_t le;
	int added;

	if (recording_record(rc->f, r))
		goto err_write;
	/* The kernel's frames: the user's (ustack=) are not its to name. */
	for (i = 0; i < r->h.nr_frames && r->frames[i] != STACKTAP_FRAME_USER; i++) {
		added = symset_add(&rc->syms, sym_key(r->frames[i], i > 0));
		if (added < 0) {
			rc->err = ENOMEM;
			return 1;
		}
		if (!added)
			continue;
		if (!named) {
			/* Unloaded meanwhile: the record stays, unnamed. */
			if (st_records_name(s, &rc->namer.namer, r, names, &rc->err))
				return 1;
			named = true;
		}
		le = htole64(r->frames[i]);
		memcpy(buf, &le, 8);
		buf[8] = i > 0;
		names[i][SYM_LEN - 1] = '\0';
		memcpy(buf + 9, names[i], strlen(names[i]) + 1);
		if (recording_chunk(rc->f, CHUNK_SYMBOL, buf, 9 + strlen(names[i]) + 1))
			goto err_write;
	}
	rc->n++;
	rc->lost += r->h.lost;
	return rc->max && rc->n >= rc->max;

err_write:
	rc->err = errno ? errno : EIO;
	return 1;
}

static int probe_chunk_cb(const struct nlmsghdr *nlh, void *data)
{
	char text[STACKTAP_TEXT_MAX + 32];
	const char *spec = "?", *opts = "";
	uint32_t id = 0;
	struct nlattr *a;
	int len;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == STACKTAP_A_PROBE_ID)
			id = mnl_attr_get_u32(a);
		else if (mnl_attr_get_type(a) == STACKTAP_A_SPEC)
			spec = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == STACKTAP_A_OPTIONS)
			opts = mnl_attr_get_str(a);
	}
	len = snprintf(text, sizeof(text), "%u %s%s%s", id, spec, opts[0] ? " " : "", opts);
	return recording_chunk(data, CHUNK_PROBE, text, len + 1) ? MNL_CB_ERROR : MNL_CB_OK;
}

/* One MAPS line, as the chunk holds them. */
static int maps_line(void *f, uint32_t tgid, uint64_t start, uint64_t end, uint64_t pgoff,
		     const char *path)
{
	return fprintf(f, "%u %" PRIx64 "-%" PRIx64 " %" PRIx64 " %s\n", tgid, start, end, pgoff,
		       path) < 0;
}

/*
 * A MAPS chunk: the code mappings the module took of the processes whose
 * user stacks were recorded; none, no chunk.  0, or an errno.
 */
int recording_maps(FILE *f, struct st_conn *conn)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int err;

	m = open_memstream(&buf, &len);
	if (!m)
		return ENOMEM;
	err = st_maps_each(conn, maps_line, m);
	if (fclose(m) && !err)
		err = ENOMEM;
	if (!err && len && recording_chunk(f, CHUNK_MAPS, buf, len + 1))
		err = errno ? errno : EIO;
	free(buf);
	return err;
}

static volatile sig_atomic_t record_stop;

static void record_signal(int sig)
{
	record_stop = 1;
}

/*
 * record -o FILE [--backlog] [--duration SECONDS] [--count N]: the record
 * stream into FILE until interrupted, with the probes, the kernel's and
 * modules' identities and the names of every frame recorded.
 */
int cmd_record(int argc, char **argv)
{
	struct recorder rc = { .records.record = recorder_record };
	struct sigaction sa = { .sa_handler = record_signal };
	struct st_conn stream = { 0 }, names = { 0 };
	struct st_req req = { .cmd = STACKTAP_CMD_PROBE_LIST, .dump = true,
			      .cb = probe_chunk_cb };
	const char *out = NULL;
	bool backlog = false;
	long duration_ms = 0;
	char why[256], *end, *head_buf = NULL;
	size_t head_len = 0;
	bool created = false;
	FILE *head = NULL;
	struct stat st;
	int i, fd = -1, err, ret = 1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--backlog")) {
			backlog = true;
		} else if (!strcmp(argv[i], "--duration") && i + 1 < argc) {
			duration_ms = (long)(strtod(argv[++i], &end) * 1000);
			if (*end || duration_ms <= 0)
				return -1;
		} else if (!strcmp(argv[i], "--count") && i + 1 < argc) {
			rc.max = strtoull(argv[++i], &end, 10);
			if (*end || !rc.max)
				return -1;
		} else {
			return -1;
		}
	}
	if (!out)
		return -1;
	err = st_conn_open(&stream);
	if (!err)
		err = st_conn_open(&names);
	if (err) {
		fprintf(stderr, "%s: record: %s\n", prog, err == ENOENT ?
			"stacktap module not loaded (try: insmod stacktap.ko)" : strerror(err));
		goto out_close;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/*
	 * OUT is opened at once, to fail early, but truncated only once the
	 * stream has started: a refused record leaves an earlier recording as
	 * it was (and removes OUT again if it made it).  Until then the
	 * kernel's description, and any record that comes with the stream's
	 * reply, go to memory.
	 */
	fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	created = fd >= 0;
	if (fd < 0 && errno == EEXIST)
		fd = open(out, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: record: %s: %s\n", prog, out, strerror(errno));
		goto out_close;
	}
	head = open_memstream(&head_buf, &head_len);
	if (!head) {
		fprintf(stderr, "%s: record: out of memory\n", prog);
		goto out_file;
	}
	st_kernel_namer_init(&rc.namer, &names);
	req.data = head;
	rc.f = head;
	if (fwrite(RECORDING_MAGIC, 8, 1, head) != 1 || recording_meta(head) ||
	    st_conn_request(&names, &req) || recording_modules(head)) {
		fprintf(stderr, "%s: record: %s: could not write the kernel's description\n", prog, out);
		goto out_file;
	}
	err = st_stream_start(&stream, &rc.records, backlog ? STACKTAP_STREAM_F_BACKLOG : 0,
			      why, sizeof(why));
	if (err) {
		fprintf(stderr, "%s: record: %s\n", prog, why[0] ? why : strerror(err));
		goto out_file;
	}
	if (record_stop) {
		fprintf(stderr, "%s: record: interrupted before the first record; %s left as it was\n",
			prog, out);
		goto out_file;
	}
	/* A device or a pipe has nothing to truncate. */
	if (fflush(head) || (!fstat(fd, &st) && S_ISREG(st.st_mode) && ftruncate(fd, 0))) {
		fprintf(stderr, "%s: record: %s: %s\n", prog, out, strerror(errno));
		goto out_file;
	}
	rc.f = fdopen(fd, "wb");
	if (rc.f)
		fd = -1;		/* rc.f's now */
	created = false;		/* OUT is truncated: keep what can be written */
	if (!rc.f || fwrite(head_buf, head_len, 1, rc.f) != 1) {
		fprintf(stderr, "%s: record: %s: %s\n", prog, out, strerror(errno));
		goto out_file;
	}
	err = st_stream_run(&stream, &rc.records, &record_stop, duration_ms);
	if (!err)
		err = rc.err;
	/* Modules loaded meanwhile; a reader takes the last of a name. */
	if (!err && recording_modules(rc.f))
		err = errno ? errno : EIO;
	/* The processes' mappings, taken as their user stacks were. */
	if (!err)
		err = recording_maps(rc.f, &names);
	if (err == EOPNOTSUPP)		/* a module from before MAPS_GET */
		err = 0;
	if (fclose(rc.f) && !err)
		err = errno;
	rc.f = NULL;
	if (err) {
		fprintf(stderr, "%s: record: %s\n", prog, err == EPROTO ?
			"the module sends records in a newer format: update stacktapctl" :
			strerror(err));
	} else {
		fprintf(stderr, "%s: record: %llu records written to %s, %llu lost%s\n", prog,
			rc.n, out, rc.lost, st_stream_ended(&rc.records));
		ret = 0;
	}
out_file:
	if (rc.f && rc.f != head)
		fclose(rc.f);
	if (fd >= 0)
		close(fd);
	if (created)
		unlink(out);
	if (head)
		fclose(head);
	free(head_buf);
out_close:
	st_conn_close(&names);
	st_conn_close(&stream);
	free(rc.syms.keys);
	return ret;
}

#define RSTACK_BUCKETS	4096

const char *meta_get(const struct recording *rec, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);
	const char *p = rec->meta;

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			snprintf(buf, size, "%.*s", (int)strcspn(p + klen + 1, "\n"), p + klen + 1);
			return buf;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return NULL;
}

static int rmodule_parse(struct recording *rec, const char *text)
{
	struct rmodule m = { 0 }, *more;
	const char *p = text;
	char sec[64];
	unsigned long long a;
	size_t i;

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (sscanf(p, "name=%63[^\n]", m.name) == 1)
			continue;
		if (sscanf(p, "base=%llx", &a) == 1)
			m.base = a;
		else if (sscanf(p, "size=%llu", &a) == 1)
			m.size = a;
		else if (sscanf(p, "build_id=%127[0-9a-f]", m.build_id) == 1)
			continue;
		else if (sscanf(p, "section=%63s %llx", sec, &a) == 2) {
			void *n1 = realloc(m.secnames, (m.nsec + 1) * sizeof(*m.secnames));
			void *n2 = n1 ? realloc(m.secaddrs, (m.nsec + 1) * sizeof(*m.secaddrs)) : NULL;

			if (n1)
				m.secnames = n1;
			if (!n2)
				goto err_free;
			m.secaddrs = n2;
			snprintf(m.secnames[m.nsec], sizeof(sec), "%s", sec);
			m.secaddrs[m.nsec++] = a;
		}
	}
	/* Recorded at the start and the end: the later one stands. */
	for (i = 0; i < rec->nmods; i++) {
		if (!strcmp(rec->mods[i].name, m.name) && rec->mods[i].base == m.base) {
			free(rec->mods[i].secnames);
			free(rec->mods[i].secaddrs);
			rec->mods[i] = m;
			return 0;
		}
	}
	more = realloc(rec->mods, (rec->nmods + 1) * sizeof(*more));
	if (!more)
		goto err_free;
	rec->mods = more;
	rec->mods[rec->nmods++] = m;
	return 0;

err_free:
	free(m.secnames);
	free(m.secaddrs);
	return -1;
}

/*
 * The process a stack is of: with user frames its own, which name them
 * (the same addresses are other code in another process); else none.
 */
static uint32_t stack_tgid(const struct st_rec *r)
{
	unsigned int i;

	for (i = 0; i < r->h.nr_frames; i++)
		if (r->frames[i] == STACKTAP_FRAME_USER)
			return r->h.tgid;
	return 0;
}

static uint64_t stack_hash(const struct st_rec *r)
{
	uint64_t h = 1469598103934665603ull ^ stack_tgid(r);
	const char *c;
	unsigned int i;

	for (c = r->spec; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ull;
	for (i = 0; i < r->h.nr_frames; i++)
		h = (h ^ r->frames[i]) * 1099511628211ull;
	return h;
}

/*
 * Count @r's stack: records that differ only in task, CPU or time are
 * one; those with user frames, per process.
 */
static int stack_count(struct recording *rec, const struct st_rec *r, size_t *idx)
{
	size_t b = stack_hash(r) % RSTACK_BUCKETS, i;
	bool trunc = r->h.flags & STACKTAP_RECORD_F_TRUNCATED;
	struct rstack *s, *more;

	for (i = rec->buckets[b]; i; i = s->next) {
		s = &rec->stacks[i - 1];
		if (s->nr_frames == r->h.nr_frames && s->truncated == trunc &&
		    s->tgid == stack_tgid(r) &&
		    !strcmp(s->spec, r->spec) &&
		    !memcmp(s->frames, r->frames, r->h.nr_frames * sizeof(uint64_t))) {
			s->count++;
			/* Each CPU's records come in turn: the oldest may be later. */
			if (r->h.time_ns < s->first_ns)
				s->first_ns = r->h.time_ns;
			*idx = i - 1;
			return 0;
		}
	}
	more = realloc(rec->stacks, (rec->nstacks + 1) * sizeof(*more));
	if (!more)
		return -1;
	rec->stacks = more;
	s = &rec->stacks[rec->nstacks];
	s->spec = strdup(r->spec);
	s->frames = malloc(r->h.nr_frames * sizeof(uint64_t) + 1);
	if (!s->spec || !s->frames) {
		free((char *)s->spec);
		free(s->frames);
		return -1;
	}
	memcpy(s->frames, r->frames, r->h.nr_frames * sizeof(uint64_t));
	s->nr_frames = r->h.nr_frames;
	s->truncated = trunc;
	s->tgid = stack_tgid(r);
	s->count = 1;
	s->first_ns = r->h.time_ns;
	s->next = rec->buckets[b];
	*idx = rec->nstacks;
	rec->buckets[b] = ++rec->nstacks;
	return 0;
}

/* Keep @r, whose stack is rec->stacks[@idx], for perf script output. */
static int record_keep(struct recording *rec, const struct st_rec *r, size_t idx)
{
	struct rrecord *more = realloc(rec->recs, (rec->nrecs + 1) * sizeof(*more)), *k;

	if (!more)
		return -1;
	rec->recs = more;
	k = &rec->recs[rec->nrecs++];
	memcpy(k->comm, r->h.comm, sizeof(k->comm));
	k->pid = r->h.pid;
	k->tgid = r->h.tgid;
	k->cpu = r->h.cpu;
	k->time_ns = r->h.time_ns;
	k->seq = rec->nrecs - 1;
	k->spec = rec->stacks[idx].spec;
	k->nr_frames = rec->stacks[idx].nr_frames;
	k->frames = rec->stacks[idx].frames;
	return 0;
}

/* Oldest first; equal times in the recording's order. */
static int rrecord_time_cmp(const void *a, const void *b)
{
	const struct rrecord *x = a, *y = b;

	if (x->time_ns != y->time_ns)
		return x->time_ns < y->time_ns ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int rsym_cmp(const void *a, const void *b)
{
	const struct rsym *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

void recording_free(struct recording *rec)
{
	size_t i;

	free(rec->meta);
	for (i = 0; i < rec->nmods; i++) {
		free(rec->mods[i].secnames);
		free(rec->mods[i].secaddrs);
	}
	free(rec->mods);
	for (i = 0; i < rec->nsyms; i++)
		free((char *)rec->syms[i].name);
	free(rec->syms);
	for (i = 0; i < rec->nstacks; i++) {
		free((char *)rec->stacks[i].spec);
		free(rec->stacks[i].frames);
	}
	free(rec->stacks);
	free(rec->buckets);
	free(rec->recs);
#ifdef HAVE_LIBDW
	st_uspace_free(rec->us);
#endif
}

#ifdef HAVE_LIBDW
/*
 * The MAPS chunks of @f, read ahead of its records, which they follow,
 * into rec->us; the file is left where it was.  0, or -1 when it is cut.
 */
static int maps_prescan(FILE *f, struct recording *rec)
{
	long at = ftell(f);
	uint32_t head[2], len;
	char *text;
	int ret = 0;

	while (fread(head, sizeof(head), 1, f) == 1) {
		len = le32toh(head[1]);
		if (le32toh(head[0]) != CHUNK_MAPS) {
			if (fseek(f, (len + 3) & ~3u, SEEK_CUR))
				break;
			continue;
		}
		text = malloc(((len + 3) & ~3u) + 1);
		if (!text || fread(text, (len + 3) & ~3u, 1, f) != 1) {
			free(text);
			ret = -1;
			break;
		}
		text[len] = '\0';
		if (!rec->us)
			rec->us = st_uspace_new(rec->symfs);
		if (!rec->us || st_uspace_add_maps_text(rec->us, text))
			ret = -1;
		free(text);
	}
	fseek(f, at, SEEK_SET);
	return ret;
}

/*
 * ustack=copy: the user frames of @r after its pc, unwound from its copy
 * with its process's binaries.  The frames the kernel found after the
 * copy's pc (a u: probe's caller) are the unwinder's to give again.
 */
static void rec_unwind(struct recording *rec, struct st_rec *r)
{
	unsigned int i;
	int n;

	if (!r->ucopy_len || !rec->us)
		return;
	for (i = 0; i < r->h.nr_frames && r->frames[i] != STACKTAP_FRAME_USER; i++)
		;
	for (; i < r->h.nr_frames && r->frames[i] != r->ucopy.pc; i++)
		;
	if (i >= r->h.nr_frames)
		return;
	n = st_uspace_unwind(rec->us, r->h.tgid, &r->ucopy, r->frames + i + 1,
			     STACKTAP_FRAMES_MAX - i - 1 < STACKTAP_DEPTH_MAX ?
			     STACKTAP_FRAMES_MAX - i - 1 : STACKTAP_DEPTH_MAX);
	r->h.nr_frames = i + 1 + n;
}
#endif

/* Read @path whole into @rec; 0, or -1 with a message. */
int recording_load(const char *path, struct recording *rec)
{
	static struct st_rec r;
	char magic[8], buf[64];
	uint32_t head[2], type, len;
	unsigned char *data = NULL;
	FILE *f = fopen(path, "rb");
	int ret = -1;
	size_t idx;

	if (!f) {
		fprintf(stderr, "%s: report: %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	rec->buckets = calloc(RSTACK_BUCKETS, sizeof(*rec->buckets));
	if (!rec->buckets)
		goto err_nomem;
	if (fread(magic, 8, 1, f) != 1 || memcmp(magic, RECORDING_MAGIC, 8)) {
		fprintf(stderr, "%s: report: %s is no stacktap recording (from: %s record -o FILE)\n",
			prog, path, prog);
		goto out;
	}
#ifdef HAVE_LIBDW
	if (maps_prescan(f, rec))
		goto err_corrupt;
#endif
	while (fread(head, sizeof(head), 1, f) == 1) {
		type = le32toh(head[0]);
		len = le32toh(head[1]);
		if (len > (1u << 24))
			goto err_corrupt;
		data = malloc(((len + 3) & ~3u) + 1);
		if (!data)
			goto err_nomem;
		if (len && fread(data, (len + 3) & ~3u, 1, f) != 1)
			goto err_corrupt;
		data[len] = '\0';
		switch (type) {
		case CHUNK_META:
			free(rec->meta);
			rec->meta = (char *)data;
			data = NULL;
			if (meta_get(rec, "text", buf, sizeof(buf)))
				rec->text = strtoull(buf, NULL, 16);
			/* Its records' layout: 1 before format= was checked. */
			rec->format = meta_get(rec, "format", buf, sizeof(buf)) ?
				      strtoul(buf, NULL, 10) : 1;
			if (rec->format < 1 || rec->format > STACKTAP_RECORD_FORMAT) {
				fprintf(stderr, "%s: report: %s holds records of format %u, newer than this %s reads: update it\n",
					prog, path, rec->format, prog);
				goto out;
			}
			break;
		case CHUNK_MODULE:
			if (rmodule_parse(rec, (char *)data))
				goto err_nomem;
			break;
		case CHUNK_RECORD:
			if (st_rec_parse(data, len, &r, true, rec->format ? rec->format : 1))
				goto err_corrupt;
#ifdef HAVE_LIBDW
			rec_unwind(rec, &r);
#endif
			if (stack_count(rec, &r, &idx) || (rec->keep && record_keep(rec, &r, idx)))
				goto err_nomem;
			rec->records++;
			rec->lost += r.h.lost;
			break;
		case CHUNK_SYMBOL: {
			struct rsym *more;
			uint64_t addr;

			if (len < 10)
				goto err_corrupt;
			memcpy(&addr, data, 8);
			more = realloc(rec->syms, (rec->nsyms + 1) * sizeof(*more));
			if (!more)
				goto err_nomem;
			rec->syms = more;
			rec->syms[rec->nsyms].key = sym_key(le64toh(addr), data[8]);
			rec->syms[rec->nsyms].name = strdup((char *)data + 9);
			if (!rec->syms[rec->nsyms++].name)
				goto err_nomem;
			break;
		}
		default:	/* PROBE, and what a later version adds */
			break;
		}
		free(data);
		data = NULL;
	}
	if (rec->nsyms)
		qsort(rec->syms, rec->nsyms, sizeof(*rec->syms), rsym_cmp);
	ret = 0;
	goto out;

err_corrupt:
	fprintf(stderr, "%s: report: %s is cut short or corrupt\n", prog, path);
	goto out;
err_nomem:
	fprintf(stderr, "%s: report: out of memory\n", prog);
out:
	free(data);
	fclose(f);
	return ret;
}

const char *rsym_name(const struct recording *rec, uint64_t addr, bool ret, char *buf,
		      size_t size)
{
	struct rsym key = { .key = sym_key(addr, ret) }, *s;

	s = bsearch(&key, rec->syms, rec->nsyms, sizeof(*s), rsym_cmp);
	if (s)
		return s->name;
	snprintf(buf, size, "0x%" PRIx64, addr);
	return buf;
}

static int rstack_cmp(const void *a, const void *b)
{
	const struct rstack *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->first_ns < y->first_ns ? -1 : x->first_ns > y->first_ns;
}

#ifdef HAVE_LIBDW
/* Where debug files come from: --vmlinux, --modules DIR, a build-id tree. */
struct debug_opts {
	const char *vmlinux, *modules, *debug_dir;
};

/* DIR/.../NAME.ko (a module's '-' and '_' are one), searched depth first. */
static int find_ko(const char *dir, const char *name, char *path, size_t size, int depth)
{
	char sub[4096], want[300], have[300];
	struct dirent *d;
	DIR *dh;
	char *c;
	int found = -1;

	if (depth > 8)
		return -1;
	dh = opendir(dir);
	if (!dh)
		return -1;
	snprintf(want, sizeof(want), "%s.ko", name);
	for (c = want; *c; c++)
		if (*c == '-')
			*c = '_';
	while (found && (d = readdir(dh))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, d->d_name);
		snprintf(have, sizeof(have), "%s", d->d_name);
		for (c = have; *c; c++)
			if (*c == '-')
				*c = '_';
		if (!strcmp(have, want) || (!strncmp(have, want, strlen(want)) &&
					    !strcmp(have + strlen(want), ".debug"))) {
			snprintf(path, size, "%s", sub);
			found = 0;
		} else if (d->d_type == DT_DIR || d->d_type == DT_UNKNOWN) {
			found = find_ko(sub, name, path, size, depth + 1);
		}
	}
	closedir(dh);
	return found;
}

static int hex_bytes(const char *hex, unsigned char *out, size_t size)
{
	size_t n = 0;
	unsigned int b;

	while (hex[0] && hex[1] && n < size && sscanf(hex, "%2x", &b) == 1) {
		out[n++] = b;
		hex += 2;
	}
	return n;
}

/* Whether @path's build-id is @want's (hex); an unknown one is taken. */
static bool debug_matches(const char *path, const char *want, const char *what)
{
	unsigned char id[64], rec[64];
	int n = st_dw_file_buildid(path, id, sizeof(id)), m = hex_bytes(want, rec, sizeof(rec));

	if (n <= 0 || m <= 0 || (n == m && !memcmp(id, rec, n)))
		return true;
	fprintf(stderr, "%s: report: %s is not the recorded %s's (build-id differs): not used\n",
		prog, path, what);
	return false;
}

static struct st_dw *debug_open(const struct recording *rec, const struct debug_opts *o)
{
	char path[4096], id[128], sym[64];
	unsigned char bid[64];
	struct st_dw *dw;
	const char *vmlinux = o->vmlinux;
	size_t i;
	int n;

	if (!o->vmlinux && !o->modules && !o->debug_dir)
		return NULL;
	dw = st_dw_new();
	if (!dw)
		return NULL;
	if (!meta_get(rec, "build_id", id, sizeof(id)))
		id[0] = '\0';
	if (!vmlinux && o->debug_dir && (n = hex_bytes(id, bid, sizeof(bid))) > 0 &&
	    !st_dw_find_by_buildid(o->debug_dir, bid, n, path, sizeof(path)))
		vmlinux = path;
	if (!meta_get(rec, "text_symbol", sym, sizeof(sym)))
		strcpy(sym, "_text");
	if (vmlinux && debug_matches(vmlinux, id, "kernel") &&
	    st_dw_add_kernel(dw, vmlinux, sym, rec->text))
		fprintf(stderr, "%s: report: %s: no DWARF read from it\n", prog, vmlinux);
	for (i = 0; i < rec->nmods; i++) {
		const struct rmodule *m = &rec->mods[i];
		const char *secnames[256];
		size_t j;

		path[0] = '\0';
		if (o->debug_dir && (n = hex_bytes(m->build_id, bid, sizeof(bid))) > 0 &&
		    st_dw_find_by_buildid(o->debug_dir, bid, n, path, sizeof(path)))
			path[0] = '\0';
		if (!path[0] && (!o->modules || find_ko(o->modules, m->name, path, sizeof(path), 0)))
			continue;
		if (!debug_matches(path, m->build_id, m->name))
			continue;
		for (j = 0; j < m->nsec && j < 256; j++)
			secnames[j] = m->secnames[j];
		if (st_dw_add_module(dw, m->name, path, j, secnames, m->secaddrs))
			fprintf(stderr, "%s: report: %s: no DWARF read from it\n", prog, path);
	}
	return dw;
}
#else
struct debug_opts {
	const char *vmlinux, *modules, *debug_dir;
};
#endif

/* @addr's inline chain from DWARF, innermost first; 0 levels without it. */
int frame_inline(void *dw, uint64_t addr, bool ret, struct st_inline_frame *in)
{
	int n = 0;

#ifdef HAVE_LIBDW
	if (dw)
		n = st_dw_lookup(dw, ret ? addr - 1 : addr, in, INLINE_MAX);
#endif
	return n < 0 ? 0 : n;
}

/* One frame, with its inline chain and lines when DWARF has them. */
static void frame_print(const struct recording *rec, void *dw, uint64_t addr, bool ret,
			bool json, bool first)
{
	static struct st_inline_frame in[INLINE_MAX];
	char buf[32];
	const char *name = rsym_name(rec, addr, ret, buf, sizeof(buf));
	int n = frame_inline(dw, addr, ret, in), i;

	if (json) {
		printf("%s{", first ? "" : ", ");
		json_frame_keys(name, &addr);
		printf(", \"inline\": [");
		for (i = 0; i < n; i++) {
			printf("%s{\"function\": ", i ? ", " : "");
			json_str(in[i].func);
			printf(", \"file\": ");
			json_str(in[i].file);
			printf(", \"line\": %u}", in[i].line);
		}
		printf("]}");
		return;
	}
	for (i = 0; i + 1 < n; i++)
		printf(" => %s (inlined) %s:%u\n", in[i].func, in[i].file, in[i].line);
	if (n)
		printf(" => %s %s:%u\n", name, in[n - 1].file, in[n - 1].line);
	else
		printf(" => %s\n", name);
}

/*
 * User frame @addr of @tgid (@ret: a return address) as "func+0xOFF
 * (BINARY)" into @name, and its "FILE:LINE" into @line where DWARF has
 * it; its address alone where no recorded mapping holds it.
 */
static void uframe_name(const struct recording *rec, uint32_t tgid, uint64_t addr, bool ret,
			char *name, size_t size, char *line, size_t line_size)
{
	line[0] = '\0';
#ifdef HAVE_LIBDW
	if (st_uspace_name(rec->us, tgid, addr, ret, name, size, line, line_size))
		return;
#endif
	snprintf(name, size, "0x%" PRIx64, addr);
}

static void uframe_print(const struct recording *rec, uint32_t tgid, uint64_t addr, bool ret,
			 bool json, bool first)
{
	char name[SYM_LEN], line[SYM_LEN];

	uframe_name(rec, tgid, addr, ret, name, sizeof(name), line, sizeof(line));
	if (json) {
		printf("%s", first ? "" : ", ");
		json_uframe(name, line, addr);
		return;
	}
	printf(" => %s%s%s\n", name, line[0] ? " " : "", line);
}

/*
 * A stack's frames, text or the inside of JSON's "frames": [...]; with
 * ustack=, the user's of @tgid after " -- user --", or in "ustack": [...].
 */
static void stack_print(const struct recording *rec, void *dw, uint32_t tgid,
			const uint64_t *frames, unsigned int nr, bool truncated, bool json)
{
	unsigned int f, k = 0, user = 0;

	for (f = 0; f < nr; f++) {
		if (user) {
			uframe_print(rec, tgid, frames[f], user++ > 1, json, !k++);
			continue;
		}
		if (frames[f] != STACKTAP_FRAME_USER) {
			frame_print(rec, dw, frames[f], f > 0, json, !k++);
			continue;
		}
		k = 0;
		user = 1;
		if (json)
			printf("], \"ustack\": [");
		else
			st_user_mark_text(&truncated);
	}
	if (truncated)
		printf(" => [truncated]\n");
}

/* A stack folded, root first: "a;b_[i];c_[mod]", inlined functions marked _[i]. */
static char *stack_folded(const struct recording *rec, void *dw, const struct rstack *s)
{
	static struct st_inline_frame in[INLINE_MAX];
	size_t cap = (size_t)(s->nr_frames + 1) * (INLINE_MAX + 1) * (SYM_LEN + 8), len = 0;
	char buf[32], name[SYM_LEN], line[SYM_LEN], *out = malloc(cap);
	unsigned int f, mark;
	int n, i;

	if (!out)
		return NULL;
	out[0] = '\0';
	for (mark = 0; mark < s->nr_frames && s->frames[mark] != STACKTAP_FRAME_USER; mark++)
		;
	for (f = s->nr_frames; f-- > 0;) {
		if (s->frames[f] == STACKTAP_FRAME_USER)
			continue;
		/* User frames, outermost first, by function as perf folds them. */
		if (f > mark) {
			uframe_name(rec, s->tgid, s->frames[f], f > mark + 1, name, sizeof(name),
				    line, sizeof(line));
			name[strcspn(name, strncmp(name, "0x", 2) ? "+ " : " ")] = '\0';
			len += snprintf(out + len, cap - len, "%s%s", len ? ";" : "", name);
			continue;
		}
		folded_frame(name, sizeof(name), rsym_name(rec, s->frames[f], f > 0, buf, sizeof(buf)));
		len += snprintf(out + len, cap - len, "%s%s", len ? ";" : "", name);
		n = frame_inline(dw, s->frames[f], f > 0, in);
		for (i = n - 1; i-- > 0;)
			len += snprintf(out + len, cap - len, ";%s_[i]", in[i].func);
	}
	return out;
}

/*
 * One record as perf script prints a sample with its call chain, for
 * FlameGraph's stackcollapse-perf.pl, speedscope, Firefox Profiler and
 * hotspot: inlined functions are frames of their own at the same address.
 */
static void record_perf_script(const struct recording *rec, void *dw, const struct rrecord *r)
{
	static struct st_inline_frame in[INLINE_MAX];
	char buf[32], func[SYM_LEN], line[SYM_LEN];
	const char *name, *mod;
	unsigned int f, user = 0;
	int n, i;

	printf("%s %u [%03u] %" PRIu64 ".%06u: 1 %s:\n", r->comm, r->pid, r->cpu,
	       r->time_ns / 1000000000, (unsigned int)(r->time_ns % 1000000000 / 1000), r->spec);
	for (f = 0; f < r->nr_frames; f++) {
		/* ustack=: user frames, as perf names them: "func+0xOFF (BINARY)". */
		if (user || r->frames[f] == STACKTAP_FRAME_USER) {
			if (user) {
				uframe_name(rec, r->tgid, r->frames[f], user > 1, func, sizeof(func),
					    line, sizeof(line));
				printf("\t%16" PRIx64 " %s\n", r->frames[f],
				       strncmp(func, "0x", 2) ? func : "[unknown] ([unknown])");
			}
			user++;
			continue;
		}
		name = rsym_name(rec, r->frames[f], f > 0, buf, sizeof(buf));
		mod = strchr(name, '[');
		n = frame_inline(dw, r->frames[f], f > 0, in);
		for (i = 0; i + 1 < n; i++)
			printf("\t%16" PRIx64 " %s (inlined)\n", r->frames[f], in[i].func);
		snprintf(func, sizeof(func), "%.*s", (int)strcspn(name, "/ "), name);
		if (mod && strchr(mod, ']') && strncmp(name, "0x", 2))
			printf("\t%16" PRIx64 " %s (%.*s)\n", r->frames[f], func,
			       (int)(strchr(mod, ']') - mod + 1), mod);
		else
			printf("\t%16" PRIx64 " %s ([kernel.kallsyms])\n", r->frames[f],
			       strncmp(name, "0x", 2) ? func : "[unknown]");
	}
	putchar('\n');
}

/*
 * report -i FILE [--vmlinux PATH] [--modules DIR] [--debug-dir DIR]
 * [--folded] [PROBE]: a recording's unique stacks with their counts.
 */
int report_recording(int argc, char **argv, int json)
{
	static struct recording rec;
	struct debug_opts o = { 0 };
	const char *in = NULL, *probe = NULL, *symfs = NULL;
	char want[512];
	bool folded = false, perf = false;
	const char *pprof = NULL, *svg = NULL;
	struct fg_stack *fg = NULL;
	void *dw = NULL;
	size_t i, shown = 0;
	int j, ret = 0;

	for (j = 1; j < argc; j++) {
		if (!strcmp(argv[j], "-i") && j + 1 < argc)
			in = argv[++j];
		else if (!strcmp(argv[j], "--vmlinux") && j + 1 < argc)
			o.vmlinux = argv[++j];
		else if (!strcmp(argv[j], "--modules") && j + 1 < argc)
			o.modules = argv[++j];
		else if (!strcmp(argv[j], "--debug-dir") && j + 1 < argc)
			o.debug_dir = argv[++j];
		else if (!strcmp(argv[j], "--symfs") && j + 1 < argc)
			symfs = argv[++j];
		else if (!strcmp(argv[j], "--folded") && !json && !perf)
			folded = true;
		else if (!strcmp(argv[j], "--perf-script") && !json && !folded)
			perf = true;
		else if (!strcmp(argv[j], "--pprof") && j + 1 < argc)
			pprof = argv[++j];
		else if (!strcmp(argv[j], "--svg") && j + 1 < argc && !json)
			svg = argv[++j];
		else if (argv[j][0] != '-' && !probe)
			probe = argv[j];
		else
			return -1;
	}
	if (!in)
		return -1;
#ifndef HAVE_LIBDW
	if (o.vmlinux || o.modules || o.debug_dir || symfs) {
		fprintf(stderr, "%s: report: this stacktapctl was built without libdw: "
			"no DWARF (rebuild with libdw-dev installed)\n", prog);
		return 1;
	}
#endif
	memset(&rec, 0, sizeof(rec));
	rec.keep = perf;
	rec.symfs = symfs;
	if (recording_load(in, &rec)) {
		recording_free(&rec);
		return 1;
	}
#ifdef HAVE_LIBDW
	dw = debug_open(&rec, &o);
#endif
	if (probe) {
		probe_canonical(want, sizeof(want), probe);
		probe = want;
	}
	if (pprof) {
#ifdef HAVE_PPROF
		if (recording_pprof(&rec, dw, probe, pprof))
			ret = 1;
		shown = 1;	/* says itself what it wrote */
#else
		fprintf(stderr, "%s: report: this stacktapctl was built without protobuf-c: "
			"no --pprof (rebuild with libprotobuf-c-dev and protobuf-c-compiler)\n", prog);
		ret = 1;
#endif
		goto out;
	}
	if (perf) {
		/*
		 * A recording holds each CPU's records in turn; perf script
		 * and the tools reading it (speedscope) want them by time.
		 */
		if (rec.nrecs)
			qsort(rec.recs, rec.nrecs, sizeof(*rec.recs), rrecord_time_cmp);
		for (i = 0; i < rec.nrecs; i++) {
			if (!probe_matches(rec.recs[i].spec, probe))
				continue;
			record_perf_script(&rec, dw, &rec.recs[i]);
			shown++;
		}
		goto out;
	}
	if (rec.nstacks)
		qsort(rec.stacks, rec.nstacks, sizeof(*rec.stacks), rstack_cmp);
	if (json)
		printf("[");
	for (i = 0; i < rec.nstacks; i++) {
		const struct rstack *s = &rec.stacks[i];

		if (!probe_matches(s->spec, probe))
			continue;
		if (folded || svg) {
			char *line = stack_folded(&rec, dw, s);
			struct fg_stack *more = svg ? realloc(fg, (shown + 1) * sizeof(*fg)) : NULL;

			if (!line || (svg && !more)) {
				free(line);
				fprintf(stderr, "%s: report: out of memory\n", prog);
				ret = 1;
				break;
			}
			if (svg) {
				fg = more;
				fg[shown].stack = line;
				fg[shown].count = s->count;
				fg[shown].a = fg[shown].b = 0;
			} else {
				printf("%s %" PRIu64 "\n", line, s->count);
				free(line);
			}
		} else if (json) {
			printf("%s\n  {\"spec\": ", shown ? "," : "");
			json_str(s->spec);
			printf(", \"count\": %" PRIu64 ", \"frames\": [", s->count);
			stack_print(&rec, dw, s->tgid, s->frames, s->nr_frames, false, true);
			printf("], \"truncated\": %s}", s->truncated ? "true" : "false");
		} else {
			printf("@[%s] %" PRIu64 "\n", s->spec, s->count);
			stack_print(&rec, dw, s->tgid, s->frames, s->nr_frames, s->truncated, false);
			putchar('\n');
		}
		shown++;
	}
	if (json)
		printf("%s]\n", shown ? "\n" : "");
	if (svg && !ret && flamegraph_file(svg, "report", in, fg, shown, false))
		ret = 1;
	for (i = 0; fg && i < shown; i++)
		free((char *)fg[i].stack);
	free(fg);
out:
	fprintf(stderr, "%s: report: %llu records, %zu unique stacks, %llu lost while recording\n",
		prog, rec.records, rec.nstacks, rec.lost);
#ifdef HAVE_LIBDW
	if (dw)
		st_dw_free(dw);
#endif
	recording_free(&rec);
	if (!shown && probe) {
		fprintf(stderr, "%s: report: no stacks of '%s' in %s\n", prog, probe, in);
		return 1;
	}
	return ret;
}
