# Chain shapes that break the kernel's MIPS walker, on every arch:
# a shrink-wrapped middle function, a machine leaf in a module, the chain
# run from hardirq (the stack must continue into the interrupted task), and
# a kretprobe pending on an outer function while an inner one is probed,
# also when its kprobe patched that function before any walk.
. /lib/st/lib.sh
truth_load
# Deeper than the default 32: a timer that fires in a softirq run on
# irq exit over the spinner stacks hardirq, softirq and hardirq again
# above it (34 frames to st_truth_irq_ind_once seen on arm64 7.2).
st_load depth=64

ok=0
st_ctl "add p:st_truth_leaf" || fail "add"
echo 200 >"$TRUTH/trigger_sw"
cat "$ST/trace" >/tmp/trace; st_ctl clear
expect /tmp/trace p:st_truth_leaf 200 "st_truth_leaf st_truth_c st_truth_sw st_truth_a_sw" || ok=1

echo 50 >"$TRUTH/trigger_irq"
cat "$ST/trace" >/tmp/trace; st_ctl clear
# st_truth_spin is a leaf: on arm64 it has no frame record, and its
# caller is only in the interrupted LR.
expect /tmp/trace p:st_truth_leaf 50 "st_truth_leaf st_truth_c st_truth_b st_truth_a st_truth_timer_fn" \
	"st_truth_spin st_truth_irq_once" || ok=1

# Interrupted at an indirect call: on x86, often at a retpoline thunk's
# first instruction, where ORC says the stack ends but the return address
# is at sp.
echo 50 >"$TRUTH/trigger_irq_ind"
cat "$ST/trace" >/tmp/trace; st_ctl clear
expect /tmp/trace p:st_truth_leaf 50 "st_truth_leaf st_truth_c st_truth_b st_truth_a st_truth_timer_fn" \
	"st_truth_ind_spin st_truth_irq_ind_once" || ok=1

# A kretprobe pending on the interrupted leaf: its instance belongs to
# the trampoline in LR, not to the leaf's pc (arm64 took the pc for it).
# (Not on MIPS, where a module's leaf starts with an ftrace call site that
# kprobes refuse.)
case "$(uname -m)" in
mips*) ;;
*)
	st_ctl "add r:st_truth_spin" || fail "add r:st_truth_spin"
	echo 50 >"$TRUTH/trigger_irq"
	cat "$ST/trace" >/tmp/trace; st_ctl clear
	expect /tmp/trace p:st_truth_leaf 50 "st_truth_leaf st_truth_c st_truth_b st_truth_a st_truth_timer_fn" \
		"st_truth_spin st_truth_irq_once" || ok=1
	expect /tmp/trace r:st_truth_spin 50 "st_truth_spin st_truth_irq_once" || ok=1
	st_ctl "del r:st_truth_spin" ;;
esac

st_ctl "add r:st_truth_a" || fail "add r:st_truth_a"
echo 100 >"$TRUTH/trigger"
cat "$ST/trace" >/tmp/trace; st_ctl clear
expect /tmp/trace p:st_truth_leaf 100 "st_truth_leaf st_truth_c st_truth_b st_truth_a st_truth_trigger_write" || ok=1
expect /tmp/trace r:st_truth_a 100 "st_truth_a st_truth_trigger_write" || ok=1
st_ctl "del r:st_truth_a"
st_ctl "del p:st_truth_leaf"

st_ctl "add f:st_truth_mleaf" || fail "add f:st_truth_mleaf"
echo 200 >"$TRUTH/trigger_mleaf"
cat "$ST/trace" >/tmp/trace; st_ctl clear
expect /tmp/trace f:st_truth_mleaf 200 "st_truth_mleaf st_truth_c2 st_truth_b2 st_truth_a2" || ok=1
st_ctl "del f:st_truth_mleaf"

