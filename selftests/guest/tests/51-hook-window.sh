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
# windows KNOB TRIGGER N OUT PROBE...: the window held open on the knob's
# function (hook_window KNOB, registered first so its handler runs after
# the kretprobe's), the PROBEs and f:st_truth_hook_irq armed, N runs of
# TRIGGER, the trace into OUT; $windows: how many windows an interrupt
# came in.
windows() {
	knob=$1 trigger=$2 runs=$3 out=$4
	shift 4
	st_load
	echo "$knob" >"$TRUTH/hook_window" || fail "hook_window $knob"
	for spec in "$@" f:st_truth_hook_irq; do
		st_ctl "add $spec" || fail "add $spec"
	done
	echo "$runs" >"$TRUTH/$trigger" || fail "$trigger"
	windows=$(cat "$TRUTH/hook_window")
	for spec in "$@" f:st_truth_hook_irq; do
		st_ctl "del $spec" || fail "del $spec"
	done
	echo 0 >"$TRUTH/hook_window" || fail "hook_window off"
	cat "$ST/trace" >"$out"
	st_unload
}

# A return hooked further down too (r:st_truth_a): the walk must find
# its instance after the one it could not.
windows 1 trigger 20 /tmp/trace r:st_truth_c r:st_truth_a
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

# Recursion: the window at every level of st_truth_r, outer calls of it
# pending, each to return to the same call site.  6 runs recurse 1 to 6
# deep: 21 windows, each stack going on through every level to
# st_truth_spread and the trigger (on MIPS an outer call's instance, taken
# for the one in the window, left the outermost return with none).
windows 2 trigger_spread 6 /tmp/trace.r r:st_truth_r
echo "recursion: windows with an interrupt in them: $windows"
[ "$windows" = 21 ] || fail "expected 21 windows in st_truth_r, got $windows"
expect /tmp/trace.r f:st_truth_hook_irq 21 "st_truth_hook_irq" "st_truth_spread st_truth_trigger_write" ||
	ok=1
# st_truth_r frames below each interrupt: as deep as the window was, 1 to
# d in a run d deep (on MIPS one fewer: the break's frame, st_truth_r's
# first instruction, reads as the end of the function before it).
shift=0
case "$(uname -m)" in mips*) shift=1 ;; esac
awk '/: f:st_truth_hook_irq$/ { n = 0; rec = 1; next }
     rec && /^ => st_truth_r[+]/ { n++; next }
     rec && /^$/ { rec = 0; print n }' /tmp/trace.r | sort -n | tr '\n' ' ' >/tmp/levels
want=$(for d in 1 2 3 4 5 6; do for k in $(seq 1 $d); do echo $((k - shift)); done; done | sort -n | tr '\n' ' ')
echo "st_truth_r frames below each interrupt: $(cat /tmp/levels)"
[ "$(cat /tmp/levels)" = "$want" ] || { echo "FAIL: expected $want"; ok=1; }
exit $ok
