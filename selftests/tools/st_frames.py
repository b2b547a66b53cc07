#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check stacks against the kernel's own code, on the host.

    st_frames.py [--figures] ARCH VMLINUX STACKS

ARCH is x86_64, arm64, mips64el or mipsel; VMLINUX the guest kernel's,
with symbols (scripts/fetch-vmlinux.sh); STACKS what stacktap's stacks
file printed in the guest ("@[probe]:" then " => frame" lines).

Independent of stacktap's unwinders: each frame's symbol and offset are
resolved in VMLINUX's symbol table, and its instructions read from
VMLINUX and decoded here.  A frame below the first is valid when it is
a return address whose instruction before is a call (x86 call, arm64
bl/blr, MIPS jal/jalr/bal with its delay slot) and a direct call's
target is the function of the frame above or reaches it by tail calls;
or when it is where an exception struck (the frame after an exception
entry), in named kernel text.  No frame may be a tracer's, and a stack
not cut off at its depth must end at an entry: a syscall, an exception
or interrupt, a kernel thread's start or idle.

Prints, per probe kind: stacks, frames, frames valid, stacks cut short,
and each invalid frame's reason with a few examples.  Frames in modules
are counted, not checked (their code is relocated at load).  Exits 1
when any frame is not valid or any stack is cut short (on MIPS, not yet
there, cut short is a figure) or does not start at its probed function,
2 on bad input.  With --figures (the kernel's
own stack traces, side by side) it only prints.
A probe "kernel/p:f" is counted as kind "kernel/p:".
"""
import bisect
import re
import struct
import subprocess
import sys
from collections import defaultdict

CROSS = {'x86_64': '', 'arm64': 'aarch64-linux-gnu-',
         'mips64el': 'mips64el-linux-gnuabi64-', 'mipsel': 'mipsel-linux-gnu-'}

# Where whole stacks end (the frame last walked), per arch.
ENDS = {
    'x86_64': r'(entry_SYSCALL_64|entry_SYSRETQ|asm_[a-z_]+|ret_from_fork|'
              r'secondary_startup_64|common_startup_64|x86_64_start_|start_secondary)',
    'arm64': r'(el[01]t?_?[0-9a-z_]*|__primary_switched|__secondary_switched|'
             r'ret_from_fork|work_pending|ret_to_user)',
    'mips': r'(ret_from_fork|ret_from_kernel_thread|handle_sys|sysn32_|syscall_common|'
            r'handle_int|handle_tlb|tlb_do_page_fault_|handle_ade|handle_cpu|handle_ri|'
            r'handle_fpe|except_vec|kernel_entry|arch_call_rest_init|load_a[4-7]|'
            r'loads_done|stack_done|work_notifysig|work_resched|start_kernel|'
            r'syscall_exit|resume_userspace|restore_all|restore_partial|ret_from_exception)',
}
# MIPS shows no entry frame where an exception struck the kernel: the
# frame after one of the C functions the exception handlers call is the
# interrupted pc.
MIPS_TRAP_CALLEES = re.compile(
    r'(plat_irq_dispatch|do_IRQ|do_page_fault|__do_page_fault|do_ade|do_ibe|do_dbe|do_bp|do_tr|do_ri|'
    r'do_cpu|do_ov|do_fpe|do_msa_fpe|do_msa|do_mdmx|do_watch|do_mcheck|do_mt|do_dsp|'
    r'do_reserved|do_ftlb|do_gsexc|do_daddi_ov)$')
TRACER = re.compile(r'kprobe|ftrace_(caller|call|regs|common|graph_call|graph_caller|graph_func|'
                    r'ops_|stub|epilogue)|_mcount|function_graph_enter|ftrace_return_to_handler|'
                    r'trampoline|rethook|stacktap|^st_|handle_bp|do_bp|int3|el1_dbg|'
                    r'do_debug_exception|brk_handler|call_break_hook|return_to_handler')
# Kernel code that runs outside any probe although its name says kprobe:
# 5.10's kprobe_flush_task, at every task switch (finish_task_switch).
NOT_TRACER = re.compile(r'^kprobe_flush_task$')
# A stack that came through stacktap's own control path (a probe on
# something it calls), or through arming or disarming a probe, shows
# stacktap's or kprobes' frames rightly: counted apart.
CONTROL = re.compile(r'^(st_control_write|st_nl_[a-z_]+|st_probe_[a-z_]+|st_stacks_write|'
                     r'(un)?register_k(ret)?probes?|[a-z_]*(arm|disarm|disable|enable)_kprobe|'
                     r'(un)?register_ftrace_function)$')
INDIRECT = -1		# jumps_from(): an indirect tail call
FRAME = re.compile(r'^([A-Za-z0-9_.$]+)\+0x([0-9a-f]+)/0x([0-9a-f]+)( \[[A-Za-z0-9_]+\])?$')


class Kernel:
    def __init__(self, arch, path):
        self.arch = arch
        self.bits32 = arch == 'mipsel'
        self.mask = 0xffffffff if self.bits32 else (1 << 64) - 1
        with open(path, 'rb') as f:
            self.elf = f.read()
        self.segments = self._segments()
        self.by_name = defaultdict(list)	# name -> [(start, size)]
        self.starts = []			# sorted function starts
        self.start_name = {}
        out = subprocess.run([CROSS[arch] + 'nm', '-n', '-S', '--defined-only', path],
                             check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            p = line.split()
            if len(p) == 4 and p[2] in 'TtWw':
                start, size = int(p[0], 16) & self.mask, int(p[1], 16)
                self.by_name[p[3]].append((start, size))
                self.start_name.setdefault(start, p[3])
            elif len(p) == 3 and p[1] in 'TtWw':
                start = int(p[0], 16) & self.mask
                self.by_name[p[2]].append((start, 0))
                self.start_name.setdefault(start, p[2])
        self.starts = sorted(self.start_name)
        self.names = defaultdict(list)
        for name, cands in self.by_name.items():
            for a, _ in cands:
                self.names[a].append(name)
        self.jumps = {}
        e = self.by_name.get('__entry_text_start'), self.by_name.get('__entry_text_end')
        self.entry = (e[0][0][0], e[1][0][0]) if e[0] and e[1] else (0, 0)
        self.alts = self._alternatives() if arch == 'x86_64' else {}

    def _sections(self):
        shoff, = struct.unpack_from('<Q', self.elf, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from('<HHH', self.elf, 0x3a)
        hdrs = [struct.unpack_from('<IIQQQQ', self.elf, shoff + i * shentsize)
                for i in range(shnum)]
        strtab = hdrs[shstrndx][4]
        out = {}
        for name, _, _, addr, off, size in hdrs:
            end = self.elf.index(b'\0', strtab + name)
            out[self.elf[strtab + name:end].decode()] = (addr, off, size)
        return out

    def _alternatives(self):
        """x86 alternatives: code patched at boot, so the image's bytes
        at a site may not be what runs.  Site -> [(length, replacement)]."""
        sec = self._sections().get('.altinstructions')
        alts = defaultdict(list)
        if not sec:
            return alts
        addr, off, size = sec
        rsec = self._sections().get('.altinstr_replacement', (0, 0, 0))
        # An entry is 12 bytes up to 6.1 and 14 since 6.3 (a u32 of
        # feature flags, not a u16): the size whose every replacement lies
        # in .altinstr_replacement is the kernel's.
        for esize, fmt in ((12, '<iiHBB'), (14, '<iiIBB')):
            if size % esize:
                continue
            found = defaultdict(list)
            for o in range(0, size, esize):
                instr, repl, _, ilen, rlen = struct.unpack_from(fmt, self.elf, off + o)
                site, raddr = addr + o + instr, addr + o + 4 + repl
                if rlen and not rsec[0] <= raddr < rsec[0] + rsec[2]:
                    break
                found[site & self.mask].append((ilen, raddr & self.mask, rlen))
            else:
                return found
        return alts

    def _segments(self):
        cls = self.elf[4]
        if cls == 2:
            phoff, = struct.unpack_from('<Q', self.elf, 0x20)
            phentsize, phnum = struct.unpack_from('<HH', self.elf, 0x36)
        else:
            phoff, = struct.unpack_from('<I', self.elf, 0x1c)
            phentsize, phnum = struct.unpack_from('<HH', self.elf, 0x2a)
        segs = []
        for i in range(phnum):
            o = phoff + i * phentsize
            if cls == 2:
                ptype, _, off, vaddr, _, filesz = struct.unpack_from('<IIQQQQ', self.elf, o)
            else:
                ptype, off, vaddr, _, filesz = struct.unpack_from('<IIIII', self.elf, o)
            if ptype == 1:
                segs.append((vaddr & self.mask, off, filesz))
        return segs

    def read(self, addr, n):
        for vaddr, off, size in self.segments:
            if vaddr <= addr and addr + n <= vaddr + size:
                return self.elf[off + addr - vaddr:off + addr - vaddr + n]
        return None

    def u32(self, addr):
        b = self.read(addr, 4)
        return struct.unpack('<I', b)[0] if b else None

    def resolve(self, name, off, size):
        """The addresses "name+off/size" may name: more than one where
        static functions of one name and size live in several files."""
        cands = self.by_name.get(name, [])
        # kallsyms' size runs to the next symbol, padding included.
        fit = [s for s, z in cands if z == size or self.func_end(s) - s == size]
        return [(s + off) & self.mask for s in (fit or [s for s, _ in cands])]

    def names_at(self, addr):
        return self.names.get(addr, [])

    def func_of(self, addr):
        i = bisect.bisect_right(self.starts, addr) - 1
        return self.starts[i] if i >= 0 else None

    def func_end(self, start):
        i = bisect.bisect_right(self.starts, start)
        return self.starts[i] if i < len(self.starts) else start

    def in_entry(self, addr):
        return self.entry[0] <= addr < self.entry[1]

    # The calls that may be before return address @ra: ('direct', target)
    # or ('indirect', None); none when the instruction before is no call.
    def call_before(self, ra):
        if self.arch == 'x86_64':
            # Each replacement that ends in a call at @ra may be what
            # runs: a call's displacement is fixed up when patched in,
            # so its target stays.
            calls = []
            for site in range(ra - 32, ra):
                for ilen, repl, rlen in self.alts.get(site, ()):
                    o = ra - site
                    r = self.read(repl, rlen) or b''
                    if 5 <= o <= rlen and r[o - 5] == 0xe8:
                        calls.append(('direct', (repl + o + struct.unpack_from('<i', r, o - 4)[0]) & self.mask))
                    for n in range(2, min(o, rlen, 8) + 1):
                        if x86_indirect_call_len(r[o - n:o]) == n:
                            calls.append(('indirect', None))
            # A paravirt call, "call *pv_ops+N(%rip)", which boot patches
            # into a direct call of the op's native function.
            b = self.read(ra - 5, 6)
            if b and b[0] == 0xff and b[1] == 0x15:
                slot = self.read((ra + 1 + struct.unpack_from('<i', b, 2)[0]) & self.mask, 8)
                if slot:
                    calls.append(('direct', struct.unpack('<Q', slot)[0]))
            # 5.10's paravirt call, "call *pv_ops+N" by absolute address
            # (7 bytes), patched the same way: the call it becomes ends
            # 5 bytes in.
            b = self.read(ra - 5, 7)
            if b and b[:3] == b'\xff\x14\x25':
                slot = self.read(struct.unpack_from('<i', b, 3)[0] & self.mask, 8)
                if slot:
                    calls.append(('direct', struct.unpack('<Q', slot)[0]))
            b = self.read(ra - 5, 5)
            if b and b[0] == 0xe8:
                calls.append(('direct', (ra + struct.unpack('<i', b[1:])[0]) & self.mask))
            for n in range(2, 9):
                b = self.read(ra - n, n)
                if b and x86_indirect_call_len(b) == n:
                    calls.append(('indirect', None))
            return calls
        if self.arch == 'arm64':
            w = self.u32(ra - 4)
            if w is None:
                return []
            if w & 0xfc000000 == 0x94000000:
                imm = w & 0x3ffffff
                imm -= (imm & 0x2000000) << 1
                return [('direct', (ra - 4 + imm * 4) & self.mask)]
            if w & 0xfffffc1f == 0xd63f0000 or w & 0xfefff800 == 0xd63f0800:
                return [('indirect', None)]
            return []
        w = self.u32(ra - 8)
        if w is None:
            return []
        op = w >> 26
        if op == 3:
            region = (ra - 4) & ~0x0fffffff & self.mask
            return [('direct', region | ((w & 0x3ffffff) << 2))]
        if op == 0 and w & 0x3f == 9 and (w >> 11) & 0x1f:
            return [('indirect', None)]
        if op == 1 and (w >> 16) & 0x1f in (0x10, 0x11, 0x12, 0x13):
            imm = w & 0xffff
            imm -= (imm & 0x8000) << 1
            return [('direct', (ra - 4 + imm * 4) & self.mask)]
        return []

    # Functions @start's code jumps to (tail calls): function starts only.
    def jumps_from(self, start):
        if start not in self.jumps:
            self.jumps[start] = self._jumps_from(start)
        return self.jumps[start]

    def _jumps_from(self, start):
        end = min(self.func_end(start), start + 65536)
        code = self.read(start, end - start) or b''
        out = set()
        if self.arch == 'x86_64':
            for i in range(len(code)):
                c = code[i]
                if c == 0xe9 and i + 5 <= len(code):
                    t = start + i + 5 + struct.unpack_from('<i', code, i + 1)[0]
                elif c == 0xeb and i + 2 <= len(code):
                    t = start + i + 2 + struct.unpack_from('<b', code, i + 1)[0]
                elif c == 0x0f and i + 6 <= len(code) and 0x80 <= code[i + 1] <= 0x8f:
                    t = start + i + 6 + struct.unpack_from('<i', code, i + 2)[0]
                else:
                    continue
                t &= self.mask
                if t in self.start_name and t != start:
                    out.add(t)
            return out
        for i in range(0, len(code) - 3, 4):
            w, = struct.unpack_from('<I', code, i)
            pc = start + i
            if self.arch == 'arm64':
                # br x16/x17: how gcc makes an indirect tail call
                if w & 0xfffffc1f == 0xd61f0000 and (w >> 5) & 0x1f in (16, 17):
                    out.add(INDIRECT)
                    continue
                if w & 0xfc000000 != 0x14000000 and w & 0xff000010 != 0x54000000:
                    continue
                if w & 0xfc000000 == 0x14000000:
                    imm = w & 0x3ffffff
                    imm -= (imm & 0x2000000) << 1
                else:
                    imm = (w >> 5) & 0x7ffff
                    imm -= (imm & 0x40000) << 1
                t = (pc + imm * 4) & self.mask
            else:
                op = w >> 26
                # jr t9: how gcc makes an indirect tail call
                if op == 0 and w & 0x3f == 8 and (w >> 21) & 0x1f == 25:
                    out.add(INDIRECT)
                    continue
                if op == 2:
                    t = ((pc + 4) & ~0x0fffffff & self.mask) | ((w & 0x3ffffff) << 2)
                elif op in (4, 5) or (op == 1 and (w >> 16) & 0x1f in (0, 1)):
                    imm = w & 0xffff
                    imm -= (imm & 0x8000) << 1
                    t = (pc + 4 + imm * 4) & self.mask
                else:
                    continue
            if t in self.start_name and t != start:
                out.add(t)
        return out

    def reaches(self, target, want, depth=5):
        """How @target's code reaches @want by tail calls, or None."""
        seen, level = {target}, {target}
        for _ in range(depth):
            nxt = set()
            for f in level:
                for t in self.jumps_from(f):
                    if t == want:
                        return 'calls reaching the frame above by tail calls'
                    # A static call's trampoline (patched at run time), or
                    # an indirect tail call: where it goes is not in the code.
                    if t == INDIRECT or any(n.startswith(('__SCT__', '__x86_indirect_thunk',
                                                          '__indirect_thunk'))
                                            for n in self.names_at(t)):
                        return 'calls reaching the frame above by an indirect tail call'
                    if t not in seen:
                        seen.add(t)
                        nxt.add(t)
            level = nxt
        return None


