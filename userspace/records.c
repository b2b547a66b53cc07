// SPDX-License-Identifier: GPL-2.0
/*
 * Reading stacktap's debugfs text back: trace records (show, stream) and
 * counted stacks (report), printed as text, JSON or folded stacks.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "records.h"
#include "stream.h"
#include "usyms.h"
#include "../include/stacktap_hist.h"

extern const char *prog;

/* Where debugfs is mounted, into @mnt; 0, or -1 when it is not. */
int debugfs_root(char *mnt, size_t size)
{
	char dev[256], dir[4096], type[64];
	FILE *m = fopen("/proc/mounts", "r");
	int ret = -1;

	while (m && fscanf(m, "%255s %4095s %63s %*[^\n]", dev, dir, type) == 3) {
		if (!strcmp(type, "debugfs")) {
			snprintf(mnt, size, "%s", dir);
			ret = 0;
			break;
		}
	}
	if (m)
		fclose(m);
	return ret;
}

int debugfs_file(char *path, size_t size, const char *name, const char *cmd)
{
	char root[4096];

	if (debugfs_root(root, sizeof(root))) {
		fprintf(stderr, "%s: %s: debugfs is not mounted (try: mount -t debugfs none /sys/kernel/debug)\n",
			prog, cmd);
		return -1;
	}
	snprintf(path, size, "%s/stacktap/%s", root, name);
	return 0;
}

int block_add_line(struct block *b, const char *line)
{
	if (!line[0])
		return b->n > 0;
	if (b->n < BLOCK_LINES) {
		b->has_addr[b->n] = false;
		snprintf(b->line[b->n++], LINE_MAX_LEN, "%s", line);
	}
	return 0;
}

static int hist_bucket(const char *s)
{
	unsigned long long v;
	char unit = 0;
	int k = 1;

	if (sscanf(s, "%llu%c", &v, &unit) < 1)
		return -1;
	if (unit && strchr("KMGT", unit))
		v <<= 10 * (strchr("KMGT", unit) - "KMGT" + 1);
	if (v < 2)
		return (int)v;
	while (k < STACKTAP_LAT_BUCKETS - 1 && (1ULL << (k - 1)) < v)
		k++;
	return k;
}

void blat_from(struct blat *l, const struct stacktap_latency *raw)
{
	unsigned int i;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < STACKTAP_LAT_BUCKETS; i++) {
		l->hist[i] = raw->hist[i];
		l->count += raw->hist[i];
	}
	l->min = raw->min_ns;
	l->max = raw->max_ns;
	l->mean = l->count ? raw->sum_ns / l->count : 0;
}

void block_add_latency(struct block *b, const struct blat *l)
{
	unsigned int i, first = STACKTAP_LAT_BUCKETS, last = 0, most = 0;

	for (i = 0; i < STACKTAP_LAT_BUCKETS; i++) {
		if (!l->hist[i])
			continue;
		most = l->hist[i] > most ? l->hist[i] : most;
		first = i < first ? i : first;
		last = i;
	}
	if (!l->count || b->n >= BLOCK_LINES)
		return;
	snprintf(b->line[b->n++], LINE_MAX_LEN, " lat: count %llu, min %llu ns, mean %llu ns, max %llu ns",
		 l->count, l->min, l->mean, l->max);
	for (i = first; i <= last && b->n < BLOCK_LINES; i++)
		st_hist_line(b->line[b->n++], LINE_MAX_LEN, i, l->hist[i], most);
}

int block_latency(const struct block *b, struct blat *l)
{
	unsigned int i, n;
	char lo[24];
	int k;

	memset(l, 0, sizeof(*l));
	for (i = 1; i < b->n; i++) {
		if (sscanf(b->line[i], " lat: count %llu, min %llu ns, mean %llu ns, max %llu ns",
			   &l->count, &l->min, &l->mean, &l->max) == 4)
			break;
	}
	if (i == b->n)
		return 0;
	for (i++; i < b->n; i++) {
		const char *end;

		/* " [lo, hi)   count |@@@|" or " [0]   count |...|" */
		if (strncmp(b->line[i], " [", 2) || sscanf(b->line[i] + 2, "%23[^],]", lo) != 1)
			continue;
		end = strpbrk(b->line[i], ")]");
		if (!end || sscanf(end + 1, "%u |", &n) != 1)
			continue;
		k = hist_bucket(lo);
		if (k >= 0 && k < STACKTAP_LAT_BUCKETS)
			l->hist[k] = n;
	}
	return 1;
}

