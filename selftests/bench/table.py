#!/usr/bin/env python3
"""Turn the guests' "@bench KEY=VALUE..." lines (stdin) into one table per
arch, and the same as JSON (argv[1]).

Every cost is ns per call over the baseline (no probe) at the same depth,
the median of the rounds.  Each stacktap line is compared with the
kernel's equivalent and with the floor (stacktap's unwinder alone).
Where the guest interleaved baseline, floor and stacktap in rounds
("round=" lines), the ratio to the floor is taken within each round and
the median of those is the figure, with the rounds' least and greatest
beside it: host noise moves a case by up to 2x between minutes.  Since
noise only adds time, the ratio of each case's fastest round is printed
too, as a second estimate.
The guests are emulated (QEMU TCG): only ratios mean anything.
"""
import json
import re
import statistics
import sys

NOTE = ("QEMU software emulation: absolute ns are not a machine's; "
        "only the ratios mean anything.")

# stacktap case -> (kernel's equivalent, floor)
PAIRS = {
    "stacktap-f": ("ftrace-stack", "floor-f"),
    "stacktap-p": ("kprobe-stacktrace", "floor-p"),
    "stacktap-r": ("kretprobe-stacktrace", "floor-r"),
    "stacktap-f-count": ("kprobe-hist-stacktrace", "floor-f"),
}
TITLES = {
    "floor-f": "floor: ftrace_ops, unwind only",
    "floor-p": "floor: kprobe, unwind only",
    "floor-r": "floor: kretprobe, unwind at entry",
    "floor-f-kernel": "floor f: with the kernel's ORC walk",
    "floor-p-kernel": "floor p: with the kernel's ORC walk",
    "stacktap-f": "stacktap f: trace",
    "stacktap-p": "stacktap p: trace",
    "stacktap-r": "stacktap r: trace",
    "stacktap-f-count": "stacktap f: mode=count",
    "ftrace-stack": "function tracer + func_stack_trace",
    "kprobe-stacktrace": "kprobe_events + stacktrace",
    "kretprobe-stacktrace": "kretprobe_events + stacktrace",
    "kprobe-hist-stacktrace": "kprobe_events + hist:keys=stacktrace",
    "bpftrace-kstack": "bpftrace @[kstack] = count()",
    "bpftrace-count": "bpftrace @ = count(), no stack",
}


def parse(lines):
    arches = {}
    for line in lines:
        m = re.search(r"@bench (.*)$", line)
        if not m:
            continue
        kv = dict(f.split("=", 1) for f in m.group(1).split() if "=" in f)
        flags = [f for f in m.group(1).split() if "=" not in f]
        a = arches.setdefault(kv["arch"], {"runs": {}, "info": {}, "walk": [], "verify": [],
                                           "rounds": {}, "scaling_runs": {}})
        if "round" in kv:
            a["rounds"].setdefault((kv["case"], int(kv["depth"])), {})[int(kv["round"])] = float(kv["ns"])
        elif kv.get("set") == "scaling":
            a["scaling_runs"][(kv["case"], int(kv["depth"]), int(kv["cpus"]))] = {
                k: float(kv[k]) for k in ("ns", "rate")}
        elif kv.get("case") == "orc-verify" and "probe" in kv:
            if kv not in a["verify"]:
                a["verify"].append(kv)
        elif kv.get("case") == "walk":
            w = {k: float(v) for k, v in kv.items() if k not in ("arch", "case")}
            if w not in a["walk"]:  # a console tail may repeat what was read
                a["walk"].append(w)
        elif "ns" in kv:
            key = (kv["case"], int(kv["depth"]), int(kv["cpus"]))
            a["runs"][key] = {k: float(kv[k]) for k in ("ns", "rate", "frames") if k in kv}
        elif "case" in kv:
            a["info"].setdefault(kv["case"], {}).update(kv)
            for f in flags:
                a["info"][kv["case"]][f] = True
        else:
            a["info"]["boot"] = kv
    return arches


