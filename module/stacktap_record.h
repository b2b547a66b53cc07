/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One record per probe hit, as stored in a per-CPU ring.  Frames are raw
 * addresses, symbolised only when the trace is read.  The probe's spec
 * text follows the frames, so a record stays readable after its probe
 * is deleted.
 */
#ifndef _STACKTAP_RECORD_H
#define _STACKTAP_RECORD_H

#include <linux/sched.h>
#include <linux/types.h>

#include "stacktap_compat.h"
#include "../include/uapi/linux/stacktap.h"

/* The part of a record the ring itself understands. */
struct st_rec_hdr {
	u32 len;	/* bytes, header included, multiple of 8 */
	u32 flags;	/* ST_REC_*; COMMITTED is stored last */
};

#define ST_REC_COMMITTED	0x1u
#define ST_REC_PAD		0x2u	/* filler up to the ring's end */
#define ST_REC_TRUNCATED	0x4u	/* stack was deeper than depth= */
#define ST_REC_RET		0x8u	/* kretprobe: return value, latency */
#define ST_REC_GLOB		0x10u	/* glob probe: name the matched function */
#define ST_REC_ARGS		0x20u	/* arguments after the spec */
#define ST_REC_UCOPY		0x40u	/* ustack=copy: the user copy after them */
/* The context of the hit (st_context(): task, softirq, hardirq, NMI). */
#define ST_REC_CTX_SHIFT	8
#define ST_REC_CTX_MASK		(3u << ST_REC_CTX_SHIFT)
/* Records this CPU's ring dropped just before this one, up to 0xffff. */
#define ST_REC_LOST_SHIFT	16
#define ST_REC_LOST_MAX		0xffffu

static inline u32 st_rec_lost(u32 flags)
{
	return flags >> ST_REC_LOST_SHIFT;
}

struct st_record {
	struct st_rec_hdr hdr;
	u64 ts_ns;
	u32 pid;
	u32 tgid;
	u16 nr_frames;
	u8 kind;
	u8 name_len;
	char comm[TASK_COMM_LEN];
	u32 probe_id;		/* the probe's id when it hit */
	unsigned long frames[];
	/*
	 * then, with ST_REC_RET, u64 return value and u64 latency in ns
	 * (unaligned on 32-bit); then name_len bytes of the probe's spec;
	 * then, with ST_REC_ARGS, a u16 length and that many bytes of
	 * struct stacktap_arg entries (unaligned); then, with ST_REC_UCOPY,
	 * at the next multiple of 8, a struct stacktap_ucopy.
	 */
};

static inline u64 *st_record_ret(const struct st_record *rec)
{
	return (u64 *)&rec->frames[rec->nr_frames];
}

static inline const char *st_record_name(const struct st_record *rec)
{
	return (const char *)(st_record_ret(rec) +
			      (rec->hdr.flags & ST_REC_RET ? 2 : 0));
}

/* With ST_REC_ARGS: the u16 length of the arguments, then the arguments. */
static inline const u8 *st_record_args(const struct st_record *rec)
{
	return (const u8 *)st_record_name(rec) + rec->name_len;
}

/* Where a record's parts up to its arguments end, from its start. */
static inline u32 st_record_head(unsigned int nr_frames, unsigned int name_len,
				 bool ret, unsigned int args)
{
	return ALIGN(sizeof(struct st_record) + nr_frames * sizeof(unsigned long) +
		     (ret ? 2 * sizeof(u64) : 0) + name_len + args, 8);
}

/*
 * @args: bytes of arguments with their u16 length, 0 for none; @ucopy:
 * bytes of the user copy, a multiple of 8, 0 for none.
 */
static inline u32 st_record_size(unsigned int nr_frames, unsigned int name_len,
				 bool ret, unsigned int args, unsigned int ucopy)
{
	return st_record_head(nr_frames, name_len, ret, args) + ucopy;
}

/* With ST_REC_UCOPY: the user copy, after the arguments. */
static inline struct stacktap_ucopy *st_record_ucopy(const struct st_record *rec)
{
	unsigned int args = rec->hdr.flags & ST_REC_ARGS ?
			    sizeof(u16) + get_unaligned((const u16 *)st_record_args(rec)) : 0;

	return (struct stacktap_ucopy *)((char *)rec +
		st_record_head(rec->nr_frames, rec->name_len, rec->hdr.flags & ST_REC_RET, args));
}

#endif /* _STACKTAP_RECORD_H */
