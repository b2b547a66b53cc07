# The field report's board: stacktap and bonding built into the kernel,
# stacktap.probes=no_such_function_xyz,register_netdevice on the command
# line: the bad item is logged and skipped, the rest armed.  bonding created
# bond0 during boot, in an initcall, before any userspace ran, and the
# record of it is there once debugfs is mounted.
. /lib/st/lib.sh
cat /proc/cmdline
[ -d /sys/module/stacktap ] || fail "stacktap is not in this kernel"
[ -e /sys/module/stacktap/initstate ] && fail "stacktap is a loaded module, not built in"
grep -q 'stacktap.probes=no_such_function_xyz,register_netdevice' /proc/cmdline || fail "no stacktap.probes= on the command line"
dmesg | grep "stacktap: add 'no_such_function_xyz'\|stacktap: probes=" || fail "the bad item of stacktap.probes= was not logged"
dmesg | grep -q "stacktap: probes=: skipped 'no_such_function_xyz', armed the rest" || fail "the bad item was not skipped"
cat "$ST/probes"
grep -q '^p:register_netdevice [1-9][0-9]* 0$' "$ST/probes" || fail "register_netdevice never hit"
cat "$ST/trace" >/tmp/trace
cat /tmp/trace
# The bond0 record: pid 1 while still the kernel's init thread
# (swapper/0), and the stack from the bonding initcall down to kernel_init.
awk '/^swapper\/0-1 \[[0-9]+\] [0-9.]+: p:register_netdevice$/ { n = 0; rec = 1; next }
	rec && /^ => / { f[++n] = $2; next }
	rec && /^$/ {
		rec = 0; s = ""
		for (i = 1; i <= n; i++) { sub(/[+].*/, "", f[i]); s = s " " f[i] }
		if (s ~ /^ register_netdevice bond_create bonding_init do_one_initcall( [a-z0-9_.]+)* kernel_init ret_from_fork$/) ok = 1
		print "stack:" s
	}
	END { exit !ok }' /tmp/trace || fail "no boot-time record register_netdevice <- bond_create <- bonding_init <- do_one_initcall <- ... <- kernel_init"
awk '/^@\[p:register_netdevice\] 1$/ { h = 1; next } h && /^ => bond_create[+]/ { ok = 1 } /^$/ { h = 0 }
	END { exit !ok }' "$ST/stacks" || fail "stacks: $(cat "$ST/stacks")"
stacktapctl list | grep -q ' p:register_netdevice ' || fail "netlink does not list the boot-time probe"
dmesg | grep -E 'stacktap: armed|bond0|Run /init' | head -5
