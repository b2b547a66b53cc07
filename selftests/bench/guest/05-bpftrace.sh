# The benchmark, part 5: bpftrace, the peer users pick instead:
# kprobe:leaf { @[kstack] = count(); }, and the same without the stack.
# bpftrace runs in a chroot into the Debian bookworm tree that bench.sh
# shares read-only over virtio-9p (scripts/make-bench-rootfs.sh).
. /lib/st/bench.lib
R=/mnt/bookworm
mkdir -p $R
if ! mount -t 9p -o trans=virtio,version=9p2000.L,ro strootfs $R 2>/dev/null; then
	echo "@bench arch=$arch case=bpftrace-kstack skipped=no-bookworm-tree"
	exit 0
fi
mount -t proc proc $R/proc
mount -t sysfs sys $R/sys
mount -t debugfs debugfs $R/sys/kernel/debug
mount -t tracefs tracefs $R/sys/kernel/tracing
mount -t devtmpfs dev $R/dev
mount -t tmpfs tmp $R/tmp
ver=$(chroot $R /usr/bin/bpftrace --version) || fail "bpftrace does not run in the chroot"
echo "# $ver"

# bpf NAME PROGRAM: start bpftrace on PROGRAM and wait until its kprobe
# is registered (LLVM compiles it first: minutes under emulation).
bpf() {
	chroot $R /usr/bin/bpftrace -e "$2" >"/tmp/$1.out" 2>&1 &
	bpid=$!
	t0=$(date +%s)
	until grep -q 'st_truth_leaf' /sys/kernel/debug/kprobes/list; do
		kill -0 $bpid 2>/dev/null || { cat "/tmp/$1.out"; fail "$1: bpftrace exited"; }
		[ $(($(date +%s) - t0)) -lt 1200 ] || fail "$1: no kprobe after 1200 s"
		sleep 1
	done
	# The program is attached just after the kprobe is made.
	sleep 2
	echo "# $1: bpftrace attached after $(($(date +%s) - t0)) s"
}
# bpf_stop NAME: stop bpftrace; it prints its map on the way out.
bpf_stop() {
	kill -INT $bpid
	wait $bpid
	! grep -q 'st_truth_leaf' /sys/kernel/debug/kprobes/list || fail "$1: kprobe left behind"
}

bpf bpftrace-kstack 'kprobe:st_truth_leaf { @[kstack] = count(); }'
for d in $depths; do
	measure bpftrace-kstack "$d"
done
bpf_stop bpftrace-kstack
# Its stacks must be real ones: the leaf under st_truth_r's recursion.
stacks=$(grep -c '^@\[' /tmp/bpftrace-kstack.out)
grep -q 'st_truth_r+' /tmp/bpftrace-kstack.out || { cat /tmp/bpftrace-kstack.out; fail "bpftrace's stacks miss st_truth_r"; }
total=$(awk '/^\]: / { s += $2 } END { print s + 0 }' /tmp/bpftrace-kstack.out)
echo "# bpftrace kstack: $stacks stacks, $total hits counted"
[ "$total" -ge "$N" ] || fail "bpftrace counted $total hits"

bpf bpftrace-count 'kprobe:st_truth_leaf { @ = count(); }'
measure bpftrace-count 16
bpf_stop bpftrace-count
grep '^@: ' /tmp/bpftrace-count.out
