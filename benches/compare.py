#!/usr/bin/env python3
"""Put flowscript's W1-W5 records next to PocketFlow's and print a markdown table.

Input: JSON-lines files written by benches/compare.sh (one record per benchmark process,
flowscript's `"peer": "flowscript"` and the peers' `"peer": "pocketflow"`, each with `run`).
Every number is the median over the runs (with the runs in brackets when there are several);
`ratio` is flowscript / PocketFlow (below 1 = flowscript is faster or smaller).

Usage: compare.py RESULTS.jsonl [more.jsonl ...]
"""
import json
import statistics
import sys

# (workload, label, metric key, flowscript variant test, PocketFlow variant test, size,
#  goal for flowscript (upper bound) or None, unit)
ROWS = [
    ("W1", "chain 1,000 nodes (PF: sync Flow)", "per_node_us",
     lambda v: v == "flow run (default runtime)", lambda v: v == "sync Flow", 1000, 1.1, "µs/node"),
    ("W1", "chain 1,000 nodes, 1 worker (PF: AsyncFlow)", "per_node_us",
     lambda v: v == "flow run (1 worker)", lambda v: v == "async AsyncFlow", 1000, None, "µs/node"),
    ("W2", "io-fanout N=10,000", "wall_s",
     lambda v: True, lambda v: True, 10000, 0.10, "s wall"),
    ("W2", "io-fanout N=10,000", "peak_rss_mb",
     lambda v: True, lambda v: True, 10000, 100, "MB peak RSS"),
    ("W2", "io-fanout N=100,000", "wall_s",
     lambda v: True, lambda v: True, 100000, 1.0, "s wall"),
    ("W2", "io-fanout N=100,000", "peak_rss_mb",
     lambda v: True, lambda v: True, 100000, None, "MB peak RSS"),
    ("W3", "cpu-batch 200 x 200k (PF: AsyncParallelBatchNode)", "wall_s",
     lambda v: True, lambda v: v == "AsyncParallelBatchNode", 200, 3.5, "s wall"),
    ("W3", "cpu-batch 200 x 200k (PF: AsyncParallelBatchNode)", "cpu_s",
     lambda v: True, lambda v: v == "AsyncParallelBatchNode", 200, None, "s CPU"),
    ("W4", "http-fanout 1,000 @100 (PF: aiohttp), warm", "wall_s",
     lambda v: True, lambda v: "aiohttp" in v, 1000, 0.23, "s wall"),
    ("W4", "http-fanout 1,000 @100 (PF: aiohttp), cold", "cold_wall_s",
     lambda v: True, lambda v: "aiohttp" in v, 1000, None, "s wall"),
    ("W5", "1-node flow, whole process", "wall_ms",
     lambda v: v == "run 1-node flow", lambda v: v == "import + 1-node flow", None, 6, "ms"),
    ("W5", "floor (flowscript --version / python -c pass)", "wall_ms",
     lambda v: v == "flowscript --version", lambda v: v == "python -c pass", None, None, "ms"),
]


def size_of(r):
    for k in ("nodes", "n", "items"):
        if k in r:
            return r[k]
    return None


def fmt(x):
    if x is None:
        return "–"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def load(paths):
    recs = []
    for p in paths:
        with open(p) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    recs.append(json.loads(line))
    return recs


def values(recs, peer, workload, variant_ok, size, key):
    """Per-run values of `key` (a list ordered by run)."""
    out = {}
    for rec in recs:
        if rec.get("peer") != peer or rec.get("workload") != workload:
            continue
        for r in rec.get("results", []):
            if not variant_ok(r.get("variant", "")):
                continue
            if size is not None and size_of(r) != size:
                continue
            if isinstance(r.get(key), (int, float)):
                out.setdefault(rec.get("run", 1), r[key])
    return [out[k] for k in sorted(out)]


def cell(vals):
    if not vals:
        return None, "–"
    med = statistics.median(vals)
    text = fmt(med)
    if len(vals) > 1:
        text += " (" + ", ".join(fmt(v) for v in vals) + ")"
    return med, text


def main(paths):
    recs = load(paths)
    head = ["workload", "metric", "flowscript", "PocketFlow", "ratio fs/PF", "goal (fs)", "met"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for wl, label, key, fs_ok, pf_ok, size, goal, unit in ROWS:
        fs, fs_text = cell(values(recs, "flowscript", wl, fs_ok, size, key))
        pf, pf_text = cell(values(recs, "pocketflow", wl, pf_ok, size, key))
        ratio = fmt(fs / pf) if fs is not None and pf else "–"
        goal_text = f"≤ {goal} {unit}" if goal is not None else "–"
        met = "–" if goal is None or fs is None else ("yes" if fs <= goal else "**no**")
        print(f"| {wl} {label} | {unit} | {fs_text} | {pf_text} | {ratio} | {goal_text} | {met} |")

    # Conditions: load and busy fraction at the start of each process, checks printed.
    notes = []
    for rec in recs:
        if rec.get("peer") == "flowscript" and rec.get("workload") == "W3" and "checksum" in rec:
            notes.append(f"W3 flowscript checksum (run {rec.get('run', 1)}): {rec['checksum']}")
        if rec.get("error"):
            notes.append(f"{rec['workload']} {rec['peer']}: {rec['error']}")
    busy = [rec.get("cpu_busy_before") for rec in recs if rec.get("cpu_busy_before") is not None]
    load1 = [rec.get("loadavg_start") for rec in recs if rec.get("loadavg_start") is not None]
    if busy:
        notes.append(f"cpu_busy_before: max {max(busy):.2f}, median {statistics.median(busy):.2f} "
                     f"over {len(busy)} processes")
    if load1:
        notes.append(f"1-min loadavg at process start: max {max(load1):.2f}, "
                     f"median {statistics.median(load1):.2f}")
    if notes:
        print()
        for n in notes:
            print(f"- {n}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
