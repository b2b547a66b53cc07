# Arguments: values a probe fetches at the hit, checked against what
# st_truth_args was called with.  Run i calls st_truth_args(i, maybe,
# "run-<i>", &obj, -i - 1, 0x6006), maybe NULL for even i and &obj for
# odd; obj holds magic 0x5eed0000 + i, 0xbeef, -5, "obj-name", 79 digits,
# &st_truth_leaf at 112 and a pointer to 0x1234 + i at 120.  p: fetches
# registers and memory of every type, a NULL dereference reads "(fault)"
# and a string longer than 64 bytes "(cut)"; r: fetches at the entry (the
# registers are long gone at the return), names a symbol, follows two
# pointers and reads a register by its name; f: fetches through ftrace
# (on MIPS from ftrace_caller's frame).  show over netlink prints what
# trace prints, and --json gives the values typed.
. /lib/st/lib.sh
truth_load
st_load

case "$(uname -m)" in
x86_64) reg=di ;;
aarch64) reg=x0 ;;
*) reg=a0 ;;
esac
# o32 passes 4 arguments in registers: arg5 and arg6 only where there are 8.
wide=1
[ "$(uname -m)" = mips ] && wide=

p='p:st_truth_args i=arg1:u32 maybe=+0(arg2):x32 name=arg3:string magic=+0(arg4):x32 small=+4(arg4):u16 neg=+6(arg4):s8 oname=+8(arg4):string long=+32(arg4):string'
r="r:st_truth_args m=+112(arg2):symbol fn=+112(arg4):symbol inner=+0(+120(arg4)):u32 r=%$reg:u64 arg1"
f='f:st_truth_args i=arg1:u64 name=arg3:string'
[ -n "$wide" ] && f="$f a5=arg5:s64 a6=arg6:x16"
for spec in "$p" "$r" "$f"; do
	stacktapctl add "$spec" 2>/tmp/add.err || fail "add $spec: $(cat /tmp/add.err)"
done
# list shows the arguments, canonical.
cat "$ST/probes"
grep -qx "${p%% *} 0 0 ${p#* }" "$ST/probes" || fail "probes line of the p: probe"
grep -q "^r:st_truth_args 0 0 m=+112(arg2):symbol fn=+112(arg4):symbol inner=+0(+120(arg4)):u32 r=%$reg:u64 arg1\$" "$ST/probes" ||
	fail "probes line of the r: probe"
echo 4 >"$TRUTH/trigger_args" || fail "trigger_args"
for spec in "$p" "$r" "$f"; do
	st_ctl "del ${spec%% *}" || fail "del ${spec%% *}"
done
cat "$ST/trace" >/tmp/trace
grep ': [prf]:st_truth_args' /tmp/trace

long=0123456789012345678901234567890123456789012345678901234567890123
i=0
while [ $i -lt 4 ]; do
	magic=0x5eed000$i
	maybe=$magic
	[ $((i % 2)) = 0 ] && maybe='(fault)'
	want="p:st_truth_args i=$i maybe=$maybe name=\"run-$i\" magic=$magic small=48879 neg=-5 oname=\"obj-name\" long=\"$long\"(cut)"
	n=$(grep -c ": $want\$" /tmp/trace)
	[ "$n" = 1 ] || fail "run $i: $n p: records read '$want'"
	# r: the return value is magic + (maybe != NULL) + 'r' (114).
	ret=$((0x5eed0000 + i + i % 2 + 114))
	inner=$((0x1234 + i))
	hex=$(printf '0x%x' $i)
	# A faulted symbol (maybe is NULL) before a named one.
	m='st_truth_leaf+0x0/0x[0-9a-f]*\[st_truth\]'
	[ $((i % 2)) = 0 ] && m='(fault)'
	n=$(grep -c ": r:st_truth_args ret=$ret lat=[0-9]*ns m=$m fn=st_truth_leaf+0x0/0x[0-9a-f]*\[st_truth\] inner=$inner r=$i arg1=$hex\$" /tmp/trace)
	[ "$n" = 1 ] || fail "run $i: $n r: records with ret=$ret m=$m fn=st_truth_leaf inner=$inner r=$i arg1=$hex"
	want="f:st_truth_args i=$i name=\"run-$i\""
	[ -n "$wide" ] && want="$want a5=$((-i - 1)) a6=0x6006"
	n=$(grep -c ": $want\$" /tmp/trace)
	[ "$n" = 1 ] || fail "run $i: $n f: records read '$want'"
	i=$((i + 1))
