// SPDX-License-Identifier: GPL-2.0
/*
 * Ground truth for stacktap's tests: a known call chain
 *
 *	st_truth_a -> st_truth_b -> st_truth_c -> st_truth_leaf
 *
 * run N times by writing N to /sys/kernel/debug/st_truth/trigger.  The
 * functions are noipa (never inlined, cloned or renamed) and each does
 * work after its call, so no call becomes a tail call: a correct unwinder
 * must report leaf, c, b, a in that order.  st_truth_leaf itself calls
 * st_truth_sink(), so it has a frame of its own on every arch and its
 * entry is not an ftrace call site.
 *
 * Shapes that break the kernel's MIPS walker, each with its own trigger:
 *   trigger_sw	  a -> st_truth_sw -> c -> leaf, where st_truth_sw returns
 *		  early on odd arguments (gcc puts that return before its
 *		  prologue: shrink-wrapping); it is always called even.
 *   trigger_mleaf  a2 -> b2 -> c2 -> st_truth_mleaf, a machine leaf with no
 *		  frame, whose mcount call site in a module is its entry.
 *   trigger_irq	  the chain run from an hrtimer (hardirq) while the
 *		  writing task spins in st_truth_spin().
 *   trigger_irq_ind as trigger_irq, the task spinning in st_truth_ind_spin()
 *		  through a function pointer (x86: a retpoline thunk).
 *   trigger_softirq the chain run from a timer_list callback (softirq).
 *
 * More paths to the same leaf, for aggregation:
 *   trigger_alt	  st_truth_d -> c -> leaf.
 *   trigger_spread  run i (0-based) recurses through st_truth_r (i % 20) + 1
 *		  times before the leaf: 20 distinct stacks.
 *
 * And a function that returns a kernel address, for who may see it:
 *   trigger_ptr	  st_truth_ptr returns the address of st_truth_last.
 *
 * And one with an error path, for return values and conditions on them:
 *   trigger_err	  run i: st_truth_err returns -EINVAL when i % 3 is 0, 0
 *		  when it is 1, and i when 2 (N runs: ceil(N/3) failures).
 *
 * And one with arguments of known values, for fetch args:
 *   trigger_args	  run i: st_truth_args(i, i odd ? &obj : NULL, "run-<i>",
 *		  &obj, -i - 1, 0x6006), obj a struct st_truth_obj.
 *
 *   trigger_oops	  writes through a NULL pointer: an oops, for the
 *   trigger_panic	  flight recorder's dump; or panics without one.
 *
 * And one that sleeps, so kretprobe instances are pending when stacktap
 * goes away:
 *   trigger_nap	  st_truth_nap sleeps 50 ms; 'napping' reads how many
 *		  tasks are inside it now.
 *   trigger_tnap   st_truth_tnap, which has no frame and only tail-calls
 *		  st_truth_lnap, which sleeps 500 ms and returns x + 2 (on
 *		  MIPS st_truth_tnap's entry is an ftrace call site, so r:
 *		  takes its return through ftrace).
 *
 * And calls of a frameless function pending inside each other:
 *   trigger_ftail  run i: st_truth_ftail(3, i), which tail-calls
 *		  st_truth_fbody, which calls st_truth_ftail(n - 1, x + 1)
 *		  until n is 0: four calls pending, returning i + 4, i + 5,
 *		  i + 6 and i + 7, innermost first.
 *
 * And calls that never return:
 *   exit_inside    writing N runs N kthreads, one after another, each of
 *		  which calls st_truth_xtail, frameless, which only tail-calls
 *		  st_truth_xbody, which ends the kthread
 *		  (kthread_complete_and_exit()): an r: on st_truth_xtail has a
 *		  return pending that never comes.
 *
 * MIPS prologues a walker must read right (issue 20, item 11):
 *   trigger_adj2   a_adj2 -> st_truth_adj2 -> c -> leaf, where st_truth_adj2
 *		  (asm) builds its frame in two steps and frees it in two.
 *   offsets	  reads "sw_ra=0xN": where st_truth_b saves ra, for a p:
 *		  probe whose break hides that store; "uread_load=0xN": the
 *		  get_user() load in st_truth_uread, which the write to
 *		  'uread' runs on the writer's buffer (issue 20, item 1: a
 *		  fault in a single-step, on a user page not yet touched);
 *		  reading 'uread' gives the sum of the words it read.
 *   foreign_kprobe writing 1 puts a kprobe with no handler on st_truth_adj2's
 *		  first instruction: another tracer's break, which stacktap
 *		  has no record of.
 *
 * And 'clobber': a kprobe on st_truth_c that clears current_kprobe, as an
 * RCU callback can on MIPS (see st_truth_clobber_set()); 'irqs_off' reads
 * how many triggered runs returned with interrupts off.
 *
 * And 'netdev_name': the offset of struct net_device's name, for an
 * argument fetch of a device's name (6.8 moved it from 0).
 *
 * And 'fresh_region' (32-bit MIPS): writing N maps address space in
 * kseg2, in 64 KiB pieces of one page each, at most N MiB, until a piece
 * lands in a region (PGDIR_SIZE) no process's page directory had when the
 * write began (one init_mm had no table for then); every hole below is
 * then too small for a module, so the next one loaded lands there or
 * above.  Reading it gives that region's start, 0 if none was reached;
 * 'fresh_region_end' where the run of such regions ends.  Writing 0
 * unmaps all (so does unloading).  Processes older than the write lack
 * the region until they touch it (wrapper/die_notifier.h in stacktap).
 *
 * And 'hook_window' (x86_64 with kretprobes on rethook and kprobes on
 * ftrace; MIPS from 5.11): writing 1 puts a kprobe on st_truth_c, with a handler that must run
 * after a kretprobe's there (so register it first).  Where that
 * kretprobe has just hooked the return and interrupts are on, it opens
 * the window rethook_hook() (MIPS: pre_handler_kretprobe()) has between
 * putting the trampoline where the return address is and listing the
 * instance: it takes the instance
 * off the task's list, raises an irq_work that calls st_truth_hook_irq()
 * (hardirq, interrupting this handler) and waits for it, then lists the
 * instance again.  Reading it gives how many windows an interrupt came
 * in; 0 removes the kprobe.  Writing 2 does the same on st_truth_r, for
 * calls pending inside each other that return to one call site.
 *
 * And 'text_tail': the last function of this module's text, as kallsyms
 * names the byte before the region's end, and whether the byte after that
 * end is mapped: "st_truth_exit unmapped" (x86_64's kprobe optimizer
 * reads past that function's end, test 46).
 *
 * And 'genl_hold': writing N holds the generic netlink mutex for N ms, as a
 * slow command of a family without parallel_ops does; reading it says
 * whether it is held now.
 *
 * And the benchmark's workload (selftests/bench):
 *   bench		  write "N R": this CPU calls st_truth_leaf N times
 *		  through R levels of st_truth_r, timed in the kernel; read:
 *		  "cpu calls ns start_ns end_ns" of each CPU's last run.
 */
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/irqflags.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <net/genetlink.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/timer.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <linux/vmalloc.h>
#if defined(CONFIG_MIPS) && defined(CONFIG_32BIT)
#include <asm/pgalloc.h>
#endif
/*
 * A kretprobe's hook of a return that interrupts can see half done: on
 * x86_64 through ftrace and rethook, on MIPS in its break handler (its
 * instances on the task's list since 5.11).
 */
