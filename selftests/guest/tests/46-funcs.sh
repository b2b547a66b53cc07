# What can be probed: stacktapctl funcs GLOB lists the functions GLOB
# matches and which of p:, r: and f: each can take, and an add of each
# kind on seven of them agrees.  st_truth_sw is notrace (no f:);
# stacktap's own hit path is neither kprobe-able nor traceable; on MIPS
# st_truth_mleaf's entry is an ftrace call site (p: and r: through
# ftrace).  An f: glob says on how many functions it went, in add's reply, in
# probes and in list.
. /lib/st/lib.sh
truth_load
st_load

stacktapctl funcs 'st_truth:st_truth_*' >/tmp/funcs || fail "funcs st_truth:st_truth_*"
cat /tmp/funcs
n=$(($(wc -l </tmp/funcs) - 1))
[ "$n" -ge 30 ] || fail "funcs found $n st_truth functions"
# Columns: FUNCTION p: r: f: NOTE.
line() {
	grep "^st_truth:$1 " /tmp/funcs | awk '{ print $2, $3, $4 }'
}
[ "$(line st_truth_leaf)" = "yes yes yes" ] || fail "st_truth_leaf: $(line st_truth_leaf)"
[ "$(line st_truth_sw)" = "yes yes no" ] || fail "st_truth_sw (notrace): $(line st_truth_sw)"
grep -q '^st_truth:st_truth_sw .* not traceable (notrace)$' /tmp/funcs || fail "st_truth_sw: no notrace note"
case "$(uname -m)" in
mips*)
	[ "$(line st_truth_mleaf)" = "ftrace ftrace yes" ] || fail "st_truth_mleaf on MIPS: $(line st_truth_mleaf)"
	grep -q '^st_truth:st_truth_mleaf .* entry is an ftrace call site: p: and r: through ftrace$' /tmp/funcs ||
		fail "st_truth_mleaf: no ftrace-site note" ;;
*)
	[ "$(line st_truth_mleaf)" = "yes yes yes" ] || fail "st_truth_mleaf: $(line st_truth_mleaf)" ;;
esac

