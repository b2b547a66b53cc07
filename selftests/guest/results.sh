# Sourced by init: opens fd 3 on the results port.
#
# results_open PORT TRIES: fd 3 writes to PORT, a character device that
# may answer late; after TRIES tenths of a second, to the console.
# virtio-console's /dev/hvc0 exists once the hvc driver registers, yet
# open() fails (ENODEV) until the host's port is set up; and a failed
# "exec 3>" would end the shell, PID 1 with it.  So the wait is for an
# open that succeeds, tried in a subshell.
results_open() {
	i=0
	until [ -c "$1" ] && (: >"$1") 2>/dev/null; do
		if [ $i -ge "$2" ]; then
			echo "init: results port $1 did not open in $(($2 / 10)) s; TAP goes to the console"
			exec 3>/dev/console
			return
		fi
		sleep 0.1
		i=$((i + 1))
	done
	# "command" keeps a failure here from ending the shell.
	command exec 3>"$1" || {
		echo "init: results port $1 failed to open; TAP goes to the console"
		exec 3>/dev/console
	}
}
