# The demo: who registers bond0?  The three commands from the README.
set -e
echo '# insmod stacktap.ko probes=register_netdevice'
insmod /st/stacktap.ko probes=register_netdevice
echo '# modprobe bonding'
modprobe bonding
echo '# cat /sys/kernel/debug/stacktap/trace'
cat /sys/kernel/debug/stacktap/trace
grep -q '^ => bonding_init+' /sys/kernel/debug/stacktap/trace