void blat_json(const struct blat *l)
{
	unsigned int i, n = 0;

	printf("{\"count\": %llu, \"min_ns\": %llu, \"mean_ns\": %llu, \"max_ns\": %llu, \"hist\": [",
	       l->count, l->min, l->mean, l->max);
	for (i = 0; i < STACKTAP_LAT_BUCKETS; i++) {
		if (!l->hist[i])
			continue;
		/* [lo, hi) in ns; the last bucket has no end */
		printf("%s{\"lo_ns\": %llu, ", n++ ? ", " : "", i < 2 ? i : 1ULL << (i - 1));
		if (i == STACKTAP_LAT_BUCKETS - 1)
			printf("\"hi_ns\": null, ");
		else
			printf("\"hi_ns\": %llu, ", i < 2 ? i + 1ULL : 1ULL << i);
		printf("\"count\": %u}", l->hist[i]);
	}
	printf("]}");
}

/*
 * A block's user frames (" => 0xADDR" after " -- user --") as
 * "0xADDR func+0xOFF (BINARY)" where @us names them: by any process's
 * mappings, since the text does not say which process (its thread id
 * only).
 */
void block_user_names(struct block *b, struct st_usyms *us)
{
	unsigned int i, user = 0;
	unsigned long long addr;
	char name[SYM_LEN];
	int end;

	for (i = 1; us && i < b->n; i++) {
		if (!user) {
			user = !strcmp(b->line[i], " -- user --");
			continue;
		}
		if (sscanf(b->line[i], " => 0x%llx%n", &addr, &end) != 1 || b->line[i][end])
			continue;
		if (st_usyms_name(us, 0, addr, user++ > 1, name, sizeof(name)))
			snprintf(b->line[i], LINE_MAX_LEN, " => 0x%llx %.*s", addr,
				 LINE_MAX_LEN - 32, name);
	}
}

/* The debugfs "maps" file into @us, for block_user_names(); quietly none. */
void debugfs_maps(struct st_usyms *us)
{
	char path[4096], *text = NULL;
	size_t len = 0;
	FILE *f, *m;
	int c;

	if (debugfs_root(path, sizeof(path)))
		return;
	strncat(path, "/stacktap/maps", sizeof(path) - strlen(path) - 1);
	f = fopen(path, "r");
	if (!f)
		return;
	m = open_memstream(&text, &len);
	while (m && (c = fgetc(f)) != EOF)
		fputc(c, m);
	if (m && !fclose(m))
		st_usyms_add_maps_text(us, text);
	free(text);
	fclose(f);
}

int block_read(FILE *f, struct block *b)
{
	char line[LINE_MAX_LEN];

	b->n = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (block_add_line(b, line))
			return 1;
	}
	return b->n > 0;
}

/*
 * "frames": [...], "truncated": B: the " => " lines as frame objects; with
 * ustack=, those after " -- user --" in "ustack": [...].
 */
static void frames_json(const struct block *b)
{
	bool truncated = false, user = false;
	unsigned int i, n = 0;

	printf("\"frames\": [");
	for (i = 1; i < b->n; i++) {
		if (!strcmp(b->line[i], " -- user --")) {
			printf("], \"ustack\": [");
			n = 0;
			user = true;
			continue;
		}
		if (user && !strncmp(b->line[i], " => 0x", 6)) {
			printf("%s", n++ ? ", " : "");
			json_uframe_text(b->line[i] + 4, strtoull(b->line[i] + 4, NULL, 16));
			continue;
		}
		if (strncmp(b->line[i], " => ", 4))
			continue;
		if (!strcmp(b->line[i] + 4, "[truncated]")) {
			truncated = true;
			continue;
		}
		printf("%s", n++ ? ", " : "");
		json_frame(b->line[i] + 4, b->has_addr[i] ? &b->addr[i] : NULL);
	}
	printf("], \"truncated\": %s", truncated ? "true" : "false");
}

/* The kernel's \ooo escapes in a task name, undone in place. */
static void comm_unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

/*
 * Header: <comm>-<pid> [<cpu>] <s.us>: <spec>[ fields].  The kernel
 * escapes spaces, '[' and control characters in <comm>, so it is the first
 * word; a glob in <spec> may hold '[' and ' ', so parse from the left.
 */