# A p: probe on the machine leaf: on MIPS its entry is an ftrace call site
# kprobes refuse, so ftrace serves it, and 'probes' says so.
st_ctl "add p:st_truth_mleaf" || fail "add p:st_truth_mleaf"
grep '^p:st_truth_mleaf ' "$ST/probes"
case "$(uname -m)" in
mips*) grep -q '^p:st_truth_mleaf 0 0 via=ftrace$' "$ST/probes" || { echo "p:st_truth_mleaf not served via ftrace"; ok=1; } ;;
*) grep -q '^p:st_truth_mleaf 0 0$' "$ST/probes" || { echo "p:st_truth_mleaf not a plain kprobe"; ok=1; } ;;
esac
echo 200 >"$TRUTH/trigger_mleaf"
cat "$ST/trace" >/tmp/trace; st_ctl clear
expect /tmp/trace p:st_truth_mleaf 200 "st_truth_mleaf st_truth_c2 st_truth_b2 st_truth_a2" || ok=1
f0=$(entry_off st_truth_mleaf)
awk -v f0="^st_truth_mleaf[+]$f0/" '/: p:st_truth_mleaf/ { getline; if ($2 !~ f0) bad++ } END { exit bad > 0 }' /tmp/trace ||
	{ echo "p:st_truth_mleaf frame 0 is not st_truth_mleaf+$f0"; ok=1; }
st_ctl "del p:st_truth_mleaf"
# The same entry named MOD:SYMBOL: ftrace, which filters by name, serves it too.
st_ctl "add p:st_truth:st_truth_mleaf" || fail "add p:st_truth:st_truth_mleaf"
grep '^p:st_truth:st_truth_mleaf ' "$ST/probes"
echo 20 >"$TRUTH/trigger_mleaf"
cat "$ST/trace" >/tmp/trace; st_ctl clear
expect /tmp/trace p:st_truth:st_truth_mleaf 20 "st_truth_mleaf st_truth_c2 st_truth_b2 st_truth_a2" || ok=1
st_ctl "del p:st_truth:st_truth_mleaf"

# Where kprobes refuse an entry for being an ftrace call site, r: is
# served through ftrace on MIPS (issue 22, item 7; test 49 checks its
# records).  A function kprobes refuse for the blacklist
# (NOKPROBE_SYMBOL) is refused, not served by ftrace, whatever the arch
# (issue 20, item 10).
case "$(uname -m)" in
mips*)
	st_ctl "add r:st_truth_mleaf" || fail "add r:st_truth_mleaf"
	grep -q '^r:st_truth_mleaf 0 0 via=ftrace$' "$ST/probes" ||
		{ echo "r:st_truth_mleaf not served via ftrace: $(grep mleaf "$ST/probes")"; ok=1; }
	st_ctl "del r:st_truth_mleaf" ;;
esac
st_ctl_fails "add p:atomic_notifier_call_chain" "Invalid argument"
grep -q '^p:atomic_notifier_call_chain ' "$ST/probes" && { echo "p: on a blacklisted function armed"; ok=1; }

# o32: past a module leaf's mcount call, whose delay slot's "addiu sp,-8"
# _mcount undoes.  The module's sequence has "move $12,zero" between
# "move at,ra" and the call: that addiu is no frame either.
if [ "$(uname -m)" = mips ]; then
	st_ctl "add p:st_truth_mleaf+0x18" || fail "add p:st_truth_mleaf+0x18"
	echo 100 >"$TRUTH/trigger_mleaf"
	cat "$ST/trace" >/tmp/trace; st_ctl clear
	expect /tmp/trace p:st_truth_mleaf+0x18 100 "st_truth_mleaf[+]0x18/ st_truth_c2 st_truth_b2 st_truth_a2" || ok=1
	st_ctl "del p:st_truth_mleaf+0x18"
fi
st_unload