def paired(rounds, case, ref, depth):
    """(case - baseline) / (ref - baseline) within each round that ran all
    three: their median, least and greatest; None without such rounds.
    A round whose floor ran no slower than its baseline was disturbed (the
    baseline, by the host) and gives no ratio: its sign would be noise."""
    c, r, b = (rounds.get((x, depth), {}) for x in (case, ref, "baseline"))
    ratios = [(c[i] - b[i]) / (r[i] - b[i]) for i in sorted(c)
              if i in r and i in b and r[i] > b[i]]
    if not ratios:
        return None
    # Noise only ever adds time: each case's fastest round is a second,
    # independent estimate, given as no ratio under the same rule as above.
    lo = min(b.values())
    of_minima = (min(c.values()) - lo) / (min(r.values()) - lo) if min(r.values()) > lo else None
    return {"median": statistics.median(ratios), "least": min(ratios), "greatest": max(ratios),
            "of_minima": of_minima, "rounds": [round(x, 3) for x in ratios]}


def fmt(x, spec="{:.0f}"):
    return "-" if x is None else spec.format(x)


def table(arch, a):
    runs, info = a["runs"], a["info"]
    over = {}
    for (case, depth, cpus), r in runs.items():
        base = runs.get(("baseline", depth, 1))
        if base and case != "baseline":
            over[(case, depth, cpus)] = r["ns"] - base["ns"]
    rows = []
    depths = sorted({d for (_, d, _) in runs})
    main = 16 if 16 in depths else (depths[0] if depths else None)

    def ratio(x, y):
        return x / y if x is not None and y else None

    for case in ["floor-f", "floor-p", "floor-r", "floor-f-kernel", "floor-p-kernel", "stacktap-f", "stacktap-p", "stacktap-r",
                 "stacktap-f-count", "ftrace-stack", "kprobe-stacktrace",
                 "kretprobe-stacktrace", "kprobe-hist-stacktrace", "bpftrace-kstack", "bpftrace-count"]:
        for depth in depths:
            o = over.get((case, depth, 1))
            if o is None:
                continue
            kernel, floor = PAIRS.get(case, (None, None))
            row = {
                "case": case, "title": TITLES.get(case, case), "depth": depth,
                "ns_over_baseline": round(o, 1),
                "frames": runs[(case, depth, 1)].get("frames"),
                "vs_kernel": None, "kernel": kernel, "vs_floor": None,
            }
            if kernel:
                row["vs_kernel"] = ratio(o, over.get((kernel, depth, 1)))
                if case == "stacktap-f-count" and over.get(("bpftrace-kstack", depth, 1)):
                    row["vs_bpftrace"] = ratio(o, over[("bpftrace-kstack", depth, 1)])
                row["vs_floor"] = ratio(o, over.get((floor, depth, 1)))
                pr = paired(a["rounds"], case, floor, depth)
                if pr:
                    row["vs_floor_of_medians"] = row["vs_floor"]
                    row["vs_floor"] = pr["median"]
                    row["vs_floor_rounds"] = pr
            if kernel == "ftrace-stack" and info.get("ftrace-stack", {}).get("stack") == "no":
                row["kernel_note"] = "the kernel's stack is empty or wrong here"
            rows.append(row)
    scaling = []
    sruns = a["scaling_runs"] or runs
    for (case, depth, cpus), r in sruns.items():
        if cpus == 2 and (case, depth, 1) in sruns:
            one = sruns[(case, depth, 1)]["rate"]
            scaling.append({"case": case, "depth": depth, "calls_per_s_1cpu": one,
                            "calls_per_s_2cpu": r["rate"],
                            "speedup": r["rate"] / one if one else None})
    walk = []
    for w in sorted(a["walk"], key=lambda w: w["depth"]):
        w = dict(w)
        w["kernel_over_stacktap"] = (w["kernel_ns_per_frame"] / w["stacktap_ns_per_frame"]
                                     if w["stacktap_ns_per_frame"] else None)
        walk.append(w)
    verify = [{"probe": v["probe"], "fast": int(v["fast"]), "fallback": int(v["fallback"]),
               "mismatch": int(v["mismatch"])} for v in a["verify"]]
    t = {"arch": arch, "main_depth": main, "boot": info.get("boot", {}),
         "rows": rows, "scaling": scaling, "walk": walk, "orc_verify": verify,
         "ustack": ustack(a)}
    t["targets"] = targets(t, over)
    return t


