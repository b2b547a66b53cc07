# Debug kernel only: after the whole suite, and one more load, use of
# every probe kind and interface, and rmmod, a kmemleak scan finds no new
# unreferenced object.  Objects younger than 5 s are not reported, so
# the scan runs after a pause, twice (kmemleak's own advice).
. /lib/st/lib.sh
KL=/sys/kernel/debug/kmemleak
truth_load
st_load
for spec in p:st_truth_leaf r:st_truth_b f:st_truth_c; do
	st_ctl "add $spec" || fail "add $spec"
done
stacktapctl add "p:st_truth_d" >/dev/null || fail "stacktapctl add"
truth_on_every_cpu 200
cat "$ST/trace" >/dev/null
stacktapctl report >/dev/null || fail "stacktapctl report"
stacktapctl del "p:st_truth_d" || fail "stacktapctl del"
st_unload
rmmod st_truth || fail "rmmod st_truth"
sleep 6
echo scan >"$KL" || fail "kmemleak scan"
sleep 1
echo scan >"$KL" || fail "kmemleak scan"
n=$(grep -c '^unreferenced object' "$KL")
echo "# kmemleak after rmmod: $n new unreferenced objects"
if [ "$n" -ne 0 ]; then
	sed 's/^/# /' "$KL" | head -n 120
	fail "kmemleak found $n leaks"
fi
