/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _STACKTAP_H
#define _STACKTAP_H

#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <asm/local.h>

#include "stacktap_compat.h"
#include "stacktap_spec.h"

/* Contexts that can nest on one CPU: task, softirq, hardirq, NMI. */
#define ST_MAX_NEST	4

struct st_probe_stats {
	local_t hits;	/* reached the ring: written or dropped there */
	local_t misses;	/* handler could not record (nesting too deep) */
};

struct st_probe {
	struct list_head list;
	struct st_spec spec;
	char name[STACKTAP_SPEC_MAX + 1];	/* canonical spec text */
	u8 name_len;
	struct st_probe_stats __percpu *stats;
	struct kprobe kp;
};

/* stacktap_capture.c: the hit path */
int st_capture_init(unsigned int depth);
void st_capture_exit(void);
void st_capture(struct st_probe *p, struct pt_regs *regs, unsigned long ip,
		bool at_entry);

/* stacktap_unwind_<arch>.c */
unsigned int st_unwind_regs(struct pt_regs *regs, bool at_entry,
			    unsigned long *entries, unsigned int max);

/* stacktap_probe.c: the probe registry */
int st_probe_add(const char *text, size_t len);
int st_probe_del(const char *text, size_t len);
int st_probe_add_list(const char *list);
void st_probe_del_all(void);
struct seq_file;
int st_probe_show(struct seq_file *m);

/* stacktap_initsyms.c: names for frames in freed module __init text */
int st_initsyms_init(void);
void st_initsyms_exit(void);
const char *st_initsym_lookup(unsigned long addr, bool ret_addr, u64 ts_ns);
void st_initsyms_clear(void);

/* stacktap_debugfs.c */
int st_debugfs_init(void);
void st_debugfs_exit(void);

#endif /* _STACKTAP_H */
