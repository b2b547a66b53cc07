/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _STACKTAP_RING_H
#define _STACKTAP_RING_H

#include "stacktap_record.h"

int st_ring_init(unsigned long bytes_per_cpu);
void st_ring_exit(void);
unsigned long st_ring_size(void);

/* Writer side: this CPU's ring, preemption disabled, any context. */
struct st_rec_hdr *st_ring_reserve(u32 len);
void st_ring_commit(struct st_rec_hdr *hdr, u32 flags);

/* Reader side: between st_ring_read_lock() and st_ring_read_unlock(). */
void st_ring_read_lock(void);
void st_ring_read_unlock(void);
unsigned long st_ring_tail(int cpu);
struct st_rec_hdr *st_ring_peek(int cpu, unsigned long *pos);
void st_ring_clear(void);

struct st_ring_stats {
	unsigned long written;
	unsigned long dropped;
	unsigned long bytes;
};
void st_ring_stats(int cpu, struct st_ring_stats *stats);

#endif /* _STACKTAP_RING_H */
