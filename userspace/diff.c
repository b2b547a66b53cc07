// SPDX-License-Identifier: GPL-2.0
/*
 * stacktapctl diff A B: two recordings (two boards, or before and after a
 * patch), the stacks that appear, vanish or change count.  Stacks are
 * compared by their functions (folded names: module kept, offsets and
 * addresses not), since two builds or two boots place code apart.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"
#include "recording.h"
#include "records.h"

extern const char *prog;

struct dstack {
	char *probe;
	char *stack;		/* folded, root first */
	uint64_t count[2];	/* in A, in B */
};

struct dset {
	struct dstack *s;
	size_t n;
};

/* Count @count of stack @stack of @probe into side @side. */
static int dset_add(struct dset *d, const char *probe, char *stack, int side, uint64_t count)
{
	struct dstack *more;
	size_t i;

	for (i = 0; i < d->n; i++) {
		if (!strcmp(d->s[i].probe, probe) && !strcmp(d->s[i].stack, stack)) {
			d->s[i].count[side] += count;
			free(stack);
			return 0;
		}
	}
	more = realloc(d->s, (d->n + 1) * sizeof(*more));
	if (!more)
		goto err_free;
	d->s = more;
	d->s[d->n].probe = strdup(probe);
	if (!d->s[d->n].probe)
		goto err_free;
	d->s[d->n].stack = stack;
	d->s[d->n].count[side] = count;
	d->s[d->n].count[!side] = 0;
	d->n++;
	return 0;

err_free:
	free(stack);
	return -1;
}

/* A recording's stacks, folded, into side @side. */
static int dset_load(struct dset *d, const struct recording *rec, int side, const char *want)
{
	char buf[32], name[SYM_LEN];
	size_t i, len, cap;
	unsigned int f;
	char *line;

	for (i = 0; i < rec->nstacks; i++) {
		const struct rstack *s = &rec->stacks[i];

		if (!probe_matches(s->spec, want))
			continue;
		cap = (size_t)(s->nr_frames + 1) * SYM_LEN + 16;
		line = malloc(cap);
		if (!line)
			return -1;
		len = 0;
		line[0] = '\0';
		for (f = s->nr_frames; f-- > 0;) {
			if (s->frames[f] == STACKTAP_FRAME_USER)
				continue;
			folded_frame(name, sizeof(name),
				     rsym_name(rec, s->frames[f], f > 0, buf, sizeof(buf)));
			len += snprintf(line + len, cap - len, "%s%s", len ? ";" : "", name);
		}
		if (s->truncated)
			snprintf(line + len, cap - len, "%s[truncated]", len ? ";" : "");
		if (dset_add(d, s->spec, line, side, s->count))
			return -1;
	}
	return 0;
}

static int64_t delta(const struct dstack *s)
{
	return (int64_t)(s->count[1] - s->count[0]);
}

/* Biggest change first; ties by probe, then stack, for a stable output. */
static int dstack_cmp(const void *a, const void *b)
{
	const struct dstack *x = a, *y = b;
	int64_t dx = llabs(delta(x)), dy = llabs(delta(y));
	int c;

	if (dx != dy)
		return dx > dy ? -1 : 1;
	c = strcmp(x->probe, y->probe);
	return c ? c : strcmp(x->stack, y->stack);
}

static const char *status(const struct dstack *s)
{
	if (!s->count[0])
		return "new";
	if (!s->count[1])
		return "gone";
	return s->count[0] == s->count[1] ? "same" : "changed";
}

/* diff --svg: every stack, as wide as the larger of its two counts. */
static int diff_svg(const char *out, const char *a, const char *b, const struct dset *d)
{
	struct fg_stack *fg = calloc(d->n ? d->n : 1, sizeof(*fg));
	char what[512];
	size_t i;
	int ret;

	if (!fg) {
		fprintf(stderr, "%s: diff: out of memory\n", prog);
		return -1;
	}
	for (i = 0; i < d->n; i++) {
		fg[i].stack = d->s[i].stack;
		fg[i].a = d->s[i].count[0];
		fg[i].b = d->s[i].count[1];
		fg[i].count = fg[i].a > fg[i].b ? fg[i].a : fg[i].b;
	}
	snprintf(what, sizeof(what), "%s (A) to %s (B)", a, b);
	ret = flamegraph_file(out, "diff", what, fg, d->n, true);
	free(fg);
	return ret;
}

