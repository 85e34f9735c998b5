#!/usr/bin/env bash
# `io::rewrap_file` against the payload size (issue 14, "Rewrap that does not copy"):
# on XFS and btrfs, loop-mounted images made here (reflinks: the payload's blocks are
# shared, so the time should be flat), and on the file system of target/ (ext4 on the
# development machines: the kernel copies), beside `cp` (coreutils' default, which
# reflinks where it can) and `cp --reflink=never`, each followed by an fsync of the copy
# (`sync FILE`), as rewrap_file syncs its output. Medians of RUNS runs, milliseconds.
#
#   scripts/bench-rewrap-file.sh                  # 1, 16, 256 and 1024 MiB, 5 runs
#   SIZES="1 16" RUNS=3 scripts/bench-rewrap-file.sh
#
# Mounting needs root and loop devices; where that fails the script says so and
# measures only the local file system. A benchmark, never part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SIZES=${SIZES:-"1 16 256 1024"}
RUNS=${RUNS:-5}
WORK=${BENCH_DIR:-$ROOT/target/bench-rewrap}
mkdir -p "$WORK"

command -v mkfs.xfs >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq xfsprogs >/dev/null; }
command -v mkfs.btrfs >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq btrfs-progs >/dev/null; }

SPEED=$(nice -n 10 cargo bench --bench speed --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "speed" and m.get("executable"):
        print(m["executable"])')
[ -x "$SPEED" ] || { echo "could not build benches/speed.rs" >&2; exit 1; }

MOUNTS=()
cleanup() {
  for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null || true; done
  rm -f "$WORK"/*.img
}
trap cleanup EXIT

# mount_image FS: a 3 GiB sparse image with file system FS, loop-mounted; prints the
# mount point, or nothing if that is not possible here. The caller records it in
# MOUNTS for the cleanup.
mount_image() {
  local fs=$1 img=$WORK/$1.img mnt=$WORK/mnt-$1
  mkdir -p "$mnt"
  truncate -s 3G "$img"
  if ! "mkfs.$fs" -q -f "$img" >/dev/null 2>&1; then
    echo "mkfs.$fs failed" >&2
    return
  fi
  if mount -o loop "$img" "$mnt" 2>"$WORK/mount.err"; then
    echo "$mnt"
  else
    echo "cannot loop-mount $fs here: $(cat "$WORK/mount.err")" >&2
  fi
}

# ms CMD...: wall time of CMD in milliseconds.
ms() {
  local t0=$EPOCHREALTIME
  "$@" >/dev/null
  local t1=$EPOCHREALTIME
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }'
}
median() { sort -n | sed -n "$(((RUNS + 1) / 2))p"; }
# shared FILE: whether the file's extents are shared with another file (FIEMAP).
shared() {
  if filefrag -v "$1" 2>/dev/null | grep -q shared; then echo yes; else echo no; fi
}

echo "load average before: $(cat /proc/loadavg)"
DIRS=()
LABELS=()
for fs in xfs btrfs; do
  m=$(mount_image "$fs" || true)
  if [ -n "$m" ]; then
    # Recorded here: mount_image runs in a subshell ($(...)).
    MOUNTS+=("$m")
    DIRS+=("$m")
    LABELS+=("$fs (loop)")
  fi
done
DIRS+=("$WORK/local")
mkdir -p "$WORK/local"
LABELS+=("$(stat -f -c %T "$WORK/local") (target/)")

echo
echo "| file system | payload | rewrap_file ms | blocks shared | cp ms | cp --reflink=never ms | rewrap / cp --reflink=never |"
echo "|---|---:|---:|---|---:|---:|---:|"
for i in "${!DIRS[@]}"; do
  d=${DIRS[$i]}
  for mib in $SIZES; do
    head -c $((mib << 20)) /dev/zero | tr '\0' 'x' | "$SPEED" seal >"$d/job"
    sync -f "$d"
    rw=() cp1=() cp2=()
    # Each kind in its own loop, the real copies last: freeing a gigabyte copy goes on
    # in the background and would slow the next command's fsync.
    for r in $(seq 0 "$RUNS"); do
      t=$(ms "$SPEED" rewrap-file "$d/job")
      [ "$r" -gt 0 ] && rw+=("$t")
    done
    for r in $(seq 0 "$RUNS"); do
      t=$(ms sh -c "cp '$d/job' '$d/copy' && sync '$d/copy'")
      [ "$r" -gt 0 ] && cp1+=("$t")
      rm -f "$d/copy"
    done
    for r in $(seq 0 "$RUNS"); do
      t=$(ms sh -c "cp --reflink=never '$d/job' '$d/copy' && sync '$d/copy'")
      [ "$r" -gt 0 ] && cp2+=("$t")
      rm -f "$d/copy"
      sync -f "$d"
    done
    a=$(printf '%s\n' "${rw[@]}" | median)
    b=$(printf '%s\n' "${cp1[@]}" | median)
    c=$(printf '%s\n' "${cp2[@]}" | median)
    # Sharing, seen while the old version is kept alive by a second link.
    ln "$d/job" "$d/keep"
    "$SPEED" rewrap-file "$d/job"
    sh=$(shared "$d/job")
    rm -f "$d/keep"
    echo "| ${LABELS[$i]} | $mib MiB | $a | $sh | $b | $c | $(awk -v a="$a" -v c="$c" 'BEGIN { printf "%.3f", a / c }') |"
    rm -f "$d/job"
  done
done
echo
echo "load average after: $(cat /proc/loadavg)"
