#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600), one after another, one
# in-process libFuzzer at a time (the machines have 2 shared cores). Logs go to
# target/fuzz-logs/<target>.log, corpus growth to fuzz/corpus/<target>/ (not
# committed), crashes to fuzz/artifacts/<target>/. Prints each final libFuzzer line.
# Usage: scripts/fuzz_campaign.sh [SECONDS] [TARGET...]
set -uo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-600}
shift || true
FUZZ=(cargo +nightly fuzz)
rustup run nightly rustc --version >/dev/null 2>&1 || { export RUSTC_BOOTSTRAP=1; FUZZ=(cargo fuzz); }
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || mapfile -t TARGETS < <("${FUZZ[@]}" list)
mkdir -p target/fuzz-logs
"${FUZZ[@]}" build || exit 1
status=0
for t in "${TARGETS[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  log="target/fuzz-logs/$t.log"
  echo "$(date -u +%H:%M:%S) $t: ${SECS}s -> $log"
  "${FUZZ[@]}" run "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -max_total_time="$SECS" -timeout=30 -print_final_stats=1 >"$log" 2>&1 || {
    status=1
    echo "$t: FAILED (see $log and fuzz/artifacts/$t/)"
  }
  echo "$t: $(grep -E '#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)"
done
exit $status