def ustack(a):
    """Part 7: what ustack= adds to an f: hit at depth 16, per round
    against f: alone run in the same round; the median, least, greatest."""
    rounds, out = a["rounds"], []
    plain = rounds.get(("stacktap-f-plain", 16), {})
    base = rounds.get(("ustack-baseline", 16), {})
    for (case, depth), c in sorted(rounds.items()):
        if depth != 16 or not (case.startswith("stacktap-f-copy") or case == "stacktap-f-fp"):
            continue
        extra = [c[i] - plain[i] for i in sorted(c) if i in plain]
        hit = [c[i] - base[i] for i in sorted(c) if i in base]
        plain_hit = [plain[i] - base[i] for i in sorted(plain) if i in base]
        if not extra:
            continue
        out.append({"case": case, "option": ("ustack=copy," + case[len("stacktap-f-copy"):]
                                             if "copy" in case else "ustack=fp"),
                    "bytes": int(a["info"].get("bytes-" + case, {}).get("bytes", 0)) or None,
                    "extra_ns_median": statistics.median(extra), "extra_ns_least": min(extra),
                    "extra_ns_greatest": max(extra),
                    "hit_ns_median": statistics.median(hit) if hit else None,
                    "plain_hit_ns_median": statistics.median(plain_hit) if plain_hit else None,
                    "rounds": len(extra)})
    return out


def targets(t, over):
    """The issue's targets, each with its figure and whether it is met."""
    d = t["main_depth"]
    out = []

    def row(case):
        return next((r for r in t["rows"] if r["case"] == case and r["depth"] == d), None)

    def add(what, value, limit, ok):
        out.append({"target": what, "value": value, "limit": limit,
                    "met": None if value is None else ok(value, limit)})

    f = row("stacktap-f")
    if f and not f.get("kernel_note"):
        add("stacktap f: / ftrace + func_stack_trace", f["vs_kernel"], 1.0, lambda v, l: v <= l)
    p = row("stacktap-p")
    if p:
        add("stacktap p: / kprobe_events + stacktrace", p["vs_kernel"], 0.5, lambda v, l: v <= l)
    c = row("stacktap-f-count")
    if c and c.get("vs_bpftrace") is not None:
        add("stacktap f: count / bpftrace kstack count", c["vs_bpftrace"], 0.5, lambda v, l: v <= l)
    for case in ("stacktap-f", "stacktap-p", "stacktap-r"):
        r = row(case)
        if r:
            add(f"{case} trace / floor, depth {d}", r["vs_floor"], 1.25, lambda v, l: v <= l)
    if c:
        add(f"stacktap-f-count / floor, depth {d}", c["vs_floor"], 1.1, lambda v, l: v <= l)
    for w in t["walk"]:
        if w["depth"] == d or (d not in [x["depth"] for x in t["walk"]] and w is t["walk"][0]):
            add(f"MIPS walker per frame: kernel's / stacktap's, depth {int(w['depth'])}",
                w["kernel_over_stacktap"], 3.0, lambda v, l: v >= l)
    # Linear in depth: a straight line fitted (least squares) to the cost
    # at each depth, and the point furthest from it, as a fraction of the
    # line's value there, within 25 %.  (A ratio of two slopes, each a
    # difference of noisy figures, judged the noise more than the shape.)
    pts = sorted((dep, o) for (case, dep, cpus), o in over.items()
                 if case == "stacktap-f" and cpus == 1)
    if len(pts) >= 3:
        n = len(pts)
        mx = sum(x for x, _ in pts) / n
        my = sum(y for _, y in pts) / n
        sxx = sum((x - mx) ** 2 for x, _ in pts)
        slope = sum((x - mx) * (y - my) for x, y in pts) / sxx
        fit = [(x, y, my + slope * (x - mx)) for x, y in pts]
        worst = max(abs(y - f) / f if f > 0 else float("inf") for _, y, f in fit)
        t["depth_fit"] = {"ns_per_frame": slope, "ns_at_0": my - slope * mx,
                          "worst_off_line": worst}
        add(f"stacktap f: worst distance from a line through depths "
            f"{', '.join(str(x) for x, _ in pts)} ({slope:.0f} ns per frame)",
            worst, 0.25, lambda v, l: v <= l)
    for sc in t["scaling"]:
        if sc["case"] == "stacktap-f" and t["arch"] != "x86_64":
            add("stacktap f: calls/s, 2 CPUs / 1", sc["speedup"], 1.8, lambda v, l: v >= l)
    return out


