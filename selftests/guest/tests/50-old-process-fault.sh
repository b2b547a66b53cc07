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
end=$(cat "$TRUTH/fresh_region_end")
st_load
# Its code and its data (the notifier blocks) where the old process has
# no mapping: else the test set nothing up.
text=$(cat /sys/module/stacktap/sections/.text)
data=$(cat /sys/module/stacktap/sections/.data)
echo "regions no process had: $fresh..$end; stacktap's .text at $text, .data at $data; the old process is $old"
for a in $text $data; do
	[ $((a)) -ge $((fresh)) ] && [ $((a)) -lt $((end)) ] ||
		fail "stacktap at $a, outside $fresh..$end: the test set nothing up"
done
# Field 10 of stat: its minor faults (the name, field 2, has no space).
flt0=$(cut -d' ' -f10 "/proc/$old/stat")
: >/tmp/old.go
sleep 3
flt=$(($(cut -d' ' -f10 "/proc/$old/stat") - flt0))
: >/tmp/old.stop
wait $old
n=$(cat /tmp/old.n 2>/dev/null)
echo "the old process forked ${n:-0} times and took $flt page faults with stacktap's die notifiers in the chain"
[ "${n:-0}" -ge 5 ] || fail "the old process forked ${n:-0} times in 3 s"
[ "$flt" -ge 5 ] || fail "the old process took $flt page faults"
st_unload
echo 0 >"$TRUTH/fresh_region" || fail "unmap the fresh region's pieces"
