# The second field report's scenario: who registers a tap device, and how
# long does TUNSETIFF take?  tunctl (like ip tuntap) creates tap0 with the
# TUNSETIFF ioctl: register_netdevice's stack runs through tun_set_iff and
# the ioctl syscall, and r:tun_chr_ioctl reports its return value and
# latency with the same caller.
. /lib/st/lib.sh
modprobe tun || fail "modprobe tun"
st_load
stacktapctl add register_netdevice 'r:tun_chr_ioctl maxactive=16' || fail "add"
tunctl -t tap0 >/dev/null || fail "tunctl -t tap0"
ip link show tap0 >/dev/null || fail "no tap0"
stacktapctl show >/tmp/trace
cat /tmp/trace
stacktapctl report --folded
# The caller is tun_set_iff, or __tun_chr_ioctl where gcc inlined it (and
# tun_chr_ioctl, which tail-calls __tun_chr_ioctl, is rightly not there).
awk '/: p:register_netdevice$/ { p = 1; n = 0; next } p && /^ => / { f[++n] = $2; if ($2 ~ /sys_ioctl[+]/) c = 1; next }
	/^$/ { if (p && f[2] ~ /^(tun_set_iff|__tun_chr_ioctl)[+]/ && c) ok = 1; p = 0; c = 0 }
	END { exit !ok }' /tmp/trace || fail "register_netdevice not reached from tun's ioctl handler and the ioctl syscall"
grep -Eq ': r:tun_chr_ioctl ret=0x0 lat=[0-9]+ns$' /tmp/trace || fail "no successful r:tun_chr_ioctl with latency"
awk '/: r:tun_chr_ioctl / { r = 1; n = 0; next } r && /^ => / { f[++n] = $2; next }
	r && /^$/ { r = 0; if (f[1] ~ /^tun_chr_ioctl[+]0x0\// && f[2] ~ /ioctl/) ok = 1 }
	END { exit !ok }' /tmp/trace || fail "r:tun_chr_ioctl's stack does not start tun_chr_ioctl <- the ioctl syscall"
grep -Eq "$TRACER_FRAMES" /tmp/trace && fail "a tracer frame"
st_unload
