# An f: glob over the truth module's functions reports each matched
# function in the header, and each record's stack starts in that function.
. /lib/st/lib.sh
truth_load
st_load
st_ctl "add f:st_truth_*" || fail "add f:st_truth_*"
echo 10 >"$TRUTH/trigger" || fail "trigger"
st_ctl "del f:st_truth_*" || fail "del"
cat "$ST/trace" >/tmp/trace
st_unload
awk '
/: f:st_truth_\* func=/ { fn = $NF; sub(/^func=/, "", fn); count[fn]++; want_f0 = fn; next }
/^ => / && want_f0 != "" { split($2, a, "+"); if (a[1] != want_f0) { bad++; print "frame 0 " $2 " is not in " want_f0 } want_f0 = ""; next }
END {
	for (f in count) printf "%s %d\n", f, count[f]
	split("st_truth_a st_truth_b st_truth_c st_truth_leaf st_truth_sink", need, " ")
	for (i in need) if (count[need[i]] != 10) { missing++; print "want 10 records of " need[i] }
	exit !(!missing && !bad)
}' /tmp/trace
