#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the raw numbers of tests/bench/guest.sh into tables, JSON and chart data.

    report.py DIR [--docs FILE [--tag TAG]]

DIR holds raw/CONFIG.txt ("metric value" lines, one per run, and a final
"status ok" or "status failed: why"), meta.guest and, from the host,
meta.host (key=value lines).  Writes DIR/results.json, DIR/table.txt,
DIR/table.md, DIR/plot.dat, DIR/ratios.dat and DIR/plot.vars (for
tests/bench/plot.gp) and
prints table.txt.  With --docs, the block of the measured kernel series in
FILE, between "<!-- bench:begin SERIES -->" and "<!-- bench:end SERIES -->"
(SERIES: 6.1, 6.12, from the guest's kernel release, then "-TAG" when
given: 6.12-smp for make bench-smp), is replaced by the provenance and
table.md; the other blocks are kept.  A series
without a block gets one, under its own heading with its chart
(bench-SERIES.png), at the end of FILE.
Exits 1 when no configuration produced a number.
"""
import json
import os
import re
import statistics
import sys

# id, number, label, family (colour in the chart), native counterpart, chart label
CONFIGS = [
    ("veth", 1, "veth alone", "base", None, "veth"),
    ("gre", 2, "ip_gre", "native", None, "ip_gre"),
    ("gresec", 3, "gresec GRE", "gresec", "gre", "gresec"),
    ("gre-gcm", 4, "ip_gre + xfrm aes128gcm16", "native", None, "xfrm gcm"),
    ("gresec-gcm", 5, "gresec aes128gcm16", "gresec", "gre-gcm", "gresec gcm"),
    ("gre-cbc", 6, "ip_gre + xfrm aes128-sha256", "native", None, "xfrm cbc"),
    ("gresec-cbc", 7, "gresec aes128-sha256", "gresec", "gre-cbc", "gresec cbc"),
    ("wg", 8, "WireGuard", "wireguard", None, "WireGuard"),
    # make bench BASE=COMMIT: the module of another commit, same boot
    ("base-gresec", 9, "base gresec GRE", "gresec-base", "gre", "base gresec"),
    ("base-gresec-gcm", 10, "base gresec aes128gcm16", "gresec-base", "gre-gcm", "base gcm"),
    ("base-gresec-cbc", 11, "base gresec aes128-sha256", "gresec-base", "gre-cbc", "base cbc"),
]
LABEL = {c[0]: c[2] for c in CONFIGS}
# Extra comparisons beyond each gresec row's native counterpart.
EXTRA_RATIOS = [("gresec-gcm", "wg"), ("gresec", "base-gresec"),
                ("gresec-gcm", "base-gresec-gcm"), ("gresec-cbc", "base-gresec-cbc")]

# metric, column heading, scale for display, format, higher is better
METRICS = [
    ("tcp1_mbps", "TCP 1 stream Mbit/s", 1, "{:.0f}", True),
    ("tcp4_mbps", "TCP 4 streams Mbit/s", 1, "{:.0f}", True),
    ("udp_pps", "UDP 64 B kpps", 1e-3, "{:.1f}", True),
    ("rtt_us", "ping RTT µs", 1, "{:.0f}", False),
    ("tcp1_cpu_ms_per_mb", "CPU ms/MB", 1, "{:.2f}", False),
]
UNITS = {
    "tcp1_mbps": "Mbit/s received, iperf3 1 stream",
    "tcp4_mbps": "Mbit/s received, iperf3 -P 4",
    "tcp1_bytes": "bytes received in one 1-stream run",
    "tcp4_bytes": "bytes received in one 4-stream run",
    "udp_pps": "64-byte datagrams received per second, iperf3 -u -l 64 -b 0",
    "udp_packets": "datagrams received in one run",
    "udp_lost_percent": "datagrams sent but not received, percent",
    "rtt_us": "average ping round trip, microseconds (ping -i 0.01)",
    "ping_received": "ping replies received in one run",
    "tcp1_cpu_ms_per_mb": "CPU time of the whole guest (both namespaces) per MB received, 1-stream TCP run, ms",
    "tcp4_cpu_ms_per_mb": "the same for the 4-stream TCP run, ms",
}
PLOT_COLOURS = {"base": 0xa0a0a0, "native": 0x5b6770, "gresec": 0x1f77b4, "wireguard": 0x2ca02c,
                "gresec-base": 0x9ecae1}


def read_kv(path):
    out = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                k, sep, v = line.rstrip("\n").partition("=")
                if sep:
                    out[k] = v
    except OSError:
        pass
    return out


def read_raw(path):
    """Per round (a round ends with its "status" line): {metric: value}, status."""
    rounds, cur = [], {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                key, _, val = line.strip().partition(" ")
                if not key:
                    continue
                if key == "status":
                    rounds.append((cur, val))
                    cur = {}
                    continue
                try:
                    cur[key] = float(val)
                except ValueError:
                    pass
    except OSError:
        return None
    if cur:
        rounds.append((cur, "did not finish"))
    return rounds


def fmt(metric, v):
    if v is None:
        return "n/a"
    for m, _, scale, f, _ in METRICS:
        if m == metric:
            return f.format(v * scale)
    return f"{v:g}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_ratio(r):
    return "n/a" if r is None else f"{r:.2f}×"


def build(d):
    meta = read_kv(os.path.join(d, "meta.host"))
    meta.update(read_kv(os.path.join(d, "meta.guest")))
    wanted = meta.get("configs", "").split() or [c[0] for c in CONFIGS]
    configs = []
    for cid, num, label, family, counterpart, short in CONFIGS:
        rounds = read_raw(os.path.join(d, "raw", cid + ".txt"))
        if rounds is None and cid not in wanted:
            continue
        rounds = rounds or []
        status = [st for _, st in rounds]
        bad = [f"round {i + 1}: {x}" for i, x in enumerate(status) if x != "ok"]
        if not rounds:
            summary = "not run"
        elif bad:
            summary = f"failed in {len(bad)} of {len(status)} rounds ({bad[0]})"
        else:
            summary = "ok"
        entry = {
            "id": cid, "n": num, "label": label, "short": short, "family": family,
            "counterpart": counterpart, "status": summary, "rounds": status,
            "runs": {}, "median": {}, "checks": {},
        }
        keys = sorted({k for vals, _ in rounds for k in vals})
        for k in keys:
            per_round = [vals.get(k) for vals, _ in rounds]
            if k.startswith("check_"):
                entry["checks"][k[6:]] = [None if v is None else int(v) for v in per_round]
                continue
            entry["runs"][k] = per_round
            got = [v for v in per_round if v is not None]
            if got:
                entry["median"][k] = statistics.median(got)
        configs.append(entry)
    by_id = {c["id"]: c for c in configs}
    nnum = {c[0]: c[1] for c in CONFIGS}
    ratios = []
    pairs = [(c["id"], c["counterpart"]) for c in configs if c["counterpart"]]
    # Against the base build only when it ran (make bench BASE=).
    pairs += [p for p in EXTRA_RATIOS
              if p[0] in by_id and (p[1] in by_id or not p[1].startswith("base-"))]
    for g, nat in pairs:
        gc, nc = by_id.get(g), by_id.get(nat)
        r = {"config": g, "vs": nat, "label": f"{nnum[g]} vs {nnum[nat]}",
             "per_round": {}, "range": {}}
        for m, *_ in METRICS:
            # Pair the two rows round by round: they ran a minute apart,
            # under much the same load from the rest of the host.
            gr = gc["runs"].get(m, []) if gc else []
            nr = nc["runs"].get(m, []) if nc else []
            per = [ratio(a, b) for a, b in zip(gr, nr)]
            r["per_round"][m] = per
            got = [x for x in per if x is not None]
            r[m] = statistics.median(got) if got else None
            r["range"][m] = [min(got), max(got)] if got else None
        ratios.append(r)
    return {"meta": meta, "units": UNITS, "configs": configs, "ratios": ratios,
            "ratio_definition": "median over rounds of (gresec ÷ counterpart in that round), "
            "same boot; range = lowest and highest round; above 1 is better for throughput "
            "and pps, below 1 is better for RTT and CPU/MB"}


def tables(res):
    counterpart = {c["id"]: c["counterpart"] for c in res["configs"]}
    ratio_of = {r["config"]: r for r in res["ratios"] if r["vs"] == counterpart[r["config"]]}
    head = ["#", "configuration"] + [h for _, h, *_ in METRICS]
    rows = []
    for c in res["configs"]:
        row = [str(c["n"]), c["label"]]
        for m, *_ in METRICS:
            cell = fmt(m, c["median"].get(m))
            r = ratio_of.get(c["id"])
            if r is not None and c["median"].get(m) is not None:
                cell += f" ({fmt_ratio(r[m])})"
            row.append(cell)
        rows.append(row)
    rhead = ["rows", "gresec ÷ counterpart (same boot)"] + [h for _, h, *_ in METRICS]
    rrows = []
    by_id = {c["id"]: c for c in res["configs"]}
    for r in res["ratios"]:
        rrows.append([r["label"], f"{LABEL[r['config']]} ÷ {LABEL[r['vs']]}"]
                     + [fmt_ratio(r[m]) + (f" [{r['range'][m][0]:.2f}–{r['range'][m][1]:.2f}]"
                                           if r["range"].get(m) and r["range"][m][0] != r["range"][m][1] else "")
                        for m, *_ in METRICS])
    failed = [c for c in res["configs"] if c["status"] != "ok"]
    notes = [f"{c['n']} {c['label']}: {c['status']}" for c in failed]

    def text(h, rs):
        w = [max(len(x[i]) for x in [h] + rs) for i in range(len(h))]
        line = lambda r: "  ".join(x.ljust(w[i]) if i < 2 else x.rjust(w[i]) for i, x in enumerate(r))
        return "\n".join([line(h), "  ".join("-" * x for x in w)] + [line(r) for r in rs])

    def md(h, rs):
        out = ["| " + " | ".join(h) + " |",
               "|" + "|".join("---" if i < 2 else "---:" for i in range(len(h))) + "|"]
        out += ["| " + " | ".join(r) + " |" for r in rs]
        return "\n".join(out)

    runs = res["meta"].get("runs", "?")
    legend = (f"Medians of {runs} round(s).  In brackets on gresec rows, and in the second table: "
              "gresec ÷ its counterpart in the same boot, taken round by round (the two ran "
              "a minute apart) and the median of those ratios shown, with the lowest and "
              "highest round in square brackets.  Above 1 is better for throughput and pps, "
              "below 1 is better for RTT and CPU/MB.")
    txt = text(head, rows) + "\n\n" + text(rhead, rrows) + "\n"
    mdt = md(head, rows) + "\n\n" + md(rhead, rrows) + "\n\n" + legend + "\n"
    if notes:
        txt += "\nn/a:\n" + "\n".join("  " + x for x in notes) + "\n"
        mdt += "\nn/a: " + "; ".join(notes) + "\n"
    return txt, mdt


def plot_data(res, d):
    nan = "NaN"
    with open(os.path.join(d, "plot.dat"), "w", encoding="utf-8") as f:
        f.write("# n label colour " + " ".join(m for m, *_ in METRICS) + "\n")
        for i, c in enumerate(res["configs"]):
            vals = []
            for m, _, scale, _, _ in METRICS:
                v = c["median"].get(m)
                vals.append(nan if v is None else f"{v * scale:.6g}")
            label = f"{c['n']} {c['short']}"
            f.write(f'{i} "{label}" {PLOT_COLOURS[c["family"]]} {" ".join(vals)}\n')
    nratios = sum(1 for r in res["ratios"] if any(r[m] is not None for m, *_ in METRICS))
    with open(os.path.join(d, "plot.vars"), "w", encoding="utf-8") as f:
        f.write(f"nratios = {nratios}\n")
    # Relative performance, above 1 = gresec better: ratio for the
    # higher-is-better metrics, its inverse for RTT and CPU.
    with open(os.path.join(d, "ratios.dat"), "w", encoding="utf-8") as f:
        f.write("# pair, then per metric: median ratio, lowest, highest round\n")
        by_id = {c["id"]: c for c in res["configs"]}
        for r in res["ratios"]:
            vals = []
            for m, _, _, _, higher in METRICS:
                v, rng = r[m], r["range"].get(m)
                trip = [v] + (list(rng) if rng else [None, None])
                if not higher:
                    trip = [1 / x if x else None for x in trip]
                    trip[1], trip[2] = trip[2], trip[1]
                vals += [nan if x is None else f"{x:.4f}" for x in trip]
            kind = {"gre": "GRE", "gre-gcm": "gcm", "gre-cbc": "cbc", "wg": "vs WG"}.get(
                r["vs"], "vs base" if r["vs"].startswith("base-") else "")
            name = f"{r['label'].replace(' vs ', '÷')} {kind}".strip()
            f.write(f'"{name}" {" ".join(vals)}\n')


def provenance(res):
    m = res["meta"]
    return (f"Measured {m.get('date', '?')} on commit `{m.get('commit', '?')}` "
            f"(`{m.get('describe', '?')}`): kernel {m.get('guest_kernel', '?')} in a QEMU guest "
            f"under {m.get('accel', '?')} ({m.get('guest_cpus', '?')} "
            f"vCPU{'' if m.get('guest_cpus') == '1' else 's'}, "
            f"{m.get('guest_mem_mb', '?')} MB, guest CPU \"{m.get('guest_cpu', '?')}\") on a host "
            f"\"{m.get('host_cpu', '?')}\" ({m.get('host_cpus', '?')} CPUs, shared with other jobs); "
            f"{m.get('runs', '?')} rounds, {m.get('seconds', '?')} s per iperf3 run and "
            f"{m.get('pings', '?')} pings per latency run (guest time), tunnel MTU {m.get('mtu', '?')}, "
            f"{m.get('iperf3', 'iperf3')}"
            + (f"; the VM ran for {m['wall']} s of host time." if m.get("wall") else ".")
            + (f" Base build (rows 9-11): {m['base']}." if m.get("base") else ""))


def series(res, tag=None):
    """The docs block's name: the kernel series measured ("6.1", "6.12"),
    from the guest's release, and the profile's tag if any ("6.12-smp")."""
    m = re.match(r"(\d+\.\d+)", res["meta"].get("guest_kernel", ""))
    if not m:
        sys.exit("report: no guest kernel release in meta.guest: cannot pick a docs block")
    return f"{m.group(1)}-{tag}" if tag else m.group(1)


def update_docs(path, block, ser):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    begin, end = f"<!-- bench:begin {ser} -->", f"<!-- bench:end {ser} -->"
    a, b = text.find(begin), text.find(end)
    if a < 0 and b < 0:
        # A kernel series measured for the first time: a section of its own.
        text = (text.rstrip("\n") + f"\n\n### Linux {ser}\n\n"
                f"![make bench chart, Linux {ser}](bench-{ser}.png)\n\n"
                f"{begin}\n{end}\n")
        a, b = text.find(begin), text.find(end)
    if a < 0 or b < a:
        sys.exit(f"report: no well-formed {begin} ... {end} block in {path}")
    text = text[:a + len(begin)] + "\n" + block + text[b:]
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    args = sys.argv[1:]
    docs = tag = None
    if "--docs" in args:
        i = args.index("--docs")
        docs = args[i + 1]
        del args[i:i + 2]
    if "--tag" in args:
        i = args.index("--tag")
        tag = args[i + 1]
        del args[i:i + 2]
    if len(args) != 1:
        sys.exit(__doc__)
    d = args[0]
    res = build(d)
    txt, mdt = tables(res)
    res["table"] = txt
    with open(os.path.join(d, "results.json"), "w", encoding="utf-8") as f:
        json.dump(res, f, indent=2, ensure_ascii=False)
        f.write("\n")
    with open(os.path.join(d, "table.txt"), "w", encoding="utf-8") as f:
        f.write(txt)
    with open(os.path.join(d, "table.md"), "w", encoding="utf-8") as f:
        f.write(mdt)
    plot_data(res, d)
    if docs:
        update_docs(docs, provenance(res) + "\n\n" + mdt, series(res, tag))
    sys.stdout.write(txt)
    if not any(c["median"] for c in res["configs"]):
        print("report: no configuration produced a number", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
