# Churn under load: 10 000 add/del cycles of p:, r: and f: probes on the
# truth chain, through control, netlink and both mixed, while every CPU
# runs the chain.  Every add and del succeeds, nothing is left armed, and
# the probes did fire meanwhile.
. /lib/st/lib.sh
truth_load
st_load
specs="p:st_truth_leaf r:st_truth_b f:st_truth_c"
hammer_start trigger
# x86_64's guest runs both vCPUs on one host thread (see guest.sh), so
# every cross-CPU wait (RCU, text_poke_bp's syncs) costs up to QEMU's
# 100 ms round-robin slice: about 0.5 s a cycle, 10 000 would take 80 min.
cycles=10000
[ "$(uname -m)" = x86_64 ] && cycles=1000
# shellcheck disable=SC2086
st_churn $cycles $specs
rc=$?
hammer_stop
[ $rc -eq 0 ] || fail "churn"
echo "records written meanwhile: $(stats_sum written), dropped: $(stats_sum dropped)"
[ "$(stats_sum written)" -gt 0 ] || fail "the probes never fired during churn"
[ -z "$(cat "$ST/probes")" ] || fail "probes left armed: $(cat "$ST/probes")"
grep st_truth /sys/kernel/debug/kprobes/list && fail "kprobes left armed"
grep st_truth /sys/kernel/debug/tracing/enabled_functions && fail "ftrace sites left enabled"
st_unload
