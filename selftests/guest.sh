#!/bin/sh
# Run the guest suite on one arch: build stacktap.ko and the truth module
# against Debian's headers, pack a busybox initramfs, boot Debian's kernel
# in QEMU (software emulation) with panic_on_warn, and read TAP back from
# a second serial port.
#
#   selftests/guest.sh TARGET [TEST...]
#
# TARGET is x86_64, x86_64-rt, x86_64-debug, mips64el, arm64 or mipsel
# (Debian 12's 6.1), or x86_64 or arm64 with -5.10, -6.12 or -7.2
# (scripts/fetch-sysroot.sh).
# TEST names select tests from selftests/guest/tests (default: all), or
# from $ST_TESTS_DIR when set.  x86_64-debug boots our own build of
# Debian's source with the kernel's bug detectors (scripts/build-kernel.sh
# debug) and adds the kmemleak checks of selftests/guest/debug.
# Variants, from the environment:
#   ST_VARIANT=NAME     build in .cache/build/<arch>-NAME, beside the suite's
#   ST_KERNEL=IMAGE     boot this kernel (stacktap built in): no modules
#   ST_STACKTAP_KO=KO   use this stacktap.ko (e.g. DKMS's) instead of building
#   ST_APPEND=ARGS      more kernel command line
#   ST_DT_FRAGMENT=DTS  arm64: boot QEMU's own device tree plus this fragment
#   ST_QEMU_EXTRA=ARGS  more QEMU options
#   ST_GUEST_MODS=M,M   more distribution modules for init to load first
#   ST_BENCH=1          also build the benchmark's st_floor.ko (selftests/bench)
#   ST_CRASH=oops|panic after the suite, kill the kernel on purpose and check
#                       the flight recorder's dump on the console (crash.sh);
#                       in a boot of its own after a suite with 90-lockdown
#   ST_GUEST_TIMEOUT=S  kill the guest after S seconds (default 2400; the
#                       suite takes about 1100 s on a 2-CPU guest)
# Prints the TAP lines prefixed with the arch, then "<arch>: N passed, N failed";
# exits non-zero on any failure.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/cache.sh"
arch=${1:?usage: guest.sh TARGET [TEST...] (TARGET: x86_64 x86_64-rt mips64el arm64 mipsel, or x86_64/arm64 -5.10 -6.12 -7.2)}
shift

"$top/scripts/fetch-sysroot.sh" "$arch"
# shellcheck disable=SC1090
. "$DL/sysroot/$arch/sysroot.env"
sysroot=$DL/sysroot/$arch
B=$CACHE/build/$arch${ST_VARIANT:+-$ST_VARIANT}
rm -rf "$B"
mkdir -p "$B/stacktap" "$B/truth" "$B/root"