/*
 * Where a ring dropped records: "CPU:N [LOST M EVENTS]".  A task name
 * cannot pass for it: the kernel escapes the spaces in one.
 */
int block_lost(const struct block *b, unsigned int *cpu, unsigned int *lost)
{
	int end = 0;

	return sscanf(b->line[0], "CPU:%u [LOST %u EVENTS]%n", cpu, lost, &end) == 2 &&
	       end && !b->line[0][end];
}

/* A string argument's text ("a\040b", the kernel's \ooo escapes) as JSON. */
static const char *text_string_json(const char *s)
{
	unsigned char out[LINE_MAX_LEN];
	size_t n = 0;

	for (s++; *s && *s != '"' && n < sizeof(out); s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			out[n++] = (unsigned char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			out[n++] = (unsigned char)*s;
		}
	}
	json_bytes(out, n);
	return *s == '"' ? s + 1 : s;
}

/*
 * What follows the spec in a trace header, as the keys the netlink path
 * gives ("func", "ret", "errno", "lat_ns", "args", "args_cut"): reserved
 * names first, then NAME=VALUE words, since no value holds a space.
 */
static void text_fields_json(char *rest)
{
	char cut[LINE_MAX_LEN] = "", *w, *save = NULL, *eq;
	unsigned int nargs = 0;
	size_t cutlen = 0;
	bool ret = false;

	for (w = strtok_r(rest, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (!nargs && !strncmp(w, "func=", 5)) {
			continue;	/* frame 0's symbol: printed with it */
		} else if (!nargs && !strncmp(w, "ret=", 4)) {
			/* A pointer reads 0x...: the same signed number as netlink's. */
			long long v = !strncmp(w + 4, "0x", 2) ? (long long)strtoull(w + 6, NULL, 16) :
				      strtoll(w + 4, NULL, 10);

			/* A pointer this reader may not see: no number at all. */
			if (!strcmp(w + 4, "[hidden]")) {
				printf(", \"ret\": null, \"errno\": null");
				continue;
			}
			printf(", \"ret\": %lld, \"errno\": ", v);
			ret = true;	/* its errno's name may follow */
			continue;
		} else if (ret && !nargs && w[0] == '(') {
			w[strcspn(w, ")")] = '\0';
			json_str(w + 1);
			ret = false;
			continue;
		} else if (!nargs && !strncmp(w, "lat=", 4)) {
			if (ret)
				printf("null");
			ret = false;
			printf(", \"lat_ns\": %llu", strtoull(w + 4, NULL, 10));
			continue;
		}
		eq = strchr(w, '=');
		if (!eq)
			continue;
		if (ret)
			printf("null");
		ret = false;
		*eq++ = '\0';
		printf("%s", nargs++ ? ", " : ", \"args\": {");
		json_str(w);
		printf(": ");
		if (!strcmp(eq, "(fault)")) {
			printf("null");
		} else if (eq[0] == '"') {
			if (!strcmp(text_string_json(eq), "(cut)"))
				cutlen += snprintf(cut + cutlen, cutlen < sizeof(cut) ? sizeof(cut) - cutlen : 0,
						   "%s\"%s\"", cutlen ? ", " : "", w);
		} else if (!strncmp(eq, "0x", 2) ||
			   !((eq[0] >= '0' && eq[0] <= '9') || (eq[0] == '-' && eq[1] >= '0' && eq[1] <= '9'))) {
			/* hex, or a symbol: "f+0x0/0x20[mod]" reads "f+0x0/0x20 [mod]" */
			char sym[LINE_MAX_LEN], *mod = strchr(eq, '[');

			if (mod && mod > eq && strncmp(eq, "0x", 2))
				snprintf(sym, sizeof(sym), "%.*s %s", (int)(mod - eq), eq, mod);
			else
				snprintf(sym, sizeof(sym), "%s", eq);
			json_str(sym);
		} else {
			printf("%s", eq);
		}
	}
	if (ret)
		printf("null");
	if (nargs)
		printf("}");
	if (cutlen && cutlen < sizeof(cut))
		printf(", \"args_cut\": [%s]", cut);
}

/*
 * The same object as the netlink path's (stream.c), from the text a
 * reader gets who may not see addresses: no "addr", and what the text
 * does not hold (tgid, context, probe_id) null.
 */
void record_print_json(const struct block *b)
{
	char line[LINE_MAX_LEN], spec[512] = "?", rest[LINE_MAX_LEN] = "";
	unsigned int pid = 0, cpu = 0, lost, usec = 0;
	unsigned long long sec = 0;
	char *space, *dash;

	if (block_lost(b, &cpu, &lost)) {
		printf("{\"cpu\": %u, \"lost\": %u}", cpu, lost);
		return;
	}
	snprintf(line, sizeof(line), "%s", b->line[0]);
	space = strchr(line, ' ');
	if (space) {
		*space = '\0';
		sscanf(space + 1, " [%u] %llu.%u: %511s %1023[^\n]", &cpu, &sec, &usec, spec, rest);
	}
	dash = strrchr(line, '-');
	if (dash) {
		sscanf(dash + 1, "%u", &pid);
		*dash = '\0';	/* line now holds the comm */
	}
	comm_unescape(line);
	printf("{\"time\": %llu.%06u, \"cpu\": %u, \"comm\": ", sec, usec, cpu);
	json_str(line);
	printf(", \"tid\": %u, \"tgid\": null, \"context\": null, \"probe_id\": null, \"spec\": ", pid);
	json_str(spec);
	printf(", ");
	json_func(b->n > 1 && !strncmp(b->line[1], " => ", 4) ? b->line[1] + 4 : NULL);
	text_fields_json(rest);
	printf(", ");
	frames_json(b);
	printf("}");
}

void block_print(const struct block *b)
{
	unsigned int i;

	for (i = 0; i < b->n; i++)
		printf("%s\n", b->line[i]);
	putchar('\n');
}

/* A key=args stack's " args: NAME=VALUE..." line as "args": {...}. */
static void stack_args_json(const struct block *b)
{
	char rest[LINE_MAX_LEN];
	unsigned int i;

	for (i = 1; i < b->n; i++) {
		if (strncmp(b->line[i], " args: ", 7))
			continue;
		snprintf(rest, sizeof(rest), "%s", b->line[i] + 7);
		text_fields_json(rest);
		return;
	}
}

/* "@[p:sym] 123" */
static int stack_header(const struct block *b, char *probe, size_t size,
			unsigned long long *count)
{
	const char *h = b->line[0], *end;

	if (strncmp(h, "@[", 2))
		return -1;
	end = strrchr(h, ']');
	if (!end || (size_t)(end - h - 2) >= size || sscanf(end + 1, " %llu", count) != 1)
		return -1;
	memcpy(probe, h + 2, end - h - 2);
	probe[end - h - 2] = '\0';
	return 0;
}

/*
 * A frame as flame-graph tools want it: the function name, and its
 * module as "_[module]" (Brendan Gregg's annotation, one word).  A bare
 * address keeps its [unloaded] mark the same way.
 */
void folded_frame(char *out, size_t size, const char *frame)
{
	const char *mod, *named = strchr(frame, ' ');
	size_t len;
	char *c;

	/* A named user frame, "0xADDR func+0xOFF (BINARY)": the function. */
	if (!strncmp(frame, "0x", 2) && named && named[1] != '[' && named[1] != '(')
		frame = named + 1;
	mod = strchr(frame, '[');
	if (!strncmp(frame, "0x", 2))
		len = strcspn(frame, " ");
	else
		len = strcspn(frame, "+ ");
	if (mod && strchr(mod, ']'))
		snprintf(out, size, "%.*s_%.*s", (int)len, frame,
			 (int)(strchr(mod, ']') - mod + 1), mod);
	else
		snprintf(out, size, "%.*s", (int)len, frame);
	for (c = out; *c; c++)
		if (*c == ';' || *c == ' ')
			*c = '_';
}

static int folded_cmp(const void *a, const void *b)
{
	const struct folded *x = a, *y = b;

	/* Most first; ties by name, for the same output every time. */
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->stack, y->stack);
}

