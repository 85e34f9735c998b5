#!/usr/bin/env python3
"""Ratio table from criterion's estimates of benches/throughput.rs.

Usage: scripts/bench_summary.py [CRITERION_DIR]   (default: target/criterion, or
$CARGO_TARGET_DIR/criterion)

Reads every <group>/<function>/<size>/new/estimates.json (mean point estimate, ns per
iteration) and prints, per suite, backend and size: seal, open, raw AEAD and memcpy
throughput in GB/s (10^9 bytes per second), seal/raw-seal and open/raw-open; then the
parallel/single speedups. The machines are shared and noisy: only ratios measured in
the same run mean much.
"""

import json
import os
import sys
from pathlib import Path

SEAL_GOAL = 0.90
PARALLEL_GOAL = 1.8


def load(root: Path) -> dict:
    """{(group, function, size): mean ns} for every benchmark of the throughput bench."""
    out = {}
    for est in root.glob("**/new/estimates.json"):
        bench = est.parent.parent.relative_to(root)
        bj = est.parent / "benchmark.json"
        if bj.exists():
            meta = json.loads(bj.read_text())
            group, func, param = meta["group_id"], meta.get("function_id"), meta.get("value_str")
        else:
            parts = bench.parts
            group, func, param = "/".join(parts[:-2]), parts[-2], parts[-1]
        mean = json.loads(est.read_text())["mean"]["point_estimate"]
        out[(group, func, param)] = mean
    return out


def gbps(size: int, ns: float) -> float:
    return size / ns  # bytes per ns == GB/s


def fmt_size(n: int) -> str:
    for unit, f in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= f and n % f == 0:
            return f"{n // f} {unit}"
    return f"{n} B"


def main() -> int:
    default = Path(os.environ.get("CARGO_TARGET_DIR", "target")) / "criterion"
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    if not root.is_dir():
        print(f"no criterion output in {root}", file=sys.stderr)
        return 1
    est = load(root)

    rows = []
    for (group, func, param), ns in sorted(est.items()):
        if not group.startswith("throughput/") or not func.startswith("seal/"):
            continue
        suite, backend, size = group.split("/", 1)[1], func.split("/", 1)[1], int(param)

        def get(f):
            return est.get((group, f, param))

        vals = {
            "seal": ns,
            "open": get(f"open/{backend}"),
            "stream-seal": get(f"stream-seal/{backend}"),
            "stream-open": get(f"stream-open/{backend}"),
            "io-seal": get(f"io-seal/{backend}"),
            "io-open": get(f"io-open/{backend}"),
            "raw-seal": get(f"raw-seal/{backend}"),
            "raw-seal-io": get(f"raw-seal-io/{backend}"),
            "raw-open": get(f"raw-open/{backend}"),
            "memcpy": get("memcpy"),
        }
        rows.append((suite, backend, size, vals))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))

    if rows:
        print("## Throughput (GB/s) and ratios, same run\n")
        print("| suite | backend | size | job seal | job open | stream seal | stream open "
              "| raw seal (in place) | raw seal (in/out) | raw open (in/out) | memcpy "
              "| stream seal/raw in place | stream seal/raw in/out | stream open/raw "
              "| job seal/raw | job open/raw |")
        print("|---|---|---:|" + "---:|" * 12)
        for suite, backend, size, v in rows:
            def t(k):
                return f"{gbps(size, v[k]):.2f}" if v.get(k) else "-"

            def r(a, b):
                if not (v.get(a) and v.get(b)):
                    return "-"
                x = v[b] / v[a]  # throughput ratio = time ratio inverted
                return f"{x:.2f}" + ("" if x >= SEAL_GOAL else " (below 0.90)")

            print(f"| {suite} | {backend} | {fmt_size(size)} | {t('seal')} | {t('open')} "
                  f"| {t('stream-seal')} | {t('stream-open')} "
                  f"| {t('raw-seal')} | {t('raw-seal-io')} | {t('raw-open')} | {t('memcpy')} "
                  f"| {r('stream-seal', 'raw-seal')} | {r('stream-seal', 'raw-seal-io')} "
                  f"| {r('stream-open', 'raw-open')} "
                  f"| {r('seal', 'raw-seal')} | {r('open', 'raw-open')} |")
        print(f"\nGoal: stream seal/raw and stream open/raw >= {SEAL_GOAL} (payload "
              "throughput; \"job\" columns add the per-job header and recipient wrap, "
              "which dominate small jobs).")

    io_rows = [r for r in rows if r[3].get("io-seal")]
    if io_rows:
        print("\n## std::io adapters (SealWriter / OpenReader, whole jobs), same run\n")
        print("| suite | backend | size | io seal | io open | io seal/raw | io open/raw |")
        print("|---|---|---:|---:|---:|---:|---:|")
        for suite, backend, size, v in io_rows:
            # OpenReader takes no backend: io-open is measured on the default one only.
            def io(k, raw):
                if not (v.get(k) and v.get(raw)):
                    return "-", "-"
                return f"{gbps(size, v[k]):.2f}", f"{v[raw] / v[k]:.2f}"

            (s_t, s_r), (o_t, o_r) = io("io-seal", "raw-seal"), io("io-open", "raw-open")
            print(f"| {suite} | {backend} | {fmt_size(size)} | {s_t} | {o_t} | {s_r} | {o_r} |")

    par = []
    for (group, func, param), ns in sorted(est.items()):
        if group.startswith("parallel/") and func.endswith("/single"):
            op = func.split("/")[0]
            p = est.get((group, f"{op}/parallel", param))
            if p:
                size = int(param)
                par.append((group.split("/", 1)[1], op, size, ns, p))
    if par:
        print("\n## Parallel (rayon, all cores) vs one thread, same run\n")
        print("| suite | op | size | single GB/s | parallel GB/s | speedup |")
        print("|---|---|---:|---:|---:|---:|")
        for suite, op, size, s, p in par:
            x = s / p
            mark = "" if x >= PARALLEL_GOAL else f" (below {PARALLEL_GOAL})"
            print(f"| {suite} | {op} | {fmt_size(size)} | {gbps(size, s):.2f} "
                  f"| {gbps(size, p):.2f} | {x:.2f}x{mark} |")
        print(f"\nGoal: >= {PARALLEL_GOAL}x on 2 cores for 8 MiB and more.")

    lat = sorted((k, v) for k, v in est.items() if k[0] == "latency")
    if lat:
        print("\n## Small-job latency (1 KiB job, header and recipient wrap included)\n")
        print("| job | backend | mean |")
        print("|---|---|---:|")
        for (_, func, param), ns in lat:
            print(f"| {func} | {param} | {ns / 1000:.1f} us |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
