# The leaf reached by two paths, 300 and 700 times: 'stacks' holds exactly
# two stacks for the probe, 700 then 300, each the exact path; the folded
# report gives the same paths root-first, and every count is accounted for.
. /lib/st/lib.sh
truth_load
st_load
st_ctl "add st_truth_leaf" || fail "add"
echo 300 >"$TRUTH/trigger" || fail "trigger"
echo 700 >"$TRUTH/trigger_alt" || fail "trigger_alt"
cat "$ST/stacks" >/tmp/stacks
cat /tmp/stacks
grep '^stacks ' "$ST/stats"

counts=$(awk '/^@\[p:st_truth_leaf\] / { printf "%s ", $2 }' /tmp/stacks)
[ "$counts" = "700 300 " ] || fail "stack counts '$counts', expected '700 300 '"
[ "$(grep -c '^@\[' /tmp/stacks)" = 2 ] || fail "stacks of other probes"
grep -Eq "$TRACER_FRAMES" /tmp/stacks && fail "a tracer frame in a stack"
# The first frames of each stack: the paths the truth module takes.
awk -v f0="^st_truth_leaf[+]$ST_F0/" '/^@\[/ { n++; i = 0; next } /^ => / { f[n, ++i] = $2 }
	END {
		ok = f[1,1] ~ f0 && f[1,2] ~ /^st_truth_c[+]/ &&
		     f[1,3] ~ /^st_truth_d[+]/ && f[1,4] ~ /^st_truth_trigger_write[+]/ &&
		     f[2,1] ~ f0 && f[2,2] ~ /^st_truth_c[+]/ &&
		     f[2,3] ~ /^st_truth_b[+]/ && f[2,4] ~ /^st_truth_a[+]/ &&
		     f[2,5] ~ /^st_truth_trigger_write[+]/
		exit !ok
	}' /tmp/stacks || fail "stacks are not the two truth paths"
grep -q '^p:st_truth_leaf 1000 0$' "$ST/probes" || fail "probes: $(cat "$ST/probes")"
grep -q '^stacks used 2 size 4096 overflow 0$' "$ST/stats" || fail "stats: $(grep stacks "$ST/stats")"
# mode=trace (the default) also wrote every record.
[ "$(trace_records "$ST/trace")" = 1000 ] || fail "trace holds $(trace_records "$ST/trace") records, expected 1000"

