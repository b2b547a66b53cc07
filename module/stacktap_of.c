// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration from the device tree, for boards configured that way:
 *
 *	chosen {
 *		stacktap {
 *			probes = "register_netdevice", "r:vfs_read maxactive=16";
 *			buffer-kb = <1024>;
 *		};
 *	};
 *
 * Parameters win: probes= or buffer_kb= given on insmod or the kernel
 * command line make the node's property unread.  A malformed property is
 * logged and ignored, and a spec that cannot be armed is logged and
 * skipped: a board's boot never fails on stacktap's account.  Without
 * CONFIG_OF there is no node, and these do nothing.
 */
#include <linux/kernel.h>
#include <linux/of.h>

#include "stacktap.h"

#define ST_OF_PATH	"/chosen/stacktap"

/* buffer-kb, if the node has a valid one; otherwise @fallback. */
unsigned int st_of_buffer_kb(unsigned int fallback, unsigned int min,
			     unsigned int max)
{
	struct device_node *np = of_find_node_by_path(ST_OF_PATH);
	u32 kb;
	int ret;

	if (!np)
		return fallback;
	ret = of_property_read_u32(np, "buffer-kb", &kb);
	of_node_put(np);
	if (ret == -EINVAL)		/* no such property */
		return fallback;
	if (ret) {
		pr_warn(ST_OF_PATH ": buffer-kb is not a 32-bit number (%d): using %u\n",
			ret, fallback);
		return fallback;
	}
	if (kb < min || kb > max) {
		pr_warn(ST_OF_PATH ": buffer-kb = <%u> is outside %u..%u: using %u\n",
			kb, min, max, fallback);
		return fallback;
	}
	pr_info(ST_OF_PATH ": buffer-kb = <%u>\n", kb);
	return kb;
}

/* Arm every spec of the node's probes; each refusal is logged and skipped. */
void st_of_add_probes(void)
{
	struct device_node *np = of_find_node_by_path(ST_OF_PATH);
	const char *spec;
	int n, i, armed = 0;

	if (!np)
		return;
	n = of_property_count_strings(np, "probes");
	if (n == -EINVAL) {
		of_node_put(np);
		return;
	}
	if (n < 0) {
		pr_warn(ST_OF_PATH ": probes is not a list of strings (%d): no probe armed from it\n",
			n);
		of_node_put(np);
		return;
	}
	for (i = 0; i < n; i++) {
		if (of_property_read_string_index(np, "probes", i, &spec))
			continue;
		if (!st_probe_add_boot(spec, strlen(spec)))
			armed++;
	}
	of_node_put(np);
	pr_info(ST_OF_PATH ": armed %d of %d probes\n", armed, n);
}