done
echo "every argument of 4 runs as called, through p:, r: and f:"

# The same over netlink, byte for byte, and typed in JSON.
umount /sys/kernel/debug || fail "umount debugfs"
stacktapctl show >/tmp/show 2>/tmp/show.err || fail "show without debugfs: $(cat /tmp/show.err)"
stacktapctl --json show >/tmp/show.json 2>/tmp/show.err || fail "show --json: $(cat /tmp/show.err)"
mount -t debugfs none /sys/kernel/debug || fail "mount debugfs"
cmp -s /tmp/show /tmp/trace || fail "show over netlink differs from trace: $(diff /tmp/show /tmp/trace | head -6)"
want="\"args\": {\"i\": 1, \"maybe\": \"0x5eed0001\", \"name\": \"run-1\", \"magic\": \"0x5eed0001\", \"small\": 48879, \"neg\": -5, \"oname\": \"obj-name\", \"long\": \"$long\"}, \"args_cut\": [\"long\"]"
grep -qF "$want" /tmp/show.json || fail "show --json lacks $want: $(grep -m1 '"args"' /tmp/show.json)"
grep -qF '"args": {"i": 0, "maybe": null,' /tmp/show.json || fail "show --json: a fault is not null"
grep -q '"args": {"m": null, "fn": "st_truth_leaf+0x0/0x[0-9a-f]* \[st_truth\]", "inner": 4660, "r": 0, "arg1": "0x0"}' /tmp/show.json ||
	fail "show --json of the r: probe: $(grep -m1 '"fn"' /tmp/show.json)"
# A reader the kernel hides addresses from reads the debugfs text: the same
# JSON but for "addr", what the text lacks (tgid, context, probe_id), and
# pointer-sized hex values, which it reads as "[hidden]".
stacktapctl --json show >/tmp/show-nl.json 2>/tmp/show.err || fail "show --json: $(cat /tmp/show.err)"
kptr=$(cat /proc/sys/kernel/kptr_restrict)
echo 2 >/proc/sys/kernel/kptr_restrict
stacktapctl --json show >/tmp/show-text.json 2>/tmp/show.err
rc=$?
echo "$kptr" >/proc/sys/kernel/kptr_restrict
[ $rc = 0 ] || fail "show --json at kptr_restrict 2: $(cat /tmp/show.err)"
grep -q '"addr"' /tmp/show-text.json && fail "show --json at kptr_restrict 2 gives addresses"
sed -e 's/, "addr": "0x[0-9a-f]*"//g' -e 's/"0x[0-9a-f]*"/"H"/g' \
	-e 's/"tgid": [0-9]*, "context": "[a-z]*", "probe_id": [0-9]*,/"tgid": null, "context": null, "probe_id": null,/g' \
	/tmp/show-nl.json >/tmp/show-nl.text.json
sed -i -e 's/"0x[0-9a-f]*"/"H"/g' -e 's/"\[hidden\]"/"H"/g' /tmp/show-text.json
cmp -s /tmp/show-nl.text.json /tmp/show-text.json ||
	fail "show --json from debugfs text differs: $(diff /tmp/show-nl.text.json /tmp/show-text.json | grep '^[-+] ' | head -4)"
[ "$(grep -c '"spec": "r:st_truth_args"' /tmp/show-text.json)" -ge 4 ] || fail "show --json from debugfs: $(head -c 400 /tmp/show-text.json)"
echo "show over netlink equals trace; JSON typed"

