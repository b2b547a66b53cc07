# Malformed netlink messages get an errno and no splat, and stacktap keeps
# working: fixed bad requests, then 10 000 random ones.
. /lib/st/lib.sh
truth_load
st_load
st_nlfuzz 10000 "$(date +%s)" || fail "st_nlfuzz"
stacktapctl reset || fail "reset after fuzzing"
stacktapctl add st_truth_leaf || fail "add after fuzzing"
echo 10 >"$TRUTH/trigger"
stacktapctl --json list | grep -q '"spec": "p:st_truth_leaf", "hits": 10, "misses": 0' ||
	fail "not working after fuzzing: $(stacktapctl list)"
stacktapctl show >/tmp/trace
check_truth /tmp/trace p:st_truth_leaf 10 "^st_truth_leaf[+]$ST_F0/" || fail "wrong stacks after fuzzing"
st_unload
