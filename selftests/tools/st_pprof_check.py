#!/usr/bin/env python3
# Decode report -i --pprof's profile with Google's protobuf library (the
# schema compiled by protoc from userspace/profile.proto) and check it
# against report -i --json of the same recording and debug files: the
# samples are its stacks with their counts, leaf first; each location is
# the frame's address with a line per inline level (innermost first,
# function, file and line as the report gives them) or the recorded name;
# every id resolves and string 0 is "".
#
#   st_pprof_check.py PROFILE.pb.gz REPORT.json PROTO_DIR
import gzip
import json
import os
import subprocess
import sys
import tempfile


def main():
    prof, report, proto_dir = sys.argv[1:4]
    out = tempfile.mkdtemp()
    subprocess.run(['protoc', '-I', proto_dir, '--python_out', out, 'profile.proto'], check=True)
    sys.path.insert(0, out)
    import profile_pb2

    p = profile_pb2.Profile()
    p.ParseFromString(gzip.open(prof).read())
    s = list(p.string_table)
    assert s and s[0] == '', 'string 0 is not ""'
    funcs = {f.id: f for f in p.function}
    locs = {l.id: l for l in p.location}
    maps = {m.id: m for m in p.mapping}
    stacks = json.load(open(report))

    def frames_of(sample):
        out = []
        for lid in sample.location_id:
            loc = locs[lid]
            assert loc.mapping_id in maps, f'location {lid}: no mapping {loc.mapping_id}'
            lines = [(s[funcs[ln.function_id].name], s[funcs[ln.function_id].filename], ln.line)
                     for ln in loc.line]
            out.append((loc.address, lines))
        return out

    def frames_want(st):
        out = []
        for f in st['frames']:
            if f['inline']:
                lines = [(x['function'], x['file'], x['line']) for x in f['inline']]
            else:
                # An address no symbol names is its own function's name.
                lines = [(f['symbol'] if f['symbol'] is not None else f['addr'], '', 0)]
            out.append((int(f['addr'], 16), lines))
        return out

    got = sorted((frames_of(x), x.value[0]) for x in p.sample)
    want = sorted((frames_want(st), st['count']) for st in stacks)
    inline = sum(len(l.line) > 1 for l in p.location)
    print(f'pprof: {len(p.sample)} samples (value {sum(x.value[0] for x in p.sample)}), '
          f'{len(p.location)} locations ({inline} with inlined functions), {len(p.function)} functions, '
          f'{len(p.mapping)} mappings; report: {len(stacks)} stacks (count {sum(x["count"] for x in stacks)})')
    if got != want:
        print('the profile differs from report --json:')
        for g, w in zip(got, want):
            if g != w:
                print(f'  pprof  {g}\n  report {w}')
                break
        sys.exit(1)


main()