def show(t):
    print(f"== {t['arch']}  (frames below the recursion: {t['boot'].get('base', '?')};"
          f" {t['boot'].get('n', '?')} calls x {t['boot'].get('rounds', '?')} rounds, medians)")
    print(f"   {NOTE}")
    if any(r.get("vs_floor_rounds") for r in t["rows"]):
        print("   vs floor: median of the ratios within each round (baseline, floor and"
              " stacktap interleaved); after it their least..greatest, and the ratio"
              " of each case's fastest round")
    print(f"   {'case':42} {'depth':>5} {'ns/call':>9} {'vs kernel':>10} {'vs floor':>9}")
    for r in t["rows"]:
        vk = fmt(r["vs_kernel"], "{:.2f}x")
        extra = ""
        if r.get("vs_bpftrace") is not None:
            extra = f"  vs bpftrace {r['vs_bpftrace']:.2f}x"
        if r.get("kernel_note"):
            extra += f"  ({r['kernel_note']})"
        pr = r.get("vs_floor_rounds")
        if pr:
            extra += (f"  (rounds {pr['least']:.2f}..{pr['greatest']:.2f},"
                      f" fastest rounds {fmt(pr['of_minima'], '{:.2f}x')})")
        print(f"   {r['title']:42} {r['depth']:>5} {fmt(r['ns_over_baseline']):>9}"
              f" {vk:>10} {fmt(r['vs_floor'], '{:.2f}x'):>9}{extra}")
    # selftests/guest.sh runs x86_64's two vCPUs on one QEMU thread.
    serial = " (both vCPUs on one host thread: no speedup possible)" if t["arch"] == "x86_64" else ""
    for s in t["scaling"]:
        print(f"   {TITLES.get(s['case'], s['case'])}, depth {s['depth']}: "
              f"{s['calls_per_s_1cpu']:.0f} calls/s on 1 CPU, {s['calls_per_s_2cpu']:.0f} on 2:"
              f" {fmt(s['speedup'], '{:.2f}x')}{serial}")
    for w in t["walk"]:
        print(f"   MIPS walkers, depth {int(w['depth'])}: stacktap {w['stacktap_ns_per_frame']:.0f} ns/frame"
              f" ({int(w['stacktap_frames'])} frames), kernel's unwind_stack_by_address"
              f" {w['kernel_ns_per_frame']:.0f} ns/frame ({int(w['kernel_frames'])} frames):"
              f" {fmt(w['kernel_over_stacktap'], '{:.1f}x')}")
    for v in t["orc_verify"]:
        print(f"   ORC cache against the kernel's unwinder, {v['probe']}: {v['fast']} walks by the cache,"
              f" {v['fallback']} left to the kernel, {v['mismatch']} differing")
    for u in t["ustack"]:
        copied = f", {u['bytes']} bytes copied" if u["bytes"] else ""
        print(f"   f: {u['option']}{copied}: +{u['extra_ns_median']:.0f} ns per hit over f: alone"
              f" (rounds {u['extra_ns_least']:.0f}..{u['extra_ns_greatest']:.0f}; the hit"
              f" {fmt(u['hit_ns_median'])} ns, f: alone {fmt(u['plain_hit_ns_median'])} ns, depth 16)")
    for g in t["targets"]:
        verdict = {True: "met", False: "MISSED", None: "not measured"}[g["met"]]
        print(f"   target {g['target']}: {fmt(g['value'], '{:.2f}')} (limit {g['limit']}) {verdict}")
    print()


def main():
    arches = parse(sys.stdin)
    tables = [table(a, arches[a]) for a in sorted(arches)]
    for t in tables:
        show(t)
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w") as f:
            json.dump({"note": NOTE, "arches": tables}, f, indent=1)
        print(f"JSON: {sys.argv[1]}")
    return 0 if tables else 1


if __name__ == "__main__":
    sys.exit(main())
