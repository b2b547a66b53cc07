# Frames of a module unloaded since they were recorded read
# "0x<addr> [unloaded]", never a crash or a wrong name, even after the
# module is loaded again (perhaps at the same address).
. /lib/st/lib.sh
truth_load
st_load
st_ctl "add st_truth_leaf" || fail "add"
echo 5 >"$TRUTH/trigger" || fail "trigger"
grep -q '^ => st_truth_a+' "$ST/trace" || fail "no st_truth_a frame while loaded"
rmmod st_truth || fail "rmmod st_truth"
insmod /st/st_truth.ko || fail "insmod st_truth again"
cat "$ST/trace" >/tmp/trace
cat "$ST/stacks" >/tmp/stacks
head -n 12 /tmp/trace
for f in /tmp/trace /tmp/stacks; do
	grep '^ => ' "$f" | grep -q st_truth && fail "$f: a frame named after the unloaded module: $(grep '^ => .*st_truth' "$f" | head -1)"
	n=$(grep -c '^ => 0x[0-9a-f]* \[unloaded\]$' "$f")
	echo "$f: $n frames marked unloaded"
done
[ "$(grep -c '^ => 0x[0-9a-f]* \[unloaded\]$' /tmp/trace)" -ge 25 ] || fail "trace: fewer than 5 x 5 unloaded frames"
[ "$(grep -c '^ => 0x[0-9a-f]* \[unloaded\]$' /tmp/stacks)" -ge 5 ] || fail "stacks: fewer than 5 unloaded frames"
grep -q '^ => vfs_write+' /tmp/trace || fail "the kernel's own frames lost their names"
stacktapctl report --folded | grep -q '^.*;0x[0-9a-f]*_\[unloaded\];.* 5$' || fail "folded: $(stacktapctl report --folded)"
st_ctl "del st_truth_leaf" || fail "del of the probe on unloaded code"
st_unload
