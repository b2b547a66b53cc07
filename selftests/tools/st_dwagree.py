#!/usr/bin/env python3
# Check report -i's DWARF against binutils' addr2line, frame for frame.
#
#   st_dwagree.py RECORDING REPORT.json ADDR2LINE VMLINUX [MODULE.ko...]
#
# RECORDING is read here independently of stacktapctl: its META (_text),
# MODULE (sections) and RECORD chunks.  Every frame of every record is
# looked up with ADDR2LINE -a -i -f on the file that holds it: VMLINUX
# at its link-time address (the recorded _text minus the file's), or a
# module's .ko at its offset in .text.  REPORT.json (stacktapctl --json
# report -i RECORDING --vmlinux VMLINUX --modules DIR) must give the same
# inline chain: function, file and line at every level.  Frame 0 is looked
# up at its address, return addresses one byte before.
#
# One difference is binutils' and allowed, counted apart: bfd 2.40 names a
# DWARF 5 line sequence's file 0 (the .c) where the line program's default
# file 1 (a header, for trace events) is right, so only the innermost
# level's file may differ, with every function and line the same.
import json
import struct
import subprocess
import sys


def chunks(path):
    data = open(path, 'rb').read()
    if data[:8] != b'STKTAPR1':
        sys.exit(f'{path}: not a recording')
    off = 8
    while off + 8 <= len(data):
        typ, n = struct.unpack_from('<II', data, off)
        off += 8
        yield typ, data[off:off + n]
        off += (n + 3) & ~3


def load(path):
    meta, mods, frames = {}, {}, set()
    for typ, body in chunks(path):
        if typ == 1:
            meta = dict(l.split('=', 1) for l in body.rstrip(b'\0').decode().splitlines() if '=' in l)
        elif typ == 2:
            m = {'sections': {}}
            for l in body.rstrip(b'\0').decode().splitlines():
                k, _, v = l.partition('=')
                if k == 'section':
                    name, addr = v.split()
                    m['sections'][name] = int(addr, 16)
                else:
                    m[k] = v
            mods[m['name']] = m
        elif typ == 4:
            # struct stacktap_record: 72 bytes in format 1, 80 since 2.
            head = 72 if int(meta.get('format', '1')) < 2 else 80
            nr = struct.unpack_from('<H', body, 48)[0]
            for i in range(nr):
                frames.add((struct.unpack_from('<Q', body, head + 8 * i)[0], i > 0))
    return meta, mods, frames


def where(addr, mods):
    """(module name, section, offset) for an address in a module, else None."""
    for m in mods.values():
        base = int(m['base'], 16)
        if not base <= addr < base + int(m['size']):
            continue
        secs = [(a, n) for n, a in m['sections'].items() if a <= addr]
        if secs:
            a, n = max(secs)
            return m['name'], n, addr - a
    return None


def addr2line(tool, path, addrs):
    out = subprocess.run([tool, '-a', '-i', '-f', '-e', path] + ['0x%x' % a for a in addrs],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    res, cur = {}, None
    i = 0
    while i < len(out):
        line = out[i]
        if cur_is_addr(line):
            cur = int(line, 16)
            res[cur] = []
            i += 1
            continue
        func, loc = out[i], out[i + 1]
        loc = loc.split(' (discriminator')[0]
        f, _, ln = loc.rpartition(':')
        res[cur].append((func, f, int(ln) if ln.isdigit() else 0))
        i += 2
    return res


def cur_is_addr(line):
    """addr2line -a's address line, "0x" and 8 or 16 hex digits."""
    return line.startswith('0x') and len(line) in (10, 18) and \
        all(c in '0123456789abcdef' for c in line[2:])


def main():
    rec, report, tool, vmlinux = sys.argv[1:5]
    kos = {p.rsplit('/', 1)[-1][:-3].replace('-', '_'): p for p in sys.argv[5:]}
    meta, mods, frames = load(rec)
    nm = subprocess.run([tool.replace('addr2line', 'nm'), vmlinux], capture_output=True, text=True).stdout
    sym = ' ' + meta.get('text_symbol', '_text')
    file_text = next(int(l.split()[0], 16) for l in nm.splitlines() if l.endswith(sym))
    shift = int(meta['text'], 16) - file_text
    # A 32-bit ELF: nm sign-extends MIPS addresses, addr2line does not.
    mask = 0xffffffff if open(vmlinux, 'rb').read(5)[4] == 1 else (1 << 64) - 1

    ours = {}
    for st in json.load(open(report)):
        for i, f in enumerate(st['frames']):
            ours[(int(f['addr'], 16), i > 0)] = [(x['function'], x['file'], x['line']) for x in f['inline']]

    want, files = {}, {}
    for addr, ret in sorted(frames):
        look = addr - 1 if ret else addr
        w = where(look, mods)
        if w is None:
            path, faddr = vmlinux, (look - shift) & mask
            kind = 'kernel'
        elif w[1] == '.text' and w[0] in kos:
            path, faddr = kos[w[0]], w[2]
            kind = w[0]
        else:
            continue    # a module without its debug file here, or not .text
        files.setdefault(path, set()).add(faddr)
        want[(addr, ret)] = (path, faddr, kind)
    theirs = {p: addr2line(tool, p, sorted(a)) for p, a in files.items()}

    agree, bfd_file0, differ, kinds = 0, 0, [], {}
    for key, (path, faddr, kind) in sorted(want.items()):
        t = [x for x in theirs[path].get(faddr, []) if x[0] != '??' or x[1] != '??']
        o = ours.get(key)
        if o is None:
            differ.append((key, 'not in the report', t))
            continue
        if o == t and t:
            agree += 1
            kinds[kind] = kinds.get(kind, 0) + 1
        elif t and len(o) == len(t) and o[1:] == t[1:] and o[0][::2] == t[0][::2]:
            agree += 1
            bfd_file0 += 1
            kinds[kind] = kinds.get(kind, 0) + 1
        else:
            differ.append((key, o, t))
    print(f'{len(want)} frames ({", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))} agree), '
          f'{agree} agree with addr2line -i ({bfd_file0} but for its DWARF 5 file 0), '
          f'{len(differ)} differ')
    for (addr, ret), o, t in differ[:5]:
        print(f'  0x{addr:x}{" (return)" if ret else ""}: report {o}\n    addr2line {t}')
    sys.exit(0 if want and not differ and len(kinds) >= 2 else 1)


main()
