#!/bin/sh
# Build the user-stack test programs for one guest arch into DIR:
# uchain-fp (frame pointers), uchain-nofp (-fomit-frame-pointer) and
# uchain-dw (no frame pointers, but .eh_frame and DWARF), all -O2, static
# and freestanding, and beside each NAME.expect, the user
# stack a probe on its write(2) must give, innermost first: "FUNC ADDR",
# the pc after the syscall instruction in uchain_c, then the return
# address after each call up to _start's, read from the binary itself;
# and NAME.syms, where uchain_a, b and c start.
#
# uchain-so is the same chain through shared libraries: a PIE without
# frame pointers, with unwind tables and DWARF, linked against
# libuchain.so (beside it) and libc: main -> uchain_a -> uchain_lib_b (in
# the library) -> uchain_c -> write() (libc).  uchain-so.expect holds,
# innermost first, "FUNC BINARY OFFSET": the return address each of
# uchain_c, uchain_lib_b, uchain_a and main leaves at its one call, as an
# offset into the function (addresses move with ASLR; names do not).
#
#   selftests/ustack/build.sh CROSS DIR    (CROSS: e.g. aarch64-linux-gnu-, or "")
set -eu
cross=$1 dir=$2
src=$(cd "$(dirname "$0")" && pwd)/st_uchain.c
common="-O2 -static -nostdlib -ffreestanding -fno-pie -no-pie -Wl,-e,_start -fno-optimize-sibling-calls -fno-stack-protector -Wall -Wextra -Werror"
# MIPS: absolute code, no $gp set-up for a freestanding _start.
case $cross in mips*) common="$common -mno-abicalls -fno-pic" ;; esac
mkdir -p "$dir"
for v in fp nofp dw; do
	case $v in
	fp) flags=-fno-omit-frame-pointer ;;
	nofp) flags="-fomit-frame-pointer -fno-asynchronous-unwind-tables" ;;
	# No frame pointers, but unwind tables and DWARF: for ustack=copy.
	dw) flags="-fomit-frame-pointer -fasynchronous-unwind-tables -g" ;;
	esac
	# shellcheck disable=SC2086
	"${cross}gcc" $common $flags -o "$dir/uchain-$v" "$src"
	# The instruction after each call on the chain (MIPS: after its
	# delay slot), and after the syscall.
	"${cross}objdump" -d --no-show-raw-insn "$dir/uchain-$v" | awk -v slot="$(case $cross in mips*) echo 1 ;; *) echo 0 ;; esac)" '
	/^[0-9a-f]+ <[a-z_]+>:$/ { fn = $2; gsub(/[<>:]/, "", fn); next }
	want != "" && /^ *[0-9a-f]+:/ { if (skip--) next; a = $1; sub(/:$/, "", a); at[want] = fn " 0x" a; want = ""; next }
	fn == "uchain_c" && /\t(syscall|svc)/ { want = "c"; skip = 0 }
	fn == "uchain_b" && /<uchain_c>/ { want = "b"; skip = slot }
	fn == "uchain_a" && /<uchain_b>/ { want = "a"; skip = slot }
	fn == "uchain_main" && /<uchain_a>/ { want = "main"; skip = slot }
	fn == "_start" && /<uchain_main>/ { want = "start"; skip = slot }
	END {
		n = split("c b a main start", order, " ")
		for (i = 1; i <= n; i++) {
			if (!(order[i] in at)) { print "no " order[i] " in the code" > "/dev/stderr"; exit 1 }
			print at[order[i]]
		}
	}' >"$dir/uchain-$v.expect"
	# Where the functions a u: probe sits on start.
	"${cross}nm" "$dir/uchain-$v" | awk '$3 ~ /^uchain_[abc]$/ { print $3, "0x" $1 }' |
		sed 's/ 0x0*/ 0x/' >"$dir/uchain-$v.syms"
done

# The shared-library chain.
so="-O2 -g -fomit-frame-pointer -fasynchronous-unwind-tables -fno-optimize-sibling-calls -fno-stack-protector -Wall -Wextra -Werror"
# shellcheck disable=SC2086
"${cross}gcc" $so -shared -fPIC -o "$dir/libuchain.so" "$(dirname "$src")/st_uchain_lib.c"
# shellcheck disable=SC2086
"${cross}gcc" $so -fPIE -pie -o "$dir/uchain-so" "$(dirname "$src")/st_uchain_so.c" \
	-L"$dir" -luchain -Wl,-rpath,/ustack
# ret_offsets BINARY: "FUNC BINARY OFFSET" of the instruction after each
# chain function's one call (MIPS: after its delay slot).
ret_offsets() {
	"${cross}objdump" -d --no-show-raw-insn "$dir/$1" | awk -v bin="/ustack/$1" \
		-v slot="$(case $cross in mips*) echo 1 ;; *) echo 0 ;; esac)" '
	/^[0-9a-f]+ <(main|uchain_[a-z_]+)>:$/ { f = $2; gsub(/[<>:]/, "", f); start = $1; next }
	/^$/ { f = "" }
	want != "" && /^ *[0-9a-f]+:/ { if (skip--) next; a = $1; sub(/:$/, "", a)
		print want, bin, wstart, a; want = ""; next }
	f != "" && /\t(call|bl|blr|jal|jalr|bal)[ \t]/ { if (calls[f]++) { print "two calls in " f > "/dev/stderr"; exit 1 }
		want = f; wstart = start; skip = slot }' |
	while read -r f bin start a; do printf '%s %s 0x%x\n' "$f" "$bin" $((0x$a - 0x$start)); done
}
{ ret_offsets uchain-so; ret_offsets libuchain.so; } | awk '
	{ at[$1] = $0 }
	END { n = split("uchain_c uchain_lib_b uchain_a main", order, " ")
	      for (i = 1; i <= n; i++) {
		if (!(order[i] in at)) { print "no call in " order[i] > "/dev/stderr"; exit 1 }
		print at[order[i]]
	      } }' >"$dir/uchain-so.expect"
