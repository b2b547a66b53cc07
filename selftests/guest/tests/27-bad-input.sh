# Bad input: more than 1000 malformed specs each through control, netlink
# and probes= at insmod (st_badinput: random bytes, 64 KiB lines, unknown,
# blacklisted, notrace and freed __init symbols, offsets inside an
# instruction or past the end, duplicates, globs over thousands of
# functions, depth=0 and depth=100000, bad options).  Each must be refused
# with an errno and a logged reason; the module works afterwards.
. /lib/st/lib.sh
truth_load
st_load
for via in control netlink; do
	st_badinput $via || fail "bad input through $via"
done
[ -z "$(cat "$ST/probes")" ] || fail "probes left armed: $(cat "$ST/probes")"
st_unload
# A load per input: make check offers every st_badinput_stride-th (each
# category's first kept), check-all every one.
st_badinput insmod /st/stacktap.ko "${st_badinput_stride:-1}" || fail "bad input through probes= at insmod"
lsmod | grep -q '^stacktap ' && fail "a bad probes= left stacktap loaded"

st_load
st_ctl "add st_truth_leaf" || fail "add after bad input"
echo 10 >"$TRUTH/trigger"
check_truth "$ST/trace" p:st_truth_leaf 10 "^st_truth_leaf[+]$ST_F0/" ||
	fail "stacktap does not work after bad input"
