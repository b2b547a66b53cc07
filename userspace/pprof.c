// SPDX-License-Identifier: GPL-2.0
/*
 * report -i FILE --pprof OUT: a recording's stacks as a gzip'd pprof
 * profile (profile.proto, encoded with protobuf-c), for pprof, Pyroscope
 * and the other tools that read it.  One sample per unique stack, its
 * value the stack's count; one location per frame address, with a line
 * per inline level (innermost first) when DWARF gave them; one mapping
 * for the kernel and one per module, with their build-ids.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "profile.pb-c.h"
#include "recording.h"
#include "records.h"

extern const char *prog;

typedef Perftools__Profiles__Profile Profile;
typedef Perftools__Profiles__Sample Sample;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Line Line;
typedef Perftools__Profiles__Function Function;
typedef Perftools__Profiles__Mapping Mapping;
typedef Perftools__Profiles__ValueType ValueType;
typedef Perftools__Profiles__Label Label;

/* Everything the profile points into, freed together. */
struct pp {
	Profile p;
	char **strs;
	size_t nstrs, capstrs;
	Function **funcs;
	size_t nfuncs;
	Location **locs;
	uint64_t *lockeys;	/* address << 1 | return address */
	size_t nlocs;
	Mapping **maps;
	size_t nmaps;
	Sample **samples;
	size_t nsamples;
	bool oom;
};

static void *grow(struct pp *pp, void *arr, size_t n, size_t size)
{
	void *more = pp->oom ? NULL : realloc(arr, (n + 1) * size);

	if (!more)
		pp->oom = true;
	return more;
}

/* @s's index in the string table, added when new. */
static int64_t pp_str(struct pp *pp, const char *s)
{
	char **more;
	size_t i;

	for (i = 0; i < pp->nstrs; i++)
		if (!strcmp(pp->strs[i], s))
			return i;
	more = grow(pp, pp->strs, pp->nstrs, sizeof(*more));
	if (!more)
		return 0;
	pp->strs = more;
	pp->strs[pp->nstrs] = strdup(s);
	if (!pp->strs[pp->nstrs]) {
		pp->oom = true;
		return 0;
	}
	return pp->nstrs++;
}

static uint64_t pp_func(struct pp *pp, const char *name, const char *file)
{
	int64_t n = pp_str(pp, name), f = pp_str(pp, file);
	Function **more, *fn;
	size_t i;

	for (i = 0; i < pp->nfuncs; i++)
		if (pp->funcs[i]->name == n && pp->funcs[i]->filename == f)
			return pp->funcs[i]->id;
	more = grow(pp, pp->funcs, pp->nfuncs, sizeof(*more));
	fn = calloc(1, sizeof(*fn));
	if (!more || !fn) {
		free(fn);
		pp->oom = true;
		return 0;
	}
	pp->funcs = more;
	perftools__profiles__function__init(fn);
	fn->id = pp->nfuncs + 1;
	fn->name = n;
	fn->system_name = n;
	fn->filename = f;
	pp->funcs[pp->nfuncs++] = fn;
	return fn->id;
}

/* The mapping holding @addr: a module's, else the kernel's (id 1). */
static uint64_t pp_mapping(const struct recording *rec, uint64_t addr)
{
	size_t i;

	for (i = 0; i < rec->nmods; i++)
		if (addr - rec->mods[i].base < rec->mods[i].size)
			return i + 2;
	return 1;
}

static int pp_mappings(struct pp *pp, const struct recording *rec)
{
	char id[128];
	size_t i;

	pp->maps = calloc(rec->nmods + 1, sizeof(*pp->maps));
	if (!pp->maps)
		return -1;
	for (i = 0; i <= rec->nmods; i++) {
		Mapping *m = calloc(1, sizeof(*m));

		if (!m)
			return -1;
		perftools__profiles__mapping__init(m);
		m->id = i + 1;
		m->has_functions = true;
		if (!i) {
			m->filename = pp_str(pp, "[kernel.kallsyms]");
			if (!meta_get(rec, "build_id", id, sizeof(id)))
				id[0] = '\0';
			m->build_id = pp_str(pp, id);
		} else {
			const struct rmodule *mod = &rec->mods[i - 1];

			m->memory_start = mod->base;
			m->memory_limit = mod->base + mod->size;
			m->filename = pp_str(pp, mod->name);
			m->build_id = pp_str(pp, mod->build_id);
		}
		pp->maps[pp->nmaps++] = m;
	}
	return pp->oom ? -1 : 0;
}

