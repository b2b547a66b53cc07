#!/bin/sh
# Host test: report -i reads recordings of both record formats, format 1
# (before context and probe_id, a 72-byte header) and format 2 (80
# bytes), made here byte by byte as stacktapctl record writes them: the
# same two records in each must give the same stacks and the same
# perf-script lines.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ctl=$top/userspace/stacktapctl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# A recording of FORMAT in PATH; its records (CPU:MICROSECONDS after 5 s,
# pids 100 up in file order) by default two on CPU 1, 1 us apart.  A
# record given as CPU:MICROSECONDS:1 skips st_truth_c.
make_recording() {
	python3 - "$@" <<'PY'
import struct, sys
fmt, path = int(sys.argv[1]), sys.argv[2]
recs = [tuple(map(int, (a + ':0').split(':')[:3])) for a in sys.argv[3:]] or [(1, 0, 0), (1, 1, 0)]
def chunk(kind, data):
    pad = (4 - len(data) % 4) % 4
    return struct.pack('<II', kind, len(data)) + data + b'\0' * pad
meta = b'release=6.1.0\nmachine=x86_64\ntext=0xffffffff81000000\nformat=%d\n\0' % fmt
out = b'STKTAPR1' + chunk(1, meta)
frames = [0xffffffffc0001000, 0xffffffffc0002010, 0xffffffff81100020]
names = ['st_truth_leaf+0x0/0x20 [st_truth]', 'st_truth_c+0x10/0x40 [st_truth]', 'vfs_write+0x20/0x300']
for i, (a, n) in enumerate(zip(frames, names)):
    out += chunk(5, struct.pack('<QB', a, 1 if i else 0) + n.encode() + b'\0')
spec = b'p:st_truth_leaf'
for k, (cpu, us, skip) in enumerate(recs):
    stack = frames[:1] + frames[2:] if skip else frames
    head = struct.pack('<IIQQQIIIIHBB16sH', 0, 0, 5000000000 + us * 1000, 0, 0, cpu, 100 + k, 100, 0,
                       len(stack), 0, len(spec), b'sh', 0)
    head += struct.pack('<H', 0) if fmt == 1 else struct.pack('<BBII', 2, 0, 7, 0)
    body = b''.join(struct.pack('<Q', a) for a in stack) + spec
    size = (len(head) + len(body) + 7) & ~7
    rec = struct.pack('<I', size) + head[4:] + body
    out += chunk(4, rec + b'\0' * (size - len(rec)))
open(path, 'wb').write(out)
PY
}

for format in 1 2; do
	make_recording "$format" "$tmp/f$format.stk"
	"$ctl" report -i "$tmp/f$format.stk" >"$tmp/r$format" 2>"$tmp/e$format" &&
	"$ctl" report -i "$tmp/f$format.stk" --perf-script >"$tmp/p$format" 2>>"$tmp/e$format" || {
		echo "not ok - report -i of a format $format recording: $(cat "$tmp/e$format")"
		fail=1
		continue
	}
	printf '%s\n' '@[p:st_truth_leaf] 2' ' => st_truth_leaf+0x0/0x20 [st_truth]' \
		' => st_truth_c+0x10/0x40 [st_truth]' ' => vfs_write+0x20/0x300' '' >"$tmp/want"
	if cmp -s "$tmp/want" "$tmp/r$format" && [ "$(grep -c '^sh 10[01] \[001\] 5\.00000[01]: 1 p:st_truth_leaf:$' "$tmp/p$format")" = 2 ]; then
		echo "ok - report -i reads a format $format recording"
	else
		echo "not ok - report -i of a format $format recording:"
		sed 's/^/# /' "$tmp/r$format" "$tmp/p$format" "$tmp/e$format"
		fail=1
	fi
done
if cmp -s "$tmp/r1" "$tmp/r2" && cmp -s "$tmp/p1" "$tmp/p2"; then
	echo "ok - formats 1 and 2 give the same report and perf-script lines"
