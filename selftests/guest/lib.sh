# Helpers sourced by every guest test.  A test is a POSIX sh script that
# exits 0 on pass, 77 where it does not apply (its last line says why);
# anything it prints becomes TAP diagnostics.
ST=/sys/kernel/debug/stacktap
TRUTH=/sys/kernel/debug/st_truth

fail() {
	echo "FAIL: $*"
	exit 1
}

# Frames no stacktap stack may contain: tracer, exception-entry and
# stacktap's own.
TRACER_FRAMES='kprobe|ftrace|trampoline|stacktap|st_unwind|st_capture|handle_bp|do_bp|notify_die|int3|asm_exc|el1_dbg|el1h_64_sync|do_debug_exception|brk_handler|call_break_hook|do_int3'

st_load() {
	insmod /st/stacktap.ko "$@" || fail "insmod stacktap.ko $*"
}

st_unload() {
	rmmod stacktap || fail "rmmod stacktap"
}

# mips_only WHY: a test of MIPS alone ends here elsewhere (77), saying why.
mips_only() {
	case $(uname -m) in
	mips*) ;;
	*) echo "$1"; exit 77 ;;
	esac
}

truth_load() {
	lsmod | grep -q '^st_truth ' || insmod /st/st_truth.ko || fail "insmod st_truth.ko"
}

# entry_off SYMBOL: how far past SYMBOL the kernel puts a probe on its
# entry (frame 0 of a stack that starts there), as the truth module finds
# with a kprobe: 0x0, or 0x4 past x86's ENDBR on kernels built with IBT.
entry_off() {
	truth_load
	echo "$1" >"$TRUTH/entry_offset" || fail "entry_offset $1"
	sed -n 's/^[^+]*+\(0x[0-9a-f]*\)\/.*/\1/p' "$TRUTH/entry_offset" | grep . || fail "no entry offset for $1"
}

# on_every_cpu CMD: each CPU runs the shell command CMD, all at once.
# Waits for those runs only, not for other background jobs (a reader).
on_every_cpu() {
	runs=
	for c in $(seq 0 $(($(ncpus) - 1))); do
		taskset -c "$c" sh -c "$1" &
		runs="$runs $!"
	done
	# shellcheck disable=SC2086
	wait $runs
}

# truth_on_every_cpu N: each CPU runs the truth chain N times, all at once.
truth_on_every_cpu() {
	on_every_cpu "echo $1 > $TRUTH/trigger"
}

# hammer_start TRIGGER: every CPU runs the truth chain in a loop, through
# $TRUTH/TRIGGER, until hammer_stop.
hammer_start() {
	hammers=
	for c in $(seq 0 $(($(ncpus) - 1))); do
		taskset -c "$c" sh -c "while :; do echo 100 > $TRUTH/$1; done" &
		hammers="$hammers $!"
	done
}

hammer_stop() {
	# shellcheck disable=SC2086
	kill $hammers
	wait $hammers 2>/dev/null
}

ncpus() {
	grep -c ^processor /proc/cpuinfo
}

# st_ctl "add SPEC": write one control command; prints the error text
# (strerror) and returns non-zero when the write fails.
st_ctl() {
	# dd, unlike busybox printf, reports the failed write's strerror.
	printf '%s\n' "$1" | dd of="$ST/control" bs=65536 count=1 2>/tmp/ctl.err
	r=$?
	[ $r -eq 0 ] || sed -n 's/.*: //p' /tmp/ctl.err | head -n1
	return $r
}

# Expect a control command to fail with the given strerror text.
st_ctl_fails() {
	cmd=$1
	want=$2
	got=$(st_ctl "$cmd") && fail "'$cmd' succeeded, expected '$want'"
	case "$got" in
	*"$want"*) echo "'$cmd' -> $want" ;;
	*) fail "'$cmd' gave '$got', expected '$want'" ;;
	esac
}

