# ustack=copy: at a hit, the user registers and the top of the user
# stack go into the record, for stacktapctl to unwind later with the
# binary's .eh_frame.  In the guest: uchain-dw (no frame pointers, unwind
# tables and DWARF) makes its write(2) down _start -> uchain_main -> a ->
# b -> c; each record of p:, r: and a u: probe carries a copy of the
# size asked for, its pc and sp the task's, and the module keeps the
# process's code mappings (debugfs "maps", MAPS_GET) after it exits.  A
# recording of them goes to the host (@ucopy), where report -i --symfs
# unwinds and names every stack: that check is guest.sh's.  Bad sizes
# and mode=count are refused with the reason.
. /lib/st/lib.sh
# ret FUNC: the return address in FUNC (uchain_c: the pc after the syscall).
ret() { awk -v f="$1" '$1 == f { print $2 }' /ustack/uchain-dw.expect; }
st_load

st_ctl_fails "add p:ksys_write ustack=copy,10" "Numerical result out of range"
st_ctl_fails "add p:ksys_write ustack=copy,99999" "Numerical result out of range"
st_ctl_fails "add p:ksys_write ustack=copy,x" "Invalid argument"
st_ctl_fails "add p:ksys_write ustack=copy4096" "Invalid argument"
st_ctl_fails "add p:ksys_write ustack=copy mode=count" "Invalid argument"
st_ctl_fails "add u:/ustack/uchain-dw:uchain_b ustack=fp" "Invalid argument"
stacktapctl add "p:ksys_write ustack=copy mode=count" 2>/tmp/add.err && fail "ustack=copy armed with mode=count"
grep -q "mode=count writes none" /tmp/add.err || fail "no reason for ustack=copy with mode=count: $(cat /tmp/add.err)"

# p: at the write: the copy's line after the user pc, the size as asked
# (rounded up to 8), or less where the stack's mapping ends.
pc=$(ret uchain_c)
for spec in "p:ksys_write ustack=copy,1000" "r:ksys_write ustack=copy,512" \
	    "u:/ustack/uchain-dw:uchain_b ustack=copy,2048"; do
	st_ctl "add $spec comm=uchain-dw" || fail "add $spec"
	grep "^${spec%% *} " "$ST/probes"
	grep -q "^${spec%% *} .* ${spec#* } comm=uchain-dw$" "$ST/probes" || fail "probes line of $spec"
	for i in 1 2; do /ustack/uchain-dw >/dev/null || fail "uchain-dw"; done
	st_ctl "del ${spec%% *}" || fail "del $spec"
	cat "$ST/trace" >/tmp/trace
	st_ctl clear
	sed -n '1,/^$/p' /tmp/trace
	size=${spec##*,}
	size=$(((size + 7) / 8 * 8))
	n=$(grep -c "^ -- user copy: [0-9]* bytes from sp 0x[0-9a-f]* --$" /tmp/trace)
	[ "$n" = 2 ] || fail "$spec: $n records with a user copy, of 2"
	grep -o "^ -- user copy: [0-9]* bytes" /tmp/trace | awk -v s="$size" '$4 > s || $4 < 64 { bad = 1 } END { exit bad }' ||
		fail "$spec: a copy larger than $size bytes, or too small to hold a frame"
	# The pc under the marker: the syscall's in uchain_c, or b's first instruction.
	case $spec in
	u:*) want=$(awk '$1 == "uchain_b" { print $2 }' /ustack/uchain-dw.syms) ;;
	*) want=$pc ;;
	esac
	[ "$(grep -A1 '^ -- user --$' /tmp/trace | grep -c "^ => $want$")" = 2 ] ||
		fail "$spec: the user pc is not $want in both records"
	echo "$spec: 2 records, user pc $want, copies: $(grep -o '^ -- user copy: [0-9]*' /tmp/trace | awk '{ printf "%s ", $4 }')"
done

# The process is gone; its code mapping is kept: the binary, its text.
cat "$ST/maps"
grep -q " /ustack/uchain-dw$" "$ST/maps" || fail "maps has no mapping of /ustack/uchain-dw"
awk '$4 == "/ustack/uchain-dw" { split($2, r, "-"); print r[1], r[2] }' "$ST/maps" | while read -r lo hi; do
	[ $((0x$lo <= pc && pc < 0x$hi)) = 1 ] && echo inside
done | grep -q inside || fail "no mapping of uchain-dw holds its pc $pc"

# Over netlink: show prints what trace does, JSON the copy's size and sp.
st_ctl "add p:ksys_write ustack=copy comm=uchain-dw" || fail "add ustack=copy"
/ustack/uchain-dw >/dev/null
st_ctl "del p:ksys_write" || fail "del ustack=copy"
cat "$ST/trace" >/tmp/trace
st_show_netlink /tmp/show /tmp/show.json
unnamed /tmp/show | cmp -s - /tmp/trace ||
	fail "show over netlink differs from trace: $(unnamed /tmp/show | diff - /tmp/trace | head -6)"
grep -q "^ => $pc uchain_c+0x[0-9a-f]* (/ustack/uchain-dw)$" /tmp/show || fail "show does not name the user pc"
grep -q '"ucopy": {"bytes": [1-9][0-9]*, "sp": "0x[0-9a-f]*", "pc": "'"$pc"'"}' /tmp/show.json ||
	fail "show --json has no ucopy with the pc $pc"
echo "@json show $(tr -d '\n' </tmp/show.json)"
st_ctl clear

# A recording for the host to unwind: p: at the write, a u: probe on b,
# a ur: probe on c (its stack taken at the return, into b), and the
# write of uchain-so, a PIE whose chain crosses libuchain.so and libc,
# and a u: probe on the library's function.
# Sizes that hold these programs' stacks with room to spare, to keep the
# console's share small (the recording goes to the host through it).
stacktapctl add "p:ksys_write ustack=copy,1024 comm=uchain-dw" || fail "stacktapctl add ustack=copy"
stacktapctl add "u:/ustack/uchain-dw:uchain_b ustack=copy,512" || fail "stacktapctl add u: ustack=copy"
stacktapctl add "ur:/ustack/uchain-dw:uchain_c ustack=copy,512" || fail "stacktapctl add ur: ustack=copy"
stacktapctl add "p:vfs_write ustack=copy,2048 comm=uchain-so" || fail "stacktapctl add p:vfs_write ustack=copy"
stacktapctl add "u:/ustack/libuchain.so:uchain_lib_b ustack=copy,2048" || fail "stacktapctl add u: on a library"
stacktapctl record -o /tmp/ucopy.stk --duration 4 2>/tmp/rec.err &
rec=$!
sleep 1
for i in 1 2 3; do /ustack/uchain-dw >/dev/null; /ustack/uchain-so >/dev/null || fail "uchain-so"; done
wait $rec || fail "record: $(cat /tmp/rec.err)"
cat /tmp/rec.err
grep -q ": 15 records written" /tmp/rec.err || fail "record did not write the 15 records"
stacktapctl del p:ksys_write
stacktapctl del u:/ustack/uchain-dw:uchain_b
stacktapctl del ur:/ustack/uchain-dw:uchain_c
stacktapctl del p:vfs_write
stacktapctl del u:/ustack/libuchain.so:uchain_lib_b
# Compressed: 15 records of stack bytes over a serial console flooded an
# RT kernel's 8250 interrupt thread ("irq 4: nobody cared").
gzip -c /tmp/ucopy.stk | base64 | sed 's/^/@ucopy /'
st_unload
