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
