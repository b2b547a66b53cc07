# Netlink under concurrency (issue 20, items 16 and 17).
# stacktap's family runs without the generic netlink mutex (parallel_ops):
# its commands, some of which wait out RCU grace periods and ftrace
# updates for seconds, neither wait for nor block nl80211, devlink,
# WireGuard and the other families.  st_truth holds that mutex for 3 s;
# stacktap's add and del must answer meanwhile.
# A probe listing in several parts resumes by probe id: a probe deleted
# between two parts moves no other out of it, and the listing is marked
# NLM_F_DUMP_INTR.
. /lib/st/lib.sh
truth_load
st_load
rm -f /tmp/go
st_nlpar /tmp/go "$TRUTH/genl_hold" p:st_truth_leaf >/tmp/nlpar 2>&1 &
tool=$!
i=0
while ! grep -q ready /tmp/nlpar && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
grep -q ready /tmp/nlpar || fail "st_nlpar: $(cat /tmp/nlpar)"
echo 3000 >"$TRUTH/genl_hold" &
holder=$!
i=0
while [ "$(cat "$TRUTH/genl_hold")" != 1 ] && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
[ "$(cat "$TRUTH/genl_hold")" = 1 ] || fail "st_truth did not take the genl mutex"
touch /tmp/go
wait $tool
rc=$?
wait $holder
cat /tmp/nlpar
[ $rc = 0 ] || fail "stacktap's netlink commands waited for the genl mutex"
[ -z "$(cat "$ST/probes")" ] || fail "probe left: $(cat "$ST/probes")"

# 100 probes, each a differently spelled glob for st_truth_a.
stars=
for i in $(seq 1 100); do
	stars="$stars*"
	echo "add f:st_truth_a$stars" >"$ST/control" || fail "add f:st_truth_a$stars"
done
st_nldump || fail "a probe listing changed between its parts"
[ "$(wc -l <"$ST/probes")" = 99 ] || fail "$(wc -l <"$ST/probes") probes left, expected 99"
stacktapctl reset || fail "reset"
st_unload
