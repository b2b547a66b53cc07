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
complete_line "stacktapctl rec" "record"
complete_line "stacktapctl stream --b" "--backlog"
complete_line "stacktapctl report --vm" "--vmlinux"
exit $((fails > 0))
