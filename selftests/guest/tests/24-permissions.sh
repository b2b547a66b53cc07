# Who may see what.  A non-root user (uid 65534) can neither read nor write
# any stacktap debugfs file, even with debugfs itself opened up (netlink's
# EPERM for every command is test 15's).  Kernel addresses reach only
# readers with CAP_SYSLOG: for root without it, frames no symbol names
# read [unknown] or [unloaded], and a return value that may be a kernel
# pointer reads [hidden].
. /lib/st/lib.sh
truth_load
st_load
st_ctl "add st_truth_leaf" || fail "add st_truth_leaf"
st_ctl "add r:st_truth_ptr" || fail "add r:st_truth_ptr"
echo 3 >"$TRUTH/trigger"
echo 2 >"$TRUTH/trigger_ptr"

# debugfs is 0700 on 6.1: open it up, so that only stacktap's modes stand.
mount -o remount,mode=0755 /sys/kernel/debug || fail "remount debugfs 0755"
n=0
for f in $(find "$ST" -type f); do
	n=$((n + 1))
	su -s /bin/sh nobody -c "cat $f" >/dev/null 2>&1 && fail "uid 65534 read $f"
	su -s /bin/sh nobody -c "echo clear >$f" 2>/dev/null && fail "uid 65534 wrote $f"
done
mount -o remount,mode=0700 /sys/kernel/debug
echo "$n stacktap files: uid 65534 could read none and write none"
# trace, trace_pipe, stacks, control, probes, stats, maps, and per CPU a trace.
want=$((7 + $(ls -d "$ST"/per_cpu/cpu* | wc -l)))
[ "$n" = "$want" ] || fail "$n files found, expected $want"
grep -q ': r:st_truth_ptr ret=0x' "$ST/trace" || fail "root does not see the returned pointer"

# Frames of an unloaded module: the address is kept from readers without
# CAP_SYSLOG.
rmmod st_truth || fail "rmmod st_truth"
cat "$ST/trace" >/tmp/trace.root
st_nocap cat "$ST/trace" >/tmp/trace.nocap || fail "st_nocap cat trace"
st_nocap cat "$ST/stacks" >/tmp/stacks.nocap || fail "st_nocap cat stacks"
grep -q '^ => 0x[0-9a-f]* \[unloaded\]$' /tmp/trace.root || fail "root does not see unloaded frames' addresses"
head -n 8 /tmp/trace.nocap
grep -q '^ => \[unloaded\]$' /tmp/trace.nocap || fail "no [unloaded] frame without CAP_SYSLOG"
grep -q ': r:st_truth_ptr ret=\[hidden\] lat=' /tmp/trace.nocap || fail "pointer return value shown without CAP_SYSLOG"
for f in /tmp/trace.nocap /tmp/stacks.nocap; do
	grep -Eq '0x[0-9a-f]{8,}' "$f" && fail "a kernel address in $f without CAP_SYSLOG: $(grep -Em1 '0x[0-9a-f]{8,}' "$f")"
done
echo "without CAP_SYSLOG: $(grep -c '^ => \[unloaded\]$' /tmp/trace.nocap) frames read [unloaded], no address anywhere"
st_unload