export ST_KDIR ST_KARCH ST_CROSS ST_CC ST_CHROOT
kmake() {
	"$top/scripts/kmake.sh" M="$1" modules \
		>"$1.log" 2>&1 || { cat "$1.log"; echo "$arch: build of $1 failed" >&2; exit 1; }
}
if [ -z "${ST_KERNEL:-}" ]; then
	cp -r "$top/Kbuild" "$top/module" "$top/include" "$B/stacktap/"
	cp "$top/selftests/truth/Kbuild" "$top/selftests/truth/st_truth.c" "$B/truth/"
	if [ -n "${ST_STACKTAP_KO:-}" ]; then
		cp "$ST_STACKTAP_KO" "$B/stacktap/stacktap.ko"
	else
		kmake "$B/stacktap"
	fi
	kmake "$B/truth"
	# The benchmark's floor links stacktap's unwinder (selftests/bench).
	if [ -n "${ST_BENCH:-}" ]; then
		mkdir -p "$B/floor/module"
		cp "$top"/selftests/bench/Kbuild "$top"/selftests/bench/*.[ch] "$B/floor/"
		cp -r "$top"/module/*.h "$top"/module/stacktap_unwind_*.c "$top"/module/stacktap_kprobe_mips.c \
			"$top"/module/stacktap_ksym.c "$top"/module/stacktap_tracer.c "$top"/module/stacktap_hooking.c \
			"$top"/module/wrapper "$B/floor/module/"
		cp -r "$top/include" "$B/floor/"
		kmake "$B/floor"
	fi
fi

# The initramfs: busybox, the test scripts, our two modules, and the
# distribution modules the tests load, with their dependencies.
R=$B/root
mkdir -p "$R/bin" "$R/dev" "$R/proc" "$R/sys" "$R/tmp" "$R/st" "$R/tests" "$R/lib/st"
cp "$ST_BUSYBOX" "$R/bin/busybox"
ln -s busybox "$R/bin/sh"
mknod "$R/dev/console" c 5 1
mknod "$R/dev/null" c 1 3
cp "$top/selftests/guest/init" "$R/init"
chmod +x "$R/init"
cp "$top/selftests/guest/lib.sh" "$top/selftests/guest/results.sh" "$top/selftests/guest/crash.sh" "$R/lib/st/"
tests=${ST_TESTS_DIR:-$top/selftests/guest/tests}
if [ $# -eq 0 ]; then
	cp "$tests"/*.sh "$R/tests/"
else
	for t in "$@"; do cp "$tests/$t"*.sh "$R/tests/"; done
fi
[ "$arch" != x86_64-debug ] || cp "$top"/selftests/guest/debug/*.sh "$R/tests/"
# Helpers a tests directory may carry for its scripts (the benchmark's).
for lib in "$tests"/*.lib; do
	[ ! -f "$lib" ] || cp "$lib" "$R/lib/st/"
done
[ -n "${ST_KERNEL:-}" ] || cp "$B/stacktap/stacktap.ko" "$B/truth/st_truth.ko" "$R/st/"
[ -z "${ST_BENCH:-}" ] || cp "$B/floor/st_floor.ko" "$R/st/"

# stacktapctl for this arch, with its ELF interpreter, libc and libmnl.
mkdir -p "$B/ctl"
cp -r "$top/userspace" "$top/include" "$B/ctl/"
cc=${ST_CROSS}gcc
make -s -C "$B/ctl/userspace" clean
make -s -C "$B/ctl/userspace" CC="$cc" SYSROOT="$sysroot" >"$B/ctl.log" 2>&1 ||
	{ cat "$B/ctl.log"; echo "$arch: build of stacktapctl failed" >&2; exit 1; }
cp "$B/ctl/userspace/stacktapctl" "$R/bin/"
for t in fuzz/st_nlfuzz tools/st_nocap tools/st_badinput tools/st_churn tools/st_read0 tools/st_nlpar tools/st_nldump tools/st_openn tools/st_uread tools/st_symbolize; do
	$cc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$R/bin/${t#*/}" "$top/selftests/$t.c" \
		>>"$B/ctl.log" 2>&1 || { cat "$B/ctl.log"; echo "$arch: build of ${t#*/} failed" >&2; exit 1; }
done
# The user-stack test programs, and the stacks they must give (52, 53).
"$top/selftests/ustack/build.sh" "$ST_CROSS" "$R/ustack" >>"$B/ctl.log" 2>&1 ||
	{ cat "$B/ctl.log"; echo "$arch: build of the user-stack programs failed" >&2; exit 1; }
interp=$(${ST_CROSS}readelf -l "$R/bin/stacktapctl" | sed -n 's/.*interpreter: \(.*\)]$/\1/p')
mkdir -p "$R$(dirname "$interp")" "$R/lib"
libc=$($cc -print-file-name=libc.so.6)
loader=$($cc -print-file-name="$(basename "$interp")")
# n64's loader sits in lib64 beside the cross libc's lib, not on gcc's path.
[ -f "$loader" ] || loader=$(dirname "$(dirname "$libc")")$interp
cp -L "$loader" "$R$interp"
cp -L "$libc" "$R/lib/"
cp -L "$sysroot"/usr/lib/*/libmnl.so.0 "$R/lib/"
mkdir -p "$R/etc"
printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$R/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$R/etc/group"

case "$arch" in
x86_64|x86_64-*)
	guest_mods=
	# One host thread runs both vCPUs: with a thread each (MTTCG), a vCPU
	# can go on running code another just patched (kprobes, ftrace) and
	# the guest crashes or locks up, stacktap loaded or not
	# (selftests/guest/known-crashes).  Still 2 CPUs to the guest.
	# KASAN's shadow takes an eighth of memory: the debug kernel gets more.
	mem=1024
	[ "$arch" != x86_64-debug ] || mem=2048
	qemu="qemu-system-x86_64 -accel tcg,thread=single -cpu max -smp 2 -m $mem"
	console=ttyS0 result=/dev/ttyS1
	result_port="-serial file:$B/result"
	# PREEMPT_RT's threaded 8250 handler falls behind a burst of output
	# (test 32's stacks) and the kernel disables the port's IRQ ("irq 3:
	# nobody cared"), stalling the guest: results go over virtio-console.
	if [ "$arch" = x86_64-rt ]; then
		guest_mods=virtio_pci,virtio_console
		result=/dev/hvc0
		result_port="-device virtio-serial-pci -chardev file,id=result,path=$B/result -device virtconsole,chardev=result"
	fi ;;
mips64el)
	guest_mods=
	qemu="qemu-system-mips64el -M malta -cpu 5KEc -m 512"
	console=ttyS0 result=/dev/ttyS1
	result_port="-serial file:$B/result" ;;
mipsel)
	guest_mods=
	qemu="qemu-system-mipsel -M malta -cpu 24Kf -m 512"
	console=ttyS0 result=/dev/ttyS1
	result_port="-serial file:$B/result" ;;
arm64|arm64-*)
	# The virt board has one UART: results go over virtio-console.
	guest_mods=virtio_mmio,virtio_console
	qemu="qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on -smp 2 -m 1024"
	console=ttyAMA0 result=/dev/hvc0
	result_port="-device virtio-serial-device -chardev file,id=result,path=$B/result -device virtconsole,chardev=result" ;;
esac

guest_mods=$guest_mods${ST_GUEST_MODS:+${guest_mods:+,}$ST_GUEST_MODS}
mods="bonding tun $(echo "$guest_mods" | tr , ' ')"
[ -z "${ST_KERNEL:-}" ] || mods=
# Modules go in uncompressed (6.12 and later ship .ko.xz), under /lib.
for m in $mods; do
	modprobe -d "$ST_MODROOT" -S "$ST_KVER" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
done | sort -u | while read -r ko; do
	rel=/lib/modules/$ST_KVER${ko#"$ST_MODDIR"}
	mkdir -p "$R$(dirname "$rel")"
	case "$ko" in
	*.xz) xz -dc "$ko" >"$R${rel%.xz}" ;;
	*) cp "$ko" "$R$rel" ;;
	esac
done
if [ -n "$mods" ]; then
	cp "$ST_MODDIR"/modules.builtin* "$R/lib/modules/$ST_KVER/"
	sed 's/\.ko\.xz$/.ko/' "$ST_MODDIR"/modules.order >"$R/lib/modules/$ST_KVER/modules.order"
	depmod -b "$R" "$ST_KVER"
fi

(cd "$R" && find . | cpio -o -H newc --quiet | gzip -1) >"$B/initrd.gz"

: >"$B/result"
image=$ST_IMAGE
if [ -n "${ST_KERNEL:-}" ]; then
	image=$ST_KERNEL
	guest_mods=
fi
# RCU's stall warning fires after 21 s, a figure for real hardware.  Under
# KASAN and emulation the debug kernel runs about a hundred times slower,
# and a host that is busy with other work can starve its vCPUs for longer:
# one CPU got 146 ticks in 6531 jiffies.  So it gets the longest timeout.
stall=
[ "$arch" != x86_64-debug ] || stall=rcupdate.rcu_cpu_stall_timeout=300
# A suite that locks the kernel down (90-lockdown, which runs last) cannot
# end in a deliberate crash: crash.sh loads modules and writes debugfs.
# Its crash gets a boot of its own, with no tests.
crash= crash_boot=
if [ -n "${ST_CRASH:-}" ]; then
	if ls "$R"/tests/9*-lockdown.sh >/dev/null 2>&1; then
		crash_boot=1
	else
		crash="st_crash=$ST_CRASH"
	fi
fi
cmdline="console=$console st_result=$result st_modules=$guest_mods panic_on_warn=1 oops=panic panic=-1 $stall $crash ${ST_APPEND:-}"

# QEMU's own device tree for this very machine, plus the fragment: dtc
# merges a node given twice.
dtb=
if [ -n "${ST_DT_FRAGMENT:-}" ]; then
	# shellcheck disable=SC2086
	$qemu -nodefaults -display none -machine dumpdtb="$B/virt.dtb" $result_port >/dev/null 2>&1
	dtc -q -I dtb -O dts -o "$B/virt.dts" "$B/virt.dtb"
	cat "$ST_DT_FRAGMENT" >>"$B/virt.dts"
	dtc -q -I dts -O dtb -o "$B/stacktap.dtb" "$B/virt.dts" ||
		{ echo "$arch: dtc failed on $ST_DT_FRAGMENT" >&2; exit 1; }
	dtb="-dtb $B/stacktap.dtb"
fi
# The debug kernel runs the suite several times slower.
tmo=${ST_GUEST_TIMEOUT:-2400}
[ "$arch" != x86_64-debug ] || tmo=${ST_GUEST_TIMEOUT:-7200}
# shellcheck disable=SC2086
timeout --foreground "$tmo" $qemu -nodefaults -display none -no-reboot \
	-monitor none -serial "file:$B/console.log" $result_port $dtb \
	-kernel "$image" -initrd "$B/initrd.gz" -append "$cmdline" ${ST_QEMU_EXTRA:-} || true
if [ -n "$crash_boot" ]; then
	# shellcheck disable=SC2086
	timeout --foreground "$tmo" $qemu -nodefaults -display none -no-reboot \
		-monitor none -serial "file:$B/console-crash.log" \
		$(echo "$result_port" | sed "s|$B/result|$B/result-crash|") $dtb -kernel "$image" \
		-initrd "$B/initrd.gz" -append "$cmdline st_crash=$ST_CRASH st_notests=1" \
		${ST_QEMU_EXTRA:-} || true
fi

# Verdict: the guest's TAP, plus two checks of our own.  (hvc adds CRs.)
tr -d '\r' <"$B/result" >"$B/result.tap"
mv "$B/result.tap" "$B/result"
# A deliberate crash ends the console: what comes after its marker is the
# dump's to check, and no splat of the suite's.
tr -d '\r' <"$B/console.log" >"$B/console.all"
awk '/^=== deliberate crash/ { exit } { print }' "$B/console.all" >"$B/console.log"
crashed=$B/console.all
if [ -n "$crash_boot" ]; then
	tr -d '\r' <"$B/console-crash.log" >"$B/console-crash.all"
	crashed=$B/console-crash.all
fi
sed -n '/^=== deliberate crash/,$p' "$crashed" | sed 's/^\[ *[0-9]*\.[0-9]*\] //' >"$B/console.crash"
# A test that does not apply to a target says "ok N - name # SKIP why":
# neither a pass nor a failure.
pass=$(grep '^ok ' "$B/result" | grep -vc ' # SKIP ' || true)
fail=$(grep -c '^not ok ' "$B/result" || true)
grep -v '^# @k\{0,1\}stacks ' "$B/result" | sed "s/^/$arch: /"
# What the console calls a splat; the first one is named in the "not ok"
# line itself, which is what run.sh lists above its verdict.
splat='Kernel panic|WARNING:|BUG:|Oops|in kernel code\[|Unhandled kernel|Call Trace:|UBSAN:'
first_splat=$(grep -E -m1 "$splat" "$B/console.log" | tr -d '\r' | cut -c1-160)
if ! grep -qx '# done' "$B/result"; then
	fail=$((fail + 1))
	last=$(sed -n 's/^=== //p' "$B/console.log" | tail -n 1 | tr -d '\r')
	init=$(grep -m1 '^init: ' "$B/console.log" | tr -d '\r')
	echo "$arch: not ok - guest finished the suite (it did not; in ${last:-no test yet}${init:+; $init}${first_splat:+; first splat: $first_splat}; console tail follows)"
	tail -n 60 "$B/console.log" | sed "s/^/$arch: # /"
fi
# The host's own checks of what the guest wrote, each counted as a test:
# "ok - NAME" when the command succeeds.
host_check() {
	name=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
		echo "$arch: ok - $name"
	else
		fail=$((fail + 1))
		echo "$arch: not ok - $name"
		return 1
	fi
}
valid_json() { printf '%s' "$1" | python3 -c 'import json, sys; json.load(sys.stdin)' 2>/dev/null; }
# Test 32's stacks, every frame checked against the kernel's own code
# (Debian's -dbg vmlinux) by a reader independent of stacktap's walkers.
check_frames() {
	vmlinux=$("$top/scripts/fetch-vmlinux.sh" "$arch" 2>"$B/vmlinux.log") ||
		{ sed "s/^/$arch: # /" "$B/vmlinux.log"; return 1; }
	python3 "$top/selftests/tools/st_frames.py" "${arch%%-*}" "$vmlinux" "$B/stacks" >"$B/frames" 2>&1 || return
	# The kernel's own stack traces of the same functions, side by side.
	[ ! -s "$B/kstacks" ] ||
		python3 "$top/selftests/tools/st_frames.py" --figures "${arch%%-*}" "$vmlinux" "$B/kstacks" >>"$B/frames" 2>&1
}

# Test 43's recording, read here as a workstation would: report -i with
# Debian's debug vmlinux and the truth module's .ko, every frame checked
# against binutils' addr2line -i by selftests/tools/st_dwagree.py, and
# its pprof output decoded back (selftests/tools/st_pprof_check.py).
check_recording() {
	vmlinux=$("$top/scripts/fetch-vmlinux.sh" --dwarf "$arch" 2>"$B/debuginfo.log") ||
		{ sed "s/^/$arch: # /" "$B/debuginfo.log"; return 1; }
	hostctl_build || return
	"$B/hostctl/userspace/stacktapctl" report -i "$B/rec.stk" --vmlinux "$vmlinux" \
		--modules "$B/truth" >"$B/rec.txt" 2>&1 &&
	"$B/hostctl/userspace/stacktapctl" --json report -i "$B/rec.stk" --vmlinux "$vmlinux" \
		--modules "$B/truth" >"$B/rec.json" 2>>"$B/rec.txt" || { sed "s/^/$arch: # /" "$B/rec.txt"; return 1; }
	sed -n '1,20s/^/# /p' "$B/rec.txt"
	python3 "$top/selftests/tools/st_dwagree.py" "$B/rec.stk" "$B/rec.json" "${ST_CROSS}addr2line" \
		"$vmlinux" "$B/truth/st_truth.ko" || return
	# The same stacks as pprof, decoded by Debian's python3-protobuf.
	"$B/hostctl/userspace/stacktapctl" report -i "$B/rec.stk" --vmlinux "$vmlinux" \
		--modules "$B/truth" --pprof "$B/rec.pb.gz" 2>&1 | grep -v ' records, ' &&
	/usr/bin/python3 "$top/selftests/tools/st_pprof_check.py" "$B/rec.pb.gz" "$B/rec.json" \
		"$top/userspace"
}

check_recording_logged() { check_recording >"$B/dwagree" 2>&1; }

# A workstation's stacktapctl, with libdw: built once per run.
hostctl_build() {
	[ -n "${hostctl_built:-}" ] && return
	rm -rf "$B/hostctl"
	mkdir -p "$B/hostctl"
	cp -r "$top/userspace" "$top/include" "$B/hostctl/"
	make -s -C "$B/hostctl/userspace" clean
	make -s -C "$B/hostctl/userspace" DWARF=1 >"$B/hostctl.log" 2>&1 ||
		{ sed "s/^/$arch: # /" "$B/hostctl.log"; return 1; }
	hostctl_built=1
}

# Test 54's recording of ustack=copy hits, unwound here as a workstation
# would (report -i --symfs: the guest's root, its binaries), each user
# stack checked against the addresses selftests/ustack/build.sh read from
# the binary: at the write, pc, b, a, main and _start's return
# addresses; at b's entry, b, then a, main and _start's; at c's return,
# c, then b, a, main and _start's.  uchain-so's write, a PIE through
# libuchain.so and libc: write() in libc, then each function's return
# address by name and offset, then libc's start-up; at the library
# function's entry (u:), it, then uchain_a and main.  Every frame
# named uchain_*/_start+0xOFF (/ustack/uchain-dw), with file:line from
# its DWARF where the code is C.
check_ucopy() {
	hostctl_build || return
	"$B/hostctl/userspace/stacktapctl" report -i "$B/ucopy.stk" --symfs "$R" >"$B/ucopy.txt" 2>&1 &&
	"$B/hostctl/userspace/stacktapctl" --json report -i "$B/ucopy.stk" --symfs "$R" \
		>"$B/ucopy.json" 2>>"$B/ucopy.txt" || { sed "s/^/$arch: # /" "$B/ucopy.txt"; return 1; }
	sed "s/^/$arch: # /" "$B/ucopy.txt"
	python3 - "$B/ucopy.json" "$R/ustack/uchain-dw.expect" "$R/ustack/uchain-dw.syms" \
		"$R/ustack/uchain-so.expect" <<'PY'
import json, sys
stacks = json.load(open(sys.argv[1]))
exp = [l.split() for l in open(sys.argv[2])]
syms = dict(l.split() for l in open(sys.argv[3]))
want = {"p:ksys_write": [(f, int(a, 16)) for f, a in exp],
        "u:/ustack/uchain-dw:uchain_b": [("uchain_b", int(syms["uchain_b"], 16))] +
                                        [(f, int(a, 16)) for f, a in exp[2:]],
        "ur:/ustack/uchain-dw:uchain_c": [("uchain_c", int(syms["uchain_c"], 16))] +
                                         [(f, int(a, 16)) for f, a in exp[1:]]}
bad = 0
counts = {}
for s in stacks:
    spec = s["spec"]
    w = want.get(spec)
    if w is None:
        continue
    counts[spec] = counts.get(spec, 0) + s["count"]
    u = s.get("ustack", [])
    got = [(f["symbol"], int(f["addr"], 16)) for f in u]
    print("%s x%d: %s" % (spec, s["count"], " ".join("%s@%x" % g for g in got)))
    if got != w:
        print("  expected: %s" % " ".join("%s@%x" % g for g in w)); bad = 1
    if not all(f["binary"] == "/ustack/uchain-dw" for f in u):
        print("  a frame not in /ustack/uchain-dw"); bad = 1
    if not all((f["file"] or "").endswith("st_uchain.c") and f["line"] > 0
               for f in u if f["symbol"] != "_start"):
        print("  a C frame without its st_uchain.c line: %s" % u); bad = 1
# A stack with user frames counts per process: 3 runs, 3 records each.
for spec in want:
    if counts.get(spec, 0) != 3:
        print("%s: %d records, not 3" % (spec, counts.get(spec, 0))); bad = 1
# uchain-so: write() in libc, then the chain's return addresses by
# function and offset (ASLR moves the addresses), then libc's start-up.
so = [l.split() for l in open(sys.argv[4])]
seen = 0
for s in stacks:
    if s["spec"] != "p:vfs_write":
        continue
    u = s.get("ustack", [])
    seen += s["count"]
    print("p:vfs_write x%d: %s" % (s["count"], " ".join(
        "%s+0x%x(%s)" % (f["symbol"], f["offset"] or 0, (f["binary"] or "?").split("/")[-1]) for f in u)))
    got = [(f["symbol"], f["binary"], f["offset"]) for f in u[1:5]]
    exp = [(f, b, int(o, 16)) for f, b, o in so]
    if not u or u[0]["binary"] != "/lib/libc.so.6" or "write" not in (u[0]["symbol"] or ""):
        print("  the first frame is not write() in /lib/libc.so.6"); bad = 1
    if got != exp:
        print("  expected after it: %s" % exp); bad = 1
    rest = u[5:]
    if not rest or not all(f["binary"] in ("/lib/libc.so.6", "/ustack/uchain-so") for f in rest):
        print("  below main: not libc's start-up"); bad = 1
if seen != 3:
    print("p:vfs_write: %d records of uchain-so unwound, not 3" % seen); bad = 1
# A u: probe on the library's function: itself at offset 0, then from uchain_a on.
seen = 0
for s in stacks:
    if s["spec"] != "u:/ustack/libuchain.so:uchain_lib_b":
        continue
    u = s.get("ustack", [])
    seen += s["count"]
    got = [(f["symbol"], f["binary"], f["offset"]) for f in u[:3]]
    want_lib = [("uchain_lib_b", "/ustack/libuchain.so", 0)] + [(f, b, int(o, 16)) for f, b, o in so[2:]]
    print("u: on uchain_lib_b x%d: %s" % (s["count"], " ".join("%s+0x%x(%s)" % (g[0], g[2] or 0, g[1]) for g in got)))
    if got != want_lib:
        print("  expected: %s" % want_lib); bad = 1
if seen != 3:
    print("u: on uchain_lib_b: %d records, not 3" % seen); bad = 1
sys.exit(bad)
PY
}

# Test 43's second recording (4 hits through st_truth_a, 6 through
# st_truth_d) as report -i --svg's flame graph, used in headless Chromium
# through its own controls (selftests/tools/st_svgcheck.sh).
check_flamegraph() {
	"$B/hostctl/userspace/stacktapctl" report -i "$B/rec2.stk" --svg "$B/rec2.svg" >/dev/null 2>&1 &&
	"$top/selftests/tools/st_svgcheck.sh" "$B/rec2.svg" 'st_truth_d_[st_truth]' 'st_truth_d' \
		'st_truth_d_[st_truth]' 'st_truth_a_[st_truth]' >"$B/svgcheck" 2>&1
	sed "s/^/$arch: # /" "$B/svgcheck"
	printf '%s\n' 'title: st_truth_d_[st_truth] (6 hits, 60.00%)' \
		'search: Matched: 60.0% (6 of 10 hits)' 'marked: 1' 'zoom: 1200 wide, beside 0' \
		'reset: beside 480 (before 480)' | cmp -s - "$B/svgcheck"
}

# report -i --folded and --perf-script read by speedscope (a real tool):
# from the folded stacks it must show every function with the share of
# hits under it that our own folded lines give; from the perf-script text
# (which it weighs by time between samples, not by count) the same
# functions, and the task as its thread.
check_speedscope() {
	ctl="$B/hostctl/userspace/stacktapctl"
	"$ctl" report -i "$B/rec2.stk" --folded >"$B/rec2.folded" 2>/dev/null &&
	"$ctl" report -i "$B/rec2.stk" --perf-script >"$B/rec2.perf" 2>/dev/null &&
	"$top/selftests/tools/st_speedscope.sh" "$B/rec2.folded" >"$B/ss.folded" 2>&1 &&
	"$top/selftests/tools/st_speedscope.sh" "$B/rec2.perf" >"$B/ss.perf" 2>&1 || {
		sed "s/^/$arch: # /" "$B/ss.folded" "$B/ss.perf" 2>/dev/null
		return 1
	}
	sed "s/^/$arch: # speedscope: /" "$B/ss.folded"
	awk '{ n = split($1, f, ";"); total += $2
	       for (i = 1; i <= n; i++) if (!seen[$0, f[i]]++) hits[f[i]] += $2 }
	     # speedscope'"'"'s formatPercent
	     function pct(p) {
		if (p == 100) return "100%"
		if (p > 99) return ">99%"
		if (p < 0.01) return "<0.01%"
		if (p < 1) return sprintf("%.2f%%", p)
		if (p < 10) return sprintf("%.1f%%", p)
		return sprintf("%.0f%%", p)
	     }
	     END { for (name in hits) print name, pct(100 * hits[name] / total) }' \
		"$B/rec2.folded" | sort >"$B/ss.want"
	grep -v '^title: ' "$B/ss.folded" | sort | cmp -s - "$B/ss.want" || {
		echo "$arch: # speedscope's shares differ from the folded stacks': $(diff "$B/ss.want" "$B/ss.folded" | head -5)"
		return 1
	}
	sed -n 's/^\t *[0-9a-f]* \([^+ ]*\).*/\1/p' "$B/rec2.perf" | sort -u >"$B/ss.want"
	grep -v '^title: ' "$B/ss.perf" | cut -d' ' -f1 | sort | cmp -s - "$B/ss.want" || {
		echo "$arch: # speedscope's functions differ from perf-script's: $(diff "$B/ss.want" "$B/ss.perf" | head -5)"
		return 1
	}
	grep -q '^title: .* tid: [0-9]* - speedscope$' "$B/ss.perf"
}

