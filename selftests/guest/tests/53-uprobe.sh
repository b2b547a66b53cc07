# u: probes: a uprobe on a function of the user programs of
# selftests/ustack, whose every call comes down the same known chain,
# _start -> uchain_main -> a -> b -> c.  At a function's entry the stack
# is its own address, then the exact caller (x86_64 reads it at sp, arm64
# and MIPS in a register, frame pointers or none), then, where the code
# keeps frame records (x86_64 and arm64, uchain-fp), the rest of the
# chain: each address as build.sh read it from the binary.  Armed from
# every door: the control file, stacktapctl (netlink) and probes= at
# load; counted in mode=count; refused with the reason on a bad binary,
# function or offset.  ur: on uchain_c, which returns 7: every return
# with ret=7 and a latency, down the stack it was called from (taken at
# the return: the caller is where it returns to); ret conditions.
. /lib/st/lib.sh
# sym PROG FUNC: where FUNC starts; ret PROG FUNC: the return address in FUNC.
sym() { awk -v f="$2" '$1 == f { print $2 }' "/ustack/$1.syms"; }
ret() { awk -v f="$2" '$1 == f { print $2 }' "/ustack/$1.expect"; }
records=/tmp/records
# user_stacks FILE SPEC: each SPEC record's (or counted stack's) user frames.
user_stacks() {
	awk -v spec="$2" '
	/^$/ { if (want) print line; want = 0; user = 0; line = ""; next }
	/^@\[/ || / (ur|[prfu]):/ { want = index($0, spec) > 0; next }
	/^ -- user --$/ { user = 1; next }
	user && /^ => / { line = line (line == "" ? "" : " ") $2 }
	END { if (want) print line }' "$1"
}
case "$(uname -m)" in
mips*) fp_records= ;;
*) fp_records=1 ;;
esac
# The stack at b's and at c's entry, for each program.
for prog in uchain-fp uchain-nofp; do
	b="$(sym $prog uchain_b) $(ret $prog uchain_a)"
	c="$(sym $prog uchain_c) $(ret $prog uchain_b)"
	if [ -n "$fp_records" ] && [ $prog = uchain-fp ]; then
		b="$b $(ret $prog uchain_main) $(ret $prog _start)"
		c="$c $(ret $prog uchain_a) $(ret $prog uchain_main) $(ret $prog _start)"
	fi
	eval "want_b_${prog#uchain-}=\"\$b\" want_c_${prog#uchain-}=\"\$c\""
done
echo "at uchain_b in uchain-fp: $want_b_fp; in uchain-nofp: $want_b_nofp"

# check SPEC WANT N: the trace holds N records of SPEC, each with WANT.
check() {
	cat "$ST/trace" >$records
	st_ctl clear
	sed -n '1,/^$/p' $records
	user_stacks $records "$1" >/tmp/users
	[ "$(wc -l </tmp/users)" = "$3" ] || fail "$1: $(wc -l </tmp/users) records of $3"
	[ "$(sort -u /tmp/users)" = "$2" ] || fail "$1: stacks $(sort -u /tmp/users | tr '\n' '|'), expected $2"
	[ "$(grep -A1 -F -- "$1" $records | grep -c '^ -- user --$')" = "$3" ] ||
		fail "$1: not every record's stack is the user's alone"
	echo "$1: $3 records, each $2"
}

# The control file, with frame pointers: three runs, three exact stacks.
st_load
st_ctl "add u:/ustack/uchain-fp:uchain_b" || fail "add u: through control"
grep '^u:' "$ST/probes"
for i in 1 2 3; do /ustack/uchain-fp >/dev/null || fail "uchain-fp"; done
[ "$(probe_field u:/ustack/uchain-fp:uchain_b 2)" = 3 ] || fail "u: hits: $(grep '^u:' "$ST/probes")"
st_ctl "del u:/ustack/uchain-fp:uchain_b" || fail "del u:"
check u:/ustack/uchain-fp:uchain_b "$want_b_fp" 3

# stacktapctl (netlink), without frame pointers: the caller still exact.
stacktapctl add u:/ustack/uchain-nofp:uchain_b 2>/tmp/add.err || fail "stacktapctl add u:: $(cat /tmp/add.err)"
stacktapctl list | grep -q 'u:/ustack/uchain-nofp:uchain_b' || fail "stacktapctl list lacks the u: probe"
/ustack/uchain-nofp >/dev/null; /ustack/uchain-nofp >/dev/null
stacktapctl del u:/ustack/uchain-nofp:uchain_b 2>/tmp/del.err || fail "stacktapctl del u:: $(cat /tmp/del.err)"
check u:/ustack/uchain-nofp:uchain_b "$want_b_nofp" 2

# mode=count: one stack, counted per call.
st_ctl "add u:/ustack/uchain-fp:uchain_c mode=count" || fail "add u: mode=count"
for i in 1 2 3 4; do /ustack/uchain-fp >/dev/null; done
st_ctl "del u:/ustack/uchain-fp:uchain_c" || fail "del u: mode=count"
cat "$ST/stacks" >/tmp/stacks
st_ctl clear
cat /tmp/stacks
grep -qx '@\[u:/ustack/uchain-fp:uchain_c\] 4' /tmp/stacks || fail "mode=count: not one stack counted 4 times"
[ "$(user_stacks /tmp/stacks u:/ustack/uchain-fp:uchain_c)" = "$want_c_fp" ] || fail "mode=count: stack is not $want_c_fp"

