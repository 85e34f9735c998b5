#!/usr/bin/env bash
# The PKCS#11 key store (keystore/pkcs11, crate printseal-pkcs11): clippy, then its
# tests against a real SoftHSM2 token. Installs Debian's softhsm2 when missing (as root,
# as CI runs); the tests fail under CI=true if the module is still missing.
# Usage: scripts/test-pkcs11.sh (also called by scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

step() { printf '\n==> %s\n' "$*"; }

have_softhsm() {
  [ -n "${PRINTSEAL_PKCS11_MODULE:-}" ] && [ -e "$PRINTSEAL_PKCS11_MODULE" ] && return 0
  for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*-linux-gnu/softhsm/libsofthsm2.so; do
    [ -e "$m" ] && return 0
  done
  return 1
}

if ! have_softhsm; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    step "installing softhsm2 (Debian package)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends softhsm2 >/dev/null
  else
    echo "SoftHSM2 missing and not root: install it with 'apt-get install softhsm2'" >&2
  fi
fi

step "printseal-pkcs11: clippy (all targets, -D warnings)"
cargo clippy -p printseal-pkcs11 --all-targets -- -D warnings

step "printseal-pkcs11: tests against SoftHSM2"
cargo test -p printseal-pkcs11
