# Debug kernel only (selftests/kernel/debug.config): kmemleak works, and
# what the kernel itself left unreferenced before stacktap ever loaded is
# set aside, so that 99-kmemleak-after-rmmod.sh sees only what came after.
. /lib/st/lib.sh
KL=/sys/kernel/debug/kmemleak
[ -w "$KL" ] || fail "no $KL: kmemleak is off (pool exhausted or not built)"
echo scan >"$KL" || fail "kmemleak scan"
n=$(grep -c '^unreferenced object' "$KL")
echo "# kmemleak: $n objects unreferenced at boot, before stacktap, set aside"
echo clear >"$KL" || fail "kmemleak clear"