/*
 * Probes match by canonical spec; a bare symbol (or SYMBOL+OFFSET)
 * matches its probes of every kind.
 */
/* The length of @s's kind prefix: "p:", "r:", "f:", "u:" or "ur:"; 0 for none. */
static size_t kind_prefix_len(const char *s)
{
	if (!strncmp(s, "ur:", 3))
		return 3;
	return s[0] && s[1] == ':' && strchr("prfu", s[0]) ? 2 : 0;
}

int probe_matches(const char *spec, const char *want)
{
	if (!want)
		return 1;
	/* A kind first: a whole spec; else SYMBOL, MOD:SYMBOL or /PATH:SYMBOL. */
	if (kind_prefix_len(want))
		return !strcmp(spec, want);
	return kind_prefix_len(spec) && !strcmp(spec + kind_prefix_len(spec), want);
}

/*
 * @want as the kernel spells it: a module's name has '_' for each '-' of
 * its file's ("nf-conntrack:nf_ct_get" is nf_conntrack's).
 */
void probe_canonical(char *out, size_t size, const char *want)
{
	char *c, *colon;

	snprintf(out, size, "%s", want);
	c = out + kind_prefix_len(out);
	/* u:/PATH:SYM and ur:/PATH:SYM hold no module. */
	if (*c == '/')
		return;
	colon = strchr(c, ':');
	for (; colon && c < colon; c++)
		if (*c == '-')
			*c = '_';
}

