# r: on functions whose entry is an ftrace call site (issue 22, item 7).
# On MIPS kprobes cannot sit there, so the return is taken through
# ftrace_caller's frame ("via=ftrace"); elsewhere a kretprobe takes it.
# Either way each record holds the entry's stack, the true return value
# and a latency:
#  - st_truth_mleaf, a module's leaf: run k returns 3(k + 3) ^ 0x5a;
#  - with an f: probe and then the function graph tracer on it too;
#  - st_truth_ftail, frameless, four calls of it pending inside each
#    other: run i returns i + 4, i + 5, i + 6, i + 7, innermost first;
#  - st_truth_xtail, frameless, called by 3 kthreads that end inside it:
#    no return ever comes, so no record; once each task is freed, its
#    pending return is given back (on MIPS counted as a miss), so
#    stacktap can go;
#  - st_truth_tnap asleep 500 ms when stacktap is asked to go: on MIPS
#    rmmod is refused while the return is pending, and a probe deleted
#    meanwhile lets the call return as it should.
. /lib/st/lib.sh
truth_load
st_load
mips=
case "$(uname -m)" in mips*) mips=1 ;; esac

# rets SPEC FILE: SPEC's return values in FILE, in order, one line.
rets() {
	sed -n "s/.*: $1 ret=\\([-0-9]*\\) lat=[1-9][0-9]*ns\$/\\1/p" "$2" | paste -s -d' '
}
# stacks SPEC FILE F...: the number of SPEC's records whose frames start
# with F... (regexes, a + in them literal), with no tracer frame.
stacks() {
	spec=$1 file=$2
	shift 2
	awk -v spec="$spec" -v want="$*" -v bad="$TRACER_FRAMES" '
	BEGIN { nw = split(want, w, " "); for (i = 1; i <= nw; i++) gsub(/[+]/, "[+]", w[i]) }
	$0 ~ ": " spec "( |$)" { r = 1; nf = 0; ok = 1; next }
	r && /^ => / { nf++; if ($2 ~ bad) ok = 0; if (nf <= nw && $2 !~ "^" w[nf]) ok = 0; next }
	r && /^$/ { r = 0; if (ok && nf >= nw) n++ }
	END { print n + 0 }' "$file"
}

# A module's leaf, its entry an ftrace call site on MIPS.
f0=$(entry_off st_truth_mleaf)
out=$(stacktapctl add r:st_truth_mleaf) || fail "add r:st_truth_mleaf: $out"
stacktapctl list | tee /tmp/list
if [ -n "$mips" ]; then
	grep -q ' r:st_truth_mleaf .* via=ftrace' /tmp/list || fail "r:st_truth_mleaf is not served through ftrace on MIPS"
fi
echo 5 >"$TRUTH/trigger_mleaf" || fail "trigger_mleaf"
cat "$ST/trace" >/tmp/t1
want="$(((3 * 3) ^ 0x5a)) $(((3 * 4) ^ 0x5a)) $(((3 * 5) ^ 0x5a)) $(((3 * 6) ^ 0x5a)) $(((3 * 7) ^ 0x5a))"
[ "$(rets r:st_truth_mleaf /tmp/t1)" = "$want" ] || fail "r:st_truth_mleaf returned $(rets r:st_truth_mleaf /tmp/t1), not $want"
n=$(stacks r:st_truth_mleaf /tmp/t1 "st_truth_mleaf+$f0/" st_truth_c2+ st_truth_b2+ st_truth_a2+ st_truth_trigger_write+)
[ "$n" = 5 ] || fail "$n of 5 r:st_truth_mleaf stacks exact: $(head -8 /tmp/t1)"
[ "$(probe_field r:st_truth_mleaf 2)" = 5 ] && [ "$(probe_field r:st_truth_mleaf 3)" = 0 ] ||
	fail "r:st_truth_mleaf: $(grep mleaf "$ST/probes")"
echo "r:st_truth_mleaf: 5 returns exact ($want)"

# An f: on the same function: each sees the call as it is.
st_ctl clear || fail "clear"
stacktapctl add f:st_truth_mleaf >/dev/null || fail "add f:st_truth_mleaf"
echo 3 >"$TRUTH/trigger_mleaf" || fail "trigger_mleaf"
cat "$ST/trace" >/tmp/t2
want="$(((3 * 3) ^ 0x5a)) $(((3 * 4) ^ 0x5a)) $(((3 * 5) ^ 0x5a))"
[ "$(rets r:st_truth_mleaf /tmp/t2)" = "$want" ] || fail "with f: too, r: returned $(rets r:st_truth_mleaf /tmp/t2)"
[ "$(stacks f:st_truth_mleaf /tmp/t2 st_truth_mleaf+ st_truth_c2+ st_truth_b2+ st_truth_a2+)" = 3 ] ||
	fail "f:st_truth_mleaf beside r:: $(cat /tmp/t2)"
stacktapctl del f:st_truth_mleaf || fail "del f:"

