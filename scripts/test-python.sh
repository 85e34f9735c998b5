#!/usr/bin/env bash
# The Python module (python/, issue 10): clippy of its crate, one abi3 wheel built with
# maturin, then on every CPython >= 3.9 of the machine (the test venv's, and each pyenv
# version) a fresh venv under target/py-venvs/ with that wheel, pytest (python/tests),
# and in the test venv mypy --strict on the typed example and mypy.stubtest against the
# stubs. Called by scripts/test.sh; uses the root target/ (CARGO_TARGET_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TARGET_DIR="$ROOT/target"
VENV="$ROOT/target/test-venv"
PIP_Q=(--quiet --disable-pip-version-check)
step() { printf '\n==> %s\n' "$*"; }

if [ ! -x "$VENV/bin/python" ]; then
  step "creating venv in target/test-venv"
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install "${PIP_Q[@]}" -r "$ROOT/python/requirements-test.txt"

step "python: cargo clippy -p printseal-python (-D warnings)"
cargo clippy -p printseal-python --all-targets -- -D warnings

# The dev profile, as `cargo test` uses: aws-lc-sys (same features as the core tests
# with aws-lc-rs) is not built a second time. Release wheels come from
# `pip install ./python` (python/pyproject.toml).
step "python: maturin build (abi3 wheel)"
rm -rf "$ROOT/target/wheels/py"
(cd python && "$VENV/bin/maturin" build --profile dev --out "$ROOT/target/wheels/py" \
  -i "$VENV/bin/python")
WHEEL=$(ls "$ROOT"/target/wheels/py/printseal-*-cp39-abi3-*.whl)
"$VENV/bin/python" - "$WHEEL" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
for want in ("printseal/_printseal.pyi", "printseal/py.typed", "printseal/exceptions.py"):
    assert want in names, want
import json
sboms = [n for n in names if ".dist-info/sboms/" in n]
assert sboms, "no PEP 770 SBOM in the wheel"
doc = json.loads(zipfile.ZipFile(sys.argv[1]).read(sboms[0]))
assert doc["bomFormat"] == "CycloneDX", doc.get("bomFormat")
crates = {c["name"] for c in doc.get("components", [])}
assert {"printseal", "aws-lc-sys", "pyo3"} <= crates, sorted(crates)
print("wheel ok:", sys.argv[1].rsplit("/", 1)[-1], "sboms:", sboms)
PY

# Every CPython >= 3.9 here: the test venv's and pyenv's.
PYTHONS=("$VENV/bin/python")
for p in /root/.pyenv/versions/3.*/bin/python3; do
  [ -x "$p" ] || continue
  if "$p" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)'; then
    PYTHONS+=("$p")
  fi
done

ran=0
for py in "${PYTHONS[@]}"; do
  ver=$("$py" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
  if [ "$py" = "$VENV/bin/python" ]; then
    env="$VENV"
  else
    env="$ROOT/target/py-venvs/$ver"
    [ -x "$env/bin/python" ] || "$py" -m venv "$env"
    "$env/bin/python" -m pip install "${PIP_Q[@]}" -r "$ROOT/python/requirements-test.txt"
  fi
  step "python $ver: pytest with the abi3 wheel"
  "$env/bin/python" -m pip install "${PIP_Q[@]}" --force-reinstall --no-deps "$WHEEL"
  # From python/tests, so that `import printseal` is the installed wheel.
  (cd python/tests && "$env/bin/python" -m pytest -q -p no:cacheprovider .)
  ran=$((ran + 1))
done
echo "python: tests ran on $ran interpreter(s)"

step "python: mypy --strict on the typed example, and stubtest"
(cd python/examples && "$VENV/bin/python" typed_quickstart.py \
  && "$VENV/bin/python" -m mypy --strict --no-incremental typed_quickstart.py)
(cd "$ROOT/target" && "$VENV/bin/python" -m mypy.stubtest printseal._printseal \
  --allowlist "$ROOT/python/stubtest-allowlist.txt")
