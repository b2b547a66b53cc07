# The benchmark, part 7: what a user stack adds to a hit: f: on the
# leaf with ustack=copy at two sizes, and with ustack=fp where the arch
# walks frame records, against f: alone, interleaved in rounds at depth
# 16.  The calls come from a shell's write(2): the copy is its stack's
# top, or less where the stack ends (the bytes copied are printed).
# Fewer calls per run than part 1: a round's records must fit the buffer
# and an 8 KiB copy makes each ~8.7 KiB.
. /lib/st/bench.lib
n_all=$N
N=${st_bench_ustack_n:-2000}
st_load depth=128 buffer_kb=32768
cases="stacktap-f-copy1024 stacktap-f-copy8192"
[ "${arch#mips}" != "$arch" ] || cases="$cases stacktap-f-fp"
for c in $cases; do
	arm "$c"
	echo >"$ST/trace"
	echo "1 $((16 - base))" >"$TRUTH/bench"
	bytes=$(sed -n 's/^ -- user copy: \([0-9]*\) bytes.*/\1/p' "$ST/trace" | head -n 1)
	disarm "$c"
	echo "@bench arch=$arch case=bytes-$c bytes=${bytes:-0}"
done
# shellcheck disable=SC2086
interleave 16 ustack-baseline stacktap-f-plain $cases
st_unload
N=$n_all
