#!/usr/bin/env bash
# Issue 14's table, "How it is measured": in memory (push API, in place, the std::io
# adapters at three caller sizes, raw AWS-LC on the same chunks) and whole process
# (file to /dev/null and file to file, beside cat, age and rage), medians of RUNS runs
# after one warm-up, with peak RSS (/usr/bin/time) and the load average.
#
#   scripts/bench-speed.sh            # 256 MiB, 5 runs
#   BENCH_MIB=1024 RUNS=7 scripts/bench-speed.sh
#
# A benchmark, never part of scripts/test.sh. Installs what it lacks: Debian's age and
# time (apt-get), rage (cargo install --locked). The whole-process printseal rows run
# benches/speed.rs over SealWriter/OpenReader until the printseal command line is on
# main. Figures are ratios within this run; the machine may be shared.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MIB=${BENCH_MIB:-256}
RUNS=${RUNS:-5}
WORK=${BENCH_DIR:-$ROOT/target/bench-speed}
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

echo "load average before: $(cat /proc/loadavg)"
# The bench target benches/speed.rs; its executable from cargo's JSON messages.
SPEED=$(nice -n 10 cargo bench --bench speed --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "speed" and m.get("executable"):
        print(m["executable"])')
[ -x "$SPEED" ] || { echo "could not build benches/speed.rs" >&2; exit 1; }

echo
"$SPEED" mem 64 "$RUNS"

# --- whole process -----------------------------------------------------------------
IN=$WORK/in.bin
if [ ! -f "$IN" ] || [ "$(stat -c %s "$IN")" -ne $((MIB << 20)) ]; then
  head -c $((MIB << 20)) /dev/urandom >"$IN"
fi
[ -f "$WORK/age.key" ] || age-keygen -o "$WORK/age.key" 2>/dev/null
AGE_PUB=$(age-keygen -y "$WORK/age.key")
"$SPEED" seal <"$IN" >"$WORK/in.ps"
age -r "$AGE_PUB" -o "$WORK/in.age" "$IN"
cat "$IN" "$WORK/in.ps" "$WORK/in.age" >/dev/null # into the page cache

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
  for mode in copy 1m 16m; do
    run "ps-$mode $label seal" "$IN" "$dest" "$SPEED" seal "$mode"
    run "ps-$mode $label open" "$WORK/in.ps" "$dest" "$SPEED" open "$mode"
  done
  run "age $label seal" "$IN" "$dest" age -r "$AGE_PUB"
  run "age $label open" "$WORK/in.age" "$dest" age -d -i "$WORK/age.key"
  run "rage $label seal" "$IN" "$dest" rage -r "$AGE_PUB"
  run "rage $label open" "$WORK/in.age" "$dest" rage -d -i "$WORK/age.key"
done
rm -f "$WORK/out"

echo
echo "whole process, $MIB MiB in the page cache, one thread, median of $RUNS after a warm-up"
echo "(seconds; x age = age's time / printseal's time; peak RSS in MiB)"
echo
echo "| $MIB MiB to | op | cat | printseal io::copy | printseal 1 MiB | printseal 16 MiB | age | rage | io::copy x age | peak RSS printseal io::copy |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for label in /dev/null file; do
  for op in seal open; do
    a=${SECS["age $label $op"]}
    p=${SECS["ps-copy $label $op"]}
    ratio=$(awk -v a="$a" -v p="$p" 'BEGIN { if (p > 0) printf "%.2f", a / p; else print "-" }')
    rss=$(awk -v k="${RSS["ps-copy $label $op"]}" 'BEGIN { printf "%.1f", k / 1024 }')
    echo "| $label | $op | ${SECS["cat $label $op"]} | $p | ${SECS["ps-1m $label $op"]} | ${SECS["ps-16m $label $op"]} | $a | ${SECS["rage $label $op"]} | $ratio | $rss |"
  done
done
echo
echo "load average after: $(cat /proc/loadavg)"
