/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A recording (stacktapctl record -o FILE): records and what is needed to
 * name their frames on another machine.  The file is "STKTAPR1", then
 * chunks of a little-endian u32 type, u32 length and that many bytes,
 * padded to 4:
 *
 *	META	text, "key=value" lines: release, version, machine,
 *		build_id (the kernel's), text (the address of text_symbol,
 *		_text or, where kallsyms has no _text, _stext), stacktap,
 *		format, time
 *	MODULE	text: name=, base=, size=, build_id=, then "section=NAME ADDR"
 *	PROBE	text: "ID SPEC[ OPTIONS]"
 *	RECORD	a struct stacktap_record, every field little-endian
 *	SYMBOL	u64 address, u8 1 for a return address, then the kernel's
 *		name for it (NUL-terminated), as the trace file prints it
 *	MAPS	text, "TGID START-END PGOFF PATH" lines (hex), the debugfs
 *		maps file's: the
 *		code mappings of the processes whose user stacks were
 *		recorded, as the module's MAPS_GET gives them at the end
 */
#ifndef STACKTAPCTL_RECORDING_H
#define STACKTAPCTL_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "stream.h"

#define RECORDING_MAGIC	"STKTAPR1"

enum recording_chunk {
	CHUNK_META = 1,
	CHUNK_MODULE,
	CHUNK_PROBE,
	CHUNK_RECORD,
	CHUNK_SYMBOL,
	CHUNK_MAPS,
};

/* What report -i reads back. */
struct rmodule {
	char name[64];
	uint64_t base, size;
	char build_id[128];
	size_t nsec;
	char (*secnames)[64];
	uint64_t *secaddrs;
};

struct rsym {
	uint64_t key;
	const char *name;
};

struct rstack {
	const char *spec;
	uint32_t tgid;		/* its first record's: whose user frames */
	uint64_t count;
	uint16_t nr_frames;
	bool truncated;
	uint64_t first_ns;
	uint64_t *frames;
	size_t next;		/* hash chain, index plus one */
};

/* A record kept for perf script output. */
struct rrecord {
	char comm[16];
	uint32_t pid, tgid, cpu;
	uint64_t time_ns;
	size_t seq;		/* its place in the recording */
	const char *spec;	/* its stack's */
	uint16_t nr_frames;
	const uint64_t *frames;	/* its stack's */
};

struct recording {
	/* Set before recording_load(): where the target's binaries are. */
	const char *symfs;
	void *us;		/* struct st_uspace, with MAPS and libdw */
	char *meta;
	uint32_t format;	/* of its records, from META */
	uint64_t text;
	struct rmodule *mods;
	size_t nmods;
	struct rsym *syms;
	size_t nsyms;
	struct rstack *stacks;
	size_t nstacks;
	size_t *buckets;	/* RSTACK_BUCKETS, index plus one */
	struct rrecord *recs;	/* when kept */
	size_t nrecs;
	bool keep;
	unsigned long long records, lost;
};

int recording_chunk(FILE *f, uint32_t type, const void *data, uint32_t len);
int recording_record(FILE *f, const struct st_rec *r);
/* META and MODULE chunks for the running kernel; 0 or -1 with a message. */
int recording_meta(FILE *f);
int recording_modules(FILE *f);
/* A MAPS chunk from the module over @conn; 0 or an errno. */
struct st_conn;
int recording_maps(FILE *f, struct st_conn *conn);

/* Read @path whole into @rec (zeroed); 0, or -1 with a message. */
int recording_load(const char *path, struct recording *rec);
void recording_free(struct recording *rec);
/* The kernel's recorded name of a frame, or "0x..." into @buf. */
const char *rsym_name(const struct recording *rec, uint64_t addr, bool ret, char *buf,
		      size_t size);

/* A recording's META value of @key into @buf, or NULL. */
const char *meta_get(const struct recording *rec, const char *key, char *buf, size_t size);

#define INLINE_MAX	32
#ifdef HAVE_LIBDW
#include "debuginfo.h"
#include "ustack.h"
#else
struct st_inline_frame {
	char func[256], file[512];
	unsigned int line;
};
#endif
/* @addr's inline chain from DWARF (@dw), innermost first; 0 without it. */
int frame_inline(void *dw, uint64_t addr, bool ret, struct st_inline_frame *in);

/* report -i --pprof: the stacks of @probe (NULL: all) as gzip'd pprof. */
int recording_pprof(const struct recording *rec, void *dw, const char *probe, const char *out);

/* stacktapctl record, report -i and diff. */
int cmd_record(int argc, char **argv);
int report_recording(int argc, char **argv, int json);
int cmd_diff(int argc, char **argv, int json);

#endif
