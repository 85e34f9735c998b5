#!/usr/bin/env bash
# What a SoftHSM2 token costs per job against the software KEK, measured in one run
# (ratios; prints the load average). About 15 s after the build. Needs softhsm2.
# Usage: scripts/bench-pkcs11.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$dir" \
  >"$dir/softhsm2.conf"
SOFTHSM2_CONF="$dir/softhsm2.conf" cargo run --release -q -p printseal-pkcs11 --example softhsm_bench
