# What a first-time user tripped over (issue 20, items 19, 21, 25): options
# left unquoted belong to the spec before them, and a refused probe arms
# nothing; report SYMBOL finds the symbol's probes of every kind and says
# when it finds none; list prints its header with no probes; add prints
# each new id; --version and modinfo give the version.  And item 20: each
# documented way of quoting options in probes= works, and a bad item says
# what is wrong in the kernel log.
. /lib/st/lib.sh
truth_load
st_load

stacktapctl list >/tmp/list || fail "list"
cat /tmp/list
[ "$(sed -n '1s/ .*//p' /tmp/list)" = ID ] || fail "list with no probes printed no header"
[ "$(wc -l </tmp/list)" = 1 ] || fail "list with no probes printed more than its header"

# 19. Unquoted options: one probe, in count mode, with its id printed.
stacktapctl add st_truth_leaf mode=count depth=8 >/tmp/add || fail "add st_truth_leaf mode=count depth=8"
cat /tmp/add
grep -qx '[1-9][0-9]* st_truth_leaf mode=count depth=8' /tmp/add || fail "add printed '$(cat /tmp/add)'"
id=$(cut -d' ' -f1 /tmp/add)
stacktapctl --json list >/tmp/list.json || fail "list --json"
grep -q "\"id\": $id, \"spec\": \"p:st_truth_leaf\".*\"options\": \"mode=count depth=8\"" /tmp/list.json ||
	fail "not armed in count mode with depth=8: $(cat /tmp/list.json)"
[ "$(grep -c '"spec"' /tmp/list.json)" = 1 ] || fail "more than one probe armed: $(cat /tmp/list.json)"
echo 3 >"$TRUTH/trigger"
[ "$(trace_records "$ST/trace")" = 0 ] || fail "mode=count probe wrote trace records"

# A bad option on the second probe: nothing of the command stays armed.
stacktapctl add f:st_truth_c st_truth_b maxactive=64 2>/tmp/add.err && fail "add with maxactive= on a p: probe succeeded"
cat /tmp/add.err
grep -q "nothing armed: the 1 probe before 'st_truth_b maxactive=64' was taken off again" /tmp/add.err ||
	fail "add did not say it took the first probe off"
[ "$(stacktapctl --json list | grep -c '"spec"')" = 1 ] || fail "a refused add left probes armed: $(stacktapctl list)"
stacktapctl add mode=count st_truth_b 2>/tmp/add.err
[ $? = 2 ] || fail "an option before any spec did not exit 2"
grep -q "option 'mode=count' comes before any probe" /tmp/add.err || fail "option first: $(cat /tmp/add.err)"

# 21. report SYMBOL matches the probes of every kind on it.
stacktapctl add f:st_truth_c mode=count >/dev/null || fail "add f:st_truth_c"
echo 2 >"$TRUTH/trigger"
stacktapctl report st_truth_c >/tmp/report || fail "report st_truth_c exited $?"
grep -q '^@\[f:st_truth_c\] 2$' /tmp/report || fail "report st_truth_c: $(cat /tmp/report)"
stacktapctl report st_truth_leaf | grep -q '^@\[p:st_truth_leaf\] 5$' || fail "report st_truth_leaf"
stacktapctl report st_truth_a >/tmp/report 2>/tmp/report.err && fail "report of a symbol with no stacks exited 0"
grep -qx "stacktapctl: report: no counted stacks of 'st_truth_a' (see: stacktapctl list)" /tmp/report.err ||
	fail "report st_truth_a said '$(cat /tmp/report.err)'"
[ -s /tmp/report ] && fail "report st_truth_a printed stacks"

# 25. Versions.
v=$(stacktapctl --version) || fail "--version"
echo "$v"
mv=$(cat /sys/module/stacktap/version) || fail "the module has no version"
[ "$v" = "stacktapctl $mv, stacktap module $mv" ] || fail "--version said '$v', module $mv"
stacktapctl reset || fail "reset"
st_unload

# 20. probes= with options, quoted as the user guide and the README show
# it, as the shell hands it to insmod.
for form in '"r:st_truth_c maxactive=16",st_truth_leaf' 'st_truth_leaf,"r:st_truth_c maxactive=16"' \
	'"r:st_truth_c maxactive=16","st_truth_leaf mode=count"' '"r:st_truth_c maxactive=16"'; do
	insmod /st/stacktap.ko "probes=$form" || fail "insmod stacktap.ko 'probes=$form'"
	echo "probes=$form:"
	cat "$ST/probes"
	grep -qx 'r:st_truth_c 0 0 maxactive=16' "$ST/probes" || fail "probes=$form: no r:st_truth_c maxactive=16"
	case "$form" in
	*mode=count*) grep -qx 'p:st_truth_leaf 0 0 mode=count' "$ST/probes" || fail "probes=$form: no p:st_truth_leaf mode=count" ;;
	*st_truth_leaf*) grep -qx 'p:st_truth_leaf 0 0' "$ST/probes" || fail "probes=$form: no p:st_truth_leaf" ;;
	esac
	st_unload
done
insmod /st/stacktap.ko probes=st_truth_lea 2>/dev/null && fail "insmod probes=st_truth_lea succeeded"
dmesg | grep -q "stacktap: add 'st_truth_lea': symbol not found" || fail "no log line says why probes=st_truth_lea failed"
