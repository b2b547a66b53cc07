# A kretprobe hooks a return in two steps: the trampoline goes where the
# return address is (x86_64: its stack slot; MIPS: the trapped ra), then
# the instance that holds the real address goes on the task's list
# (rethook_hook(), pre_handler_kretprobe()).  On an x86_64 ftrace site and
# in a MIPS break handler interrupts are on in between, and a stack taken
# in an interrupt there found the trampoline with no instance: on x86_64
# it ended at the hooked function (a CI flake of test 32: f:try_to_wake_up
# cut short at do_sys_openat2+0x5); on MIPS it took the next pending
# instance's address, a wrong caller.
# The truth module's 'hook_window' holds that window open on st_truth_c
# after stacktap's r: there hooked it, and an irq_work interrupts it:
# the f: stack in that interrupt goes on below st_truth_c to its callers,
# and past st_truth_a, whose return r:st_truth_a hooked (the kernel's
# search of the instances must start over after the one it missed).
. /lib/st/lib.sh
truth_load
if [ ! -e "$TRUTH/hook_window" ]; then
	echo "not here: the truth module opens the window on x86_64 with rethook and on MIPS from 5.11 (arm64 takes kprobes with interrupts off; 5.10 keeps kretprobe instances in a hash table)"
	exit 77
fi
st_load
# Registered first, its handler runs after the kretprobe's.
echo 1 >"$TRUTH/hook_window" || fail "hook_window"
st_ctl "add r:st_truth_c" || fail "add r:st_truth_c"
# A return hooked further down too: the walk must find its instance
# after the one it could not.
st_ctl "add r:st_truth_a" || fail "add r:st_truth_a"
st_ctl "add f:st_truth_hook_irq" || fail "add f:st_truth_hook_irq"
echo 20 >"$TRUTH/trigger" || fail "trigger"
windows=$(cat "$TRUTH/hook_window")
st_ctl "del f:st_truth_hook_irq" || fail "del f:"
st_ctl "del r:st_truth_c" || fail "del r:"
st_ctl "del r:st_truth_a" || fail "del r:st_truth_a"
echo 0 >"$TRUTH/hook_window" || fail "hook_window off"
cat "$ST/trace" >/tmp/trace
st_unload
echo "windows held open with an interrupt in them: $windows"
[ "$windows" = 20 ] || fail "expected 20 windows, got $windows"
ok=0
# Below the interrupt: st_truth_c where the break or ftrace left it, then
# b, a and the trigger.  MIPS's break is st_truth_c's first instruction,
# which the text names as the return address it is not: the end of the
# function before it ("+0x48/0x48").
expect /tmp/trace f:st_truth_hook_irq 20 "st_truth_hook_irq" \
	"st_truth_b st_truth_a st_truth_trigger_write" || ok=1
awk '/: f:st_truth_hook_irq$/ { n = 0; rec = 1; next }
     rec && /^ => / { f[++n] = $2; next }
     rec && /^$/ { rec = 0
	for (j = 2; j <= n && f[j] !~ /^st_truth_b[+]/; j++) ;
	c = f[j - 1]; split(c, o, /[+\/]/)
	if (c !~ /^st_truth_c[+]/ && !(o[2] == o[3] && o[2] != "")) { print "above st_truth_b: " c; bad++ } }
     END { exit bad > 0 }' /tmp/trace || ok=1
expect /tmp/trace r:st_truth_c 20 \
	"st_truth_c[+]$(entry_off st_truth_c)/ st_truth_b st_truth_a st_truth_trigger_write" || ok=1
exit $ok