def check_frame(k, addr, exact, above):
    """(why it is invalid or None, how a valid call was found or None);
    @above: the functions the frame above may be in."""
    if exact:
        return None, None
    calls = k.call_before(addr)
    if not calls:
        return 'instruction before is no call', None
    if not above or any(c[0] != 'direct' or c[1] in above for c in calls):
        return None, None
    for _, target in calls:
        names = k.names_at(target)
        if any(n.startswith(('__SCT__', '__x86_indirect_thunk', '__x86_indirect_call',
                             '__indirect_thunk')) for n in names):
            return None, 'calls through a static call or retpoline thunk'
        # asm entry points falling through into the next label
        # (__put_user_4 into __put_user_nocheck_4)
        if any(k.func_end(target) == a and a - target <= 64 for a in above):
            return None, 'calls falling through into the frame above'
        for a in above:
            how = k.reaches(target, a)
            if how:
                return None, how
    names = k.names_at(calls[0][1])
    return 'call target is not the frame above (%s)' % (names[0] if names else hex(calls[0][1])), None


def x86_indirect_call_len(b):
    """Length of "call *..." (FF /2) if @b is exactly one, else 0."""
    i = 0
    while i < len(b) and b[i] in (0x2e, 0x3e):
        i += 1
    if i < len(b) and 0x40 <= b[i] <= 0x4f:
        i += 1
    if i + 1 >= len(b) or b[i] != 0xff or (b[i + 1] >> 3) & 7 != 2:
        return 0
    modrm = b[i + 1]
    mod, rm, n = modrm >> 6, modrm & 7, i + 2
    if mod != 3 and rm == 4:
        if n >= len(b):
            return 0
        if mod == 0 and b[n] & 7 == 5:
            n += 4
        n += 1
    if mod == 0 and rm == 5:
        n += 4
    elif mod == 1:
        n += 1
    elif mod == 2:
        n += 4
    return n


