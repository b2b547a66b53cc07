# A kprobe on the truth chain's leaf: 1000 hits, every stack starts
# leaf, c, b, a and holds no tracer frame.
. /lib/st/lib.sh
truth_load
st_load
st_ctl "add p:st_truth_leaf" || fail "add p:st_truth_leaf"
echo 1000 >"$TRUTH/trigger" || fail "trigger"
st_ctl "del p:st_truth_leaf" || fail "del"
cat "$ST/trace" >/tmp/trace
st_unload
check_truth /tmp/trace p:st_truth_leaf 1000 "^st_truth_leaf[+]$ST_F0/"