# unnamed FILE: FILE with stacktapctl's names of user frames taken off
# (" => 0xADDR func+0xOFF (BINARY)" back to " => 0xADDR", as trace has them).
unnamed() { sed 's/^\( => 0x[0-9a-f]*\) .*/\1/' "$1"; }
# user_funcs FILE: each record's or stack's user frames' functions, as
# stacktapctl names them, one line each.
user_funcs() {
	awk '/^$/ { if (u) print line; u = 0; line = ""; next }
	     /^ -- user --$/ { u = 1; next }
	     u && /^ => 0x/ { f = $3; sub(/\+.*/, "", f); line = line (line == "" ? "" : " ") f }
	     END { if (u) print line }' "$1"
}

# st_show_netlink TEXT JSON: stacktapctl show and show --json into the
# two files, debugfs unmounted so that netlink alone serves them.
st_show_netlink() {
	umount /sys/kernel/debug || fail "umount debugfs"
	stacktapctl show >"$1" 2>/tmp/show.err
	rc=$?
	stacktapctl --json show >"$2" 2>>/tmp/show.err || rc=1
	mount -t debugfs none /sys/kernel/debug || fail "mount debugfs"
	[ $rc = 0 ] || fail "show over netlink: $(cat /tmp/show.err)"
}

# probe_field SPEC N: field N of SPEC's line in $ST/probes (2: hits, 3: misses).
probe_field() {
	grep "^$1 " "$ST/probes" | cut -d' ' -f"$2"
}

# stats_sum KEY [FILE]: KEY's figure summed over the "cpuN written W
# dropped D ..." lines of $ST/stats, or of FILE (a copy taken before).
stats_sum() {
	awk -v k="$1" '{ for (i = 2; i < NF; i += 2) if ($i == k) s += $(i + 1) } END { print s + 0 }' "${2:-$ST/stats}"
}

# Number of records in a trace file; "CPU:N [LOST M EVENTS]" is not one.
trace_records() {
	awk '/^CPU:[0-9]+ \[LOST [0-9]+ EVENTS\]$/ { lost = 1 }
	     /^$/ { if (!lost) n++; lost = 0 } END { print n + 0 }' "$1"
}

