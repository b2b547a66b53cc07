# A kretprobe hooks a return in two steps: the trampoline goes into the
# return address' slot, then the instance that holds the real address
# goes on the task's list (rethook_hook()).  On an ftrace site interrupts
# are on in between, and a stack taken in an interrupt there found the
# trampoline with no instance: it ended at the hooked function (a CI
# flake of test 32: f:try_to_wake_up cut short at do_sys_openat2+0x5).
# The truth module's 'hook_window' holds that window open on st_truth_c
# after stacktap's r: there hooked it, and an irq_work interrupts it:
# the f: stack in that interrupt goes on below st_truth_c to its callers.
. /lib/st/lib.sh
truth_load
if [ ! -e "$TRUTH/hook_window" ]; then
	echo "not here: the truth module opens the window on x86_64 kernels with rethook only (arm64 takes kprobes with interrupts off; MIPS and 5.10 list kretprobe instances elsewhere)"
	exit 77
fi
st_load
# Registered first, its handler runs after the kretprobe's.
echo 1 >"$TRUTH/hook_window" || fail "hook_window"
st_ctl "add r:st_truth_c" || fail "add r:st_truth_c"
st_ctl "add f:st_truth_hook_irq" || fail "add f:st_truth_hook_irq"
echo 20 >"$TRUTH/trigger" || fail "trigger"
windows=$(cat "$TRUTH/hook_window")
st_ctl "del f:st_truth_hook_irq" || fail "del f:"
st_ctl "del r:st_truth_c" || fail "del r:"
echo 0 >"$TRUTH/hook_window" || fail "hook_window off"
cat "$ST/trace" >/tmp/trace
st_unload
echo "windows held open with an interrupt in them: $windows"
[ "$windows" = 20 ] || fail "expected 20 windows, got $windows"
ok=0
expect /tmp/trace f:st_truth_hook_irq 20 "st_truth_hook_irq[+]$(entry_off st_truth_hook_irq)/" \
	"st_truth_c st_truth_b st_truth_a st_truth_trigger_write" || ok=1
expect /tmp/trace r:st_truth_c 20 \
	"st_truth_c[+]$(entry_off st_truth_c)/ st_truth_b st_truth_a st_truth_trigger_write" || ok=1
exit $ok
