#!/usr/bin/env bash
# The command line (cli/, crate printseal-cli, binary `printseal`) and its CUPS
# backend: clippy, unit tests, the end-to-end tests (cli/tests/cli.rs) and the test
# against a real private cupsd on 127.0.0.1 (cli/tests/cups.rs).
#
# On a fresh machine it installs what those tests need from Debian: cups-daemon and
# cups-client (cupsd, lp, lpadmin, lpstat) and bsdutils (script(1), for the
# pseudo-terminal test). Under CI (CI set) the cupsd test fails if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

step() { printf '\n==> %s\n' "$*"; }

need=()
command -v cupsd >/dev/null 2>&1 || need+=(cups-daemon)
{ command -v lp && command -v lpadmin && command -v lpstat; } >/dev/null 2>&1 || need+=(cups-client)
command -v script >/dev/null 2>&1 || need+=(bsdutils)
# SoftHSM2 for the -k/-i pkcs11: test (cli/tests/pkcs11.rs).
command -v softhsm2-util >/dev/null 2>&1 || need+=(softhsm2)
if [ "${#need[@]}" -gt 0 ]; then
  step "installing ${need[*]} (apt-get)"
  SUDO=()
  [ "$(id -u)" -eq 0 ] || SUDO=(sudo)
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

step "cli: clippy (all targets, -D warnings)"
cargo clippy -p printseal-cli --all-targets -- -D warnings

step "cli: unit, end-to-end and real-cupsd tests"
cargo test -p printseal-cli
