# trace merges every CPU's ring in time order and loses nothing.
. /lib/st/lib.sh
truth_load
st_load
ncpu=$(ncpus)
st_ctl "add st_truth_leaf" || fail "add"
truth_on_every_cpu 300
st_ctl "del st_truth_leaf" || fail "del"
cat "$ST/trace" >/tmp/trace
st_unload
# Header: <comm>-<pid> [<cpu>] <s>.<us>: <spec>; comm may hold spaces.
awk -v ncpu="$ncpu" '
/^[^ ].*: p:/ {
	n++
	ts = $(NF - 1); sub(/:$/, "", ts)
	cpu = $(NF - 2)
	if (n > 1 && ts + 0 < last) back++
	last = ts + 0
	if (!(cpu in seen)) { seen[cpu] = 1; cpus++ }
}
END {
	printf "records %d from %d CPUs, %d out of time order\n", n, cpus, back
	exit !(n == 300 * ncpu && cpus == ncpu && !back)
}' /tmp/trace