# Every answer is what an add finds, on seven functions of every shape
# (all of them took 59 s on x86_64).
t0=$(date +%s)
checked=0
pick='^st_truth:st_truth_\(a\|leaf\|sw\|mleaf\|err\|args\|sink\) '
nwant=21
# The core suite (st_suite=core): the three whose answers differ.
[ "${st_suite:-full}" = full ] || { pick='^st_truth:st_truth_\(leaf\|sw\|mleaf\) '; nwant=9; }
grep "$pick" /tmp/funcs >/tmp/funcs.pick
while read -r fn p r f note; do
	[ "$fn" = FUNCTION ] && continue
	for kind in p r f; do
		eval "want=\$$kind"
		[ "$want" = ftrace ] && want=yes
		# f: takes a bare name, p: and r: MOD:SYMBOL.
		spec=$kind:$fn
		[ "$kind" = f ] && spec=f:${fn#*:}
		if stacktapctl add "$spec" >/dev/null 2>/tmp/add.err; then
			got=yes
			stacktapctl del "$spec" || fail "del $spec"
		else
			got=no
		fi
		[ "$got" = "$want" ] || fail "funcs says $kind: $want for $fn, add says $got: $(cat /tmp/add.err)"
		checked=$((checked + 1))
	done
done </tmp/funcs.pick
echo "funcs agreed with $checked adds ($(($(date +%s) - t0)) s)"
[ "$checked" = "$nwant" ] || fail "$checked adds checked, not $nwant"

# stacktap's own hit path: neither.
stacktapctl funcs 'stacktap:st_capture_re*' >/tmp/own || fail "funcs st_capture_re*"
cat /tmp/own
[ "$(wc -l </tmp/own)" -ge 3 ] || fail "st_capture_regs and st_capture_return not both listed"
[ "$(grep -c ' no  *no  *no  *kprobes refuse it, not traceable$' /tmp/own)" = "$(($(wc -l </tmp/own) - 1))" ] ||
	fail "stacktap's hit path listed as probe-able"
grep -q '^stacktap:st_capture_regs ' /tmp/own || fail "st_capture_regs not listed"

# JSON, and the refusals.
stacktapctl --json funcs 'st_truth:st_truth_sw' >/tmp/funcs.json || fail "funcs --json"
cat /tmp/funcs.json
grep -qF '{"function": "st_truth_sw", "module": "st_truth", "p": true, "p_via_ftrace": false, "r": true, "r_via_ftrace": false, "f": false, "symbols": 1, "note": "not traceable (notrace)"}' /tmp/funcs.json ||
	fail "funcs --json of st_truth_sw"
stacktapctl funcs '*' 2>/tmp/err && fail "funcs '*' succeeded"
grep -q "matches more than 2000 functions: narrow it" /tmp/err || fail "funcs '*': $(cat /tmp/err)"
stacktapctl funcs 'no_such_fn_xyz*' 2>/tmp/err && fail "funcs of nothing succeeded"
grep -q "no function matches 'no_such_fn_xyz\*'" /tmp/err || fail "funcs of nothing: $(cat /tmp/err)"

# gcc's .cold fragments are jumped to, not called: funcs lists none, and
# an r: on one is refused (a kretprobe there would take a word that is no
# return address off the stack).
cold=$(awk '$2 ~ /^[tT]$/ && $3 ~ /[.]cold$/ && NF == 3 { print $3; exit }' /proc/kallsyms)
if [ -n "$cold" ]; then
	stacktapctl funcs "$cold" >/tmp/err 2>&1 && fail "funcs lists $cold: $(cat /tmp/err)"
	stacktapctl add "r:$cold" 2>/tmp/err && { stacktapctl del "r:$cold"; fail "r:$cold was armed"; }
	grep -q "a .cold fragment is jumped to, not called" /tmp/err || fail "r:$cold: $(cat /tmp/err)"
	echo "r:$cold -> refused"
else
	echo "no .cold fragment in this kernel"
fi

# x86_64's kprobe optimizer decodes the function an int3 kprobe is in as
# far as kallsyms' size of it, and a little past.  From 6.4 a module's
# text is an allocation of its own, and kallsyms stretches its last
# function to the end: where the page after is unmapped the read oopsed
# (funcs above crashed 6.12 on st_truth_exit, notrace).  There a kprobe
# in that function, by any of its names or at an offset, is refused with
# the reason; elsewhere it is armed.  Never an oops.
read -r last tail <"$TRUTH/text_tail" || fail "text_tail"
echo "st_truth's text ends in $last, the page after $tail"
why="the kernel's kprobe optimizer would read past this function's end"
# (Not entry_off: the truth module's own kprobe there would oops the same.)
off=0x8
want=armed
[ "$(uname -m)" = x86_64 ] && [ "$last" = st_truth_exit ] && [ "$tail" = unmapped ] && want=refused
for spec in p:st_truth:st_truth_exit p:st_truth:cleanup_module "p:st_truth:st_truth_exit+$off"; do
	if stacktapctl add "$spec" 2>/tmp/err; then
		stacktapctl del "${spec}" || fail "del $spec"
		got=armed
	elif grep -qF "$why" /tmp/err; then
		got=refused
	else
		got="refused: $(cat /tmp/err)"
	fi
	echo "$spec: $got"
	# An offset inside an instruction is refused (EILSEQ) where it is armed.
	[ "$got" = "$want" ] || { [ "$want" = armed ] && [ "${spec#*+}" != "$spec" ]; } ||
		fail "$spec: $got, not $want"
done
stacktapctl funcs 'st_truth:st_truth_exit' >/tmp/exitfn 2>&1 || fail "funcs st_truth_exit: $(cat /tmp/exitfn)"
stacktapctl funcs 'st_truth:cleanup_module' >>/tmp/exitfn 2>&1 || fail "funcs cleanup_module: $(cat /tmp/exitfn)"
cat /tmp/exitfn
if [ "$want" = refused ]; then
	[ "$(grep -c '^st_truth:\(st_truth_exit\|cleanup_module\)  *no  *no ' /tmp/exitfn)" = 2 ] ||
		fail "funcs says p: or r: in st_truth_exit"
fi

# An f: glob says how many functions it went on.
out=$(stacktapctl add 'f:st_truth_[abc]') || fail "add f:st_truth_[abc]"
echo "$out"
case "$out" in *"f:st_truth_[abc] (on 3 functions)") ;; *) fail "add's reply: $out" ;; esac
grep -qx 'f:st_truth_\[abc\] 0 0 matched=3' "$ST/probes" || fail "probes: $(cat "$ST/probes")"
stacktapctl list | grep -q ' f:st_truth_\[abc\] .* armed  *matched=3$' || fail "list: $(stacktapctl list)"
stacktapctl --json list | grep -q '"matched": 3}' || fail "list --json: $(stacktapctl --json list)"
stacktapctl del 'f:st_truth_[abc]' || fail "del"
st_unload