/* The location of frame @addr (@ret: a return address), made when new. */
static uint64_t pp_location(struct pp *pp, const struct recording *rec, void *dw,
			    uint64_t addr, bool ret)
{
	static struct st_inline_frame in[INLINE_MAX];
	uint64_t key = addr << 1 | ret;
	char buf[32];
	Location **more, *loc;
	uint64_t *keys;
	int n, i;
	size_t j;

	for (j = 0; j < pp->nlocs; j++)
		if (pp->lockeys[j] == key)
			return pp->locs[j]->id;
	more = grow(pp, pp->locs, pp->nlocs, sizeof(*more));
	if (more)
		pp->locs = more;
	keys = grow(pp, pp->lockeys, pp->nlocs, sizeof(*keys));
	if (keys)
		pp->lockeys = keys;
	loc = calloc(1, sizeof(*loc));
	if (!more || !keys || !loc) {
		free(loc);
		pp->oom = true;
		return 0;
	}
	perftools__profiles__location__init(loc);
	loc->id = pp->nlocs + 1;
	loc->mapping_id = pp_mapping(rec, addr);
	loc->address = addr;
	pp->lockeys[pp->nlocs] = key;
	pp->locs[pp->nlocs++] = loc;

	n = frame_inline(dw, addr, ret, in);
	if (!n) {
		/* The recorded name alone: "func+0x1a/0x80 [mod]" gives func. */
		const char *sym = rsym_name(rec, addr, ret, buf, sizeof(buf));

		snprintf(in[0].func, sizeof(in[0].func), "%.*s", (int)strcspn(sym, "+ "), sym);
		in[0].file[0] = '\0';
		in[0].line = 0;
		n = 1;
	}
	loc->line = calloc(n, sizeof(*loc->line));
	if (!loc->line) {
		pp->oom = true;
		return loc->id;
	}
	for (i = 0; i < n; i++) {
		Line *l = calloc(1, sizeof(*l));

		if (!l) {
			pp->oom = true;
			break;
		}
		perftools__profiles__line__init(l);
		l->function_id = pp_func(pp, in[i].func, in[i].file);
		l->line = in[i].line;
		loc->line[loc->n_line++] = l;
	}
	return loc->id;
}

static int pp_sample(struct pp *pp, const struct recording *rec, void *dw, const struct rstack *s,
		     int64_t probe_key)
{
	Sample **more, *smp = calloc(1, sizeof(*smp));
	unsigned int f;

	more = grow(pp, pp->samples, pp->nsamples, sizeof(*more));
	if (!more || !smp)
		goto err_free;
	pp->samples = more;
	pp->samples[pp->nsamples++] = smp;
	perftools__profiles__sample__init(smp);
	smp->location_id = calloc(s->nr_frames ? s->nr_frames : 1, sizeof(uint64_t));
	smp->value = calloc(1, sizeof(int64_t));
	smp->label = calloc(1, sizeof(*smp->label));
	if (!smp->location_id || !smp->value || !smp->label)
		return -1;
	/* Leaf first, as frames are. */
	for (f = 0; f < s->nr_frames; f++)
		if (s->frames[f] != STACKTAP_FRAME_USER)
			smp->location_id[smp->n_location_id++] =
				pp_location(pp, rec, dw, s->frames[f], f > 0);
	smp->value[smp->n_value++] = s->count;
	smp->label[0] = calloc(1, sizeof(Label));
	if (!smp->label[0])
		return -1;
	perftools__profiles__label__init(smp->label[0]);
	smp->label[0]->key = probe_key;
	smp->label[0]->str = pp_str(pp, s->spec);
	smp->n_label = 1;
	return pp->oom ? -1 : 0;

err_free:
	free(smp);
	pp->oom = true;
	return -1;
}