#if defined(CONFIG_X86_64) && defined(CONFIG_KRETPROBE_ON_RETHOOK) && \
	defined(CONFIG_KPROBES_ON_FTRACE)
#define ST_TRUTH_HOOK_WINDOW	1
#include <linux/rethook.h>
#elif defined(CONFIG_MIPS) && defined(CONFIG_KRETPROBES) && \
	!defined(CONFIG_KRETPROBE_ON_RETHOOK) && LINUX_VERSION_CODE >= KERNEL_VERSION(5, 11, 0)
#define ST_TRUTH_HOOK_WINDOW	1
#else
#define ST_TRUTH_HOOK_WINDOW	0
#endif

#define ST_TRUTH_FN noinline __attribute__((__noipa__))
/* A function that only tail-calls: a tail call, which Kbuild turns off. */
#define ST_TRUTH_TAIL ST_TRUTH_FN __attribute__((__optimize__("optimize-sibling-calls")))

static struct dentry *st_truth_dir;
static unsigned long st_truth_last;

static ST_TRUTH_FN unsigned long st_truth_sink(unsigned long x)
{
	WRITE_ONCE(st_truth_last, x);
	return x ^ 0x5a;
}

ST_TRUTH_FN unsigned long st_truth_leaf(unsigned long x);
ST_TRUTH_FN unsigned long st_truth_leaf(unsigned long x)
{
	return st_truth_sink(x * 3) + 1;
}
EXPORT_SYMBOL_GPL(st_truth_leaf);

static ST_TRUTH_FN unsigned long st_truth_c(unsigned long x)
{
	return st_truth_leaf(x + 1) + 1;
}

static ST_TRUTH_FN unsigned long st_truth_b(unsigned long x)
{
	return st_truth_c(x + 1) + 1;
}

static ST_TRUTH_FN unsigned long st_truth_a(unsigned long x)
{
	return st_truth_b(x + 1) + 1;
}

static ST_TRUTH_FN unsigned long st_truth_d(unsigned long x)
{
	return st_truth_c(x + 2) + 1;
}

#ifdef CONFIG_MIPS
/*
 * A frame allocated in two steps and freed in two, as no compiler here
 * builds one: a walker that sizes it by the first allocation, or by the
 * first "addiu sp,sp,+N" it meets, reads the caller from the wrong slot.
 * Calls @next (st_truth_c) with @x.
 */
unsigned long st_truth_adj2(unsigned long x, unsigned long (*next)(unsigned long));
#ifdef CONFIG_64BIT
#define ST_TRUTH_ADDIU	"daddiu"
#define ST_TRUTH_SREG	"sd"
#define ST_TRUTH_LREG	"ld"
#else
#define ST_TRUTH_ADDIU	"addiu"
#define ST_TRUTH_SREG	"sw"
#define ST_TRUTH_LREG	"lw"
#endif
asm(".text\n"
"	.globl	st_truth_adj2\n"
"	.type	st_truth_adj2, @function\n"
"	.set	push\n"
"	.set	noreorder\n"
"st_truth_adj2:\n"
"	" ST_TRUTH_ADDIU "	$sp, $sp, -16\n"
"	" ST_TRUTH_ADDIU "	$sp, $sp, -16\n"
"	" ST_TRUTH_SREG "	$ra, 24($sp)\n"
"	move	$25, $5\n"
"	jalr	$25\n"
"	 nop\n"
"	" ST_TRUTH_LREG "	$ra, 24($sp)\n"
"	" ST_TRUTH_ADDIU "	$sp, $sp, 16\n"
"	" ST_TRUTH_ADDIU "	$sp, $sp, 16\n"
"	jr	$ra\n"
"	 nop\n"
"	.set	pop\n"
"	.size	st_truth_adj2, . - st_truth_adj2\n");
#endif

/*
 * Shrink-wrapped: the odd case returns before any frame is built.  Only
 * notrace code can be: -pg puts the prologue ahead of the mcount call.
 */
static ST_TRUTH_FN notrace unsigned long st_truth_sw(unsigned long x)
{
	if (x & 1)
		return x;
	return st_truth_c(x + 2) * 3;
}

static ST_TRUTH_FN unsigned long st_truth_a_sw(unsigned long x)
{
	return st_truth_sw(2 * x) + 1;
}

#ifdef CONFIG_MIPS
static ST_TRUTH_FN unsigned long st_truth_a_adj2(unsigned long x)
{
	return st_truth_adj2(x + 1, st_truth_c) + 1;
}
#endif