# ur: on uchain_c, which returns what write(2) gave (7): each return with
# its value and latency, down the stack it was called from.
st_ctl "add ur:/ustack/uchain-fp:uchain_c" || fail "add ur:"
for i in 1 2 3; do /ustack/uchain-fp >/dev/null; done
st_ctl "del ur:/ustack/uchain-fp:uchain_c" || fail "del ur:"
cat "$ST/trace" >/tmp/urtrace
n=$(grep -c ': ur:/ustack/uchain-fp:uchain_c ret=7 lat=[1-9][0-9]*ns$' /tmp/urtrace)
[ "$n" = 3 ] || fail "ur: $n records with ret=7 and a latency of 3: $(grep ': ur:' /tmp/urtrace | head -3)"
check "ur:/ustack/uchain-fp:uchain_c ret=7" "$want_c_fp" 3
# Conditions decide at the return: ret==7 keeps all, ret!=7 none.
for cond in "ret==7 3" "ret!=7 0"; do
	st_ctl "add ur:/ustack/uchain-nofp:uchain_c mode=count ${cond% *}" || fail "add ur: ${cond% *}"
	for i in 1 2 3; do /ustack/uchain-nofp >/dev/null; done
	grep '^ur:' "$ST/probes"
	# Every return seen: counted, or turned away by the condition.
	kept=${cond#* }
	grep -q "^ur:/ustack/uchain-nofp:uchain_c $kept 0 filtered=$((3 - kept)) mode=count" "$ST/probes" ||
		fail "ur: ${cond% *}: not 3 returns seen: $(grep '^ur:' "$ST/probes")"
	st_ctl "del ur:/ustack/uchain-nofp:uchain_c" || fail "del ur: ${cond% *}"
	cat "$ST/stacks" >/tmp/stacks
	st_ctl clear
	got=$(sed -n 's/^@\[ur:\/ustack\/uchain-nofp:uchain_c\] //p' /tmp/stacks)
	[ "${got:-0}" = "${cond#* }" ] || fail "ur: ${cond% *} counted ${got:-0}, want ${cond#* }"
	[ "${cond#* }" = 0 ] && continue
	cat /tmp/stacks
	grep -q '^ lat: count 3, min [1-9]' /tmp/stacks || fail "ur: no latency line for 3 calls"
	[ "$(user_stacks /tmp/stacks ur:/ustack/uchain-nofp:uchain_c)" = "$want_c_nofp" ] ||
		fail "ur: counted stack is not $want_c_nofp"
done
echo "ur: ret==7 kept 3 calls, ret!=7 none"

# A return uprobes took over and has not given back: with ur: on uchain_a,
# a's frame record holds uprobes' trampoline instead of its way back into
# main.  The walk puts back the address uprobes kept, so u: at c and ur:
# at c's return see the chain as it is, and so does a's own ur:.
a_fp="$(sym uchain-fp uchain_a) $(ret uchain-fp uchain_main)"
[ -z "$fp_records" ] || a_fp="$a_fp $(ret uchain-fp _start)"
for spec in u:/ustack/uchain-fp:uchain_c ur:/ustack/uchain-fp:uchain_c; do
	st_ctl "add ur:/ustack/uchain-fp:uchain_a" || fail "add ur: on uchain_a"
	st_ctl "add $spec" || fail "add $spec under a pending ur:"
	for i in 1 2; do /ustack/uchain-fp >/dev/null || fail "uchain-fp"; done
	st_ctl "del $spec" || fail "del $spec"
	st_ctl "del ur:/ustack/uchain-fp:uchain_a" || fail "del ur: on uchain_a"
	cat "$ST/trace" >/tmp/pending
	[ "$(user_stacks /tmp/pending ur:/ustack/uchain-fp:uchain_a | sort -u)" = "$a_fp" ] ||
		fail "ur: on uchain_a: $(user_stacks /tmp/pending ur:/ustack/uchain-fp:uchain_a | sort -u | tr '\n' '|'), expected $a_fp"
	check "$spec" "$want_c_fp" 2
done

# Refusals, each with its reason.
st_ctl_fails "add u:/ustack/nosuch:uchain_b" "No such file or directory"
st_ctl_fails "add u:/ustack/uchain-fp:nosuch" "No such file or directory"
st_ctl_fails "add u:/etc/passwd:main" "Exec format error"
st_ctl_fails "add u:/ustack/uchain-fp:uchain_c+0x10000" "Invalid argument"
# refuse SPEC WHY: stacktapctl says why.
refuse() {
	stacktapctl add "$1" 2>/tmp/add.err && fail "stacktapctl add $1 succeeded"
	cat /tmp/add.err
	grep -qF "$2" /tmp/add.err || fail "add $1: no reason '$2'"
}
refuse u:/ustack/nosuch:uchain_b "no such binary"
refuse u:/ustack/uchain-fp:nosuch "no such function in the binary's symbol tables"
refuse u:/etc/passwd:main "not an ELF binary"
refuse u:/ustack/uchain-fp:uchain_c+0x10000 "offset beyond the function's end"
refuse "u:/ustack/uchain-fp:uchain_c arg1" "u: and ur: probes fetch no arguments yet"
refuse u:ustack/uchain-fp:uchain_c "u: and ur: take /PATH:SYMBOL"
refuse ur:/ustack/uchain-fp:uchain_c+4 "ur: probes take a function's returns: no offset"
st_unload

# probes= at load, the third door.
st_load probes=u:/ustack/uchain-fp:uchain_c
grep -q '^u:/ustack/uchain-fp:uchain_c ' "$ST/probes" || fail "probes= did not arm the u: probe"
/ustack/uchain-fp >/dev/null
check u:/ustack/uchain-fp:uchain_c "$want_c_fp" 1
st_unload
