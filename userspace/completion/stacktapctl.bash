# bash completion for stacktapctl
#
# bash splits "p:vfs_read" at the ':' of COMP_WORDBREAKS, so the word to
# complete is taken from the line itself, and each match is handed back
# without the part up to the last ':', which bash keeps.
_stacktapctl() {
	local line cur cmd= i colon
	if [[ -n ${COMP_LINE+set} ]]; then
		line=${COMP_LINE:0:COMP_POINT}
		cur=${line##*[[:space:]]}
	else
		cur=${COMP_WORDS[COMP_CWORD]}	# called without bash's line
	fi
	for ((i = 1; i < COMP_CWORD; i++)); do
		[[ ${COMP_WORDS[i]} == -* || ${COMP_WORDS[i]} == : ]] && continue
		cmd=${COMP_WORDS[i]}
		break
	done
	case "$cmd" in
	"")
		COMPREPLY=($(compgen -W "add del list stats show report stream record diff funcs clear reset help --json --help --version" -- "$cur")) ;;
	add|funcs)
		# Kernel functions by name, after a p:, r: or f: (the first 500).
		local kind= word=$cur
		case $word in
		*=*|*\<*|*\>*) COMPREPLY=() ;;
		*)
			case $word in [prf]:*) kind=${word:0:2} word=${word:2} ;; esac
			COMPREPLY=($(awk -v w="$word" -v k="$kind" \
				'($2 == "t" || $2 == "T") && index($3, w) == 1 && $3 !~ /^__(pfx|cfi)_|[.]cold/ &&
				 $4 !~ /^\[(bpf|__builtin__)/ { print k $3 }' \
				"${STACKTAPCTL_KALLSYMS:-/proc/kallsyms}" 2>/dev/null | sort -u | head -n 500)) ;;
		esac ;;
	del)
		# The armed probes, by spec.
		COMPREPLY=($(compgen -W "$(stacktapctl list 2>/dev/null | awk 'NR > 1 { print $2 }')" -- "$cur")) ;;
	list|stats|show)
		COMPREPLY=($(compgen -W "--json" -- "$cur")) ;;
	stream)
		COMPREPLY=($(compgen -W "--json --backlog" -- "$cur")) ;;
	record)
		case "${COMP_WORDS[COMP_CWORD - 1]}" in
		-o) COMPREPLY=($(compgen -f -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "-o --backlog --duration --count" -- "$cur")) ;;
		esac ;;
	diff)
		case "$cur" in
		-*) COMPREPLY=($(compgen -W "--folded --svg --all --json" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -f -- "$cur")) ;;
		esac ;;
	report)
		case "${COMP_WORDS[COMP_CWORD - 1]}" in
		-i|--vmlinux|--pprof|--svg) COMPREPLY=($(compgen -f -- "$cur")) ;;
		--modules|--debug-dir|--symfs) COMPREPLY=($(compgen -d -- "$cur")) ;;
		# The probes that counted stacks, the output formats, a recording.
		*) COMPREPLY=($(compgen -W "--folded --callers --latency --json -i --vmlinux --modules --debug-dir --symfs --perf-script --pprof --svg $(stacktapctl list 2>/dev/null | awk 'NR > 1 { print $2 }')" -- "$cur")) ;;
		esac ;;
	*)
		COMPREPLY=() ;;
	esac
	if [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
		colon=${cur%"${cur##*:}"}
		COMPREPLY=("${COMPREPLY[@]#"$colon"}")
	fi
}
complete -F _stacktapctl stacktapctl