# wait_until CMD: up to 20 s, in 100 ms steps, for CMD (eval'd, so
# expand the caller's arguments into it) to succeed; $i: the steps taken.
wait_until() {
	i=0
	until eval "$1" || [ $i -ge 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# wait_records FILE N: up to 20 s for FILE to hold N records.
wait_records() {
	wait_until "[ \"\$(trace_records $1)\" -ge $2 ]"
	echo "$1: $(trace_records "$1") records, waited $((i * 100)) ms"
}

# wait_readers N: up to 20 s for N netlink record readers (stacktapctl
# stream or record) to be registered: records stamped before they were
# are not theirs.
wait_readers() {
	wait_until "grep -qx 'readers streams $1' \"\$ST/stats\""
	grep -qx "readers streams $1" "$ST/stats" || fail "$(grep '^readers' "$ST/stats"), expected $1"
}

# wait_lines FILE N: up to 20 s for FILE to have N lines.
wait_lines() {
	wait_until "[ \"\$(wc -l <$1)\" -ge $2 ]"
}

# Records the rings dropped, as the "CPU:N [LOST M EVENTS]" lines of a trace file say.
trace_lost() {
	sed -n 's/^CPU:[0-9]* \[LOST \([0-9]*\) EVENTS\]$/\1/p' "$1" | awk '{ s += $1 } END { print s + 0 }'
}

# A frame the kernel names TEXT ("f+0x10/0x40 [mod]") as its --json
# object (stacktapctl(8), JSON OUTPUT), a basic regex with any address.
json_frame_re() {
	local sym rest off size mod
	sym=${1%%+*}
	rest=${1#*+}
	off=$((${rest%%/*}))
	size=${rest#*/}
	size=$((${size%% *}))
	case "$1" in
	*" ["*"]") mod=${1##* [}; mod="\"${mod%]}\"" ;;
	*) mod=null ;;
	esac
	printf '{"symbol": "%s", "offset": %s, "size": %s, "module": %s, "addr": "0x[0-9a-f]*"}' \
		"$sym" "$off" "$size" "$mod"
}

# check_truth FILE SPEC COUNT FRAME0
# Every record of SPEC in FILE starts with a frame matching FRAME0 (an awk
# regex for st_truth_leaf), then st_truth_c, _b, _a, has no tracer frame,
# and there are COUNT of them.  With ST_RET=1, records also carry the
# leaf's true return value for hit number k (0-based): (3(k+3) ^ 0x5a) + 1.
check_truth() {
	awk -v spec="$2" -v want="$3" -v f0="$4" -v ret="${ST_RET:-0}" -v bad="$TRACER_FRAMES" '
	function check() {
		if (hdr_spec != spec) { other++; return }
		if (nf < 4 || f[1] !~ f0 || f[2] !~ /^st_truth_c\+/ ||
		    f[3] !~ /^st_truth_b\+/ || f[4] !~ /^st_truth_a\+/) {
			wrong++
			if (wrong == 1) print "first wrong record:\n" rec
		}
		if (tracer) {
			dirty++
			if (dirty == 1) print "first record with a tracer frame:\n" rec
		}
		if (ret && hdr_ret != sprintf("ret=%d", xor(3 * (n + 3), 90) + 1)) {
			badret++
			if (badret == 1) print "first record with a wrong return value (hit " n "):\n" rec
		}
		if (n == 0) print "first record:\n" rec
		n++
	}
	/^$/ { if (nf) check(); nf = 0; tracer = 0; rec = ""; next }
	{ rec = rec $0 "\n" }
	/^ => / { f[++nf] = $2; if ($0 ~ bad) tracer = 1; next }
	{
		hdr_spec = ""; hdr_ret = ""
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^(ur|[prfu]):/) hdr_spec = $i
			if ($i ~ /^ret=/) hdr_ret = $i
		}
	}
	END {
		printf "%s: records %d, wrong first four frames %d, with tracer frames %d, wrong return values %d, other probes %d\n",
			spec, n, wrong, dirty, badret, other
		exit !(n == want && !wrong && !dirty && !badret)
	}' "$1"
}

# expect FILE SPEC COUNT "f0 f1 f2 f3 ..." [LATER]: FILE (a copy of trace)
# holds COUNT records of SPEC, none with a tracer frame, each starting with
# those functions (a name holding "[+]" pins the offset too: "st_truth_c[+]0x0/")
# and, when given, holding LATER further down ("g h": g, then h right
# after it).
expect() {
	awk -v spec="$2" -v want="$3" -v names="$4" -v later="$5" -v bad="$TRACER_FRAMES" '
	BEGIN { nn = split(names, name, " "); nl = split(later, after, " ") }
	function check(  i, j, ok, seen) {
		if (hdr != spec) return
		n++; ok = nf >= nn
		for (i = 1; i <= nn; i++) if (f[i] !~ ("^" name[i] (name[i] ~ /[+]/ ? "" : "[+]"))) ok = 0
		if (nl) {
			seen = 0
			for (i = nn + 1; i <= nf - nl + 1 && !seen; i++) {
				seen = 1
				for (j = 1; j <= nl; j++) if (f[i + j - 1] !~ ("^" after[j] "[+]")) seen = 0
			}
			if (!seen) ok = 0
		}
		if (tracer) ok = 0
		if (!ok) { wrong++; if (wrong == 1) print "first wrong " spec " record:\n" rec }
		if (n == 1) print "first " spec " record:\n" rec
	}
	/^$/ { if (nf) check(); nf = 0; tracer = 0; rec = ""; next }
	{ rec = rec $0 "\n" }
	/^ => / { f[++nf] = $2; if ($0 ~ bad) tracer = 1; next }
	{ hdr = ""; for (i = 1; i <= NF; i++) if ($i ~ /^(ur|[prfu]):/) hdr = $i }
	END {
		printf "%s: %d records, %d wrong\n", spec, n, wrong
		exit !(n == want && !wrong)
	}' "$1"
}
