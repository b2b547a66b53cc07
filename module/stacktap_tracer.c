// SPDX-License-Identifier: GPL-2.0
/*
 * Which code is a tracer's: ftrace's callers and list functions, kprobes'
 * and kretprobes' handlers and trampolines.  An interrupt that strikes
 * while a probe's handler runs shows that code below the interrupt in
 * every stack taken in it; the walkers drop it (st_emit() in stacktap.h),
 * so such a stack goes on at the probed function, as if the interrupt had
 * struck there.  stacktap's own handlers always sit above one of these.
 *
 * The kernel names these functions but exports none of them: their
 * ranges are looked up once, by name, when the module loads.  A name a
 * kernel does not have is left out.
 */
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/string.h>

#include "stacktap.h"

static const char *const st_tracer_names[] = {
	/* ftrace's callers, and the labels kallsyms splits them at */
	"ftrace_caller", "ftrace_call", "ftrace_caller_op_ptr", "ftrace_caller_end",
	"ftrace_regs_caller", "ftrace_regs_call", "ftrace_regs_caller_op_ptr",
	"ftrace_regs_caller_jmp", "ftrace_regs_caller_ret", "ftrace_regs_caller_end",
	"ftrace_common", "ftrace_common_return", "ftrace_graph_call",
	"ftrace_graph_caller", "ftrace_epilogue", "ftrace_stub", "_mcount", "mcount",
	"arch_ftrace_ops_list_func", "ftrace_ops_list_func", "__ftrace_ops_list_func",
	"ftrace_ops_assist_func", "ftrace_graph_func", "prepare_ftrace_return",
	"function_graph_enter", "function_graph_enter_regs",
	/* the graph tracer's return hook and its callbacks */
	"return_to_handler", "ftrace_return_to_handler", "__ftrace_return_to_handler",
	"trace_graph_entry", "trace_graph_return",
	/* kprobes */
	"kprobe_ftrace_handler", "kprobe_int3_handler", "kprobe_handler",
	"kprobe_breakpoint_handler", "kprobe_exceptions_notify", "aggr_pre_handler",
	"aggr_post_handler", "pre_handler_kretprobe", "kprobe_dispatcher",
	"kretprobe_dispatcher", "fprobe_handler", "fprobe_entry",
	/* where kprobes single-step and the breaks that get them there */
	"exc_int3", "asm_exc_int3", "do_bp", "handle_bp", "handle_bp_int",
	"el1_dbg", "do_debug_exception", "call_break_hook", "brk_handler",
	/* kretprobes' and rethook's trampolines and their handlers */
	"__kretprobe_trampoline", "kretprobe_trampoline", "kretprobe_trampoline_holder",
	"trampoline_handler", "trampoline_probe_handler", "__kretprobe_trampoline_handler",
	"kretprobe_trampoline_handler", "arch_rethook_trampoline",
	"arch_rethook_trampoline_callback", "rethook_trampoline_handler",
	"kretprobe_rethook_handler", "fprobe_exit_handler", "fprobe_return",
};

struct st_range {
	unsigned long start, end;
};

/* and stacktap's own functions that other code paths call */
#define ST_TRACER_OWN	2

static struct st_range st_tracer_ranges[ARRAY_SIZE(st_tracer_names) + ST_TRACER_OWN];
static unsigned int st_tracer_nr;
/* x86_64 and arm64 put exception entries in their own section */
static struct st_range st_entry_range;

/* [start, end) of the symbol at @addr, from kallsyms' "+0x0/0xsize" */
static bool st_symbol_range(unsigned long addr, struct st_range *r)
{
	char sym[KSYM_SYMBOL_LEN];
	unsigned long off, size;

	if (!st_symbol_offset(sym, addr, &off, &size) || off)
		return false;
	r->start = addr;
	r->end = addr + size;
	return true;
}

void st_tracer_init(void)
{
	unsigned long addr, end;
	unsigned int i;

	st_tracer_nr = 0;
	for (i = 0; i < ARRAY_SIZE(st_tracer_names); i++) {
		addr = st_kernel_symbol(st_tracer_names[i]);
		if (addr && st_symbol_range(addr, &st_tracer_ranges[st_tracer_nr]))
			st_tracer_nr++;
	}
	addr = st_kernel_symbol("__entry_text_start");
	end = st_kernel_symbol("__entry_text_end");
	st_entry_range.start = addr && end > addr ? addr : 0;
	st_entry_range.end = addr && end > addr ? end : 0;
}

/* Before any probe is armed: stacktap's function at @addr is a tracer's. */
void st_tracer_add(unsigned long addr)
{
	if (st_tracer_nr < ARRAY_SIZE(st_tracer_ranges) &&
	    st_symbol_range(addr, &st_tracer_ranges[st_tracer_nr]))
		st_tracer_nr++;
}

/* Exception entry code: the frame after it is the interrupted one. */
notrace bool st_entry_text(unsigned long addr)
{
	return addr - st_entry_range.start < st_entry_range.end - st_entry_range.start;
}
NOKPROBE_SYMBOL(st_entry_text);

notrace bool st_tracer_text(unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < st_tracer_nr; i++)
		if (addr - st_tracer_ranges[i].start <
		    st_tracer_ranges[i].end - st_tracer_ranges[i].start)
			return true;
	return st_unwind_tracer_text(addr);
}
NOKPROBE_SYMBOL(st_tracer_text);
