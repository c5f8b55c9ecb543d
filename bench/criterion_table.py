#!/usr/bin/env python3
"""Prints the codec benches as a Markdown table from criterion's saved estimates.

Usage: python3 criterion_table.py [CRITERION_DIR ...]   (default: target/criterion)

One column per directory (one per run: copy target/criterion away between runs) with the
median time per frame and its 95 % confidence interval, then the throughput at the lowest of
those medians, in frames per second. Criterion's own `time:` line shows the slope estimate,
which is close to the mean; the median is steadier on a machine that is busy with other work.
Standard library only.
"""

import json
import sys
from pathlib import Path

GROUPS = {"cmpp30": "CMPP 3.0", "sgip12": "SGIP 1.2", "smgp30": "SMGP 3.0", "smpp34": "SMPP 3.4"}
ORDER = ["submit/encode", "submit/decode", "deliver_report/encode", "deliver_report/decode", "deliver_report/decode+report"]


def medians(root):
    """(group, function) -> (median, low, high) in ns, for every benchmark under `root`."""
    out = {}
    for bench in root.glob("*/*/new/benchmark.json"):
        meta = json.loads(bench.read_text())
        median = json.loads((bench.parent / "estimates.json").read_text())["median"]
        ci = median["confidence_interval"]
        out[(meta["group_id"], meta["function_id"])] = (
            median["point_estimate"],
            ci["lower_bound"],
            ci["upper_bound"],
        )
    return out


def order(key):
    group, function = key
    return (group, ORDER.index(function) if function in ORDER else len(ORDER), function)


roots = [Path(a) for a in sys.argv[1:]] or [Path("target/criterion")]
runs = [medians(r) for r in roots]
keys = sorted({k for run in runs for k in run}, key=order)
header = "| protocol | benchmark | " + " | ".join(f"median ns (95 % CI), {r.name}" for r in roots)
print(header + " | frames/s at the lowest median |")
print("|---|---|" + "---:|" * len(roots) + "---:|")
for key in keys:
    cells, best = [], None
    for run in runs:
        if key in run:
            m, lo, hi = run[key]
            cells.append(f"{m:.0f} ({lo:.0f}–{hi:.0f})")
            best = m if best is None else min(best, m)
        else:
            cells.append("–")
    rate = f"{1e9 / best / 1e6:.2f} M" if best else "–"
    print(f"| {GROUPS.get(key[0], key[0])} | {key[1]} | " + " | ".join(cells) + f" | {rate} |")
