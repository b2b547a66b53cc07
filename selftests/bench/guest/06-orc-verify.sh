# The benchmark, part 6 (x86_64): stacktap's ORC cache against the
# kernel's unwinder on the same hits, frame for frame, on the truth chain
# and on kernel functions the shell and the kernel itself call from task,
# softirq and hardirq context.  Every walk the cache does must give the
# kernel's stack exactly; the others it leaves to the kernel (fallback).
. /lib/st/bench.lib
if [ "$arch" != x86_64 ]; then
	echo "@bench arch=$arch case=orc-verify skipped=x86_64-only"
	exit 0
fi
bad=0
for spec in f:st_truth_leaf p:st_truth_leaf r:st_truth_leaf f:vfs_write p:vfs_read \
	f:kmem_cache_alloc f:__kmalloc f:schedule f:do_nanosleep f:ktime_get f:copy_process \
	f:do_exit f:__alloc_pages f:__wake_up; do
	insmod /st/st_floor.ko probe="$spec" depth=128 verify=1 || { echo "$spec: not armed"; continue; }
	for r in 0 8 24 56; do
		echo "300 $r" >"$TRUTH/bench"
	done
	ls -R /proc/self >/dev/null 2>&1
	cat /proc/meminfo /proc/interrupts >/dev/null
	sleep 0.3
	res=$(sed -n 's/^verify //p' "$FLOOR/stats")
	grep '^first mismatch' "$FLOOR/stats"
	rmmod st_floor
	echo "# $spec: $res"
	set -- $res
	echo "@bench arch=$arch case=orc-verify probe=$spec fast=$2 fallback=$4 mismatch=$6"
	[ "$6" = 0 ] || bad=$((bad + 1))
done
[ "$bad" -eq 0 ] || fail "the ORC cache's stack differs from the kernel's on $bad probes"