def read_stacks(path):
    stacks, cur = [], None
    for line in open(path, errors='replace'):
        line = line.rstrip('\n')
        if line.startswith('@['):
            cur = {'probe': line[2:line.index(']')], 'frames': [], 'truncated': False}
            stacks.append(cur)
        elif cur is not None and line.startswith(' => '):
            text = line[4:]
            if text == '[truncated]':
                cur['truncated'] = True
            else:
                cur['frames'].append(text)
    return stacks


def main():
    args = sys.argv[1:]
    figures = args[:1] == ['--figures']
    args = args[1:] if figures else args
    if len(args) != 3 or args[0] not in CROSS:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    arch, vmlinux, path = args
    k = Kernel(arch, vmlinux)
    end_re = ENDS['mips' if arch.startswith('mips') else arch]
    # Where a CPU's start code branches to its first C function without
    # a link (arm64 up to 5.10: "mov x30, #0; b start_kernel"), that
    # function is where the stack ends.
    for entry in ('__primary_switched', '__secondary_switched'):
        for start, _ in k.by_name.get(entry, ()) if arch == 'arm64' else ():
            for t in k.jumps_from(start):
                if t != INDIRECT and not k.in_entry(t):
                    end_re = end_re[:-1] + '|' + re.escape(k.start_name[t]) + '$)'
    ends = re.compile('^' + end_re + r'[A-Za-z0-9_.]*$')
    fig = defaultdict(lambda: defaultdict(int))
    bad = defaultdict(list)
    kinds = []
    for st in read_stacks(path):
        kind = st['probe'][:st['probe'].index(':') + 1]
        if kind not in kinds:
            kinds.append(kind)
        f = fig[kind]
        parsed = [FRAME.match(t) for t in st['frames']]
        if any(m and CONTROL.match(m.group(1)) for m in parsed):
            f['through stacktap control'] += 1
            continue
        f['stacks'] += 1
        # Where the stack starts: the probed function (a glob's prefix).
        func = st['probe'][st['probe'].index(':') + 1:]
        first = parsed[0].group(1) if parsed and parsed[0] else ''
        if not (first.startswith(func[:-1]) if func.endswith('*') else first == func):
            f['stacks not starting at the probed function'] += 1
            bad[(kind, 'first frame')].append((st, 0, 'starts at ' + (st['frames'] or ['nothing'])[0]))
        exact = True		# frame 0 is the probed pc, not a return address
        above = None		# the functions the frame above may be in
        for i, (text, m) in enumerate(zip(st['frames'], parsed)):
            f['frames'] += 1
            why, addr, func, real = None, None, None, ''

            if not m:
                why = 'not named kernel text'
            elif m.group(4) and TRACER.search(m.group(1)) and not (exact and m.group(2) == m.group(3)):
                # (A pc at a module function's first instruction bears
                # the name of the function before: not judged by it.)
                why = 'tracer frame'
            elif m.group(4):
                f['frames in modules, not checked'] += 1
                exact, above = False, None
                continue
            else:
                name, off, size = m.group(1), int(m.group(2), 16), int(m.group(3), 16)
                cands = k.resolve(name, off, size)
                # An exact pc at a function's first instruction is named
                # after the function before ("f+0x30/0x30"): judge the
                # function it is in by that function's own names.
                real = ' '.join(k.names_at(k.func_of(cands[0] if exact else cands[0] - 1))) \
                    if cands else name
                if not cands:
                    why = 'symbol not in vmlinux (%s)' % name
                elif TRACER.search(real) and not NOT_TRACER.search(real):
                    why = 'tracer frame'
                else:
                    if len(cands) > 1:
                        f['frames whose name two functions share'] += 1
                    # The first candidate that passes, else the first's failure.
                    # An entry (the stack's end) may be reached by a jump
                    # or lret, not a call.
                    entry = any(ends.match(n) for n in real.split())
                    passed = []
                    for a in cands:
                        w, how = check_frame(k, a, exact or entry, above)
                        if w is None:
                            passed.append((a, how))
                        elif why is None:
                            why = w
                    if passed:
                        why = None
                        addr, how = passed[0]
                        if how:
                            f[how] += 1
                    else:
                        addr = cands[0]
                    # A return address at its function's very end is
                    # that function's: its call was the last instruction.
                    func = {k.func_of(a if exact else a - 1) for a, _ in passed} or \
                        {k.func_of(addr if exact else addr - 1)}
            if why:
                bad[(kind, why.split(' (')[0])].append((st, i, why))
            else:
                f['frames valid'] += 1
            # The frame after an exception entry is where it struck.  On
            # MIPS, so is the frame after a pc in an exception handler past
            # its SAVE_ALL (an interrupt in a page fault's entry).
            exact = addr is not None and (k.in_entry(addr) or (
                arch.startswith('mips') and any(MIPS_TRAP_CALLEES.match(n) or
                                                (exact and ends.match(n)) for n in real.split())))
            above = None if exact else func
        if not st['truncated'] and not any(ends.match(n) for n in real.split()):
            f['stacks cut short'] += 1
            bad[(kind, 'cut short')].append((st, len(st['frames']) - 1, 'ends at ' + st['frames'][-1]))
    # Every frame valid, every stack whole: 100 %, none cut short.  On
    # MIPS a few stacks still end short (issue 19): a figure there.
    failed = any(why != 'cut short' or not arch.startswith('mips') for kind, why in bad)
    for kind in kinds:
        f = fig[kind]
        main = ('stacks', 'frames', 'frames valid', 'stacks cut short',
                'stacks not starting at the probed function')
        line = ('%s %s stacks %d, frames %d, frames valid %d (%.2f%%), stacks cut short %d, '
                'not starting at the probed function %d') % (
            arch, kind, f['stacks'], f['frames'], f['frames valid'],
            100.0 * f['frames valid'] / max(f['frames'], 1), f['stacks cut short'],
            f['stacks not starting at the probed function'])
        extra = [k2 for k2 in f if k2 not in main]
        if extra:
            line += '; ' + ', '.join('%s %d' % (k2, f[k2]) for k2 in sorted(extra))
        print(line)
    for (kind, why), items in sorted(bad.items()):
        print('# %s %s: %d frames' % (kind, why, len(items)))
        for st, i, text in items[:3]:
            print('#  %s frame %d: %s' % (st['probe'], i, text))
            for j, fr in enumerate(st['frames']):
                print('#   %s %s' % ('->' if j == i else '  ', fr))
    return 1 if failed and not figures else 0


if __name__ == '__main__':
    sys.exit(main())
