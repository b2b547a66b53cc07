# A full aggregation table: 20 distinct stacks into 16 slots.  What does
# not fit is counted as overflow, per probe and in stats, over netlink
# too: hits = counted + overflow, exactly.
. /lib/st/lib.sh
truth_load
st_load stacks_max=16
st_ctl "add st_truth_leaf mode=count" || fail "add"
echo 200 >"$TRUTH/trigger_spread" || fail "trigger_spread"
cat "$ST/probes"
grep '^stacks ' "$ST/stats"
hits=$(awk '/^p:st_truth_leaf / { print $2 }' "$ST/probes")
overflow=$(sed -n 's/^p:st_truth_leaf .* overflow=\([0-9]*\).*/\1/p' "$ST/probes")
counted=$(awk '/^@\[/ { s += $2 } END { print s + 0 }' "$ST/stacks")
stacks=$(grep -c '^@\[' "$ST/stacks")
stat_overflow=$(sed -n 's/^stacks used 16 size 16 overflow \([0-9]*\)$/\1/p' "$ST/stats")
stacktapctl stats
stacktapctl --json stats >/tmp/stats.json
echo "@json stats $(tr -d '\n' </tmp/stats.json)"
nl_overflow=$(grep -o '"overflow": [0-9]*' /tmp/stats.json | awk '{ s += $2 } END { print s + 0 }')
echo "hits $hits, counted $counted in $stacks stacks, overflow $overflow (stats $stat_overflow, netlink $nl_overflow)"
[ "$hits" = 200 ] || fail "hits $hits"
[ "$stacks" = 16 ] || fail "$stacks stacks in a table of 16"
[ -n "$overflow" ] && [ "$overflow" -gt 0 ] || fail "no overflow counted"
[ "$stat_overflow" = "$overflow" ] || fail "stats overflow '$stat_overflow' != probe's $overflow"
[ "$nl_overflow" = "$overflow" ] || fail "netlink overflow $nl_overflow != $overflow"
[ $((counted + overflow)) = "$hits" ] || fail "counted $counted + overflow $overflow != hits $hits"
# Every stack kept is exact: the leaf, then only st_truth_r frames down to
# st_truth_spread.
awk '/^@\[/ { n = 0; next } /^ => / { f[++n] = $2; next }
	/^$/ { if (!n) next; i = 2; while (f[i] ~ /^st_truth_r[+]/) i++
	       if (f[1] !~ /^st_truth_leaf[+]0x0\// || i < 3 || f[i] !~ /^st_truth_spread[+]/) bad++ }
	END { exit bad > 0 }' "$ST/stacks" || fail "a wrong stack"
st_unload