# diff --svg of the two recordings: rec2 lost 6 of rec's 10 stacks through
# st_truth_a to 6 new ones through st_truth_d.  Widths are the larger
# count (10 + 6), red grew, blue shrank, grey stayed.
check_diff_flamegraph() {
	"$B/hostctl/userspace/stacktapctl" diff "$B/rec.stk" "$B/rec2.stk" --svg "$B/diff.svg" \
		>/dev/null 2>&1 &&
	"$top/selftests/tools/st_svgcheck.sh" "$B/diff.svg" 'st_truth_d_[st_truth]' 'st_truth_d' \
		'st_truth_d_[st_truth]' 'st_truth_a_[st_truth]' \
		'st_truth_d_[st_truth] st_truth_a_[st_truth] vfs_write' >"$B/diffcheck" 2>&1
	sed "s/^/$arch: # /" "$B/diffcheck"
	printf '%s\n' 'title: st_truth_d_[st_truth] (A 0, B 6, +6)' \
		'fill st_truth_d_[st_truth]: rgb(255, 60, 60)' \
		'fill st_truth_a_[st_truth]: rgb(124, 124, 255)' \
		'fill vfs_write: rgb(215, 215, 215)' \
		'search: Matched: 37.5% (6 of 16 max(A,B) counts)' 'marked: 1' 'zoom: 1200 wide, beside 0' \
		'reset: beside 750 (before 750)' | cmp -s - "$B/diffcheck"
}