else
	echo "not ok - formats 1 and 2 differ:"
	diff "$tmp/r1" "$tmp/r2" | sed 's/^/# /'
	diff "$tmp/p1" "$tmp/p2" | sed 's/^/# /'
	fail=1
fi
# --perf-script gives samples in time order, as perf script does, though
# a recording holds each CPU's records in turn (the stream reads the rings
# so); equal times keep the recording's order (glibc's qsort is stable, so
# this shows that order, not the tie-break that keeps it elsewhere).
# speedscope refuses samples that go back in time.
make_recording 2 "$tmp/order.stk" 1:2 1:3 0:1 0:3
"$ctl" report -i "$tmp/order.stk" --perf-script 2>/dev/null |
	sed -n 's/^sh \([0-9]*\) \[\([0-9]*\)\] \([0-9.]*\): .*/\1 \2 \3/p' >"$tmp/order"
printf '%s\n' '102 000 5.000001' '100 001 5.000002' '101 001 5.000003' '103 000 5.000003' |
	if cmp -s - "$tmp/order"; then
		echo "ok - report -i --perf-script gives samples in time order"
	else
		echo "not ok - report -i --perf-script out of time order (pid cpu time):"
		sed 's/^/# /' "$tmp/order"
		fail=1
	fi
# Stacks of equal counts are listed oldest first: by their oldest record,
# not the first in the recording.
make_recording 2 "$tmp/first.stk" 1:5 1:6:1 0:4:1 0:7
"$ctl" report -i "$tmp/first.stk" 2>/dev/null | grep -A1 '^@' | grep -v '^--' >"$tmp/first"
printf '%s\n' '@[p:st_truth_leaf] 2' ' => st_truth_leaf+0x0/0x20 [st_truth]' \
	'@[p:st_truth_leaf] 2' ' => st_truth_leaf+0x0/0x20 [st_truth]' >"$tmp/want"
if cmp -s "$tmp/want" "$tmp/first" &&
	"$ctl" report -i "$tmp/first.stk" 2>/dev/null | sed -n 3p | grep -q '=> vfs_write'; then
	echo "ok - report -i lists stacks of equal counts oldest first"
else
	echo "not ok - report -i: stacks of equal counts not oldest first:"
	"$ctl" report -i "$tmp/first.stk" 2>&1 | sed 's/^/# /'
	fail=1
fi
# --json: frames as objects, in the man page's schema.
if "$ctl" --json report -i "$tmp/f2.stk" >"$tmp/j2" 2>"$tmp/ej" &&
	python3 - "$tmp/j2" <<'PY'
import json, sys
got = json.load(open(sys.argv[1]))
frame = lambda s, o, z, m, a: {'symbol': s, 'offset': o, 'size': z, 'module': m, 'addr': a, 'inline': []}
want = [{'spec': 'p:st_truth_leaf', 'count': 2, 'frames': [
    frame('st_truth_leaf', 0, 0x20, 'st_truth', '0xffffffffc0001000'),
    frame('st_truth_c', 0x10, 0x40, 'st_truth', '0xffffffffc0002010'),
    frame('vfs_write', 0x20, 0x300, None, '0xffffffff81100020')], 'truncated': False}]
sys.exit(got != want and print(got) is None)
PY
then
	echo "ok - report -i --json gives frames as objects"
else
	echo "not ok - report -i --json: $(cat "$tmp/j2" "$tmp/ej")"
	fail=1
fi
# A format newer than this tool reads is refused, saying what to do.
sed 's/format=2/format=9/' "$tmp/f2.stk" >"$tmp/f9.stk"
if "$ctl" report -i "$tmp/f9.stk" >/dev/null 2>"$tmp/e9"; then
	echo "not ok - a format 9 recording was read"
	fail=1
elif grep -q 'format 9, newer than this stacktapctl reads: update it' "$tmp/e9"; then
	echo "ok - a newer format is refused: $(cat "$tmp/e9")"
else
	echo "not ok - a newer format: $(cat "$tmp/e9")"
	fail=1
fi
exit $fail
