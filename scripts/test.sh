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

step "aws-lc-rs, parallel and bytes features: clippy and tests"
cargo clippy --all-targets --features aws-lc-rs,parallel,bytes -- -D warnings
cargo test --all-targets --features aws-lc-rs,parallel,bytes

bash "$ROOT/scripts/test-cli.sh"
bash "$ROOT/scripts/test-sbom.sh"

step "Python module: scripts/test-python.sh"
scripts/test-python.sh

step "PKCS#11 key store against SoftHSM2 (scripts/test-pkcs11.sh)"
scripts/test-pkcs11.sh

step "C ABI (ffi/): header, symbols, install, C tests under ASan/UBSan and valgrind, vectors, examples"
scripts/test-ffi.sh

# --- Fuzz targets (fuzz/, its own workspace): build all, 10 s smoke run each --------
# libFuzzer needs nightly's -Z flags: the nightly toolchain where there is one, else
# the stable toolchain with RUSTC_BOOTSTRAP=1 (sanitizers off: the core is safe Rust).
step "fuzz targets: build and smoke-run"
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
if rustup run nightly rustc --version >/dev/null 2>&1; then
  FUZZ=(cargo +nightly fuzz)
  FUZZ_SAN=()
else
  export RUSTC_BOOTSTRAP=1
  FUZZ=(cargo fuzz)
  FUZZ_SAN=(--sanitizer none)
fi
"${FUZZ[@]}" build "${FUZZ_SAN[@]}"
mkdir -p target/fuzz-logs
for t in $("${FUZZ[@]}" list); do
  mkdir -p "fuzz/corpus/$t"
  log="target/fuzz-logs/smoke-$t.log"
  if ! "${FUZZ[@]}" run "${FUZZ_SAN[@]}" "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
      -max_total_time=10 -timeout=30 >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz target $t failed (log: $log)"
    exit 1
  fi
  echo "$t: $(grep -E 'DONE|^Done' "$log" | tr '\n' ' ')"
done
unset RUSTC_BOOTSTRAP

step "all tests passed"