# x86: a p: probe one past the entry's __fentry__ call takes int3, which
# leaves ip after itself; in st_truth_nap that instruction is a one-byte
# "push %rbx", and an unwinder that looked ip up would take the push as
# done and read the caller from the wrong slot (issue 20, item 9).
if [ "$(uname -m)" = x86_64 ]; then
	st_load
	off=$(printf '0x%x' $(($(entry_off st_truth_nap) + 5)))
	st_ctl "add p:st_truth_nap+$off" || fail "add p:st_truth_nap+$off"
	echo 4 >"$TRUTH/trigger_nap"
	cat "$ST/trace" >/tmp/trace
	expect /tmp/trace "p:st_truth_nap+$off" 4 "st_truth_nap[+]$off/ st_truth_trigger_write" || ok=1
	st_unload
fi

# MIPS prologues (issue 20, item 11).  st_truth_adj2 allocates its frame
# in two steps and frees it in two; its caller is found only if both
# allocations count, and, where a break hides its first, only if the
# epilogue is read whole (another tracer's break) or stacktap knows what
# its own break replaced.  A p: probe on st_truth_b's "sw ra" hides where
# ra went from every stack through st_truth_b.
case $(uname -m) in
mips*)
	st_load
	st_ctl "add p:st_truth_leaf" || fail "add p:st_truth_leaf"
	adj2="st_truth_leaf st_truth_c st_truth_adj2 st_truth_a_adj2 st_truth_trigger_write"
	echo 50 >"$TRUTH/trigger_adj2"
	cat "$ST/trace" >/tmp/trace; st_ctl clear
	expect /tmp/trace p:st_truth_leaf 50 "$adj2" || ok=1
	for off in 0x0 0x4 0x8; do
		st_ctl "add p:st_truth_adj2+$off" || fail "add p:st_truth_adj2+$off"
		echo 50 >"$TRUTH/trigger_adj2"
		cat "$ST/trace" >/tmp/trace; st_ctl clear
		expect /tmp/trace p:st_truth_leaf 50 "$adj2" || ok=1
		spec=p:st_truth_adj2; [ $off = 0x0 ] || spec=$spec+$off
		expect /tmp/trace $spec 50 "st_truth_adj2[+]$off/ st_truth_a_adj2 st_truth_trigger_write" || ok=1
		st_ctl "del p:st_truth_adj2+$off"
	done
	echo 1 >"$TRUTH/foreign_kprobe" || fail "foreign_kprobe"
	echo 50 >"$TRUTH/trigger_adj2"
	echo 0 >"$TRUTH/foreign_kprobe"
	cat "$ST/trace" >/tmp/trace; st_ctl clear
	echo "another tracer's break on st_truth_adj2's first allocation:"
	expect /tmp/trace p:st_truth_leaf 50 "$adj2" || ok=1
	sw=$(sed -n 's/^sw_ra=//p' "$TRUTH/offsets")
	[ -n "$sw" ] || fail "no sw ra in st_truth_b"
	st_ctl "add p:st_truth_b+$sw" || fail "add p:st_truth_b+$sw"
	echo 50 >"$TRUTH/trigger"
	cat "$ST/trace" >/tmp/trace; st_ctl clear
	expect /tmp/trace p:st_truth_leaf 50 "st_truth_leaf st_truth_c st_truth_b st_truth_a st_truth_trigger_write" || ok=1
	expect /tmp/trace "p:st_truth_b+$sw" 50 "st_truth_b[+]$sw/ st_truth_a st_truth_trigger_write" || ok=1
	st_unload ;;
esac

# A kretprobe armed on a middle function before any stack went through it:
# its kprobe replaced st_truth_b's first instruction, the frame allocation
# on MIPS, with a break, so the walker must size the frame another way.
st_load
st_ctl "add r:st_truth_b" || fail "add r:st_truth_b"
st_ctl "add p:st_truth_leaf" || fail "add p:st_truth_leaf"
echo 50 >"$TRUTH/trigger"
cat "$ST/trace" >/tmp/trace
expect /tmp/trace p:st_truth_leaf 50 "st_truth_leaf st_truth_c st_truth_b st_truth_a st_truth_trigger_write" || ok=1
expect /tmp/trace r:st_truth_b 50 "st_truth_b st_truth_a st_truth_trigger_write" || ok=1
st_unload
exit $ok
