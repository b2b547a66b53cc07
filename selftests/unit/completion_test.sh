#!/bin/bash
# Host test of the bash completion (userspace/completion/stacktapctl.bash)
# against a stand-in stacktapctl that lists three probes: completing after
# a ':' (which bash's COMP_WORDBREAKS splits words at) must give the rest
# of the spec, as bash inserts it.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck disable=SC1091
. "$top/userspace/completion/stacktapctl.bash"
stacktapctl() {
	printf '%s\n' "ID   SPEC" "1    p:vfs_read" "2    r:vfs_read" "3    f:vfs_write"
}
fails=0
# complete LINE WANT...: complete at the end of LINE, split as bash does.
complete_line() {
	local line=$1 want
	shift
	want="$*"
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMP_WORDBREAKS=$' \t\n"'"'"'><=;|&(:'
	# bash's own split: words at blanks, and ':' a word of its own.
	read -r -a COMP_WORDS <<<"${line//:/ : }"
	[[ $line == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_stacktapctl
	if [ "${COMPREPLY[*]}" = "$want" ]; then
		echo "ok - '$line' completes to '$want'"
	else
		echo "not ok - '$line' completes to '${COMPREPLY[*]}', expected '$want'"
		fails=$((fails + 1))
	fi
}
complete_line "stacktapctl del p:vf" "vfs_read"
complete_line "stacktapctl del r:" "vfs_read"
complete_line "stacktapctl del f:vfs_w" "vfs_write"
complete_line "stacktapctl del " "p:vfs_read r:vfs_read f:vfs_write"
complete_line "stacktapctl report --json p:v" "vfs_read"
complete_line "stacktapctl li" "list"
# Kernel functions for add and funcs, from a stand-in kallsyms.
STACKTAPCTL_KALLSYMS=$(mktemp)
printf '%s\n' "ffffffff81000000 T vfs_read" "ffffffff81000100 t vfs_readv" \
	"ffffffff81000200 D vfs_data" "ffffffff81000300 t __pfx_vfs_readx" \
	"ffffffffc0000000 t vfs_read_mod	[mod]" "ffffffff81000400 t vfs_read.cold" \
	"ffffffffc0001000 t vfs_read_bpf	[bpf]" >"$STACKTAPCTL_KALLSYMS"
export STACKTAPCTL_KALLSYMS
complete_line "stacktapctl add vfs_rea" "vfs_read vfs_read_mod vfs_readv"
complete_line "stacktapctl add r:vfs_readv" "vfs_readv"
complete_line "stacktapctl add f:vfs_r" "vfs_read vfs_read_mod vfs_readv"
complete_line "stacktapctl funcs vfs_readv" "vfs_readv"
complete_line "stacktapctl add vfs_read mode=c" ""
rm -f "$STACKTAPCTL_KALLSYMS"
complete_line "stacktapctl rec" "record"
complete_line "stacktapctl stream --b" "--backlog"
complete_line "stacktapctl report --vm" "--vmlinux"
exit $((fails > 0))