void report_begin(struct report *r, const char *probe, enum report_format fmt)
{
	memset(r, 0, sizeof(*r));
	r->fmt = fmt;
	if (probe) {
		probe_canonical(r->want, sizeof(r->want), probe);
		r->probe = r->want;
	}
	if (fmt == REPORT_JSON)
		printf("[");
}

/* Count @count more under @line (malloc'd, taken): one entry per line. */
static int report_tally(struct report *r, char *line, unsigned long long count)
{
	struct folded *more;
	size_t j;

	for (j = 0; j < r->nfold && strcmp(r->fold[j].stack, line); j++)
		;
	if (j < r->nfold) {
		r->fold[j].count += count;
		free(line);
		return 0;
	}
	more = realloc(r->fold, (r->nfold + 1) * sizeof(*r->fold));
	if (!more) {
		free(line);
		return -1;
	}
	r->fold = more;
	memset(&r->fold[r->nfold], 0, sizeof(*r->fold));
	r->fold[r->nfold].stack = line;
	r->fold[r->nfold++].count = count;
	return 0;
}

/* Fold @b into the folded lines: stacks differing only in offsets merge. */
static int report_fold(struct report *r, const struct block *b, unsigned long long count)
{
	static char name[LINE_MAX_LEN];
	size_t cap = (size_t)b->n * LINE_MAX_LEN + 1, len = 0, i;
	char *line = malloc(cap);

	if (!line)
		return -1;
	line[0] = '\0';
	/* Root first: the frames in reverse. */
	for (i = b->n; i-- > 1;) {
		if (strncmp(b->line[i], " => ", 4))
			continue;
		folded_frame(name, sizeof(name), b->line[i] + 4);
		len += snprintf(line + len, cap - len, "%s%s", len ? ";" : "", name);
	}
	return report_tally(r, line, count);
}

/* Frame 1 of @b, the call site, as the kernel named it. */
static int report_caller(struct report *r, const struct block *b, unsigned long long count)
{
	const char *site = "[no caller]";
	unsigned int i, frame = 0;
	char *line;
	size_t j;

	/* The second " => " line: a key=args stack's values come first. */
	for (i = 1; i < b->n && !frame && strcmp(b->line[i], " -- user --"); i++)
		if (!strncmp(b->line[i], " => ", 4) && i + 1 < b->n &&
		    !strncmp(b->line[i + 1], " => ", 4))
			frame = i + 1;
	if (frame)
		site = b->line[frame] + 4;
	line = strdup(site);
	if (!line || report_tally(r, line, count))
		return -1;
	for (j = 0; j < r->nfold && strcmp(r->fold[j].stack, site); j++)
		;
	if (j < r->nfold && frame && b->has_addr[frame]) {
		r->fold[j].addr = b->addr[frame];
		r->fold[j].has_addr = true;
	}
	return 0;
}

