# A page fault in a process older than stacktap's module memory (32-bit
# MIPS, module/wrapper/die_notifier.h).  There do_page_fault() walks the
# die chain before it maps kseg2 into the faulting process, and stacktap's
# die notifiers live in module memory: a process created before that
# memory was mapped faulted again on reaching them, and again, until its
# kernel stack had run down over the exception vectors and the guest hung
# (stop 33's mipsel hangs, mostly pid 1 forking after a test).  Here the
# truth module maps address space until a region no process had is
# reached, so stacktap loads into it, and a process started before that
# forks in a loop: each fork a copy-on-write fault in it.  The guest must
# live on and the process go on forking.
. /lib/st/lib.sh
case $(uname -m) in
mips) ;;
*) echo "processes share the kernel's mappings here: only 32-bit MIPS copies them"; exit 77 ;;
esac
truth_load
[ -e "$TRUTH/fresh_region" ] || fail "the truth module has no fresh_region on 32-bit MIPS"
rm -f /tmp/old.ready /tmp/old.go /tmp/old.stop /tmp/old.n
# shellcheck disable=SC2016 # expanded by the old process
sh -c 'n=0
	: >/tmp/old.ready
	until [ -e /tmp/old.go ]; do sleep 0.1; done
	while [ ! -e /tmp/old.stop ]; do
		/bin/true
		n=$((n + 1))
		echo $n >/tmp/old.n
	done' &
old=$!
wait_until "[ -e /tmp/old.ready ]"
[ -e /tmp/old.ready ] || fail "the old process never started"
echo 64 >"$TRUTH/fresh_region" || fail "no fresh region within 64 MiB of address space"
fresh=$(cat "$TRUTH/fresh_region")
st_load
base=$(awk '$1 == "stacktap" { print $6 }' /proc/modules)
echo "a region no process had: $fresh; stacktap at $base; the old process is $old"
[ $((base)) -ge $((fresh)) ] || fail "stacktap at $base, below the fresh region $fresh: the test set nothing up"
: >/tmp/old.go
sleep 3
: >/tmp/old.stop
wait $old
n=$(cat /tmp/old.n 2>/dev/null)
echo "the old process forked ${n:-0} times with stacktap's die notifiers in the chain"
[ "${n:-0}" -ge 5 ] || fail "the old process forked ${n:-0} times in 3 s"
st_unload
echo 0 >"$TRUTH/fresh_region" || fail "unmap the fresh region's pieces"
