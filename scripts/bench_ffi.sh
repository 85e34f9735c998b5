#!/usr/bin/env bash
# C API throughput against the Rust push API, measured in the same run (not part of
# scripts/test.sh): seal and open SIZE MiB (default 1024) in 1 MiB updates through
# printseal_sealer_*/printseal_opener_*, through printseal_seal_stream /
# printseal_open_stream over callbacks (a read callback copies into printseal's
# buffer), and through printseal_seal_stream_lent / printseal_open_stream_lent (the
# host lends its bytes), against ffi/examples/push_bench.rs.
# The C program also times the push API with a memcpy of each MiB into its input
# buffer first (copy+push): a read callback makes that copy, so it is the
# like-for-like baseline of the stream helpers, from which the script derives the
# ceiling any copying read callback has on this machine. Release build. Prints MiB/s, the ratios C/Rust (median of ROUNDS, default 3) and the
# load average. Usage: scripts/bench_ffi.sh [SIZE_MIB] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MIB=${1:-1024}
ROUNDS=${2:-3}
cargo build -q -p printseal-ffi --release --lib --example push_bench
PREFIX="$ROOT/target/ffi-bench-prefix"
rm -rf "$PREFIX"
ffi/install.sh --prefix "$PREFIX" --profile release >/dev/null
gcc -std=c11 -O2 -Wall -Wextra -Werror -I"$PREFIX/include" ffi/bench/bench.c \
  "$PREFIX/lib/libprintseal.a" -lpthread -ldl -lm -o target/ffi-bench
LOG=$(mktemp)
echo "load average before: $(cat /proc/loadavg)"
for r in $(seq "$ROUNDS"); do
  target/release/examples/push_bench "$MIB" | sed "s/^/round $r /" >>"$LOG"
  target/ffi-bench "$MIB" | sed "s/^/round $r /" >>"$LOG"
done
echo "load average after: $(cat /proc/loadavg)"
python3 - "$LOG" "$MIB" "$(nproc)" <<'PY'
import statistics, sys, collections
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    w = line.split()
    # round N <lang> <api> <op> X MiB/s
    runs[(w[2], w[3], w[4])].append(float(w[5]))
print(f"{sys.argv[2]} MiB per pass, {len(next(iter(runs.values())))} rounds, median MiB/s:")
for k, v in sorted(runs.items()):
    print(f"  {' '.join(k):18} {statistics.median(v):9.1f}   (all: {', '.join(f'{x:.0f}' for x in v)})")
for op in ("seal", "open"):
    base = statistics.median(runs[("rust", "push", op)])
    for api in ("push", "lent", "stream", "copy+push"):
        c = statistics.median(runs[("c", api, op)])
        print(f"  ratio c {api} {op} / rust push {op}: {c / base:.3f}")
    s, cp, push = (statistics.median(runs[("c", a, op)]) for a in ("stream", "copy+push", "push"))
    print(f"  ratio c stream {op} / c copy+push {op} (same copies): {s / cp:.3f}")
    # The most a copying read callback allows: per MiB, the copy (copy+push time less
    # push time, on one core) plus the sealing (push time on all cores, so cores x
    # that on one), the whole spread evenly over every core.
    cores = int(sys.argv[3])
    ceiling = cores / ((1 / cp - 1 / push) + cores / push)
    print(f"  ceiling of a copying read callback on {cores} cores, {op}: {ceiling:.1f} MiB/s"
          f" = {ceiling / base:.3f} x rust push; c stream {op} is at {s / ceiling:.3f} of it")
PY
rm -f "$LOG"
