// SPDX-License-Identifier: GPL-2.0
/*
 * Returns being hooked: a kretprobe puts its trampoline where the return
 * address is (x86_64: the stack slot; MIPS: the trapped ra) before it
 * lists the instance holding the real one (rethook_hook(), and
 * pre_handler_kretprobe() without rethook).  Where interrupts are on in
 * between (x86_64 on an ftrace site, MIPS in its break handler), a walk
 * in an interrupt finds the trampoline with no instance for it.
 *
 * stacktap's entry handler runs just before the hook: it notes where the
 * return address is, the real one and the hooked function, for its
 * context on this CPU, and its return handler forgets them.  A walk in
 * an interrupt of that context takes the note only where nothing else
 * has the address and the frame returning through it is the hooked
 * function's entry: a note left behind (the call returned on another
 * CPU, or never) serves no other call.
 */
#include <linux/compiler.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/sched.h>

#include "stacktap.h"

struct st_hooking {
	struct task_struct *task;	/* NULL while written */
	unsigned long where, ret, func;
	unsigned long ri;		/* the kretprobe instance */
};

struct st_hookings {
	struct st_hooking ctx[ST_MAX_NEST];
};

static DEFINE_PER_CPU(struct st_hookings, st_hookings);

notrace void st_hook_note(unsigned long where, unsigned long ret, unsigned long func,
			  unsigned long ri)
{
	struct st_hooking *h = &this_cpu_ptr(&st_hookings)->ctx[st_context()];

	WRITE_ONCE(h->task, NULL);
	barrier();
	h->where = where;
	h->ret = ret;
	h->func = func;
	h->ri = ri;
	barrier();
	WRITE_ONCE(h->task, current);
}
NOKPROBE_SYMBOL(st_hook_note);

notrace void st_hook_forget(void)
{
	struct st_hooking *h = &this_cpu_ptr(&st_hookings)->ctx[st_context()];

	if (READ_ONCE(h->task) == current)
		WRITE_ONCE(h->task, NULL);
}
NOKPROBE_SYMBOL(st_hook_forget);

/*
 * The real return address a hook in progress noted at @where, for the
 * frame at @callee, at most @span bytes past the hooked function, and its
 * instance (*@ri, may be NULL); or 0.  Only a context below this one can
 * be inside the window.
 */
notrace unsigned long st_hook_find(unsigned long where, unsigned long callee,
				   unsigned long span, unsigned long *ri)
{
	struct st_hookings *hs = this_cpu_ptr(&st_hookings);
	unsigned int i, ctx = st_context();

	for (i = 0; i < ctx; i++) {
		if (READ_ONCE(hs->ctx[i].task) != current || hs->ctx[i].where != where ||
		    callee - hs->ctx[i].func > span)
			continue;
		if (ri)
			*ri = hs->ctx[i].ri;
		return hs->ctx[i].ret;
	}
	return 0;
}
NOKPROBE_SYMBOL(st_hook_find);
