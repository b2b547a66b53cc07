/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _STACKTAP_RING_H
#define _STACKTAP_RING_H

#include <linux/list.h>
#include <linux/wait.h>

#include "stacktap_record.h"

int st_ring_init(unsigned long bytes_per_cpu);
void st_ring_exit(void);
unsigned long st_ring_size(void);

/* Writer side: this CPU's ring, preemption disabled, any context. */
struct st_rec_hdr *st_ring_reserve(u32 len, bool overwrite);
void st_ring_commit(struct st_rec_hdr *hdr, u32 flags);
/* For a record sized once written: reserve the most, then trim or cancel. */
struct st_rec_hdr *st_ring_reserve_max(u32 len);
void st_ring_trim(struct st_rec_hdr *hdr, u32 len);
void st_ring_cancel(struct st_rec_hdr *hdr);

/* Reader side: between st_ring_read_lock() and st_ring_read_unlock(). */
void st_ring_read_lock(void);
void st_ring_read_unlock(void);
unsigned long st_ring_tail(int cpu);
struct st_rec_hdr *st_ring_peek(int cpu, unsigned long *pos);
void st_ring_clear(void);

/* trace_pipe: its position, under the read lock, and waiting for records. */
unsigned long st_ring_pipe_pos(int cpu);
void st_ring_pipe_advance(int cpu, unsigned long pos);
bool st_ring_pipe_ready(void);

/* A netlink reader's own position in every CPU's ring. */
struct st_ring_cursor {
	struct list_head node;
	bool snapshot;		/* takes records without freeing any */
	unsigned long pos[];	/* per possible CPU */
};
void st_ring_cursor_add(struct st_ring_cursor *c);
void st_ring_cursor_del(struct st_ring_cursor *c);
void st_ring_cursor_advance(struct st_ring_cursor *c, int cpu, unsigned long pos);

void st_ring_watch(bool on);
wait_queue_head_t *st_ring_waitqueue(void);

struct st_ring_stats {
	unsigned long written;
	unsigned long dropped;
	unsigned long overwritten;	/* committed records freed by writers */
	unsigned long bytes;
	unsigned long ring;	/* allocated: 0 for a CPU never up */
};
void st_ring_stats(int cpu, struct st_ring_stats *stats);

/* Oops and panic: the last @n records of every CPU, without the mutex. */
void st_ring_dump(unsigned int n, void (*fn)(int cpu, struct st_rec_hdr *hdr, void *arg),
		  void *arg);

#endif /* _STACKTAP_RING_H */
