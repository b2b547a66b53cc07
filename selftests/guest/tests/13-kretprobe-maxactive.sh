# maxactive= bounds an r: probe's instances; every call is still accounted
# for as a hit or a miss.  Options follow the spec in probes= and control.
. /lib/st/lib.sh
truth_load
st_load 'probes="r:st_truth_leaf maxactive=1"'
grep -q '^r:st_truth_leaf 0 0 maxactive=1$' "$ST/probes" || fail "probes: $(cat "$ST/probes")"
ncpu=$(ncpus)
truth_on_every_cpu 500
cat "$ST/probes"
set -- $(grep '^r:st_truth_leaf ' "$ST/probes")
echo "calls $((500 * ncpu)) hits $2 misses $3"
[ $(($2 + $3)) = $((500 * ncpu)) ] || fail "hits + misses != calls"
st_ctl "del r:st_truth_leaf" || fail "del"
st_ctl "add r:st_truth_leaf maxactive=8" || fail "add with maxactive=8"
st_ctl_fails "add p:st_truth_c maxactive=2" "Invalid argument"
st_ctl_fails "add r:st_truth_c maxactive=0" "Numerical result out of range"
st_ctl_fails "add r:st_truth_c depht=3" "Invalid argument"
st_ctl_fails "del r:st_truth_leaf maxactive=8" "Invalid argument"
dmesg | grep -q "stacktap: add 'p:st_truth_c maxactive=2': maxactive= is an r: probe option (-22)" ||
	fail "no log line for maxactive on p:"
st_unload