# The function graph tracer on it as well: it takes the return we took.
T=/sys/kernel/debug/tracing
st_ctl clear || fail "clear"
echo st_truth_mleaf >"$T/set_ftrace_filter" || fail "set_ftrace_filter"
echo function_graph >"$T/current_tracer" || fail "function_graph"
echo 5 >"$TRUTH/trigger_mleaf" || fail "trigger_mleaf"
hooked=$(grep -c 'st_truth_mleaf' "$T/trace")
echo nop >"$T/current_tracer"
echo >"$T/set_ftrace_filter"
cat "$ST/trace" >/tmp/t3
want="$(((3 * 3) ^ 0x5a)) $(((3 * 4) ^ 0x5a)) $(((3 * 5) ^ 0x5a)) $(((3 * 6) ^ 0x5a)) $(((3 * 7) ^ 0x5a))"
[ "$hooked" -ge 5 ] || fail "the graph tracer saw st_truth_mleaf $hooked times"
[ "$(rets r:st_truth_mleaf /tmp/t3)" = "$want" ] || fail "under the graph tracer r: returned $(rets r:st_truth_mleaf /tmp/t3)"
n=$(stacks r:st_truth_mleaf /tmp/t3 "st_truth_mleaf+$f0/" st_truth_c2+ st_truth_b2+ st_truth_a2+ st_truth_trigger_write+)
[ "$n" = 5 ] || fail "under the graph tracer $n of 5 stacks exact: $(head -8 /tmp/t3)"
echo "with the graph tracer (it saw the function $hooked times): 5 returns exact"
stacktapctl del r:st_truth_mleaf || fail "del r:st_truth_mleaf"

# Calls pending inside each other, each recorded with its own value and
# stack: 3, 2, 1 and 0 frames of st_truth_fbody below the innermost first.
st_ctl clear || fail "clear"
stacktapctl add r:st_truth_ftail >/dev/null || fail "add r:st_truth_ftail"
echo 2 >"$TRUTH/trigger_ftail" || fail "trigger_ftail"
cat "$ST/trace" >/tmp/t4
[ "$(rets r:st_truth_ftail /tmp/t4)" = "4 5 6 7 5 6 7 8" ] || fail "r:st_truth_ftail returned $(rets r:st_truth_ftail /tmp/t4)"
fe=$(entry_off st_truth_ftail)
for d in 0 1 2 3; do
	frames="st_truth_ftail+$fe/"
	i=0
	while [ $i -lt $d ]; do frames="$frames st_truth_fbody+"; i=$((i + 1)); done
	frames="$frames st_truth_ftail_run+ st_truth_trigger_write+"
	[ "$(stacks r:st_truth_ftail /tmp/t4 $frames)" = 2 ] || fail "no 2 stacks of $frames: $(cat /tmp/t4)"
done
echo "r:st_truth_ftail: 4 calls pending inside each other, twice, each exact"
stacktapctl del r:st_truth_ftail || fail "del r:st_truth_ftail"

# Calls that never return: each kthread ends inside st_truth_xtail.
stacktapctl add r:st_truth_xtail >/dev/null || fail "add r:st_truth_xtail"
if [ -n "$mips" ]; then
	grep -q '^r:st_truth_xtail .* via=ftrace' "$ST/probes" ||
		fail "r:st_truth_xtail not through ftrace: $(grep xtail "$ST/probes")"
fi
echo 3 >"$TRUTH/exit_inside" || fail "exit_inside"
# Given back when the task is freed: a grace period after it is reaped.
if [ -n "$mips" ]; then
	wait_until '[ "$(probe_field r:st_truth_xtail 3)" = 3 ]'
	[ "$(probe_field r:st_truth_xtail 3)" = 3 ] ||
		fail "returns of tasks that ended inside st_truth_xtail not given back: $(grep xtail "$ST/probes")"
fi
# A hit is a return recorded: none came.
[ "$(probe_field r:st_truth_xtail 2)" = 0 ] || fail "r:st_truth_xtail: $(grep xtail "$ST/probes"), expected no hit"
grep "^r:st_truth_xtail " "$ST/probes"
stacktapctl del r:st_truth_xtail || fail "del r:st_truth_xtail"
echo "3 kthreads ended inside st_truth_xtail: their returns given back"

# A return pending when stacktap is to go.
stacktapctl add r:st_truth_tnap >/dev/null || fail "add r:st_truth_tnap"
echo 1 >"$TRUTH/trigger_tnap" &
napper=$!
wait_until '[ "$(cat "$TRUTH/napping")" = 1 ]'
if rmmod stacktap 2>/tmp/rmmod.err; then gone=1; else gone=; fi
still=$(cat "$TRUTH/napping")
if [ -z "$mips" ]; then
	# A kretprobe's instance outlives its probe: the kernel's trampoline.
	[ -n "$gone" ] || fail "rmmod refused with a kretprobe pending: $(cat /tmp/rmmod.err)"
	wait $napper || fail "trigger_tnap failed"
elif [ -n "$gone" ]; then
	# Right only if the call woke before rmmod looked.
	[ "$still" = 0 ] || fail "stacktap went while a return through ftrace was pending"
	wait $napper || fail "trigger_tnap failed"
	echo "the call woke before rmmod: not tried"
else
	echo "rmmod while st_truth_tnap slept: $(cat /tmp/rmmod.err)"
	# Deleted while the call sleeps on: it returns as it should, and
	# then nothing holds stacktap.
	stacktapctl del r:st_truth_tnap || fail "del r:st_truth_tnap with a return pending"
	wait $napper || fail "a call whose probe was deleted meanwhile failed"
	[ "$(cat "$TRUTH/napping")" = 0 ] || fail "still napping"
	st_unload
fi
echo "pending returns at unload: right"
