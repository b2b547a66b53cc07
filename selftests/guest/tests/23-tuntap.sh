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
awk '/: p:register_netdevice$/ { p = 1; next } p && /^ => tun_set_iff[+]/ { s = 1 } p && /^ => (__)?tun_chr_ioctl[+]/ { c = 1 }
	/^$/ { p = 0 } END { exit !(s && c) }' /tmp/trace || fail "register_netdevice not reached through tun_set_iff <- tun_chr_ioctl"
grep -Eq ': r:tun_chr_ioctl ret=0x0 lat=[0-9]+ns$' /tmp/trace || fail "no successful r:tun_chr_ioctl with latency"
awk '/: r:tun_chr_ioctl / { r = 1; n = 0; next } r && /^ => / { f[++n] = $2; next }
	r && /^$/ { r = 0; if (f[1] ~ /^tun_chr_ioctl[+]0x0\// && f[2] ~ /ioctl/) ok = 1 }
	END { exit !ok }' /tmp/trace || fail "r:tun_chr_ioctl's stack does not start tun_chr_ioctl <- the ioctl syscall"
grep -Eq "$TRACER_FRAMES" /tmp/trace && fail "a tracer frame"
st_unload
