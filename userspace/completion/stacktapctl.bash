# bash completion for stacktapctl
_stacktapctl() {
	local cur=${COMP_WORDS[COMP_CWORD]} cmd= i
	for ((i = 1; i < COMP_CWORD; i++)); do
		[[ ${COMP_WORDS[i]} == -* ]] && continue
		cmd=${COMP_WORDS[i]}
		break
	done
	case "$cmd" in
	"")
		COMPREPLY=($(compgen -W "add del list stats show report stream clear reset help --json --help" -- "$cur")) ;;
	del)
		# The armed probes, by spec.
		COMPREPLY=($(compgen -W "$(stacktapctl list 2>/dev/null | awk 'NR > 1 { print $2 }')" -- "$cur")) ;;
	list|stats|show|stream)
		COMPREPLY=($(compgen -W "--json" -- "$cur")) ;;
	report)
		# The probes that counted stacks, and the output formats.
		COMPREPLY=($(compgen -W "--folded --json $(stacktapctl list 2>/dev/null | awk 'NR > 1 { print $2 }')" -- "$cur")) ;;
	*)
		COMPREPLY=() ;;
	esac
}
complete -F _stacktapctl stacktapctl
