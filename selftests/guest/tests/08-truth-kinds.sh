# r: and f: probes on the truth chain's leaf: 1000 hits each, every stack
# starts leaf, c, b, a with no tracer, exception or trampoline frame, and
# r: records carry the leaf's true return value.
. /lib/st/lib.sh
truth_load
st_load
st_ctl "add r:st_truth_leaf" || fail "add r:st_truth_leaf"
echo 1000 >"$TRUTH/trigger" || fail "trigger"
st_ctl "del r:st_truth_leaf" || fail "del r:"
cat "$ST/trace" >/tmp/trace.r
st_ctl clear

st_ctl "add f:st_truth_leaf" || fail "add f:st_truth_leaf"
echo 1000 >"$TRUTH/trigger" || fail "trigger"
st_ctl "del f:st_truth_leaf" || fail "del f:"
cat "$ST/trace" >/tmp/trace.f
st_unload

ok=0
ST_RET=1 check_truth /tmp/trace.r r:st_truth_leaf 1000 "^st_truth_leaf[+]$ST_F0/" || ok=1
# f: frame 0 is the leaf's ftrace call site: its entry on x86_64, a few
# instructions in on arm64 and MIPS.
check_truth /tmp/trace.f f:st_truth_leaf 1000 '^st_truth_leaf[+]0x[0-9a-f]+/' || ok=1
exit $ok
