/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stacktap's binary records (struct stacktap_record), as the STREAM
 * command sends them and a recording keeps them, and their text and JSON.
 */
#ifndef STACKTAPCTL_STREAM_H
#define STACKTAPCTL_STREAM_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../include/uapi/linux/stacktap.h"
#include "nl.h"

/* Longest frame name: kallsyms' with offset, size and module. */
#define SYM_LEN		768	/* above the kernel's KSYM_SYMBOL_LEN (667 on 6.1) */

/* Bytes of a record's arguments at most (uapi: struct stacktap_arg each). */
#define ST_ARGS_BYTES	(STACKTAP_ARGS_MAX * (sizeof(struct stacktap_arg) + \
			 STACKTAP_ARG_NAME_MAX - 1 + STACKTAP_ARG_STRING_MAX))
/* Names a record needs: its frames', then its symbol arguments'. */
#define ST_NAMES_MAX	(STACKTAP_FRAMES_MAX + STACKTAP_ARGS_MAX)

/*
 * A record copied out of its attribute: aligned, checked, spec terminated,
 * arguments in this machine's order; the values of its symbol arguments
 * in syms[], to be named after the frames.
 */
struct st_rec {
	struct stacktap_record h;
	uint64_t frames[STACKTAP_FRAMES_MAX];
	char spec[256];
	unsigned char args[ST_ARGS_BYTES];
	uint64_t syms[STACKTAP_ARGS_MAX];
	unsigned int nsyms;
	/*
	 * F_UCOPY (ustack=copy): the user registers and stack, fields in this
	 * machine's order, ucopy_len bytes of it (0: none).
	 */
	uint32_t ucopy_len;
	union {
		struct stacktap_ucopy ucopy;
		unsigned char ucopy_bytes[sizeof(struct stacktap_ucopy) +
					  (STACKTAP_UCOPY_REGS_MAX + STACKTAP_UCOPY_URET_MAX) *
					  sizeof(uint64_t) + STACKTAP_UCOPY_SIZE_MAX];
	};
};

/* " -- user copy: N bytes from sp 0x... --", as trace prints it; JSON's "ucopy". */
void st_ucopy_text(const struct st_rec *r);
void st_ucopy_json(const struct st_rec *r);

/* One argument of a record, as st_rec_arg_next() walks them. */
struct st_rec_arg {
	const struct stacktap_arg *e;
	const char *name;		/* not terminated: e->name_len */
	const unsigned char *str;	/* STRING: e->value_len bytes */
	uint64_t value;			/* numbers and symbols */
};
/* The argument after the one at *@off (0 to start); false at the end. */
bool st_rec_arg_next(const struct st_rec *r, unsigned int *off, struct st_rec_arg *a);

/*
 * 0, or -1 when @len bytes at @data are no whole record of @format
 * (STACKTAP_RECORD_FORMAT or older); @le: its fields are little-endian (a
 * recording's), else in this machine's order (the kernel's).  A format
 * older than 2 has no context (ST_CONTEXT_UNKNOWN) and no probe id (0).
 */
#define ST_CONTEXT_UNKNOWN	0xff
int st_rec_parse(const void *data, size_t len, struct st_rec *r, bool le, uint32_t format);

/* Frame @i's name, from its address and the record's time. */
struct st_namer {
	/*
	 * Fill names[i] for every frame of @r, then names[nr_frames + k] for
	 * each symbol argument syms[k]; 0 or an errno.
	 */
	int (*name)(struct st_namer *n, const struct st_rec *r, char (*names)[SYM_LEN]);
};

/*
 * A namer that asks the kernel (SYMBOLIZE) over @conn; with @usyms set
 * (st_kernel_namer_user()), user frames are named too, by the module's
 * code mappings (MAPS_GET over @conn) and the binaries on this machine.
 */
#include "usyms.h"
struct st_kernel_namer {
	struct st_namer namer;
	struct st_conn *conn;
	struct st_usyms *usyms;
	long long maps_ms;	/* when the mappings were last asked for */
};
void st_kernel_namer_init(struct st_kernel_namer *k, struct st_conn *conn);
/* Name user frames too ("0xADDR func+0xOFF (BINARY)"); 0, or ENOMEM. */
int st_kernel_namer_user(struct st_kernel_namer *k);
void st_kernel_namer_free(struct st_kernel_namer *k);
/* MAPS_GET over @conn: @fn for each mapping (nonzero stops it); 0 or an errno. */
int st_maps_each(struct st_conn *conn, st_map_fn fn, void *arg);
/* MAPS_GET over @conn into @us; 0 or an errno. */
int st_maps_get(struct st_conn *conn, struct st_usyms *us);

/* A return value as the trace prints it: 0, -2 (ENOENT), 0x... (a pointer). */
void st_ret_format(char *buf, size_t size, uint64_t value);
/* An errno's name ("ENOENT"), the kernel's own included, or NULL. */
const char *st_errno_name(long err);

/*
 * @len bytes of argument entries (in this machine's order) as @r's
 * arguments, checked as a record's are: 0, or -1 when they are not.
 */
int st_rec_set_args(struct st_rec *r, const void *args, size_t len);
/* " NAME=VALUE" for each of @r's arguments, as the kernel prints them. */
size_t st_rec_args_text(char *buf, size_t size, const struct st_rec *r,
			char (*names)[SYM_LEN]);

/* A record as trace_pipe prints it (lost mark included), or as JSON lines. */
void st_rec_print(const struct st_rec *r, char (*names)[SYM_LEN], bool json);
/* The same as an element of a JSON array, *@array elements so far. */
void st_rec_print_in(const struct st_rec *r, char (*names)[SYM_LEN], bool json,
		     unsigned int *array);

/* Handed each record of a RECORDS message; the rest of the stream's state. */
struct st_records {
	int (*record)(struct st_records *s, const struct st_rec *r);
	bool ended;		/* STREAM_END: the module goes */
	bool bad_format;
	uint32_t format;
};
/*
 * Name @r's frames from a stream's callback: 0, or 1 to stop the stream
 * (*@err set, or 0 when stacktap went meanwhile: @s ended).
 */
/* ustack=: user frames, after STACKTAP_FRAME_USER (stream.c) */
void st_user_names(const uint64_t *frames, unsigned int nr, char (*names)[SYM_LEN]);
void st_user_mark_text(bool *truncated);
void st_frames_text(const uint64_t *frames, unsigned int nr, char (*names)[SYM_LEN],
		    bool truncated);
void st_frames_json(const uint64_t *frames, unsigned int nr, char (*names)[SYM_LEN]);
int st_records_name(struct st_records *s, struct st_namer *n, const struct st_rec *r,
		    char (*names)[SYM_LEN], int *err);

/* libmnl callback for the messages of a stream, data a struct st_records. */
int st_records_cb(const struct nlmsghdr *nlh, void *data);

/* Start a stream on @conn; 0 or an errno with @why. */
int st_stream_start(struct st_conn *conn, struct st_records *s, uint32_t flags,
		    char *why, size_t size);
/* Why the stream ended, for a summary: "" while it has not. */
const char *st_stream_ended(const struct st_records *s);
int st_stream_run(struct st_conn *conn, struct st_records *s, volatile sig_atomic_t *stop,
		  long duration_ms);

#endif
