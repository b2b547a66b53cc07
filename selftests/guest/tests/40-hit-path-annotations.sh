# Everything stacktap's hit path runs is notrace and NOKPROBE_SYMBOL
# (issue 20, item 13): no function of it that kallsyms names may take a
# kprobe (it must be on kprobes' blacklist) or an ftrace callback (it must
# not be in available_filter_functions), so a probe cannot recurse into
# the hit path.  The hit path's functions are named by prefix; set-up,
# teardown and configuration functions among them (init, exit, module
# notifiers, what tells the MIPS walker a probe went in, the depth a probe
# may ask for, the stats, and the spec parser of stacktap_spec.c, which
# runs at add) are not.
. /lib/st/lib.sh
st_load
hit='^st_(mips_|orc_|x86_|arm64_|unwind_|capture_|is_|parse_|hit_|kretprobe_(pre|entry|return|next|first)$|kprobe_(pre|post|hold_softirq|step_over|emulate|die|fault|orig_insn|expect_step|step_done)$|fprobe_hit$|uprobe_hit$|uretprobe_(entry|hit)$|ring_(reserve|reserve_max|claim|commit|trim|cancel|give_back)$|stacks_add$|slot_matches$|hook_(note|forget|find)$|symbol_offset$|entry_text$|tracer_text$|read_|arg_fetch$|args_fetch$|arg_string$|unwind_ftrace_args$)'
setup='(_init|_init\.cold|_exit|_module_event|_code_changed|_mods_update|_mods_forget|_is_module)$|^st_capture_(depth|max|context_hits)$|^st_is_(alpha|digit|glob|symbol_char|module_char|space|fetch)$|^st_parse_(offset|uint|comm|cmp|s64|lat|cond|option|fetch|arg)$'
awk '$4 == "[stacktap]" && ($2 == "t" || $2 == "T") { print $3 }' /proc/kallsyms | sort -u >/tmp/st_funcs
grep -E "$hit" /tmp/st_funcs | grep -Ev "$setup" >/tmp/st_hit
echo "$(wc -l </tmp/st_funcs) stacktap functions in kallsyms, $(wc -l </tmp/st_hit) on the hit path"
[ -s /tmp/st_hit ] || fail "no hit-path function found in kallsyms"
tracing=/sys/kernel/tracing
[ -r $tracing/available_filter_functions ] || tracing=/sys/kernel/debug/tracing
grep '\[stacktap\]' $tracing/available_filter_functions | awk '{ print $1 }' | sort -u >/tmp/st_traceable
sed -n 's/^0x[0-9a-f]*-0x[0-9a-f]*[[:space:]]*\([^[:space:]]*\).*\[stacktap\].*/\1/p' /sys/kernel/debug/kprobes/blacklist | sort -u >/tmp/st_blacklisted
bad=0
while read -r f; do
	if grep -qx "$f" /tmp/st_traceable; then
		echo "traceable (not notrace): $f"
		bad=$((bad + 1))
	fi
	if ! grep -qx "$f" /tmp/st_blacklisted; then
		echo "kprobe-able (no NOKPROBE_SYMBOL): $f"
		bad=$((bad + 1))
	fi
done </tmp/st_hit
[ $bad = 0 ] || fail "$bad hit-path functions can be probed"
echo "all $(wc -l </tmp/st_hit) hit-path functions are notrace and blacklisted for kprobes"
st_unload
