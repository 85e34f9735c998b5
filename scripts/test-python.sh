#!/usr/bin/env bash
# The Python module (python/, issue 10): clippy of its crate, one abi3 wheel built with
# maturin (with the `test-hooks` feature, see python/src/test_hooks.rs), its PEP 770
# SBOMs checked against the installed module, then on every CPython >= 3.9 of the
# machine (the test venv's, and each pyenv version) a fresh venv under
# target/py-venvs/ with that wheel, pytest (python/tests, including the SoftHSM2 token
# tests: softhsm2 is installed first when missing), and in the test venv mypy --strict
# on the typed example and mypy.stubtest against the stubs. Called by scripts/test.sh;
# uses the root target/ (CARGO_TARGET_DIR).
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

# SoftHSM2 for python/tests/test_pkcs11.py (which fails without it under CI=true).
# shellcheck source=scripts/softhsm.sh
. scripts/softhsm.sh
ensure_softhsm

step "python: cargo clippy -p printseal-python (-D warnings), with and without test hooks"
cargo clippy -p printseal-python --all-targets -- -D warnings
cargo clippy -p printseal-python --all-targets --features test-hooks -- -D warnings

# The dev profile, as `cargo test` uses: aws-lc-sys (same features as the core tests
# with aws-lc-rs) is not built a second time. Release wheels come from
# `pip install ./python` (python/pyproject.toml).
# The test wheel has the `test-hooks` feature (python/src/test_hooks.rs: a key that
# fails with an internal error); a shipped wheel (`pip install ./python`) has not.
step "python: maturin build (abi3 wheel, test hooks)"
rm -rf "$ROOT/target/wheels/py"
(cd python && "$VENV/bin/maturin" build --profile dev --features test-hooks \
  --out "$ROOT/target/wheels/py" -i "$VENV/bin/python")
WHEEL=$(ls "$ROOT"/target/wheels/py/printseal-*-cp39-abi3-*.whl)

# PEP 770: printseal's own SBOM in the wheel is the document the installed module
# returns (printseal.sbom()), byte for byte (its SHA-256 is build_info()'s, which every
# sealed header records); maturin's document of the whole crate tree is beside it.
"$VENV/bin/python" -m pip install "${PIP_Q[@]}" --force-reinstall --no-deps "$WHEEL"
(cd "$ROOT/target" && "$VENV/bin/python" - "$WHEEL" <<'PY'
import hashlib, json, sys, zipfile
import printseal
wheel = zipfile.ZipFile(sys.argv[1])
names = wheel.namelist()
for want in ("printseal/_printseal.pyi", "printseal/py.typed", "printseal/exceptions.py"):
    assert want in names, want
sboms = {n.rsplit("/", 1)[1]: n for n in names if ".dist-info/sboms/" in n}
assert set(sboms) == {"printseal.cdx.json", "printseal-python.cyclonedx.json"}, sboms
ours = wheel.read(sboms["printseal.cdx.json"])
assert hashlib.sha256(ours).hexdigest() == printseal.build_info()["sbom_sha256"], \
    "the wheel's printseal.cdx.json is not the module's embedded SBOM"
doc = json.loads(ours)
assert doc == printseal.sbom()
assert (doc["bomFormat"], doc["specVersion"]) == ("CycloneDX", "1.6"), doc["specVersion"]
assert any(c.get("cryptoProperties") for c in doc["components"]), "no CBOM"
def names_of(d):
    return {c["name"] for c in d.get("components", [])} | {d["metadata"]["component"]["name"]}
maturin_doc = json.loads(wheel.read(sboms["printseal-python.cyclonedx.json"]))
assert maturin_doc["bomFormat"] == "CycloneDX"
assert {"printseal", "aws-lc-sys"} <= names_of(doc), sorted(names_of(doc))
assert {"printseal", "aws-lc-sys", "pyo3", "printseal-pkcs11", "cryptoki"} <= names_of(maturin_doc)
print("wheel ok:", sys.argv[1].rsplit("/", 1)[-1], "sboms:", sorted(sboms),
      "printseal.cdx.json sha256", printseal.build_info()["sbom_sha256"][:16])
PY
)

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
