# The kernel's own rules on addresses and on tracing (issue 20, item 14).
# kptr_restrict, as %pK reads it: 2 hides kernel addresses from root too,
# 1 and 0 show them to CAP_SYSLOG.  Under lockdown=confidentiality no front
# door arms a probe (kprobe_events refuses kprobes, tracefs the function
# tracer) and the records cannot be read; probes can still go.
# Lockdown cannot be lifted, so this test runs last.
. /lib/st/lib.sh
truth_load
st_load
st_ctl "add r:st_truth_ptr" || fail "add r:st_truth_ptr"
echo 2 >"$TRUTH/trigger_ptr" || fail "trigger_ptr"
rmmod st_truth || fail "rmmod st_truth"

old=$(cat /proc/sys/kernel/kptr_restrict)
for k in 2 1 0; do
	echo $k >/proc/sys/kernel/kptr_restrict || fail "kptr_restrict=$k"
	cat "$ST/trace" >/tmp/trace
	seen=no
	grep -q ': r:st_truth_ptr ret=0x' /tmp/trace && seen=yes
	unloaded=$(grep -c '^ => 0x[0-9a-f]* \[unloaded\]$' /tmp/trace)
	echo "kptr_restrict=$k: root sees the returned pointer: $seen; frames of the unloaded module with their address: $unloaded"
	if [ $k = 2 ]; then
		[ $seen = no ] || fail "kptr_restrict=2: root sees a kernel pointer"
		[ "$unloaded" = 0 ] || fail "kptr_restrict=2: root sees unloaded frames' addresses"
		grep -Eq '0x[0-9a-f]{8,}' /tmp/trace && fail "kptr_restrict=2: a kernel address in trace: $(grep -Em1 '0x[0-9a-f]{8,}' /tmp/trace)"
	else
		[ $seen = yes ] || fail "kptr_restrict=$k: root does not see the returned pointer"
		[ "$unloaded" -gt 0 ] || fail "kptr_restrict=$k: root does not see unloaded frames' addresses"
	fi
done
echo "$old" >/proc/sys/kernel/kptr_restrict

truth_load
grep -q ' /sys/kernel/security ' /proc/mounts || mount -t securityfs securityfs /sys/kernel/security
if [ ! -w /sys/kernel/security/lockdown ]; then
	st_unload
	echo "no lockdown LSM in this kernel"
	exit 77
fi
echo confidentiality >/sys/kernel/security/lockdown || fail "lockdown=confidentiality"
cat /sys/kernel/security/lockdown
stacktapctl add st_truth_leaf 2>/tmp/err && fail "p: armed under lockdown"
grep -qx "stacktapctl: add 'st_truth_leaf': the kernel is locked down: no kprobes" /tmp/err || fail "p: under lockdown: $(cat /tmp/err)"
stacktapctl add r:st_truth_c 2>/tmp/err && fail "r: armed under lockdown"
stacktapctl add f:st_truth_c 2>/tmp/err && fail "f: armed under lockdown"
grep -qx "stacktapctl: add 'f:st_truth_c': the kernel is locked down: no tracing" /tmp/err || fail "f: under lockdown: $(cat /tmp/err)"
[ "$(stacktapctl --json list | grep -c '"spec"')" = 1 ] || fail "probes armed under lockdown: $(stacktapctl list)"
for f in trace trace_pipe stacks; do
	timeout 2 cat "$ST/$f" >/dev/null 2>/tmp/cat.err && fail "$f read under lockdown"
	grep -q 'Operation not permitted' /tmp/cat.err || fail "$f under lockdown: $(cat /tmp/cat.err)"
done
echo "under lockdown: no probe armed, no record read"
stacktapctl del r:st_truth_ptr || fail "del under lockdown"
st_unload