# Counts per stack and argument value (key=args).  9 runs: maybe is NULL
# in the 5 even ones and &obj in the 4 odd, so small=+4(arg2) is a fault
# 5 times and 48879 (0xbeef) 4 times, from one stack: two counts each
# for p: and r:, and the r: probe's latencies kept per count.
st_ctl clear || fail "clear"
for spec in 'p:st_truth_args mode=count key=args small=+4(arg2):u16' \
	    'r:st_truth_args mode=count key=args small=+4(arg2):u16'; do
	stacktapctl add "$spec" 2>/tmp/add.err || fail "add $spec: $(cat /tmp/add.err)"
done
grep -q '^p:st_truth_args 0 0 mode=count key=args small=+4(arg2):u16$' "$ST/probes" ||
	fail "probes line of key=args: $(grep st_truth_args "$ST/probes")"
echo 9 >"$TRUTH/trigger_args" || fail "trigger_args"
cat "$ST/stacks" >/tmp/kstacks
stacktapctl report st_truth_args >/tmp/kreport 2>&1 || fail "report: $(cat /tmp/kreport)"
stacktapctl --json report r:st_truth_args >/tmp/kreport.json 2>&1 || fail "report --json: $(cat /tmp/kreport.json)"
umount /sys/kernel/debug || fail "umount debugfs"
stacktapctl report st_truth_args >/tmp/kreport.nl 2>&1
rc=$?
mount -t debugfs none /sys/kernel/debug || fail "mount debugfs"
[ $rc = 0 ] || fail "report over netlink: $(cat /tmp/kreport.nl)"
for spec in p:st_truth_args r:st_truth_args; do
	st_ctl "del $spec" || fail "del $spec"
