# mode=count on a hot function, f:vfs_read, while dd reads a file in a
# loop for 3 s: no record is written and nothing is lost: the stack counts
# add up to the probe's hit count.  (comm=dd keeps this script's own
# reads of the stacktap files out of the count; /bin/dd by its path is
# exec'd, never run inside the shell, so its task is named dd.)
. /lib/st/lib.sh
st_load
dd if=/dev/zero of=/tmp/data bs=1024 count=64 2>/dev/null
st_ctl "add f:vfs_read mode=count comm=dd" || fail "add"
end=$(($(date +%s) + 3))
loops=0
while [ "$(date +%s)" -lt "$end" ]; do
	/bin/dd if=/tmp/data of=/dev/null bs=64 2>/dev/null
	loops=$((loops + 1))
done
cat "$ST/probes"
line=$(grep '^f:vfs_read ' "$ST/probes")
hits=$(echo "$line" | awk '{ print $2 }')
misses=$(echo "$line" | awk '{ print $3 }')
counted=$(awk '/^@\[f:vfs_read\] / { s += $2 } END { print s + 0 }' "$ST/stacks")
stacks=$(grep -c '^@\[f:vfs_read\] ' "$ST/stacks")
written=$(stats_sum written)
grep '^stacks ' "$ST/stats"
head -n 12 "$ST/stacks"
echo "dd runs $loops, hits $hits, misses $misses, counted $counted in $stacks stacks, records written $written"
[ "$hits" -ge $((loops * 1024)) ] || fail "hits $hits, expected at least $((loops * 1024))"
[ "$counted" = "$hits" ] || fail "stack counts $counted != hits $hits"
[ "$misses" = 0 ] || fail "misses $misses"
[ "$written" = 0 ] || fail "mode=count wrote $written records"
case "$line" in *overflow=*) fail "overflow: $line" ;; esac
awk '/^@\[/ { n = 0; next } /^ => / { f[++n] = $2; next }
	/^$/ { if (n && (f[1] !~ /^vfs_read[+]/ || f[2] !~ /read/)) bad++; n = 0 }
	END { exit bad > 0 }' "$ST/stacks" || fail "a stack that does not start vfs_read <- a read syscall"
grep -Eq "$TRACER_FRAMES" "$ST/stacks" && fail "a tracer frame in a stack"

# The user guide's example, as written there: 20000 reads by dd.
stacktapctl reset || fail "reset"
stacktapctl clear || fail "clear"
echo "\$ stacktapctl add 'f:vfs_read mode=count comm=dd'"
stacktapctl add 'f:vfs_read mode=count comm=dd' || fail "stacktapctl add"
echo "\$ dd if=/dev/zero of=/dev/null bs=64 count=20000"
/bin/dd if=/dev/zero of=/dev/null bs=64 count=20000 2>/dev/null
echo "\$ stacktapctl report f:vfs_read"
stacktapctl report f:vfs_read | tee /tmp/report
hits=$(stacktapctl --json list | sed -n 's/.*"spec": "f:vfs_read", "hits": \([0-9]*\).*/\1/p')
counted=$(awk '/^@\[/ { s += $2 } END { print s + 0 }' /tmp/report)
echo "hits $hits, counted $counted"
[ "$hits" -ge 20000 ] && [ "$counted" = "$hits" ] || fail "dd's 20000 reads: hits $hits, counted $counted"
st_unload
