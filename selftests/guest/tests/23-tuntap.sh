# The second field report's scenario: who registers a tap device, and how
# long does TUNSETIFF take?  tunctl (like ip tuntap) creates tap0 with the
# TUNSETIFF ioctl: register_netdevice's stack runs through tun_set_iff and
# the ioctl syscall, and r:tun_chr_ioctl reports its return value and
# latency with the same caller, on MIPS too (issue 22, item 7).
. /lib/st/lib.sh
modprobe tun || fail "modprobe tun"
st_load
stacktapctl add register_netdevice || fail "add register_netdevice"
# On mips64el, tun_chr_ioctl has no frame (it tail-calls __tun_chr_ioctl),
# so its entry in a module is its ftrace call site, where kprobes refuse:
# ftrace takes its return there (via=ftrace).
kret=tun_chr_ioctl
stacktapctl add "r:$kret maxactive=16" || fail "add r:$kret"
# Through ftrace exactly where funcs says so (mips64el; o32 inlines it).
r=$(stacktapctl funcs "tun:$kret" | awk -v f="tun:$kret" '$1 == f { print $3 }')
case "$r" in
ftrace) stacktapctl list | grep -q " r:$kret .* via=ftrace" || fail "r:$kret not through ftrace: $(stacktapctl list)" ;;
yes) stacktapctl list | grep -q " r:$kret .* via=ftrace" && fail "r:$kret through ftrace, funcs says a kretprobe" ;;
*) fail "funcs says r: on $kret is '$r'" ;;
esac
echo "r:$kret: funcs says $r"
tunctl -t tap0 >/dev/null || fail "tunctl -t tap0"
ip link show tap0 >/dev/null || fail "no tap0"
stacktapctl show >/tmp/trace
cat /tmp/trace
stacktapctl report --folded
# The caller is tun_set_iff, or where gcc inlined it __tun_chr_ioctl (and
# tun_chr_ioctl, which tail-calls that, is rightly not there), or on 32-bit
# MIPS tun_chr_ioctl with everything inlined.
awk '/: p:register_netdevice$/ { p = 1; n = 0; next } p && /^ => / { f[++n] = $2; if ($2 ~ /sys_ioctl[+]/) c = 1; next }
	/^$/ { if (p && f[2] ~ /^(tun_set_iff|__tun_chr_ioctl|tun_chr_ioctl)[+]/ && c) ok = 1; p = 0; c = 0 }
	END { exit !ok }' /tmp/trace || fail "register_netdevice not reached from tun's ioctl handler and the ioctl syscall"
grep -Eq ": r:$kret ret=0 lat=[0-9]+ns\$" /tmp/trace || fail "no successful r:$kret with latency"
awk -v k="$kret" -v f0="$(entry_off "$kret")" '$0 ~ ": r:" k " " { r = 1; n = 0; next } r && /^ => / { f[++n] = $2; next }
	r && /^$/ { r = 0; if (index(f[1], k "+" f0 "/") == 1 && f[2] ~ /ioctl/) ok = 1 }
	END { exit !ok }' /tmp/trace || fail "r:$kret's stack does not start $kret <- an ioctl caller"
grep -Eq "$TRACER_FRAMES" /tmp/trace && fail "a tracer frame"
st_unload
