# Debug kernel only (selftests/kernel/debug.config): kmemleak works, and
# what the kernel itself left unreferenced before stacktap ever loaded is
# set aside, so that 99-kmemleak-after-rmmod.sh sees only what came after.
. /lib/st/lib.sh
KL=/sys/kernel/debug/kmemleak
[ -w "$KL" ] || fail "no $KL: kmemleak is off (pool exhausted or not built)"
# No scans but ours: an automatic one takes many minutes under KASAN and
# emulation, and holds up RCU-tasks grace periods (which every f: del
# waits for) until it ends, with a stall report on the console.
echo scan=off >"$KL" || fail "kmemleak scan=off"
echo scan >"$KL" || fail "kmemleak scan"
n=$(grep -c '^unreferenced object' "$KL")
echo "# kmemleak: $n objects unreferenced at boot, before stacktap, set aside"
echo clear >"$KL" || fail "kmemleak clear"