/*
 * diff A B [--folded | --svg OUT] [--all] [PROBE]: text, JSON (--json),
 * the two-column folded input of FlameGraph's differential flame graphs
 * (flamegraph.pl reads "stack A B"; difffolded.pl makes the same), or our
 * own differential flame graph.
 */
int cmd_diff(int argc, char **argv, int json)
{
	static struct recording rec[2];
	const char *path[2] = { NULL, NULL }, *probe = NULL, *svg = NULL;
	struct dset d = { 0 };
	bool folded = false, all = false;
	char want[512];
	size_t i, shown = 0, differ = 0;
	int j, side, ret = 1;

	for (j = 1; j < argc; j++) {
		if (!strcmp(argv[j], "--folded") && !json && !svg)
			folded = true;
		else if (!strcmp(argv[j], "--svg") && j + 1 < argc && !json && !folded)
			svg = argv[++j];
		else if (!strcmp(argv[j], "--all"))
			all = true;
		else if (argv[j][0] == '-')
			return -1;
		else if (!path[0])
			path[0] = argv[j];
		else if (!path[1])
			path[1] = argv[j];
		else if (!probe)
			probe = argv[j];
		else
			return -1;
	}
	if (!path[1])
		return -1;
	if (probe) {
		probe_canonical(want, sizeof(want), probe);
		probe = want;
	}
	for (side = 0; side < 2; side++) {
		memset(&rec[side], 0, sizeof(rec[side]));
		if (recording_load(path[side], &rec[side]))
			goto out;
		if (dset_load(&d, &rec[side], side, probe)) {
			fprintf(stderr, "%s: diff: out of memory\n", prog);
			goto out;
		}
	}
	qsort(d.s, d.n, sizeof(*d.s), dstack_cmp);
	if (svg) {
		if (!diff_svg(svg, path[0], path[1], &d))
			ret = 0;
		goto out;
	}
	if (json)
		printf("[");
	else if (!folded)
		printf("%-8s %10s %10s %10s  %s\n", "STATUS", "A", "B", "DELTA", "PROBE  STACK");
	for (i = 0; i < d.n; i++) {
		const struct dstack *s = &d.s[i];

		differ += s->count[0] != s->count[1];
		if (folded) {
			/* Every stack: a differential flame graph scales by both. */
			printf("%s %" PRIu64 " %" PRIu64 "\n", s->stack, s->count[0], s->count[1]);
			continue;
		}
		if (!all && s->count[0] == s->count[1])
			continue;
		if (json) {
			printf("%s\n  {\"status\": \"%s\", \"spec\": ", shown ? "," : "", status(s));
			json_str(s->probe);
			printf(", \"a\": %" PRIu64 ", \"b\": %" PRIu64 ", \"delta\": %" PRId64
			       ", \"stack\": ", s->count[0], s->count[1], delta(s));
			json_str(s->stack);
			printf("}");
		} else {
			printf("%-8s %10" PRIu64 " %10" PRIu64 " %+10" PRId64 "  %s  %s\n", status(s),
			       s->count[0], s->count[1], delta(s), s->probe, s->stack);
		}
		shown++;
	}
	if (json)
		printf("%s]\n", shown ? "\n" : "");
	fprintf(stderr, "%s: diff: %s %llu records, %s %llu records; %zu stacks differ\n", prog,
		path[0], rec[0].records, path[1], rec[1].records, differ);
	ret = 0;
out:
	for (i = 0; i < d.n; i++) {
		free(d.s[i].probe);
		free(d.s[i].stack);
	}
	free(d.s);
	recording_free(&rec[0]);
	recording_free(&rec[1]);
	return ret;
}
