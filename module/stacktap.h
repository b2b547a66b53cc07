/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _STACKTAP_H
#define _STACKTAP_H

#include <linux/ftrace.h>
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
	local_t misses;	/* handler could not record (nesting, recursion) */
};

struct st_probe;

/* What differs between p:, r: and f: probes. */
struct st_probe_kind {
	/* Arm @p; on failure set *why for the user and return -errno. */
	int (*arm)(struct st_probe *p, const char **why);
	/* Disarm @p and wait until no handler of it runs. */
	void (*disarm)(struct st_probe *p);
	/* Hits the probing layer itself lost (kprobes' nmissed). */
	unsigned long (*nmissed)(struct st_probe *p);
};

extern const struct st_probe_kind st_kprobe_kind;
const char *st_kprobe_error(int err);
void st_kprobe_hold_softirq(void);
void st_kprobe_post(struct kprobe *kp, struct pt_regs *regs, unsigned long flags);
int st_kprobe_step_over(struct kprobe *kp, struct pt_regs *regs);
extern const struct st_probe_kind st_kretprobe_kind;
extern const struct st_probe_kind st_fprobe_kind;

struct st_probe {
	struct list_head list;
	u32 id;				/* unique while loaded, from 1 */
	struct st_spec spec;
	const struct st_probe_kind *kind;
	char name[STACKTAP_SPEC_MAX + 1];	/* canonical spec text */
	u8 name_len;
	bool pending;		/* f: from probes= waiting for a module */
	bool via_ftrace;	/* p: at an ftrace site, served by ftrace */
	/* r: on MIPS: the kretprobe's own entry pre-handler, which we wrap */
	int (*kret_pre)(struct kprobe *kp, struct pt_regs *regs);
	struct st_probe_stats __percpu *stats;
	union {
		struct kprobe kp;
		struct kretprobe rp;
		struct ftrace_ops ops;
	};
};

/* A kretprobe's outcome, recorded after its entry stack. */
struct st_ret {
	u64 value;
	u64 lat_ns;
};

/* stacktap_capture.c: the hit path */
int st_capture_init(unsigned int depth);
void st_capture_exit(void);
unsigned int st_capture_max(void);
unsigned long *st_capture_begin(struct st_probe *p);
void st_capture_end(void);
void st_record_write(struct st_probe *p, unsigned long *frames,
		     unsigned int nr, const struct st_ret *ret);
void st_capture_regs(struct st_probe *p, struct pt_regs *regs,
		     unsigned long ip, bool at_entry);

/* stacktap_unwind_<arch>.c */
unsigned int st_unwind_regs(struct pt_regs *regs, bool at_entry,
			    unsigned long *entries, unsigned int max);
#if ST_UNWIND_HAS_STATE
/* Only MIPS keeps state (its frame cache) and unwinds ftrace without regs. */
int st_unwind_init(void);
void st_unwind_exit(void);
unsigned int st_unwind_ftrace(unsigned long ip, unsigned long parent_ip,
			      unsigned long *entries, unsigned int max);
#else
static inline int st_unwind_init(void)
{
	return 0;
}

static inline void st_unwind_exit(void)
{
}

/* Unreachable: ftrace saves registers for f: probes on these arches. */
static inline unsigned int st_unwind_ftrace(unsigned long ip, unsigned long parent_ip,
					    unsigned long *entries, unsigned int max)
{
	return 0;
}
#endif

/* stacktap_probe.c: the probe registry */
int st_probes_init(void);
void st_probes_exit(void);
int st_probe_add(const char *text, size_t len, const char **why, u32 *id);
int st_probe_del(const char *text, size_t len, const char **why);
int st_probe_del_id(u32 id, const char **why);
int st_probe_add_list(const char *list);
void st_probe_del_all(void);

/* A probe as the interfaces report it. */
struct st_probe_info {
	u32 id;
	u8 kind;
	u32 flags;			/* STACKTAP_PROBE_F_* */
	u64 hits;
	u64 misses;
	char name[STACKTAP_SPEC_MAX + 1];
};
int st_probe_dump(unsigned long *cursor,
		  int (*emit)(const struct st_probe_info *info, void *arg),
		  void *arg);

/* stacktap_initsyms.c: names for frames in freed module __init text */
int st_initsyms_init(void);
void st_initsyms_exit(void);
const char *st_initsym_lookup(unsigned long addr, bool ret_addr, u64 ts_ns);
void st_initsyms_clear(void);

/* stacktap_debugfs.c */
int st_debugfs_init(void);
void st_debugfs_exit(void);
void st_trace_clear(void);

/* stacktap_netlink.c */
int st_netlink_init(void);
void st_netlink_exit(void);

#endif /* _STACKTAP_H */