done
grep -A4 '^@\[[pr]:st_truth_args\]' /tmp/kstacks
# "KIND ARGS COUNT LATCOUNT HISTSUM" per block, frames checked on the way.
awk '/^@\[[pr]:st_truth_args\] / { k = substr($1, 3, 1); n = $2; args = ""; f = 0; lc = "-"; hs = 0; next }
     k && /^ args: / { args = substr($0, 8); next }
     k && /^ => / { f++
		if (f == 1 && $2 !~ /^st_truth_args[+]/) bad = bad " frame0:" $2
		if (f == 2 && $2 !~ /^st_truth_args_run[+]/) bad = bad " frame1:" $2; next }
     k && /^ lat: count / { lc = $3; sub(/,/, "", lc); next }
     k && /^ \[/ { for (j = 2; j <= NF; j++) if ($j ~ /^[|]/) { hs += $(j - 1); break }; next }
     /^$/ { if (k) print k, args, n, lc, hs; k = "" }
     END { if (bad) print "bad" bad }' /tmp/kstacks | sort >/tmp/kcounts
cat /tmp/kcounts
printf '%s\n' 'p small=(fault) 5 - 0' 'p small=48879 4 - 0' 'r small=(fault) 5 5 5' 'r small=48879 4 4 4' |
	cmp -s - /tmp/kcounts || fail "key=args: expected counts 5 and 4 per probe, r: latencies summing to them"
# report reads the same from debugfs and over netlink, and JSON types it.
cmp -s /tmp/kreport /tmp/kreport.nl || fail "report over netlink differs: $(diff /tmp/kreport /tmp/kreport.nl | head -6)"
grep -q '^ args: small=(fault)$' /tmp/kreport || fail "report lacks the args line: $(head -5 /tmp/kreport)"
grep -q '"count": 5, "args": {"small": null}, "frames": \[{"symbol": "st_truth_args",' /tmp/kreport.json &&
	grep -q '"count": 4, "args": {"small": 48879}, "frames": ' /tmp/kreport.json ||
	fail "report --json of key=args: $(head -c 600 /tmp/kreport.json)"
echo "key=args: counted per argument value, the same through debugfs, netlink and JSON"

# Refusals, with why.
refuse() {
	stacktapctl add "$1" 2>/tmp/add.err && fail "add '$1' succeeded"
	grep -qF "$2" /tmp/add.err || fail "add '$1': $(cat /tmp/add.err), expected '$2'"
	echo "'$1' -> $2"
}
refuse 'p:st_truth_args+4 arg1' "argN is the argument at the function's entry"
refuse 'f:st_truth_args %di' 'f: probes fetch arguments (argN)'
refuse 'p:st_truth_args %nosuch' 'no such register on this arch'
refuse 'p:st_truth_args arg1:u128' 'unknown type'
refuse 'p:st_truth_args +0(+0(+0(+0(+0(arg1)))))' 'at most 4 dereferences'
if [ -n "$wide" ]; then
	[ "$(uname -m)" = x86_64 ] && refuse 'p:st_truth_args arg7' 'x86_64 passes 6 arguments in registers'
else
	refuse 'p:st_truth_args arg5' 'o32 passes 4 arguments in registers'
fi
refuse 'p:st_truth_args mode=count key=args' 'key=args counts per argument value: fetch at least one'
refuse 'p:st_truth_args key=arg arg1' 'key= is stack (the default) or args'
grep -q st_truth_args "$ST/probes" && fail "a refused probe was left: $(cat "$ST/probes")"

# The user guide's example: two tap devices from one path (TUNSETIFF),
# told apart by name, which tun sets before register_netdevice.
st_ctl clear || fail "clear"
modprobe tun || fail "modprobe tun"
# name is struct net_device's first member up to 6.7, elsewhere since.
off=$(cat "$TRUTH/netdev_name")
echo "struct net_device's name at $off"
st_ctl "add register_netdevice dev=+$off(arg1):string" || fail "add register_netdevice"
# Names of their own: test 23 leaves a persistent tap0 in the same boot.
tunctl -t st45tap0 >/dev/null && tunctl -t st45tap1 >/dev/null || fail "tunctl"
st_ctl 'del p:register_netdevice' || fail "del register_netdevice"
tunctl -d st45tap0 >/dev/null && tunctl -d st45tap1 >/dev/null || fail "tunctl -d"
awk '/: p:register_netdevice dev=/ { dev = $NF; n = 0; next }
     dev && /^ => / { if (++n <= 3) { f = $2; sub(/[+].*/, "", f); path[dev] = path[dev] " " f }; next }
     /^$/ { dev = "" }
     END { for (d in path) print d path[d] }' "$ST/trace" | sort >/tmp/taps
cat /tmp/taps
[ "$(wc -l </tmp/taps)" = 2 ] && [ "$(cut -d' ' -f2- /tmp/taps | sort -u | wc -l)" = 1 ] &&
	grep -q '^dev="st45tap0" register_netdevice ' /tmp/taps && grep -q '^dev="st45tap1" register_netdevice ' /tmp/taps ||
	fail "register_netdevice of st45tap0 and st45tap1 from one path, told apart by dev="
st_unload

# The values' arena is 64 bytes a slot: with stacks_max=16, 1024 bytes.
# Each key here takes 87 (the 64 bytes kept of long, i, and their
# headers), so 11 of 16 runs are counted, one stack each, and the other
# 5 are overflows, counted as such: none is lost silently.
st_load stacks_max=16
stacktapctl add 'p:st_truth_args mode=count key=args long=+32(arg4):string i=arg1:u64' 2>/tmp/add.err ||
	fail "add: $(cat /tmp/add.err)"
echo 16 >"$TRUTH/trigger_args" || fail "trigger_args"
grep '^stacks ' "$ST/stats"
kept=$(grep -c '^@\[p:st_truth_args\] 1$' "$ST/stacks")
ids=$(sed -n 's/^ args: long="[0-9]*"(cut) i=\([0-9]*\)$/\1/p' "$ST/stacks" | sort -n | tr '\n' ' ')
over=$(stacktapctl --json list | sed -n 's/.*"spec": "p:st_truth_args", "hits": \([0-9]*\), "misses": 0, "filtered": 0, "overflow": \([0-9]*\),.*/\1 \2/p')
echo "counted $kept (i = $ids), hits and overflow: $over"
[ "$kept" = 11 ] && [ "$ids" = "0 1 2 3 4 5 6 7 8 9 10 " ] && [ "$over" = "16 5" ] &&
	grep -q '^stacks used 11 size 16 overflow 5$' "$ST/stats" ||
	fail "a full arena: expected 11 counted (i = 0..10) and 5 overflows"
st_unload