static ST_TRUTH_FN unsigned long st_truth_mleaf(unsigned long x)
{
	return (x * 3) ^ 0x5a;
}

static ST_TRUTH_FN unsigned long st_truth_c2(unsigned long x)
{
	return st_truth_mleaf(x + 1) + 1;
}

static ST_TRUTH_FN unsigned long st_truth_b2(unsigned long x)
{
	return st_truth_c2(x + 1) + 1;
}

static ST_TRUTH_FN unsigned long st_truth_a2(unsigned long x)
{
	return st_truth_b2(x + 1) + 1;
}

/*
 * Calls of a frameless function pending inside each other: st_truth_ftail
 * only tail-calls st_truth_fbody, which calls it again with work after.
 * ftail(n, x) returns x + 2n + 1.
 */
static ST_TRUTH_FN unsigned long st_truth_fbody(unsigned long n, unsigned long x);

static ST_TRUTH_TAIL unsigned long st_truth_ftail(unsigned long n, unsigned long x)
{
	return st_truth_fbody(n, x);
}

static ST_TRUTH_FN unsigned long st_truth_fbody(unsigned long n, unsigned long x)
{
	unsigned long r = n ? st_truth_ftail(n - 1, x + 1) : x;

	WRITE_ONCE(st_truth_last, r);
	return r + 1;
}

/* A call that never returns: the kthread making it ends inside. */
static ST_TRUTH_FN void st_truth_xbody(struct completion *done, long code)
{
	/* complete_and_exit() became kthread_complete_and_exit() in 5.17. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 17, 0)
	kthread_complete_and_exit(done, code);
#else
	complete_and_exit(done, code);
#endif
}

static ST_TRUTH_TAIL void st_truth_xtail(struct completion *done, long code)
{
	st_truth_xbody(done, code);
}

static int st_truth_exit_thread(void *done)
{
	/* Through a pointer: else objtool sees no return and warns of the code after. */
	void (*volatile xtail)(struct completion *done, long code) = st_truth_xtail;

	xtail(done, 0);
	return 0;
}

