#!/usr/bin/env python3
"""Print benches/serve.sh's results as markdown tables (medians over the rounds, each round's
value in brackets).

Input: the JSON lines serve.sh writes (one per measurement: workload, server, run, and wrk's
line: rps, p50_us, p99_us, errors, non2xx). A measurement with any error or non-2xx answer is
invalid: it is left out of the medians and listed below the tables.

Tables:
1. flowscript vs the peer (FastAPI + uvicorn + PocketFlow), per workload and uvicorn
   configuration; `ratio` = flowscript rps / peer rps. Goal on `one` (against uvicorn's default
   of 1 worker): ratio >= 10 and a lower p99.
2. `wait` against its ideal: 100 connections each waiting 50 ms = 2000 rps at 50 ms. Goal:
   ideal rps / rps <= 1.05 and p50 / 50 ms <= 1.05.
3. Conditions: server CPU per request (user + system of the server and its workers during the
   measured window), cores busy before each measurement.

Usage: table.py RESULTS.jsonl [more.jsonl ...]
"""
import json
import statistics
import sys

WAIT_S = 0.05
ONE_GOAL = 10.0
WAIT_GOAL = 1.05
FS = ("fs", "fs1", "ax")
PF = ("pf1", "pf2")


def load(paths):
    recs = []
    for p in paths:
        with open(p) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    recs.append(json.loads(line))
    return [r for r in recs if r.get("bench") == "serve"]


def bad_count(rec):
    w = rec["wrk"]
    return w.get("non2xx", 0) + sum(w.get("errors", {}).values())


def fmt(x):
    if x is None:
        return "–"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def series(recs, workload, server, key):
    """Per-round values of key ("rps", "p50_ms", "p99_ms", "cpu_us") of valid measurements."""
    out = []
    for r in sorted(recs, key=lambda r: r.get("run", 1)):
        if r["workload"] != workload or r["server"] != server or bad_count(r):
            continue
        w = r["wrk"]
        if key == "rps":
            out.append(w["rps"])
        elif key in ("p50_ms", "p99_ms"):
            out.append(w[key.replace("_ms", "_us")] / 1000)
        elif key == "cpu_us":
            if w["requests"] and r.get("server_cpu_s") is not None:
                out.append(r["server_cpu_s"] * 1e6 / w["requests"])
        elif key == "busy":
            out.append(r.get("cpu_busy_before"))
    return out


def med(vals):
    return statistics.median(vals) if vals else None


def fmt_ratio(x):
    """Ratios compared with a goal: three decimals, so 1.0515 does not print as 1.05."""
    return "–" if x is None else f"{x:.3f}"


def cell(vals):
    if not vals:
        return "–"
    text = fmt(statistics.median(vals))
    if len(vals) > 1:
        text += " (" + ", ".join(fmt(v) for v in vals) + ")"
    return text


def variant(recs, server):
    for r in recs:
        if r["server"] == server:
            return r.get("variant", server)
    return server


