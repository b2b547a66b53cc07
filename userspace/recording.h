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
 */
#ifndef STACKTAPCTL_RECORDING_H
#define STACKTAPCTL_RECORDING_H

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
};

int recording_chunk(FILE *f, uint32_t type, const void *data, uint32_t len);
int recording_record(FILE *f, const struct st_rec *r);
/* META and MODULE chunks for the running kernel; 0 or -1 with a message. */
int recording_meta(FILE *f);
int recording_modules(FILE *f);

/* stacktapctl record and report -i. */
int cmd_record(int argc, char **argv);
int report_recording(int argc, char **argv, int json);

#endif