int report_block(struct report *r, const struct block *b)
{
	unsigned long long count;
	char spec[512];

	if (stack_header(b, spec, sizeof(spec), &count) || !probe_matches(spec, r->probe))
		return 0;
	if (r->latency) {
		struct blat l;
		unsigned int i;

		if (!block_latency(b, &l))
			return 0;
		if (!r->lat.count || l.min < r->lat.min)
			r->lat.min = l.min;
		if (l.max > r->lat.max)
			r->lat.max = l.max;
		r->lat.count += l.count;
		r->lat_sum += l.mean * l.count;
		for (i = 0; i < STACKTAP_LAT_BUCKETS; i++)
			r->lat.hist[i] += l.hist[i];
	} else if (r->callers) {
		if (report_caller(r, b, count))
			goto err_nomem;
	} else if (r->fmt == REPORT_TEXT) {
		block_print(b);
	} else if (r->fmt == REPORT_JSON) {
		printf("%s\n  {\"spec\": ", r->n ? "," : "");
		json_str(spec);
		printf(", \"count\": %llu", count);
		stack_args_json(b);
		printf(", ");
		frames_json(b);
		{
			struct blat l;

			if (block_latency(b, &l)) {
				printf(", \"latency\": ");
				blat_json(&l);
			}
		}
		printf("}");
	} else if (report_fold(r, b, count)) {
		goto err_nomem;
	}
	r->n++;
	return 0;

err_nomem:
	fprintf(stderr, "%s: report: out of memory\n", prog);
	r->err = 1;
	return 1;
}

/* --callers: the call sites, most calls first. */
static void report_callers(struct report *r)
{
	unsigned long long total = 0;
	size_t i;

	for (i = 0; i < r->nfold; i++)
		total += r->fold[i].count;
	if (r->fmt != REPORT_JSON)
		printf("%12s %7s  %s\n", "CALLS", "SHARE", "CALLER");
	for (i = 0; i < r->nfold; i++) {
		if (r->fmt == REPORT_JSON) {
			const struct folded *c = &r->fold[i];

			printf("%s\n  {\"spec\": ", i ? "," : "");
			json_str(r->probe);
			printf(", \"caller\": ");
			if (strcmp(c->stack, "[no caller]"))
				json_frame(c->stack, c->has_addr ? &c->addr : NULL);
			else
				printf("null");
			printf(", \"count\": %llu}", c->count);
		} else {
			printf("%12llu %6.2f%%  %s\n", r->fold[i].count,
			       100.0 * r->fold[i].count / total, r->fold[i].stack);
		}
	}
}

/* --latency: the probe's calls over all its stacks, as one histogram. */
static int report_latency(struct report *r)
{
	static struct block b;
	unsigned int i;

	if (!r->lat.count) {
		fprintf(stderr, "%s: report: no latencies of '%s': only r: probes have them (see: %s list)\n",
			prog, r->probe, prog);
		return 1;
	}
	r->lat.mean = r->lat_sum / r->lat.count;
	if (r->fmt == REPORT_JSON) {
		printf("\n  {\"spec\": ");
		json_str(r->probe);
		printf(", \"latency\": ");
		blat_json(&r->lat);
		printf("}");
		return 0;
	}
	b.n = 0;
	block_add_latency(&b, &r->lat);
	printf("@[%s] latency\n", r->probe);
	for (i = 0; i < b.n; i++)
		printf("%s\n", b.line[i]);
	return 0;
}

int report_end(struct report *r)
{
	size_t i;
	int ret = r->err;

	if (r->latency && !ret && r->n)
		ret = report_latency(r);
	if (r->callers) {
		qsort(r->fold, r->nfold, sizeof(*r->fold), folded_cmp);
		if (!ret)
			report_callers(r);
	}
	if (r->fmt == REPORT_JSON)
		printf("%s]\n", r->n ? "\n" : "");
	if (!ret && !r->n && r->probe) {
		fprintf(stderr, "%s: report: no counted stacks of '%s' (see: %s list)\n",
			prog, r->probe, prog);
		ret = 1;
	}
	if (r->fmt == REPORT_FOLDED && !r->callers) {
		qsort(r->fold, r->nfold, sizeof(*r->fold), folded_cmp);
		for (i = 0; i < r->nfold && !ret; i++)
			printf("%s %llu\n", r->fold[i].stack, r->fold[i].count);
	}
	for (i = 0; i < r->nfold; i++)
		free(r->fold[i].stack);
	free(r->fold);
	return ret;
}

int report_stacks(FILE *f, const char *probe, enum report_format fmt, bool callers,
		  bool latency, struct st_usyms *us)
{
	static struct block b;
	struct report r;

	report_begin(&r, probe, fmt);
	r.callers = callers;
	r.latency = latency;
	while (block_read(f, &b)) {
		block_user_names(&b, us);
		if (report_block(&r, &b))
			break;
	}
	return report_end(&r);
}
