#!/usr/bin/env bash
# The PKCS#11 key store (keystore/pkcs11, crate printseal-pkcs11): clippy, then its
# tests against a real SoftHSM2 token. Installs Debian's softhsm2 when missing (as root,
# as CI runs: scripts/softhsm.sh); the tests fail under CI=true if the module
# is still missing.
# Usage: scripts/test-pkcs11.sh (also called by scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

step() { printf '\n==> %s\n' "$*"; }

# shellcheck source=scripts/softhsm.sh
. scripts/softhsm.sh
ensure_softhsm

step "printseal-pkcs11: clippy (all targets, -D warnings)"
cargo clippy -p printseal-pkcs11 --all-targets -- -D warnings

step "printseal-pkcs11: tests against SoftHSM2"
cargo test -p printseal-pkcs11
