#!/usr/bin/env bash
# Issue 14's table, "How it is measured": in memory (push API, in place, the std::io
# adapters at three caller sizes, raw AWS-LC on the same chunks; one thread, then the
# adapters with `parallel` on two threads) and whole process (file to /dev/null and file
# to file, beside cat, age and rage): the `printseal` command line (cli/) built without
# and with `parallel`, and the adapters alone (benches/speed.rs over io::copy). Medians
# of RUNS runs after one warm-up, with peak RSS (/usr/bin/time) and the load average.
#
#   scripts/bench-speed.sh            # 256 MiB, 5 runs
#   BENCH_MIB=1024 RUNS=7 scripts/bench-speed.sh
#
# A benchmark, never part of scripts/test.sh. Installs what it lacks: Debian's age and
# time (apt-get), rage (cargo install --locked). Figures are ratios within this run;
# the machine may be shared. The rewrap rows are scripts/bench-rewrap-file.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MIB=${BENCH_MIB:-256}
RUNS=${RUNS:-5}
MEM_MIB=${MEM_MIB:-64}
WORK=${BENCH_DIR:-$ROOT/target/bench-speed}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
mkdir -p "$WORK"

need_apt() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}
need_apt age time
if ! command -v rage >/dev/null 2>&1; then
  cargo install rage --locked --quiet
fi

# bench_exe FEATURES...: builds benches/speed.rs, prints its executable (from cargo's
# JSON messages).
bench_exe() {
  nice -n 10 cargo bench --bench speed --no-run --message-format=json "$@" 2>/dev/null |
    python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "speed" and m.get("executable"):
        print(m["executable"])'
}
SPEED=$(bench_exe)
cp "$SPEED" "$WORK/speed"
SPEED_PAR=$(bench_exe --features parallel)
cp "$SPEED_PAR" "$WORK/speed-par"
SPEED=$WORK/speed
SPEED_PAR=$WORK/speed-par
# The command line: one thread (no `parallel`), and as installed (default features,
# `parallel` on).
nice -n 10 cargo build --release -q -p printseal-cli --no-default-features --features aws-lc-rs
cp "$TARGET/release/printseal" "$WORK/printseal-1t"
nice -n 10 cargo build --release -q -p printseal-cli
cp "$TARGET/release/printseal" "$WORK/printseal-par"
PS1T=$WORK/printseal-1t
PSPAR=$WORK/printseal-par

echo "load average before: $(cat /proc/loadavg)"
echo
"$SPEED" mem "$MEM_MIB" "$RUNS" 1
echo
echo "with parallel (adapter rows on 2 threads against the push API on 2 threads):"
"$SPEED_PAR" mem "$MEM_MIB" "$RUNS" 2

# --- whole process -----------------------------------------------------------------
IN=$WORK/in.bin
if [ ! -f "$IN" ] || [ "$(stat -c %s "$IN")" -ne $((MIB << 20)) ]; then
  head -c $((MIB << 20)) /dev/urandom >"$IN"
fi
[ -f "$WORK/age.key" ] || age-keygen -o "$WORK/age.key" 2>/dev/null
AGE_PUB=$(age-keygen -y "$WORK/age.key")
[ -f "$WORK/ps.key" ] || "$PS1T" keygen --x25519 -o "$WORK/ps.key" 2>/dev/null
PS_PUB=$("$PS1T" recipient "$WORK/ps.key")
"$PS1T" seal -r "$PS_PUB" <"$IN" >"$WORK/in.ps"
"$SPEED" seal <"$IN" >"$WORK/in.speed"
age -r "$AGE_PUB" -o "$WORK/in.age" "$IN"
cat "$IN" "$WORK/in.ps" "$WORK/in.speed" "$WORK/in.age" >/dev/null # into the page cache