# Folded: root first, names only (a module's marked "_[module]"), then
# the count.  Build the expected lines from 'stacks' and compare.
stacktapctl report --folded p:st_truth_leaf >/tmp/folded || fail "report --folded"
cat /tmp/folded
awk '/^@\[/ { c = $2; n = 0; next }
	/^ => / { split($2, a, "+"); f[++n] = a[1] ($3 ~ /^\[/ ? "_" $3 : ""); next }
	/^$/ { if (!n) next; s = f[n]; for (i = n - 1; i >= 1; i--) s = s ";" f[i]; print s " " c; n = 0 }' \
	/tmp/stacks >/tmp/folded.want
cmp /tmp/folded /tmp/folded.want || fail "folded report differs from 'stacks': want $(cat /tmp/folded.want)"
[ "$(wc -l </tmp/folded)" = 2 ] || fail "folded report has $(wc -l </tmp/folded) lines"
m=_\\[st_truth]
grep -Eq ";st_truth_trigger_write$m;st_truth_d$m;st_truth_c$m;st_truth_leaf$m 700\$" /tmp/folded || fail "no folded 700 line"
grep -Eq ";st_truth_trigger_write$m;st_truth_a$m;st_truth_b$m;st_truth_c$m;st_truth_leaf$m 300\$" /tmp/folded || fail "no folded 300 line"
# The same probe named without its p: prefix, and the text report.
stacktapctl report st_truth_leaf | cmp - /tmp/stacks || fail "report differs from 'stacks'"
stacktapctl --json report >/tmp/report.json || fail "report --json"
echo "@json report $(tr -d '\n' </tmp/report.json)"
grep -q "\"spec\": \"p:st_truth_leaf\", \"count\": 700, \"frames\": \[{\"symbol\": \"st_truth_leaf\", \"offset\": $((ST_F0)), " /tmp/report.json ||
	fail "report --json: $(head -c 300 /tmp/report.json)"

# A deleted probe's stacks stay; a re-added one counts on; writing to
# 'stacks' clears them.
st_ctl "del st_truth_leaf" || fail "del"
[ "$(grep -c '^@\[p:st_truth_leaf\]' "$ST/stacks")" = 2 ] || fail "stacks gone with their probe"
st_ctl "add st_truth_leaf" || fail "re-add"
echo 5 >"$TRUTH/trigger_alt" || fail "trigger_alt"
grep -q '^@\[p:st_truth_leaf\] 705$' "$ST/stacks" || fail "re-added probe did not count on: $(grep '^@' "$ST/stacks")"
echo >"$ST/stacks"
[ -z "$(cat "$ST/stacks")" ] || fail "stacks left after clearing"
grep -q '^stacks used 0 ' "$ST/stats" || fail "stats after clearing: $(grep stacks "$ST/stats")"
[ "$(trace_records "$ST/trace")" = 1005 ] || fail "clearing stacks touched the trace"
st_ctl clear || fail "clear"
[ "$(trace_records "$ST/trace")" = 0 ] || fail "clear left records"

# report --callers: who calls st_truth_c, from where, how often: st_truth_d
# 700 times and st_truth_b 300 times, each from one call site, named as in
# 'stacks'; the same over netlink with debugfs unmounted.
st_ctl "add st_truth_c mode=count" || fail "add c"
echo 300 >"$TRUTH/trigger" || fail "trigger"
echo 700 >"$TRUTH/trigger_alt" || fail "trigger_alt"
stacktapctl report --callers st_truth_c >/tmp/callers || fail "report --callers"
cat /tmp/callers
d=$(awk '/^@\[p:st_truth_c\] 700$/ { getline; getline; print $2 " " $3 }' "$ST/stacks")
b=$(awk '/^@\[p:st_truth_c\] 300$/ { getline; getline; print $2 " " $3 }' "$ST/stacks")
printf '%12s %7s  %s\n' CALLS SHARE CALLER 700 70.00% "$d" 300 30.00% "$b" | cmp -s - /tmp/callers ||
	fail "report --callers: $(cat /tmp/callers); want d: $d, b: $b"
case "$d $b" in
"st_truth_d+"*" [st_truth] st_truth_b+"*" [st_truth]") ;;
*) fail "callers of st_truth_c are not st_truth_d and st_truth_b: $d, $b" ;;
esac
stacktapctl --json report --callers p:st_truth_c >/tmp/callers.json || fail "report --callers --json"
echo "@json callers $(tr -d '\n' </tmp/callers.json)"
grep -q "\"caller\": $(json_frame_re "$d"), \"count\": 700}" /tmp/callers.json || fail "--json callers: $(tr -d '\n' </tmp/callers.json)"
# The caller's address is its return address: st_truth_d's in kallsyms plus
# the offset (low 32 bits: ash's arithmetic is signed).
addr=$(sed -n 's/.*"caller": {"symbol": "st_truth_d", .*"addr": "0x[0-9a-f]*\([0-9a-f]\{8\}\)"}, "count": 700}.*/\1/p' /tmp/callers.json)
base=$(grep -m1 " st_truth_d$(printf '\t')\[st_truth\]" /proc/kallsyms | cut -d' ' -f1 | sed 's/.*\(........\)$/\1/')
off=${d#*+}
[ -n "$addr" ] && [ -n "$base" ] && [ $((0x$addr)) = $(((0x$base + ${off%%/*}) & 0xffffffff)) ] ||
	fail "--json callers: addr ends $addr, st_truth_d is at ...$base, the caller $d"
umount /sys/kernel/debug || fail "umount debugfs"
stacktapctl report --callers st_truth_c >/tmp/callers.nl 2>&1
mount -t debugfs none /sys/kernel/debug || fail "mount debugfs"
cmp -s /tmp/callers /tmp/callers.nl || fail "report --callers over netlink: $(cat /tmp/callers.nl)"
stacktapctl report --callers >/dev/null 2>&1; [ $? = 2 ] || fail "report --callers without a probe is no usage error"
st_unload