# The flight recorder's dump after crash.sh killed the kernel: the last 5
# records of CPU 0, i=45..49 of st_truth_args, each with its stack from
# the probed function to its caller, between the dump's first and last
# lines, and the kernel dead after it.
check_dump() {
	d=$B/console.crash
	sed "s/^/$arch: # /" "$d" | grep -E ': # (stacktap|=== |Kernel panic)' | head -40
	grep -qx "stacktap: dump on $ST_CRASH: the last 5 records of each CPU, oldest first" "$d" &&
	grep -qx 'stacktap: end of dump' "$d" &&
	grep -q '^Kernel panic - not syncing' "$d" || return 1
	got=$(sed -n '/^stacktap: dump on/,/^stacktap: end of dump$/p' "$d" | awk '
		/^stacktap: cpu[0-9]+:$/ { cpu = $2; next }
		/: p:st_truth_args i=/ {
			if (want) { print "no stack under " i; exit }
			i = $0; sub(/.* i=/, "", i); sub(/ .*/, "", i)
			if ($0 !~ (" name=\"run-" i "\"$")) { print "name of " i ": " $0; exit }
			want = 1; next
		}
		want == 1 { if ($0 !~ /^stacktap:  => st_truth_args\+0x[0-9a-f]+\/0x[0-9a-f]+ \[st_truth\]$/) { print "frame 0 of " i ": " $0; exit }
			want = 2; next }
		want == 2 { if ($0 !~ /^stacktap:  => st_truth_args_run\+0x[0-9a-f]+\/0x[0-9a-f]+ \[st_truth\]$/) { print "frame 1 of " i ": " $0; exit }
			want = 0; out = out cpu i " " }
		END { print out }')
	echo "$arch: # dump: $got"
	[ "$got" = "cpu0:45 cpu0:46 cpu0:47 cpu0:48 cpu0:49 " ]
}
if [ -n "${ST_CRASH:-}" ]; then
	host_check "flight recorder: the dump on a deliberate $ST_CRASH holds the last records" check_dump || true
fi

# Tests emit "@json NAME TEXT" for what must be strict JSON: parse it here.
sed -n 's/^# @json \([a-z]*\) /\1 /p' "$B/result" >"$B/json"
while read -r name text; do
	host_check "stacktapctl $name --json is valid JSON" valid_json "$text" || echo "$arch: # $text"
done <"$B/json"
sed -n 's/^# @recording //p' "$B/result" | base64 -d >"$B/rec.stk"
if [ -s "$B/rec.stk" ]; then
	host_check "report -i of the guest's recording agrees with addr2line -i" check_recording_logged || true
	sed "s/^/$arch: # /" "$B/dwagree"
fi
sed -n 's/^# @recording2 //p' "$B/result" | base64 -d >"$B/rec2.stk"
if [ -s "$B/rec2.stk" ] && [ -x "$B/hostctl/userspace/stacktapctl" ]; then
	host_check "report -i --svg's flame graph: title, search, zoom and reset in headless Chromium" \
		check_flamegraph || true
	host_check "report -i --folded and --perf-script read by speedscope in headless Chromium" \
		check_speedscope || true
	[ ! -s "$B/rec.stk" ] ||
		host_check "diff --svg's differential flame graph: colours, title, search, zoom in headless Chromium" \
			check_diff_flamegraph || true
fi
sed -n 's/^# @ucopy //p' "$B/result" >"$B/ucopy.b64"
rm -f "$B/ucopy.stk"
[ ! -s "$B/ucopy.b64" ] || base64 -d "$B/ucopy.b64" | gunzip >"$B/ucopy.stk" || true
if [ -s "$B/ucopy.stk" ]; then
	host_check "ustack=copy: user stacks unwound from the copies by .eh_frame, exact and named" \
		check_ucopy || true
fi
sed -n 's/^# @stacks //p' "$B/result" >"$B/stacks"
sed -n 's/^# @kstacks //p' "$B/result" >"$B/kstacks"
if [ -s "$B/stacks" ]; then
	host_check "real-workload frames checked against vmlinux" check_frames || true
	sed "s/^/$arch: # /" "$B/frames" 2>/dev/null || true
fi
host_check "console free of kernel splats${first_splat:+ (first: $first_splat)}" [ -z "$first_splat" ] ||
	grep -E -B5 -A30 "$splat" "$B/console.log" | head -80 | sed "s/^/$arch: # /"
echo "$arch: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
