#!/usr/bin/env bash
# Runs every test of the project. On a fresh machine it installs what it needs
# (Python packages into a venv under target/). Usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TERM_COLOR=never

step() { printf '\n==> %s\n' "$*"; }

# --- Python venv for third-party checks (pyca/cryptography, CycloneDX) -------------
VENV="$ROOT/target/test-venv"
setup_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    step "creating venv in target/test-venv"
    python3 -m venv "$VENV"
  fi
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$ROOT/scripts/requirements-test.txt"
}
setup_venv
export PRINTSEAL_PYTHON="$VENV/bin/python"

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, -D warnings)"
cargo clippy --all-targets -- -D warnings

step "core without std (alloc only)"
cargo build --no-default-features --lib
cargo test --no-default-features --lib --tests

step "cargo test (default features)"
cargo test --all-targets
cargo test --doc

step "all tests passed"
