# User stacks at a kernel probe (ustack=fp): the programs of
# selftests/ustack make a write(2) down a known chain, _start ->
# uchain_main -> a -> b -> c, and selftests/ustack/build.sh wrote down
# from their code the pc and return addresses that chain must give.
# With frame pointers (uchain-fp), the user stack after the kernel's
# must be exactly those, in trace and in the stacks file, for p:, r: and f:,
# and under depth= both parts are cut apart.  Without them
# (uchain-nofp), the pc must be exact and no frame may be outside the
# program.  MIPS code keeps no frame records: there the option is
# refused with the reason.
. /lib/st/lib.sh
st_load
case "$(uname -m)" in
mips*)
	st_ctl_fails "add p:ksys_write ustack=fp" "Operation not supported"
	stacktapctl add "p:ksys_write ustack=fp" 2>/tmp/add.err && fail "ustack=fp armed on MIPS"
	cat /tmp/add.err
	grep -q "user code keeps no frame records" /tmp/add.err || fail "no reason given for the refusal"
	st_unload
	exit 0 ;;
esac

# user_stacks FILE SPEC: each SPEC record's user frames on one line.
user_stacks() {
	awk -v spec="$2" '
	/^$/ { if (want) print (user ? line : "NONE"); want = 0; user = 0; line = ""; next }
	/^@?\[?[prf]:/ || / [prf]:[a-z_]+/ { want = index($0, spec) > 0; next }
	/^ -- user --$/ { user = 1; next }
	user && /^ => / { line = line (line == "" ? "" : " ") $2 }
	END { if (want) print (user ? line : "NONE") }' "$1"
}
# kernel_part FILE SPEC: the first record's kernel frames, up to the separator.
kernel_part() {
	awk -v spec="$2" 'index($0, spec) { on = 1; next } on && /^ => / { print $2 } on && /^( -- user --)?$/ { exit }' "$1"
}
fp=$(awk '{ printf "%s%s", sep, $2; sep = " " }' /ustack/uchain-fp.expect)
fpfuncs=$(awk '{ printf "%s%s", sep, $1; sep = " " }' /ustack/uchain-fp.expect)
echo "uchain-fp's chain: $fp ($(awk '{ printf "%s ", $1 }' /ustack/uchain-fp.expect))"

# p:, r: and f: at its write(2), three runs each: every record exact.
for spec in "p:ksys_write" "r:ksys_write" "f:ksys_write"; do
	st_ctl "add $spec ustack=fp comm=uchain-fp" || fail "add $spec ustack=fp"
	grep "^$spec " "$ST/probes"
	grep -q "^$spec .* ustack=fp comm=uchain-fp$" "$ST/probes" || fail "probes line of $spec"
	for i in 1 2 3; do /ustack/uchain-fp >/dev/null || fail "uchain-fp"; done
	st_ctl "del $spec" || fail "del $spec"
	cat "$ST/trace" >/tmp/trace
	# Over netlink: show prints what trace does; JSON puts the user frames in "ustack".
	st_show_netlink /tmp/show /tmp/show.json
	# stacktapctl names the user frames too, by the binary's symbols.
	unnamed /tmp/show | cmp -s - /tmp/trace ||
		fail "$spec: show over netlink differs from trace: $(unnamed /tmp/show | diff - /tmp/trace | head -6)"
	[ "$(user_funcs /tmp/show | sort -u)" = "$fpfuncs" ] ||
		fail "$spec: show names the user frames $(user_funcs /tmp/show | sort -u | tr '\n' '|'), not $fpfuncs"
	grep -q "^ => 0x[0-9a-f]* uchain_c+0x[0-9a-f]* (/ustack/uchain-fp)$" /tmp/show ||
		fail "$spec: show's uchain_c frame is not named with its offset and binary"
	[ "$(sed 's/}, {/}\n{/g' /tmp/show.json | sed -n 's/.*"ustack": \[//p' | grep -c .)" = 3 ] ||
		fail "$spec: show --json has not 3 records with a ustack"
	sed -n 's/.*"ustack": \[\([^]]*\)\].*/\1/p' /tmp/show.json | while read -r l; do
		echo "$l" | grep -o '"addr": "0x[0-9a-f]*"' | sed 's/.*"\(0x[0-9a-f]*\)"/\1/' | tr '\n' ' ' | sed 's/ $//'
		echo
	done | sort -u >/tmp/ujson
	[ "$(cat /tmp/ujson)" = "$fp" ] || fail "$spec: show --json's ustack is $(cat /tmp/ujson)"
	st_ctl clear
	user_stacks /tmp/trace "$spec" >/tmp/users
	sed -n '1,/^$/p' /tmp/trace
	[ "$(wc -l </tmp/users)" = 3 ] || fail "$spec: $(wc -l </tmp/users) records of 3"
	[ "$(sort -u /tmp/users)" = "$fp" ] || fail "$spec: user stacks $(sort -u /tmp/users | tr '\n' '|'), expected $fp"
	kernel_part /tmp/trace "$spec" >/tmp/kernel
	head -n1 /tmp/kernel | grep -q '^ksys_write+' || fail "$spec: kernel stack does not start at ksys_write"
	grep -Eq '^(entry_SYSCALL_64|el0t_64_sync|el0_svc)' /tmp/kernel || fail "$spec: kernel stack misses the syscall entry"
	echo "$spec: 3 records, user stacks exact"
done

# Counted: one stack, user part included, three hits.
st_ctl "add p:ksys_write ustack=fp comm=uchain-fp mode=count" || fail "add mode=count"
for i in 1 2 3; do /ustack/uchain-fp >/dev/null; done
st_ctl "del p:ksys_write" || fail "del mode=count"
cat "$ST/stacks" >/tmp/stacks
cat /tmp/stacks
grep -c '^@\[p:ksys_write' /tmp/stacks | grep -qx 1 || fail "mode=count: not one stack"
grep -q '^@\[p:ksys_write[^]]*\] 3$' /tmp/stacks || fail "mode=count: not counted 3 times"
[ "$(user_stacks /tmp/stacks 'p:ksys_write')" = "$fp" ] || fail "mode=count: user stack not exact"
umount /sys/kernel/debug || fail "umount debugfs"
stacktapctl report p:ksys_write >/tmp/report 2>&1
rc=$?
mount -t debugfs none /sys/kernel/debug || fail "mount debugfs"
[ $rc = 0 ] || fail "report over netlink: $(cat /tmp/report)"
unnamed /tmp/report | cmp -s - /tmp/stacks ||
	fail "report over netlink differs from stacks: $(unnamed /tmp/report | diff - /tmp/stacks | head -6)"
[ "$(user_funcs /tmp/report)" = "$fpfuncs" ] || fail "report names the user frames $(user_funcs /tmp/report), not $fpfuncs"
# Over debugfs too, by its maps file: the same names.
stacktapctl report p:ksys_write >/tmp/report.debugfs 2>&1 || fail "report over debugfs"
cmp -s /tmp/report.debugfs /tmp/report || fail "report over debugfs names differently: $(diff /tmp/report.debugfs /tmp/report | head -4)"
stacktapctl report --folded p:ksys_write >/tmp/folded 2>&1 || fail "report --folded"
cat /tmp/folded
grep -Eq '^_start;uchain_main;uchain_a;uchain_b;uchain_c;(entry_SYSCALL_64_after_hwframe|el0t_64_sync|el0_sync);.*;ksys_write 3$' /tmp/folded ||
	fail "report --folded: the user frames are not folded by function, root first"
st_ctl clear

# ur: on uchain_a and uchain_b, both pending at the write: their records
# hold uprobes' trampoline, and the walk puts back the addresses uprobes
# kept, each in its place.
for f in uchain_a uchain_b; do
	st_ctl "add ur:/ustack/uchain-fp:$f" || fail "add ur: on $f"
done
st_ctl "add p:ksys_write ustack=fp comm=uchain-fp mode=count" || fail "add under pending ur:s"
for i in 1 2 3; do /ustack/uchain-fp >/dev/null; done
st_ctl "del p:ksys_write" || fail "del p:ksys_write"
for f in uchain_a uchain_b; do
	[ "$(probe_field ur:/ustack/uchain-fp:$f 2)" = 3 ] || fail "ur: on $f: $(grep '^ur:' "$ST/probes")"
	st_ctl "del ur:/ustack/uchain-fp:$f" || fail "del ur: on $f"
done
cat "$ST/stacks" >/tmp/stacks
st_ctl clear
[ "$(user_stacks /tmp/stacks 'p:ksys_write')" = "$fp" ] ||
	fail "under pending ur:s: user stack $(user_stacks /tmp/stacks 'p:ksys_write'), expected $fp"
echo "under pending ur:s on uchain_a and uchain_b: $(user_stacks /tmp/stacks 'p:ksys_write')"

# depth=2: each part cut at 2, the kernel's marked.
st_ctl "add p:ksys_write ustack=fp comm=uchain-fp depth=2" || fail "add depth=2"
/ustack/uchain-fp >/dev/null
st_ctl "del p:ksys_write" || fail "del depth=2"
cat "$ST/trace" >/tmp/trace
st_ctl clear
sed -n '1,/^$/p' /tmp/trace
[ "$(kernel_part /tmp/trace p:ksys_write | wc -l)" = 3 ] || fail "depth=2: not 2 kernel frames and [truncated]"
sed -n '/^ -- user --$/{g;p;q};h' /tmp/trace | grep -qx ' => \[truncated\]' ||
	fail "depth=2: [truncated] is not just before the user stack"
[ "$(user_stacks /tmp/trace p:ksys_write)" = "$(echo "$fp" | cut -d' ' -f1-2)" ] || fail "depth=2: user stack is not its first 2 frames"

# Without frame pointers: the pc exact, nothing outside the program.
st_ctl "add p:ksys_write ustack=fp comm=uchain-nofp" || fail "add nofp"
/ustack/uchain-nofp >/dev/null
st_ctl "del p:ksys_write" || fail "del nofp"
cat "$ST/trace" >/tmp/trace
st_ctl clear
u=$(user_stacks /tmp/trace p:ksys_write)
echo "uchain-nofp: user stack $u, its chain $(awk '{ printf "%s ", $2 }' /ustack/uchain-nofp.expect)"
[ "${u%% *}" = "$(awk 'NR == 1 { print $2 }' /ustack/uchain-nofp.expect)" ] || fail "nofp: pc is not the syscall's"
for a in $u; do
	case $a in 0x40[0-9a-f][0-9a-f][0-9a-f][0-9a-f]) ;; *) fail "nofp: frame $a is outside the program" ;; esac
done

# A task with no user side (a kernel thread, below kthread() or the idle
# loop) has no user stack.
st_ctl "add f:try_to_wake_up ustack=fp mode=count" || fail "add f:try_to_wake_up"
sleep 0.5
st_ctl "del f:try_to_wake_up" || fail "del f:try_to_wake_up"
cat "$ST/stacks" >/tmp/stacks
st_ctl clear
cat /tmp/stacks
awk 'function done() { if (kt) { k++; if (u) bad++ } kt = 0; u = 0 }
	/^@/ { done(); n++; next }
	/^ => (kthread|do_idle)[+]/ { kt = 1 }
	/^ -- user --$/ { u = 1; users++ }
	END { done(); print n " stacks, " users + 0 " with a user part, " k + 0 " of kernel threads, " bad + 0 " of those with one"
	      exit !(k && !bad) }' /tmp/stacks || fail "kernel threads' stacks: none seen, or one has a user part"
st_ctl_fails "add p:ksys_write ustack=dwarf" "Invalid argument"
st_unload