def main(paths):
    recs = load(paths)
    if not recs:
        sys.exit("no serve records in " + ", ".join(paths))
    workloads = [w for w in ("one", "wait") if any(r["workload"] == w for r in recs)]
    servers = {r["server"] for r in recs}
    fs_servers = [s for s in FS if s in servers]
    pf_servers = [s for s in PF if s in servers]
    conns = sorted({r.get("connections") for r in recs})
    dur = sorted({r.get("duration_s") for r in recs})
    rounds = sorted({r.get("run") for r in recs})
    print(f"{len(recs)} measurements, {len(rounds)} round(s), -c{'/'.join(map(str, conns))}, "
          f"{'/'.join(map(str, dur))} s each; medians, each round in brackets; latency in ms.")
    print()

    head = ["workload", "flowscript", "fs rps", "fs p50", "fs p99", "peer (FastAPI+uvicorn)",
            "peer rps", "peer p50", "peer p99", "rps ratio fs/peer", "goal", "met"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for wl in workloads:
        for fs in fs_servers:
            for pf in pf_servers:
                f_rps, p_rps = series(recs, wl, fs, "rps"), series(recs, wl, pf, "rps")
                f99, p99 = med(series(recs, wl, fs, "p99_ms")), med(series(recs, wl, pf, "p99_ms"))
                ratio = med(f_rps) / med(p_rps) if f_rps and p_rps else None
                goal, met = "–", "–"
                if wl == "one":
                    goal = f"≥ {ONE_GOAL:.0f}×, lower p99"
                    if fs == "ax":
                        goal = "(reference: HTTP alone)"
                    elif pf != "pf1" or fs != "fs":
                        goal = "(extra row)"
                    elif ratio is not None and f99 is not None and p99 is not None:
                        met = "yes" if ratio >= ONE_GOAL and f99 < p99 else "**no**"
                elif wl == "wait":
                    goal = "see ideal below"
                print(f"| {wl} | {variant(recs, fs)} | {cell(f_rps)} "
                      f"| {cell(series(recs, wl, fs, 'p50_ms'))} | {cell(series(recs, wl, fs, 'p99_ms'))} "
                      f"| {variant(recs, pf)} | {cell(p_rps)} "
                      f"| {cell(series(recs, wl, pf, 'p50_ms'))} | {cell(series(recs, wl, pf, 'p99_ms'))} "
                      f"| {fmt(ratio) + '×' if ratio else '–'} | {goal} | {met} |")

    if "wait" in workloads:
        c = conns[0] if len(conns) == 1 else None
        ideal_rps = c / WAIT_S if c else None
        print()
        print(f"`wait` against its ideal: {c} connections × 1 / {WAIT_S * 1000:.0f} ms = "
              f"{fmt(ideal_rps)} rps, {WAIT_S * 1000:.0f} ms each. Goal (flowscript, default "
              f"workers): both ratios ≤ {WAIT_GOAL}.")
        print()
        head = ["server", "rps", "p50", "p99", "ideal rps / rps", "p50 / 50 ms", "p99 / 50 ms",
                "met"]
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for s in fs_servers + pf_servers:
            rps = med(series(recs, "wait", s, "rps"))
            p50 = med(series(recs, "wait", s, "p50_ms"))
            p99 = med(series(recs, "wait", s, "p99_ms"))
            r_rps = ideal_rps / rps if ideal_rps and rps else None
            r50 = p50 / (WAIT_S * 1000) if p50 else None
            r99 = p99 / (WAIT_S * 1000) if p99 else None
            met = "–"
            if s == "fs" and r_rps is not None and r50 is not None:
                met = "yes" if r_rps <= WAIT_GOAL and r50 <= WAIT_GOAL else "**no**"
            print(f"| {variant(recs, s)} | {cell(series(recs, 'wait', s, 'rps'))} "
                  f"| {cell(series(recs, 'wait', s, 'p50_ms'))} "
                  f"| {cell(series(recs, 'wait', s, 'p99_ms'))} "
                  f"| {fmt_ratio(r_rps)} | {fmt_ratio(r50)} | {fmt(r99)} | {met} |")

    print()
    head = ["workload", "server", "server CPU µs / request", "cores busy before (0..1)"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for wl in workloads:
        for s in fs_servers + pf_servers:
            print(f"| {wl} | {variant(recs, s)} | {cell(series(recs, wl, s, 'cpu_us'))} "
                  f"| {cell(series(recs, wl, s, 'busy'))} |")

    notes = []
    for r in recs:
        if bad_count(r):
            w = r["wrk"]
            notes.append(f"INVALID (left out): {r['workload']} {r.get('variant', r['server'])} "
                         f"round {r.get('run')}: non-2xx {w.get('non2xx')}, errors {w.get('errors')}")
        if r.get("server_alive") is False:
            notes.append(f"{r['workload']} {r.get('variant', r['server'])} round {r.get('run')}: "
                         "the server had exited by the end of the measurement")
    load1 = [r["loadavg_start"] for r in recs if r.get("loadavg_start") is not None]
    if load1:
        notes.append(f"1-min loadavg at each start: max {max(load1):.2f}, "
                     f"median {statistics.median(load1):.2f}")
    print()
    for n in notes:
        print(f"- {n}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
