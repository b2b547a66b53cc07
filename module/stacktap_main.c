// SPDX-License-Identifier: GPL-2.0
/*
 * stacktap: who calls this kernel function, and from where?
 *
 *	insmod stacktap.ko probes=register_netdevice
 *	cat /sys/kernel/debug/stacktap/trace
 *
 * Module parameters, init and exit.  Exit mirrors init in reverse.
 */
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "stacktap.h"
#include "stacktap_ring.h"

#define ST_BUFFER_KB_MIN	4
#define ST_BUFFER_KB_MAX	(128 * 1024)

static char *probes;
module_param(probes, charp, 0400);
MODULE_PARM_DESC(probes, "Probes to arm at load: comma-separated [p:|r:|f:]SYMBOL[+OFFSET] [OPTION...] (default: /chosen/stacktap's probes)");

#define ST_BUFFER_KB_DEFAULT	512

/* 0: not given, so /chosen/stacktap's buffer-kb or the default. */
static unsigned int buffer_kb;
module_param(buffer_kb, uint, 0400);
MODULE_PARM_DESC(buffer_kb, "Record buffer per CPU in KiB, rounded up to a power of two (4..131072; default /chosen/stacktap's buffer-kb, else 512)");

static unsigned int depth = 32;
module_param(depth, uint, 0400);
MODULE_PARM_DESC(depth, "Most frames kept per stack; deeper stacks are marked truncated (1..256, default 32)");

static unsigned int stacks_max = 4096;
module_param(stacks_max, uint, 0400);
MODULE_PARM_DESC(stacks_max, "Unique stacks the aggregation table holds, a power of two (16..1048576, default 4096); 64 bytes each for key=args values");

static unsigned int glob_max = 1000;
module_param(glob_max, uint, 0400);
MODULE_PARM_DESC(glob_max, "Most functions one f: glob may match (1..100000, default 1000)");

static int __init st_params_check(void)
{
	if (!buffer_kb)
		buffer_kb = st_of_buffer_kb(ST_BUFFER_KB_DEFAULT, ST_BUFFER_KB_MIN,
					    ST_BUFFER_KB_MAX);
	if (buffer_kb < ST_BUFFER_KB_MIN || buffer_kb > ST_BUFFER_KB_MAX) {
		pr_err("buffer_kb=%u is outside %u..%u\n", buffer_kb,
		       ST_BUFFER_KB_MIN, ST_BUFFER_KB_MAX);
		return -EINVAL;
	}
	if (depth < 1 || depth > STACKTAP_DEPTH_MAX) {
		pr_err("depth=%u is outside 1..%u\n", depth, STACKTAP_DEPTH_MAX);
		return -EINVAL;
	}
	if (stacks_max < 16 || stacks_max > (1U << 20) || !is_power_of_2(stacks_max)) {
		pr_err("stacks_max=%u is not a power of two in 16..1048576\n", stacks_max);
		return -EINVAL;
	}
	if (glob_max < 1 || glob_max > 100000) {
		pr_err("glob_max=%u is outside 1..100000\n", glob_max);
		return -EINVAL;
	}
	buffer_kb = roundup_pow_of_two(buffer_kb);
	/* The deepest record must fit twice, or a wrap could never succeed. */
	if (2 * st_record_head(depth, STACKTAP_SPEC_MAX, true, ST_ARGS_BYTES_MAX) > buffer_kb * 1024UL) {
		pr_err("buffer_kb=%u is too small for depth=%u\n", buffer_kb, depth);
		return -EINVAL;
	}
	return 0;
}

static int __init st_init(void)
{
	int ret;

	ret = st_params_check();
	if (ret)
		return ret;
	ret = st_ring_init(buffer_kb * 1024UL);
	if (ret)
		return ret;
	ret = st_capture_init(depth);
	if (ret)
		goto err_ring;
	st_maps_init();
	ret = st_stacks_init(stacks_max, depth);
	if (ret)
		goto err_maps;
	ret = st_unwind_init();
	if (ret)
		goto err_stacks;
	ret = st_symbols_init();
	if (ret)
		goto err_unwind;
	/* Before any probe: its die notifier joins the tracers' code. */
	ret = st_flight_init();
	if (ret)
		goto err_symbols;
	st_fprobe_init(glob_max);
	ret = st_probes_init();
	if (ret)
		goto err_flight;
	if (probes && *probes) {
		/* A bad item fails insmod; at boot it is logged and skipped. */
		ret = st_probe_add_list(probes, !IS_ENABLED(MODULE));
		if (ret)
			goto err_probes;
	} else {
		st_of_add_probes();
	}
	ret = st_debugfs_init();
	if (ret)
		goto err_probes;
	ret = st_netlink_init();
	if (ret)
		goto err_debugfs;
	return 0;

err_debugfs:
	st_debugfs_exit();
err_probes:
	st_probes_exit();
	st_fret_exit();
err_flight:
	st_flight_exit();
err_symbols:
	st_symbols_exit();
err_unwind:
	st_unwind_exit();
err_stacks:
	st_stacks_exit();
err_maps:
	st_maps_exit();
	st_capture_exit();
err_ring:
	st_ring_exit();
	return ret;
}

static void __exit st_exit(void)
{
	st_netlink_exit();
	st_debugfs_exit();
	st_probes_exit();
	st_fret_exit();
	st_flight_exit();
	st_symbols_exit();
	st_unwind_exit();
	st_stacks_exit();
	st_maps_exit();
	st_capture_exit();
	st_ring_exit();
}

/*
 * Built in, run before device and module initcalls, so stacktap.probes=
 * sees drivers that are built in and probe at boot (bonding creating
 * bond0); genetlink and debugfs are up by then.  A module: module_init.
 */
fs_initcall(st_init);
module_exit(st_exit);
MODULE_DESCRIPTION("stacktap: exact kernel call stacks at kprobes");
MODULE_LICENSE("GPL");
MODULE_VERSION(STACKTAP_VERSION);