# run NAME INPUT OUTPUT CMD...: median seconds and peak RSS (KiB) of RUNS runs
declare -A SECS RSS
run() {
  local name=$1 input=$2 output=$3
  shift 3
  local times=() rss=()
  for i in $(seq 0 "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" <"$input" >"$output"
    if [ "$i" -gt 0 ]; then
      read -r t m <"$WORK/time.txt"
      times+=("$t")
      rss+=("$m")
    fi
  done
  SECS[$name]=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")
  RSS[$name]=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
}

for dest in /dev/null "$WORK/out"; do
  label=$([ "$dest" = /dev/null ] && echo "/dev/null" || echo "file")
  run "cat $label seal" "$IN" "$dest" cat
  run "cat $label open" "$WORK/in.ps" "$dest" cat
  run "cli $label seal" "$IN" "$dest" "$PS1T" seal -r "$PS_PUB"
  run "cli $label open" "$WORK/in.ps" "$dest" "$PS1T" open -i "$WORK/ps.key"
  run "clipar $label seal" "$IN" "$dest" "$PSPAR" seal -r "$PS_PUB"
  run "clipar $label open" "$WORK/in.ps" "$dest" "$PSPAR" open -i "$WORK/ps.key"
  run "copy $label seal" "$IN" "$dest" "$SPEED" seal copy
  run "copy $label open" "$WORK/in.speed" "$dest" "$SPEED" open copy
  run "age $label seal" "$IN" "$dest" age -r "$AGE_PUB"
  run "age $label open" "$WORK/in.age" "$dest" age -d -i "$WORK/age.key"
  run "rage $label seal" "$IN" "$dest" rage -r "$AGE_PUB"
  run "rage $label open" "$WORK/in.age" "$dest" rage -d -i "$WORK/age.key"
done
# The command line's own atomic output (-o: temporary file, fsync, rename, directory
# fsync), which the redirections above do not exercise.
rm -f "$WORK/out"
run "cli -o seal" "$IN" /dev/null sh -c "\"$PS1T\" seal -r \"$PS_PUB\" -o \"$WORK/out\" && rm \"$WORK/out\""
run "cli -o open" "$WORK/in.ps" /dev/null sh -c "\"$PS1T\" open -i \"$WORK/ps.key\" -o \"$WORK/out\" && rm \"$WORK/out\""
rm -f "$WORK/out"

ratio() { awk -v a="$1" -v p="$2" 'BEGIN { if (p > 0) printf "%.2f", a / p; else print "-" }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

echo
echo "whole process, $MIB MiB in the page cache, median of $RUNS after a warm-up"
echo "(seconds, /usr/bin/time; x age = age's time / printseal's time; peak RSS in MiB)."
echo "printseal CLI = \`printseal seal -r\` / \`open -i\` (X25519, as age), 1 thread: built"
echo "without \`parallel\`; par: default features (2 threads here); adapters = benches/speed.rs"
echo "over io::copy (8 KiB pieces), one thread, KEK."
echo
echo "| $MIB MiB to | op | cat | printseal CLI | CLI par | adapters io::copy | age | rage | CLI x age | CLI par x age | adapters x age | peak RSS CLI | peak RSS CLI par |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for label in /dev/null file; do
  for op in seal open; do
    a=${SECS["age $label $op"]}
    c=${SECS["cli $label $op"]}
    cp_=${SECS["clipar $label $op"]}
    p=${SECS["copy $label $op"]}
    echo "| $label | $op | ${SECS["cat $label $op"]} | $c | $cp_ | $p | $a | ${SECS["rage $label $op"]} | $(ratio "$a" "$c") | $(ratio "$a" "$cp_") | $(ratio "$a" "$p") | $(mib "${RSS["cli $label $op"]}") | $(mib "${RSS["clipar $label $op"]}") |"
  done
done
echo
echo "printseal CLI with -o FILE (atomic: temporary file, fsync, rename, directory fsync), 1 thread:"
echo "seal ${SECS["cli -o seal"]} s, open ${SECS["cli -o open"]} s"
echo
echo "load average after: $(cat /proc/loadavg)"
