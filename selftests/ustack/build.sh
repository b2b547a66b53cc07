#!/bin/sh
# Build the user-stack test programs for one guest arch into DIR:
# uchain-fp (frame pointers) and uchain-nofp (-fomit-frame-pointer), both
# -O2, static and freestanding, and beside each NAME.expect, the user
# stack a probe on its write(2) must give, innermost first: "FUNC ADDR",
# the pc after the syscall instruction in uchain_c, then the return
# address after each call up to _start's, read from the binary itself.
#
#   selftests/ustack/build.sh CROSS DIR    (CROSS: e.g. aarch64-linux-gnu-, or "")
set -eu
cross=$1 dir=$2
src=$(cd "$(dirname "$0")" && pwd)/st_uchain.c
common="-O2 -static -nostdlib -ffreestanding -fno-pie -no-pie -fno-optimize-sibling-calls -fno-stack-protector -Wall -Wextra -Werror"
mkdir -p "$dir"
for v in fp nofp; do
	case $v in
	fp) flags=-fno-omit-frame-pointer ;;
	nofp) flags="-fomit-frame-pointer -fno-asynchronous-unwind-tables" ;;
	esac
	# shellcheck disable=SC2086
	"${cross}gcc" $common $flags -o "$dir/uchain-$v" "$src"
	# The instruction after each call on the chain, and after the syscall.
	"${cross}objdump" -d --no-show-raw-insn "$dir/uchain-$v" | awk '
	/^[0-9a-f]+ <[a-z_]+>:$/ { fn = $2; gsub(/[<>:]/, "", fn); next }
	want != "" && /^ *[0-9a-f]+:/ { a = $1; sub(/:$/, "", a); at[want] = fn " 0x" a; want = ""; next }
	fn == "uchain_c" && /\t(syscall|svc)/ { want = "c" }
	fn == "uchain_b" && /<uchain_c>/ { want = "b" }
	fn == "uchain_a" && /<uchain_b>/ { want = "a" }
	fn == "uchain_main" && /<uchain_a>/ { want = "main" }
	fn == "_start" && /<uchain_main>/ { want = "start" }
	END {
		n = split("c b a main start", order, " ")
		for (i = 1; i <= n; i++) {
			if (!(order[i] in at)) { print "no " order[i] " in the code" > "/dev/stderr"; exit 1 }
			print at[order[i]]
		}
	}' >"$dir/uchain-$v.expect"
done
