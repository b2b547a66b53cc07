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

awk -v bad="$TRACER_FRAMES" '
function check() {
	n++
	if (f[1] !~ /^st_truth_leaf\+0x0\// || f[2] !~ /^st_truth_c\+/ ||
	    f[3] !~ /^st_truth_b\+/ || f[4] !~ /^st_truth_a\+/) {
		wrong++
		if (wrong == 1) print "first wrong record:\n" rec
	}
	if (tracer) {
		dirty++
		if (dirty == 1) print "first record with a tracer frame:\n" rec
	}
	if (n == 1) print "first record:\n" rec
}
/^$/ { if (nf) check(); nf = 0; tracer = 0; rec = ""; next }
{ rec = rec $0 "\n" }
/^ => / { f[++nf] = $2; if ($0 ~ bad) tracer = 1; next }
{ if ($NF != "p:st_truth_leaf") other++ }
END {
	printf "records %d, wrong first four frames %d, with tracer frames %d, other probes %d\n",
		n, wrong, dirty, other
	exit !(n == 1000 && !wrong && !dirty && !other)
}' /tmp/trace
