# stacktapctl over generic netlink: add, show, list --json, del; EPERM for
# a non-root user on every command; each error message word for word.
. /lib/st/lib.sh
truth_load

# expect_err "MESSAGE" CMD...: CMD exits 1 and prints exactly MESSAGE.
expect_err() {
	want=$1
	shift
	"$@" >/tmp/expect.out 2>/tmp/expect.err && fail "'$*' succeeded"
	rc=$?
	[ $rc = 1 ] || fail "'$*' exited $rc, expected 1"
	[ "$(cat /tmp/expect.err)" = "$want" ] || fail "'$*' said '$(cat /tmp/expect.err)', expected '$want'"
	echo "'$*' -> $want"
}

expect_err "stacktapctl: stacktap module not loaded (try: insmod stacktap.ko)" stacktapctl list

st_load
stacktapctl add st_truth_leaf || fail "stacktapctl add"
echo 7 >"$TRUTH/trigger"
stacktapctl show >/tmp/trace || fail "stacktapctl show"
check_truth /tmp/trace p:st_truth_leaf 7 "^st_truth_leaf[+]$ST_F0/" || fail "show: wrong stacks"
stacktapctl list
stacktapctl --json list >/tmp/list.json || fail "list --json"
echo "@json list $(tr -d '\n' </tmp/list.json)"
grep -q '"spec": "p:st_truth_leaf", "hits": 7, "misses": 0' /tmp/list.json || fail "list --json: $(cat /tmp/list.json)"
stacktapctl --json stats >/tmp/stats.json || fail "stats --json"
echo "@json stats $(tr -d '\n' </tmp/stats.json)"
stacktapctl --json show >/tmp/show.json || fail "show --json"
echo "@json show $(tr -d '\n' </tmp/show.json)"

id=$(sed -n 's/.*"id": \([0-9]*\), "spec": "p:st_truth_leaf".*/\1/p' /tmp/list.json)
stacktapctl del "$id" || fail "del by id $id"
[ "$(stacktapctl --json list)" = "[]" ] || fail "probe left after del"
echo 5 >"$TRUTH/trigger"
[ "$(trace_records "$ST/trace")" = 7 ] || fail "hits recorded after del"

# Probes added through debugfs are the same probes: del them by netlink.
st_ctl "add st_truth_c" || fail "control add"
stacktapctl list | grep -q ' p:st_truth_c ' || fail "control's probe not listed"
stacktapctl del p:st_truth_c || fail "del of control's probe"
stacktapctl add r:st_truth_b
st_ctl "del r:st_truth_b" || fail "control del of stacktapctl's probe"

stacktapctl add p:st_truth_leaf || fail "add"
expect_err "stacktapctl: add 'no_such_symbol_xyz': symbol not found" stacktapctl add no_such_symbol_xyz
expect_err "stacktapctl: add 'p:st_truth_leaf': probe exists" stacktapctl add p:st_truth_leaf
expect_err "stacktapctl: add 'st_truth_leaf+junk': offset must be decimal or 0x-prefixed hex" stacktapctl add st_truth_leaf+junk
expect_err "stacktapctl: add 'p:st_truth_*': wildcards need an f: probe" stacktapctl add 'p:st_truth_*'
expect_err "stacktapctl: add 'f:no_such_function_xyz': no traceable function matches" stacktapctl add f:no_such_function_xyz
expect_err "stacktapctl: add 'r:st_truth_c maxactive=0': maxactive= must be 1..4096" stacktapctl add 'r:st_truth_c maxactive=0'
expect_err "stacktapctl: add 'notify_die': address cannot be kprobed (blacklisted, notrace, an ftrace site without KPROBES_ON_FTRACE, or not kernel text)" stacktapctl add notify_die
expect_err "stacktapctl: del 'st_truth_c': no such probe" stacktapctl del st_truth_c
expect_err "stacktapctl: del '9999': no such probe" stacktapctl del 9999
stacktapctl frob 2>/dev/null; [ $? = 2 ] || fail "unknown command does not exit 2"
stacktapctl add 2>/dev/null; [ $? = 2 ] || fail "add without a spec does not exit 2"

# A non-root user: EPERM on every command, and no debugfs.
for c in "add st_truth_c" "del st_truth_leaf" "list" "stats" "clear" "reset"; do
	verb=${c%% *}
	arg=${c#"$verb"}
	case "$verb" in
	add|del) want="stacktapctl: $verb '${arg# }': Operation not permitted (stacktap needs CAP_SYS_ADMIN: run as root)" ;;
	*) want="stacktapctl: $verb: Operation not permitted (stacktap needs CAP_SYS_ADMIN: run as root)" ;;
	esac
	expect_err "$want" su -s /bin/sh nobody -c "stacktapctl $c"
done
su -s /bin/sh nobody -c "cat $ST/trace" 2>/dev/null && fail "nobody can read the trace"
su -s /bin/sh nobody -c "cat $ST/probes" 2>/dev/null && fail "nobody can read probes"
stacktapctl list | grep -q ' p:st_truth_leaf ' || fail "nobody's commands changed something"

# A listing longer than one netlink message resumes where it stopped: 100
# more probes, each a differently spelled glob for st_truth_a.
stacktapctl reset || fail "reset"
stars=
for i in $(seq 1 100); do
	stars="$stars*"
	echo "f:st_truth_a$stars"
done >/tmp/many
xargs stacktapctl add </tmp/many || fail "adding 100 probes"
stacktapctl --json list >/tmp/many.json || fail "list --json of 100 probes"
n=$(grep -o '"id": ' /tmp/many.json | wc -l)
echo "listed $n of 100 probes, $(wc -c </tmp/many.json) bytes"
[ "$n" = 100 ] || fail "listed $n of 100 probes"
echo "@json many $(tr -d '\n' </tmp/many.json)"

stacktapctl reset || fail "reset"
[ "$(stacktapctl --json list)" = "[]" ] || fail "reset left probes"
st_unload
