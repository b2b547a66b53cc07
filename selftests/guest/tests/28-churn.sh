# Churn under load: up to 10 000 add/del cycles of p:, r: and f: probes on the
# truth chain, through control, netlink and both mixed, while every CPU
# runs the chain.  Every add and del succeeds, nothing is left armed, and
# the probes fired meanwhile, at least once a cycle on average.
. /lib/st/lib.sh
truth_load
st_load
specs="p:st_truth_leaf r:st_truth_b f:st_truth_c"
hammer_start trigger
# The load yields to st_churn and to the kernel threads its waits depend
# on (RCU, workqueues): at equal priority the figure measured the
# scheduler's share, not add/del (on x86_64, 415 against 218 ms a p: cycle).
# shellcheck disable=SC2086
renice -n 19 -p $hammers >/dev/null
# At most st_churn_seconds= (kernel command line; 0: no limit), else 480 s.
# A cycle costs 45 ms on the 1-CPU Malta guests, where 10 000 fit, but 0.2
# to 0.5 s on the 2-CPU ones, where every cross-CPU wait (RCU grace
# periods, stop_machine or text_poke_bp's syncs, and on x86_64 QEMU's
# 100 ms slice between its two vCPUs on one thread) is slow; make
# check-churn runs all 10 000 everywhere.
# shellcheck disable=SC2086
st_churn -t "${st_churn_seconds:-480}" 10000 $specs >/tmp/churn.out
rc=$?
hammer_stop
cat /tmp/churn.out
[ $rc -eq 0 ] || fail "churn: $(grep -c '^cycle ' /tmp/churn.out) add/del failed, first: $(grep -m1 '^cycle ' /tmp/churn.out)"
cycles=$(sed -n 's/^churn: \([0-9]*\) cycles done.*/\1/p' /tmp/churn.out)
written=$(stats_sum written)
dropped=$(stats_sum dropped)
hits=$((written + dropped))
echo "records written meanwhile: $written, dropped: $dropped"
# st_churn holds each probe armed for 1 ms, asleep, so even a 1-CPU guest's
# load runs while it is armed: about 100 hits a cycle on mips64el.
[ "$hits" -ge "$cycles" ] || fail "the probes hit $hits times in $cycles cycles: the load did not run while they were armed"
[ -z "$(cat "$ST/probes")" ] || fail "probes left armed: $(cat "$ST/probes")"
grep st_truth /sys/kernel/debug/kprobes/list && fail "kprobes left armed"
grep st_truth /sys/kernel/debug/tracing/enabled_functions && fail "ftrace sites left enabled"
st_unload
