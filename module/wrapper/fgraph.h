/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The function graph tracer's return stack of a task (private state: the
 * kernel's ftrace_graph_ret_addr() is not exported).  Each entry is the
 * real return address (ret) of a function whose own return address now
 * reads return_to_handler, the function (func), and where the hooked
 * address was, on arches that record it (retp, always since 6.11;
 * arm64's is the frame pointer, which 5.10 records as fp instead).
 * Walked innermost first: st_graph_first(), then st_graph_next() until -1.
 *
 *   up to 6.7   an array of struct ftrace_ret_stack, curr_ret_stack the
 *               index of the top one (-1 when empty)
 *   6.8-6.10    not walked: stacks stop at the hooked frame
 *   6.11 on     an array of longs: each frame a struct ftrace_ret_stack,
 *               its users' data, then a word whose low 10 bits are the
 *               frame's distance back to its struct (kernel/trace/fgraph.c);
 *               curr_ret_stack is the offset just past the top word
 */
#ifndef _STACKTAP_WRAPPER_FGRAPH_H
#define _STACKTAP_WRAPPER_FGRAPH_H

#include <linux/ftrace.h>
#include <linux/sched.h>
#include <linux/version.h>

#if !defined(CONFIG_FUNCTION_GRAPH_TRACER)
#define ST_FGRAPH_LAYOUT	0
#elif LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
#define ST_FGRAPH_LAYOUT	1	/* array of entries */
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define ST_FGRAPH_LAYOUT	2	/* framed longs */
#else
#define ST_FGRAPH_LAYOUT	0
#endif

#if ST_FGRAPH_LAYOUT == 1
static inline int st_graph_first(struct task_struct *task)
{
	return task->ret_stack ? task->curr_ret_stack : -1;
}

static inline int st_graph_next(struct task_struct *task, int pos)
{
	return pos - 1;
}

static inline const struct ftrace_ret_stack *st_graph_at(struct task_struct *task, int pos)
{
	return &task->ret_stack[pos];
}
#elif ST_FGRAPH_LAYOUT == 2
#define ST_FGRAPH_FRAME_OFFSET_MASK	0x3ffUL

/* The frame whose top word is just below @offset, as get_ret_stack(). */
static inline int st_graph_next(struct task_struct *task, int offset)
{
	int offs;

	if (offset <= 0)
		return -1;
	offs = task->ret_stack[offset - 1] & ST_FGRAPH_FRAME_OFFSET_MASK;
	if (offs <= 0 || offs > offset - 1)
		return -1;
	return offset - 1 - offs;
}

static inline int st_graph_first(struct task_struct *task)
{
	return task->ret_stack ? st_graph_next(task, task->curr_ret_stack) : -1;
}

static inline const struct ftrace_ret_stack *st_graph_at(struct task_struct *task, int pos)
{
	return (const struct ftrace_ret_stack *)&task->ret_stack[pos];
}
#endif

#if ST_FGRAPH_LAYOUT
/* An entry's fields; retp is 0 where the arch does not record it. */
static inline void st_graph_entry(struct task_struct *task, int pos, unsigned long *func,
				  unsigned long *ret, unsigned long *retp)
{
	const struct ftrace_ret_stack *e = st_graph_at(task, pos);

	*func = e->func;
	*ret = e->ret;
#if defined(HAVE_FUNCTION_GRAPH_RET_ADDR_PTR) || LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
	*retp = (unsigned long)e->retp;
#elif defined(HAVE_FUNCTION_GRAPH_FP_TEST)
	*retp = e->fp;
#else
	*retp = 0;
#endif
}
#else
static inline int st_graph_first(struct task_struct *task)
{
	return -1;
}

static inline int st_graph_next(struct task_struct *task, int pos)
{
	return -1;
}

static inline void st_graph_entry(struct task_struct *task, int pos, unsigned long *func,
				  unsigned long *ret, unsigned long *retp)
{
	*func = 0;
	*ret = 0;
	*retp = 0;
}
#endif

#endif /* _STACKTAP_WRAPPER_FGRAPH_H */
