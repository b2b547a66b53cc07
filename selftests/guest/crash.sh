# The flight recorder's dump (issue 22, item 6), run by init after the
# suite is done and its TAP closed: the kernel dies on purpose, and the
# host reads the dump back from the console (guest.sh's check_dump).
#
#   sh /lib/st/crash.sh oops|panic
#
# CPU 0 calls st_truth_args(i, ...) for i = 0..49 with a p: probe on it
# in a 4 KiB overwriting ring, then the kernel dies by the truth module:
# an oops (a NULL write, which oops=panic turns into a panic after the
# die chain ran) or a panic with no oops before it.  The dump
# must be the last 5 of those records, i=45..49, each with its stack.
. /lib/st/lib.sh
how=$1
insmod /st/st_truth.ko || fail "insmod st_truth.ko"
st_load buffer_kb=4 overwrite=1 dump_on_oops=5
st_ctl "add p:st_truth_args i=arg1:u32 name=arg3:string" || fail "add"
taskset -c 0 sh -c "echo 50 > $TRUTH/trigger_args" || fail "trigger_args"
grep '^cpu0 written' "$ST/stats"
echo "=== deliberate crash: $how"
sync
echo 1 >"$TRUTH/trigger_$how"
echo "crash.sh: the kernel did not die ($how)"