static void pp_free(struct pp *pp)
{
	size_t i, j;

	for (i = 0; i < pp->nstrs; i++)
		free(pp->strs[i]);
	free(pp->strs);
	for (i = 0; i < pp->nfuncs; i++)
		free(pp->funcs[i]);
	free(pp->funcs);
	for (i = 0; i < pp->nlocs; i++) {
		for (j = 0; j < pp->locs[i]->n_line; j++)
			free(pp->locs[i]->line[j]);
		free(pp->locs[i]->line);
		free(pp->locs[i]);
	}
	free(pp->locs);
	free(pp->lockeys);
	for (i = 0; i < pp->nmaps; i++)
		free(pp->maps[i]);
	free(pp->maps);
	for (i = 0; i < pp->nsamples; i++) {
		free(pp->samples[i]->location_id);
		free(pp->samples[i]->value);
		if (pp->samples[i]->label)
			free(pp->samples[i]->label[0]);
		free(pp->samples[i]->label);
		free(pp->samples[i]);
	}
	free(pp->samples);
	free(pp->p.sample_type);
}

int recording_pprof(const struct recording *rec, void *dw, const char *probe, const char *out)
{
	struct pp pp = { .p = PERFTOOLS__PROFILES__PROFILE__INIT };
	ValueType type = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
	uint8_t *buf = NULL;
	int64_t probe_key;
	char t[32];
	size_t i, len;
	gzFile gz;
	int ret = -1;

	pp_str(&pp, "");	/* string 0 */
	type.type = pp_str(&pp, "hits");
	type.unit = pp_str(&pp, "count");
	probe_key = pp_str(&pp, "probe");
	pp.p.sample_type = malloc(sizeof(*pp.p.sample_type));
	if (!pp.p.sample_type || pp_mappings(&pp, rec))
		goto err_nomem;
	pp.p.sample_type[0] = &type;
	pp.p.n_sample_type = 1;
	for (i = 0; i < rec->nstacks; i++)
		if (probe_matches(rec->stacks[i].spec, probe) &&
		    pp_sample(&pp, rec, dw, &rec->stacks[i], probe_key))
			goto err_nomem;
	if (meta_get(rec, "time", t, sizeof(t)))
		pp.p.time_nanos = strtoll(t, NULL, 10) * 1000000000;
	pp.p.string_table = pp.strs;
	pp.p.n_string_table = pp.nstrs;
	pp.p.function = pp.funcs;
	pp.p.n_function = pp.nfuncs;
	pp.p.location = pp.locs;
	pp.p.n_location = pp.nlocs;
	pp.p.mapping = pp.maps;
	pp.p.n_mapping = pp.nmaps;
	pp.p.sample = pp.samples;
	pp.p.n_sample = pp.nsamples;

	len = perftools__profiles__profile__get_packed_size(&pp.p);
	buf = malloc(len ? len : 1);
	if (!buf)
		goto err_nomem;
	perftools__profiles__profile__pack(&pp.p, buf);
	gz = gzopen(out, "wb");
	if (gz) {
		bool written = gzwrite(gz, buf, len) == (int)len;

		if (gzclose(gz) != Z_OK)
			written = false;
		if (!written)
			gz = NULL;
	}
	if (!gz) {
		fprintf(stderr, "%s: report: %s: %s\n", prog, out, strerror(errno ? errno : EIO));
		goto out;
	}
	fprintf(stderr, "%s: report: %s: pprof profile, %zu samples, %zu locations, %zu functions\n",
		prog, out, pp.nsamples, pp.nlocs, pp.nfuncs);
	ret = 0;
	goto out;

err_nomem:
	fprintf(stderr, "%s: report: out of memory\n", prog);
out:
	free(buf);
	pp_free(&pp);
	return ret;
}