static int st_truth_exit_inside_set(void *data, u64 n)
{
	struct completion done;
	struct task_struct *t;

	for (; n; n--) {
		init_completion(&done);
		t = kthread_run(st_truth_exit_thread, &done, "st_truth_exit");
		if (IS_ERR(t))
			return PTR_ERR(t);
		wait_for_completion(&done);
	}
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(st_truth_exit_inside_fops, NULL, st_truth_exit_inside_set, "%llu\n");

static ST_TRUTH_FN unsigned long st_truth_ftail_run(unsigned long i)
{
	return st_truth_ftail(3, i) + 1;
}

/* Recursion that stays recursion: the store after the call is no tail. */
static ST_TRUTH_FN unsigned long st_truth_r(unsigned long n, unsigned long x)
{
	unsigned long r = n ? st_truth_r(n - 1, x + 1) : st_truth_leaf(x);

	WRITE_ONCE(st_truth_last, r);
	return r + 1;
}

static ST_TRUTH_FN unsigned long st_truth_spread(unsigned long i)
{
	return st_truth_r(i % 20, i);
}

static ST_TRUTH_FN unsigned long st_truth_ptr(unsigned long x)
{
	st_truth_sink(x);
	return (unsigned long)&st_truth_last;
}

static ST_TRUTH_FN long st_truth_err(unsigned long i)
{
	st_truth_sink(i);
	if (i % 3 == 0)
		return -EINVAL;
	return i % 3 == 1 ? 0 : (long)i;
}

static ST_TRUTH_FN unsigned long st_truth_err_run(unsigned long i)
{
	return (unsigned long)st_truth_err(i);
}

/*
 * Arguments of known values for fetch args, the same layout on 32 and 64
 * bits: leaf and inner are u64 so that a word read at their offset gives
 * the pointer on either (little-endian, as every guest is).
 */
struct st_truth_inner {
	u32 value;
};

struct st_truth_obj {
	u32 magic;			/* 0: 0x5eed0000 + i */
	u16 small;			/* 4: 0xbeef */
	s8 neg;				/* 6: -5 */
	u8 pad;
	char name[24];			/* 8: "obj-name" */
	char long_name[80];		/* 32: 79 characters */
	u64 leaf;			/* 112: &st_truth_leaf */
	u64 inner;			/* 120: -> value 0x1234 + i */
};
static_assert(offsetof(struct st_truth_obj, long_name) == 32 &&
	      offsetof(struct st_truth_obj, leaf) == 112 &&
	      offsetof(struct st_truth_obj, inner) == 120);

static ST_TRUTH_FN unsigned long st_truth_args(unsigned long i, struct st_truth_obj *maybe,
					       const char *name, struct st_truth_obj *obj,
					       long a5, unsigned long a6)
{
	st_truth_sink(i + (unsigned long)a5 + a6);
	return (unsigned long)READ_ONCE(obj->magic) + (maybe ? 1 : 0) + name[0];
}

static ST_TRUTH_FN unsigned long st_truth_args_run(unsigned long i)
{
	struct st_truth_inner inner = { .value = 0x1234 + i };
	struct st_truth_obj obj = {
		.magic = 0x5eed0000 + i, .small = 0xbeef, .neg = -5, .name = "obj-name",
		.leaf = (unsigned long)st_truth_leaf, .inner = (unsigned long)&inner,
	};
	char name[16];
	unsigned int k;

	for (k = 0; k < sizeof(obj.long_name) - 1; k++)
		obj.long_name[k] = '0' + k % 10;
	snprintf(name, sizeof(name), "run-%lu", i);
	return st_truth_args(i, i % 2 ? &obj : NULL, name, &obj, -(long)i - 1, 0x6006);
}

/*
 * The flight recorder's test ends its guest here (selftests/guest/crash.sh):
 * an oops, a write through a NULL pointer the compiler cannot see (sysrq's
 * crash has panicked without one since 5.x), or a panic with no oops.
 */
static unsigned long *st_truth_nowhere;

static ST_TRUTH_FN unsigned long st_truth_oops(unsigned long i)
{
	WRITE_ONCE(*READ_ONCE(st_truth_nowhere), i);
	return i;
}

static ST_TRUTH_FN unsigned long st_truth_panic(unsigned long i)
{
	panic("st_truth: deliberate panic (trigger_panic)");
}

/* Where struct net_device keeps its name: 0 up to 6.7, elsewhere since. */
static u32 st_truth_netdev_name = offsetof(struct net_device, name);

static atomic_t st_truth_napping = ATOMIC_INIT(0);

static ST_TRUTH_FN unsigned long st_truth_nap(unsigned long x)
{
	atomic_inc(&st_truth_napping);
	msleep(50);
	atomic_dec(&st_truth_napping);
	return x + 1;
}

/* A longer sleep behind a frameless function, which only tail-calls it. */
static ST_TRUTH_FN unsigned long st_truth_lnap(unsigned long x)
{
	atomic_inc(&st_truth_napping);
	msleep(500);
	atomic_dec(&st_truth_napping);
	return x + 2;
}

static ST_TRUTH_TAIL unsigned long st_truth_tnap(unsigned long x)
{
	return st_truth_lnap(x);
}

static ST_TRUTH_FN unsigned long st_truth_tnap_run(unsigned long x)
{
	return st_truth_tnap(x) + 1;
}

static int st_truth_napping_get(void *data, u64 *val)
{
	*val = atomic_read(&st_truth_napping);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(st_truth_napping_fops, st_truth_napping_get, NULL, "%llu\n");

static struct hrtimer st_truth_timer;
static unsigned long st_truth_irq_runs;
static bool st_truth_spinning;

/* Runs the chain only once the task spins, so it interrupts the spin. */
static enum hrtimer_restart st_truth_timer_fn(struct hrtimer *t)
{
	if (!READ_ONCE(st_truth_spinning)) {
		hrtimer_forward_now(t, ns_to_ktime(20 * NSEC_PER_USEC));
		return HRTIMER_RESTART;
	}
	st_truth_a(st_truth_irq_runs);
	WRITE_ONCE(st_truth_irq_runs, st_truth_irq_runs + 1);
	return HRTIMER_NORESTART;
}

/* The interrupted task: spins here until the timer has fired. */
static ST_TRUTH_FN unsigned long st_truth_spin(unsigned long runs)
{
	unsigned long spins = 0;

	WRITE_ONCE(st_truth_spinning, true);
	while (READ_ONCE(st_truth_irq_runs) == runs) {
		cpu_relax();
		spins++;
	}
	WRITE_ONCE(st_truth_spinning, false);
	return spins;
}

/*
 * One run of the chain from hardirq, interrupting @spin.  Pinned,
 * preemption off: the timer must interrupt this CPU's spin.  Inlined, so
 * the spinning function's caller is the trigger's.
 */
static __always_inline unsigned long st_truth_irq_run(unsigned long (*spin)(unsigned long))
{
	unsigned long runs = READ_ONCE(st_truth_irq_runs), spins;

	preempt_disable();
	hrtimer_start(&st_truth_timer, ns_to_ktime(100 * NSEC_PER_USEC),
		      HRTIMER_MODE_REL_PINNED_HARD);
	spins = spin(runs);
	preempt_enable();
	return spins;
}

static unsigned long st_truth_irq_once(unsigned long i)
{
	return st_truth_irq_run(st_truth_spin);
}

/*
 * The interrupted task calls through a function pointer: on x86 kernels
 * with retpolines, through a thunk whose first instruction ORC marks as
 * the stack's end, and QEMU's interrupts land on branch targets like it.
 */
static ST_TRUTH_FN unsigned long st_truth_ind_target(unsigned long x)
{
	return x + 1;
}

static unsigned long (*st_truth_ind_fn)(unsigned long) = st_truth_ind_target;

static ST_TRUTH_FN unsigned long st_truth_ind_spin(unsigned long runs)
{
	unsigned long spins = 0;

	WRITE_ONCE(st_truth_spinning, true);
	while (READ_ONCE(st_truth_irq_runs) == runs)
		spins = READ_ONCE(st_truth_ind_fn)(spins);
	WRITE_ONCE(st_truth_spinning, false);
	return spins;
}

static unsigned long st_truth_irq_ind_once(unsigned long i)
{
	return st_truth_irq_run(st_truth_ind_spin);
}

static struct timer_list st_truth_soft_timer;
static DECLARE_COMPLETION(st_truth_soft_done);
static unsigned long st_truth_soft_arg;

static void st_truth_soft_fn(struct timer_list *t)
{
	st_truth_a(st_truth_soft_arg);
	complete(&st_truth_soft_done);
}

/* One run of the chain from softirq, in a timer_list callback. */
static unsigned long st_truth_softirq_once(unsigned long i)
{
	reinit_completion(&st_truth_soft_done);
	st_truth_soft_arg = i;
	mod_timer(&st_truth_soft_timer, jiffies + 1);
	wait_for_completion(&st_truth_soft_done);
	return i;
}

typedef unsigned long (*st_truth_chain_t)(unsigned long);

/* Each trigger file runs its chain N times: write N. */
/* How many runs of a chain returned with interrupts off; read by tests. */
static atomic_long_t st_truth_irqs_off;

static int st_truth_irqs_off_get(void *data, u64 *val)
{
	*val = atomic_long_read(&st_truth_irqs_off);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(st_truth_irqs_off_fops, st_truth_irqs_off_get, NULL, "%llu\n");

static ssize_t st_truth_trigger_write(struct file *file, const char __user *ubuf,
				      size_t count, loff_t *ppos)
{
	st_truth_chain_t chain = file->private_data;
	unsigned long n, i;
	int ret;

	ret = kstrtoul_from_user(ubuf, count, 0, &n);
	if (ret)
		return ret;
	if (n > 10000000)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		chain(i);
		/* A probe on the chain must give interrupts back as it found them. */
		if (irqs_disabled())
			atomic_long_inc(&st_truth_irqs_off);
		cond_resched();
	}
	return count;
}

/* The deepest bench run: R frames of st_truth_r fit any kernel stack. */
#define ST_TRUTH_BENCH_DEPTH	100

struct st_truth_bench_run {
	u64 calls;
	u64 start_ns;
	u64 end_ns;
};

static DEFINE_PER_CPU(struct st_truth_bench_run, st_truth_bench_runs);

static ssize_t st_truth_bench_write(struct file *file, const char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	struct st_truth_bench_run run;
	unsigned long n, depth, i;
	char buf[48];
	size_t len = min(count, sizeof(buf) - 1);

	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%lu %lu", &n, &depth) != 2 || !n || n > 100000000 ||
	    depth > ST_TRUTH_BENCH_DEPTH)
		return -EINVAL;
	run.calls = n;
	run.start_ns = ktime_get_ns();
	for (i = 0; i < n; i++) {
		st_truth_r(depth, i);
		/* Rarely enough not to count; the loop may run for seconds. */
		if (!(i & 1023))
			cond_resched();
	}
	run.end_ns = ktime_get_ns();
	/* The writer is pinned (taskset): this is the CPU that ran it. */
	*per_cpu_ptr(&st_truth_bench_runs, raw_smp_processor_id()) = run;
	return count;
}

static int st_truth_bench_show(struct seq_file *m, void *v)
{
	struct st_truth_bench_run *run;
	int cpu;

	for_each_online_cpu(cpu) {
		run = per_cpu_ptr(&st_truth_bench_runs, cpu);
		if (run->calls)
			seq_printf(m, "%d %llu %llu %llu %llu\n", cpu, run->calls,
				   run->end_ns - run->start_ns, run->start_ns, run->end_ns);
	}
	return 0;
}

static int st_truth_bench_open(struct inode *inode, struct file *file)
{
	return single_open(file, st_truth_bench_show, NULL);
}

static const struct file_operations st_truth_bench_fops = {
	.owner = THIS_MODULE,
	.open = st_truth_bench_open,
	.read = seq_read,
	.write = st_truth_bench_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static const struct file_operations st_truth_trigger_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = st_truth_trigger_write,
};

static const struct {
	const char *name;
	st_truth_chain_t chain;
} st_truth_triggers[] = {
	{ "trigger", st_truth_a },
	{ "trigger_sw", st_truth_a_sw },
	{ "trigger_mleaf", st_truth_a2 },
	{ "trigger_irq", st_truth_irq_once },
	{ "trigger_irq_ind", st_truth_irq_ind_once },
	{ "trigger_softirq", st_truth_softirq_once },
	{ "trigger_alt", st_truth_d },
	{ "trigger_spread", st_truth_spread },
	{ "trigger_ptr", st_truth_ptr },
	{ "trigger_nap", st_truth_nap },
	{ "trigger_ftail", st_truth_ftail_run },
	{ "trigger_tnap", st_truth_tnap_run },
	{ "trigger_err", st_truth_err_run },
	{ "trigger_args", st_truth_args_run },
	{ "trigger_oops", st_truth_oops },
	{ "trigger_panic", st_truth_panic },
#ifdef CONFIG_MIPS
	{ "trigger_adj2", st_truth_a_adj2 },
#endif
};

/*
 * Where the kernel puts a probe on a function's entry, which is frame 0 of
 * a stack that starts at the probed function: the symbol itself, or past
 * x86's ENDBR on kernels built with IBT (6.12 and later here; GCC leaves
 * it out of static functions whose address is never taken).  Write a
 * symbol's name, read "symbol+offset/size".
 */
static char st_truth_entry_sym[KSYM_NAME_LEN] = "st_truth_leaf";
static DEFINE_MUTEX(st_truth_entry_mutex);

static int st_truth_entry_offset_show(struct seq_file *m, void *v)
{
	struct kprobe kp = { .flags = KPROBE_FLAG_DISABLED };
	int ret;

	mutex_lock(&st_truth_entry_mutex);
	kp.symbol_name = st_truth_entry_sym;
	ret = register_kprobe(&kp);
	if (!ret) {
		seq_printf(m, "%pS\n", kp.addr);
		unregister_kprobe(&kp);
	} else if (kp.addr) {
		/*
		 * The symbol is known but kprobes refuse its entry (on MIPS an
		 * ftrace call site, where stacktap's p: goes through ftrace):
		 * frame 0 is the symbol itself.
		 */
		seq_printf(m, "%pS\n", kp.addr);
		ret = 0;
	}
	mutex_unlock(&st_truth_entry_mutex);
	return ret;
}

static int st_truth_entry_offset_open(struct inode *inode, struct file *file)
{
	return single_open(file, st_truth_entry_offset_show, NULL);
}

static ssize_t st_truth_entry_offset_write(struct file *file, const char __user *ubuf,
					   size_t len, loff_t *ppos)
{
	char buf[KSYM_NAME_LEN];

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	mutex_lock(&st_truth_entry_mutex);
	strscpy(st_truth_entry_sym, strim(buf), sizeof(st_truth_entry_sym));
	mutex_unlock(&st_truth_entry_mutex);
	return len;
}

static const struct file_operations st_truth_entry_offset_fops = {
	.owner = THIS_MODULE,
	.open = st_truth_entry_offset_open,
	.read = seq_read,
	.write = st_truth_entry_offset_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/*
 * MIPS takes kprobe breaks with interrupts on: an RCU callback there
 * (kprobe_flush_task()) can clear current_kprobe while a probe's
 * single-step is pending, and kprobes then disown the step's break.
 * Writing 1 to 'clobber' puts a kprobe on st_truth_c whose pre-handler
 * does what that callback does, kprobe_busy_begin() and _end(), at every
 * hit; 0 removes it.  Registered after another probe there, it runs
 * first (kprobes chain a newcomer at the head); before, last.
 */
static void (*st_truth_busy_begin)(void);
static void (*st_truth_busy_end)(void);
static struct kprobe st_truth_clobber_kp;
static bool st_truth_clobbering;
static DEFINE_MUTEX(st_truth_clobber_mutex);

/* kprobes resolve a name into kp.addr even where they refuse to probe. */
static unsigned long st_truth_symbol(const char *name)
{
	struct kprobe kp = { .symbol_name = name, .flags = KPROBE_FLAG_DISABLED };

	if (!register_kprobe(&kp))
		unregister_kprobe(&kp);
	return (unsigned long)kp.addr;
}

static int st_truth_clobber_pre(struct kprobe *kp, struct pt_regs *regs)
{
	st_truth_busy_begin();
	st_truth_busy_end();
	return 0;
}

static int st_truth_clobber_set(void *data, u64 on)
{
	int ret = 0;

	mutex_lock(&st_truth_clobber_mutex);
	if (on && !st_truth_clobbering) {
		st_truth_busy_begin = (void *)st_truth_symbol("kprobe_busy_begin");
		st_truth_busy_end = (void *)st_truth_symbol("kprobe_busy_end");
		if (!st_truth_busy_begin || !st_truth_busy_end) {
			ret = -ENOENT;
			goto out;
		}
		memset(&st_truth_clobber_kp, 0, sizeof(st_truth_clobber_kp));
		st_truth_clobber_kp.symbol_name = "st_truth_c";
		st_truth_clobber_kp.pre_handler = st_truth_clobber_pre;
		ret = register_kprobe(&st_truth_clobber_kp);
		st_truth_clobbering = !ret;
	} else if (!on && st_truth_clobbering) {
		unregister_kprobe(&st_truth_clobber_kp);
		st_truth_clobbering = false;
	}
out:
	mutex_unlock(&st_truth_clobber_mutex);
	return ret;
}
DEFINE_DEBUGFS_ATTRIBUTE(st_truth_clobber_fops, NULL, st_truth_clobber_set, "%llu\n");

static int st_truth_text_tail_show(struct seq_file *m, void *v)
{
	char sym[KSYM_SYMBOL_LEN];
	unsigned long end;
	u8 b;

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	end = (unsigned long)THIS_MODULE->mem[MOD_TEXT].base + THIS_MODULE->mem[MOD_TEXT].size;
#else
	end = (unsigned long)THIS_MODULE->core_layout.base + THIS_MODULE->core_layout.text_size;
#endif
	sprint_symbol(sym, end - 1);
	sym[strcspn(sym, "+ ")] = '\0';
	seq_printf(m, "%s %s\n", sym,
		   copy_from_kernel_nofault(&b, (void *)end, 1) ? "unmapped" : "mapped");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(st_truth_text_tail);

static atomic_t st_truth_genl_held;

static int st_truth_genl_hold_set(void *data, u64 ms)
{
	if (ms > 10000)
		return -ERANGE;
	genl_lock();
	atomic_set(&st_truth_genl_held, 1);
	msleep(ms);
	atomic_set(&st_truth_genl_held, 0);
	genl_unlock();
	return 0;
}

static int st_truth_genl_hold_get(void *data, u64 *held)
{
	*held = atomic_read(&st_truth_genl_held);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(st_truth_genl_hold_fops, st_truth_genl_hold_get,
			 st_truth_genl_hold_set, "%llu\n");

#ifdef CONFIG_MIPS
/* A user word, read where the caller's buffer is: its first touch faults. */
static ST_TRUTH_FN int st_truth_uread(const u32 __user *p, u32 *v)
{
	return get_user(*v, p);
}

/* The sum of the words 'uread' read: did each load really run? */
static atomic_long_t st_truth_uread_total;

static ssize_t st_truth_uread_write(struct file *file, const char __user *ubuf,
				    size_t len, loff_t *ppos)
{
	u32 v = 0;

	if (len < sizeof(u32))
		return -EINVAL;
	if (st_truth_uread((const u32 __user *)ubuf, &v))
		return -EFAULT;
	atomic_long_add(v, &st_truth_uread_total);
	return len;
}

static ssize_t st_truth_uread_read(struct file *file, char __user *ubuf,
				   size_t len, loff_t *ppos)
{
	char buf[24];
	int n = scnprintf(buf, sizeof(buf), "%ld\n", atomic_long_read(&st_truth_uread_total));

	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations st_truth_uread_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = st_truth_uread_write,
	.read = st_truth_uread_read,
};

/*
 * Where st_truth_b saves ra (its first "sw/sd ra, N(sp)"), and where
 * st_truth_uread loads from user memory (its exception table entry).
 */
static int st_truth_offsets_show(struct seq_file *m, void *v)
{
	const u32 *insn = (const u32 *)st_truth_b;
	unsigned long uread = (unsigned long)st_truth_uread;
	unsigned int i, op;

	for (i = 0; i < 32; i++) {
		op = insn[i] >> 26;
		if ((op == 0x2b || op == 0x3f) && ((insn[i] >> 21) & 31) == 29 &&
		    ((insn[i] >> 16) & 31) == 31) {
			seq_printf(m, "sw_ra=0x%x\n", i * 4);
			break;
		}
	}
	for (i = 0; i < THIS_MODULE->num_exentries; i++)
		if (THIS_MODULE->extable[i].insn - uread < 256)
			seq_printf(m, "uread_load=0x%lx\n", THIS_MODULE->extable[i].insn - uread);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(st_truth_offsets);

static struct kprobe st_truth_foreign_kp;
static bool st_truth_foreign;
static DEFINE_MUTEX(st_truth_foreign_mutex);

static int st_truth_foreign_set(void *data, u64 on)
{
	int ret = 0;

	mutex_lock(&st_truth_foreign_mutex);
	if (on && !st_truth_foreign) {
		memset(&st_truth_foreign_kp, 0, sizeof(st_truth_foreign_kp));
		st_truth_foreign_kp.addr = (kprobe_opcode_t *)st_truth_adj2;
		ret = register_kprobe(&st_truth_foreign_kp);
		st_truth_foreign = !ret;
	} else if (!on && st_truth_foreign) {
		unregister_kprobe(&st_truth_foreign_kp);
		st_truth_foreign = false;
	}
	mutex_unlock(&st_truth_foreign_mutex);
	return ret;
}
DEFINE_DEBUGFS_ATTRIBUTE(st_truth_foreign_fops, NULL, st_truth_foreign_set, "%llu\n");
#endif

#if ST_TRUTH_HOOK_WINDOW
static struct kprobe st_truth_window_kp;
static bool st_truth_windowing;
static DEFINE_MUTEX(st_truth_window_mutex);
static atomic_long_t st_truth_windows;
static bool st_truth_window_done;
static unsigned long st_truth_rethook_tramp;	/* not exported */

static ST_TRUTH_FN unsigned long st_truth_hook_irq(unsigned long x)
{
	return st_truth_sink(x) + 1;
}

static void st_truth_window_irq(struct irq_work *w)
{
	st_truth_hook_irq(0);
	WRITE_ONCE(st_truth_window_done, true);
}

static struct irq_work st_truth_window_work = IRQ_WORK_INIT_HARD(st_truth_window_irq);

#ifdef CONFIG_X86_64
#define ST_TRUTH_TRAMP		"arch_rethook_trampoline"
/* The task's hooked returns: rethook's nodes, the last hooked first. */
#define st_truth_hooks()	(&current->rethooks)

/* Whether @first, first on the list, hooked the return trapped at @regs. */
static bool st_truth_hooked(struct llist_node *first, struct pt_regs *regs)
{
	return container_of(first, struct rethook_node, llist)->frame == regs->sp &&
	       *(unsigned long *)regs->sp == st_truth_rethook_tramp;
}
#else
#define ST_TRUTH_TRAMP		"__kretprobe_trampoline"
#define st_truth_hooks()	(&current->kretprobe_instances)

static bool st_truth_hooked(struct llist_node *first, struct pt_regs *regs)
{
	struct kretprobe_instance *ri = container_of(first, struct kretprobe_instance, llist);
	struct kretprobe *rp = get_kretprobe(ri);

	return rp && rp->kp.addr == st_truth_window_kp.addr &&
	       regs->regs[31] == st_truth_rethook_tramp;
}
#endif

static int st_truth_window_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct llist_node *first = st_truth_hooks()->first;
	u64 end;

	/* Only right after a kretprobe here hooked this very call. */
	if (!first || irqs_disabled() || !st_truth_hooked(first, regs))
		return 0;
	st_truth_hooks()->first = first->next;
	WRITE_ONCE(st_truth_window_done, false);
	if (irq_work_queue(&st_truth_window_work)) {
		end = ktime_get_mono_fast_ns() + 100 * NSEC_PER_MSEC;
		while (!READ_ONCE(st_truth_window_done) && ktime_get_mono_fast_ns() < end)
			cpu_relax();
		if (READ_ONCE(st_truth_window_done))
			atomic_long_inc(&st_truth_windows);
	}
	st_truth_hooks()->first = first;
	return 0;
}

static int st_truth_window_get(void *data, u64 *val)
{
	*val = atomic_long_read(&st_truth_windows);
	return 0;
}

static int st_truth_window_set(void *data, u64 on)
{
	int ret = 0;

	mutex_lock(&st_truth_window_mutex);
	if (on && !st_truth_windowing) {
		st_truth_rethook_tramp = st_truth_symbol(ST_TRUTH_TRAMP);
		if (!st_truth_rethook_tramp) {
			ret = -ENOENT;
			goto out;
		}
		memset(&st_truth_window_kp, 0, sizeof(st_truth_window_kp));
		st_truth_window_kp.symbol_name = on == 2 ? "st_truth_r" : "st_truth_c";
		st_truth_window_kp.pre_handler = st_truth_window_pre;
		atomic_long_set(&st_truth_windows, 0);
		ret = register_kprobe(&st_truth_window_kp);
		st_truth_windowing = !ret;
	} else if (!on && st_truth_windowing) {
		unregister_kprobe(&st_truth_window_kp);
		irq_work_sync(&st_truth_window_work);
		st_truth_windowing = false;
	}
out:
	mutex_unlock(&st_truth_window_mutex);
	return ret;
}
DEFINE_DEBUGFS_ATTRIBUTE(st_truth_window_fops, st_truth_window_get, st_truth_window_set,
			 "%llu\n");
#endif

#if defined(CONFIG_MIPS) && defined(CONFIG_32BIT)
#define ST_FRESH_PIECE	(64 * 1024)
#define ST_FRESH_MAX	2048		/* pieces: 128 MiB */
static void *st_truth_fresh_pieces[ST_FRESH_MAX];
static unsigned int st_truth_fresh_nr;
static unsigned long st_truth_fresh, st_truth_fresh_end;
static struct page *st_truth_fresh_page;
static DEFINE_MUTEX(st_truth_fresh_mutex);

static void st_truth_fresh_free(void)
{
	while (st_truth_fresh_nr)
		vunmap(st_truth_fresh_pieces[--st_truth_fresh_nr]);
	st_truth_fresh = 0;
	st_truth_fresh_end = 0;
}

static int st_truth_fresh_get(void *data, u64 *val)
{
	*val = READ_ONCE(st_truth_fresh);
	return 0;
}

static int st_truth_fresh_set(void *data, u64 mib)
{
	struct page *pages[ST_FRESH_PIECE / PAGE_SIZE];
	unsigned long addr;
	unsigned int i, max;
	pgd_t *ref;
	int ret = 0;

	max = min_t(u64, mib * (1024 * 1024 / ST_FRESH_PIECE), ST_FRESH_MAX);
	mutex_lock(&st_truth_fresh_mutex);
	st_truth_fresh_free();
	if (!mib)
		goto out;
	/* Areas freed lazily by earlier unloads: holes below, gone now. */
	vm_unmap_aliases();
	/* init_mm's kernel entries now: what a process created now has. */
	ref = pgd_alloc(current->active_mm);
	if (!ref) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(pages); i++)
		pages[i] = st_truth_fresh_page;
	while (st_truth_fresh_nr < max) {
		void *p = vmap(pages, ARRAY_SIZE(pages), VM_MAP, PAGE_KERNEL);

		if (!p) {
			ret = -ENOMEM;
			break;
		}
		st_truth_fresh_pieces[st_truth_fresh_nr++] = p;
		addr = (unsigned long)p;
		i = pgd_index(addr);
		if (pgd_val(ref[i]) == (unsigned long)invalid_pte_table) {
			st_truth_fresh = addr & PGDIR_MASK;
			/* And the regions after it that none had either. */
			while (i < PTRS_PER_PGD && pgd_val(ref[i]) == (unsigned long)invalid_pte_table)
				i++;
			st_truth_fresh_end = i < PTRS_PER_PGD ? (unsigned long)i << PGDIR_SHIFT : ~0UL;
			break;
		}
	}
	pgd_free(current->active_mm, ref);
	if (!ret && !st_truth_fresh)
		ret = -ENOSPC;
out:
	mutex_unlock(&st_truth_fresh_mutex);
	return ret;
}
DEFINE_DEBUGFS_ATTRIBUTE(st_truth_fresh_fops, st_truth_fresh_get, st_truth_fresh_set, "0x%llx\n");

static int st_truth_fresh_end_get(void *data, u64 *val)
{
	*val = READ_ONCE(st_truth_fresh_end);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(st_truth_fresh_end_fops, st_truth_fresh_end_get, NULL, "0x%llx\n");
#endif

static int __init st_truth_init(void)
{
	unsigned int i;

	/* hrtimer_setup() since 6.13; hrtimer_init() went in 7.0. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
	hrtimer_setup(&st_truth_timer, st_truth_timer_fn, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_PINNED_HARD);
#else
	hrtimer_init(&st_truth_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	st_truth_timer.function = st_truth_timer_fn;
#endif
	timer_setup(&st_truth_soft_timer, st_truth_soft_fn, 0);
	st_truth_dir = debugfs_create_dir("st_truth", NULL);
	for (i = 0; i < ARRAY_SIZE(st_truth_triggers); i++)
		debugfs_create_file(st_truth_triggers[i].name, 0200, st_truth_dir,
				    st_truth_triggers[i].chain, &st_truth_trigger_fops);
	debugfs_create_file_unsafe("napping", 0400, st_truth_dir, NULL,
				   &st_truth_napping_fops);
	debugfs_create_file("bench", 0600, st_truth_dir, NULL, &st_truth_bench_fops);
	debugfs_create_file_unsafe("exit_inside", 0200, st_truth_dir, NULL,
				   &st_truth_exit_inside_fops);
	debugfs_create_file("entry_offset", 0600, st_truth_dir, NULL,
			    &st_truth_entry_offset_fops);
	debugfs_create_file_unsafe("clobber", 0200, st_truth_dir, NULL,
				   &st_truth_clobber_fops);
	debugfs_create_file_unsafe("irqs_off", 0400, st_truth_dir, NULL,
				   &st_truth_irqs_off_fops);
	debugfs_create_file_unsafe("genl_hold", 0600, st_truth_dir, NULL,
				   &st_truth_genl_hold_fops);
	debugfs_create_u32("netdev_name", 0400, st_truth_dir, &st_truth_netdev_name);
	debugfs_create_file("text_tail", 0400, st_truth_dir, NULL, &st_truth_text_tail_fops);
#if ST_TRUTH_HOOK_WINDOW
	debugfs_create_file_unsafe("hook_window", 0600, st_truth_dir, NULL,
				   &st_truth_window_fops);
#endif
#ifdef CONFIG_MIPS
	debugfs_create_file("offsets", 0400, st_truth_dir, NULL, &st_truth_offsets_fops);
	debugfs_create_file("uread", 0600, st_truth_dir, NULL, &st_truth_uread_fops);
	debugfs_create_file_unsafe("foreign_kprobe", 0200, st_truth_dir, NULL,
				   &st_truth_foreign_fops);
#endif
#if defined(CONFIG_MIPS) && defined(CONFIG_32BIT)
	st_truth_fresh_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (st_truth_fresh_page) {
		debugfs_create_file_unsafe("fresh_region", 0600, st_truth_dir, NULL,
					   &st_truth_fresh_fops);
		debugfs_create_file_unsafe("fresh_region_end", 0400, st_truth_dir, NULL,
					   &st_truth_fresh_end_fops);
	}
#endif
	return 0;
}

static void __exit st_truth_exit(void)
{
	debugfs_remove_recursive(st_truth_dir);
	st_truth_clobber_set(NULL, 0);
#if ST_TRUTH_HOOK_WINDOW
	st_truth_window_set(NULL, 0);
#endif
#ifdef CONFIG_MIPS
	st_truth_foreign_set(NULL, 0);
#endif
#if defined(CONFIG_MIPS) && defined(CONFIG_32BIT)
	st_truth_fresh_set(NULL, 0);
	if (st_truth_fresh_page)
		__free_page(st_truth_fresh_page);
#endif
	hrtimer_cancel(&st_truth_timer);
	/* del_timer_sync() is timer_delete_sync() since 6.2, and only so in 7.x. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	timer_delete_sync(&st_truth_soft_timer);
#else
	del_timer_sync(&st_truth_soft_timer);
#endif
}

module_init(st_truth_init);
module_exit(st_truth_exit);
MODULE_DESCRIPTION("stacktap selftests: a known call chain");
MODULE_LICENSE("GPL");
