# Records carry the context of their hit and their probe's id (record
# format 2; issue 22, item 8): st_truth_leaf hit twice from a task and
# twice from an hrtimer (hardirq) must stream as two "task" and two
# "hardirq" records, each with the id add gave the probe, and a second
# probe's records with its own id.
. /lib/st/lib.sh
truth_load
st_load
out=$(stacktapctl add p:st_truth_leaf) || fail "add: $out"
id=${out%% *}
out=$(stacktapctl add p:st_truth_c) || fail "add: $out"
id2=${out%% *}
echo "ids $id and $id2"
echo 2 >"$TRUTH/trigger" || fail "trigger"
echo 1 >"$TRUTH/trigger_irq" || fail "trigger_irq"
echo 1 >"$TRUTH/trigger_irq" || fail "trigger_irq"
stacktapctl --json stream --backlog >/tmp/ctx.json 2>/tmp/ctx.err &
streamer=$!
wait_until '[ "$(grep -c "\"spec\"" /tmp/ctx.json)" -ge 8 ]'
kill -INT $streamer
wait $streamer
cat /tmp/ctx.err
# A hard interrupt's thread is whichever it interrupted: any, idle's 0 too.
n() { grep -c "\"tid\": [0-9]*, \"tgid\": [0-9]*, \"context\": \"$2\", \"probe_id\": $3, \"spec\": \"$1\"" /tmp/ctx.json; }
echo "leaf: task $(n p:st_truth_leaf task "$id"), hardirq $(n p:st_truth_leaf hardirq "$id"); c: task $(n p:st_truth_c task "$id2"), hardirq $(n p:st_truth_c hardirq "$id2")"
[ "$(n p:st_truth_leaf task "$id")" = 2 ] && [ "$(n p:st_truth_leaf hardirq "$id")" = 2 ] &&
	[ "$(n p:st_truth_c task "$id2")" = 2 ] && [ "$(n p:st_truth_c hardirq "$id2")" = 2 ] ||
	fail "contexts and ids: $(head -c 600 /tmp/ctx.json)"
[ "$(grep -c '"spec"' /tmp/ctx.json)" = 8 ] || fail "$(grep -c '"spec"' /tmp/ctx.json) records, not 8"
