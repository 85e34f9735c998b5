#!/usr/bin/env bash
# The packagers' path, checked: `cargo cinstall` (cargo-c 0.10.24, installed when
# missing) into a temporary prefix, then the same checks as the plain-cargo layout of
# scripts/test-ffi.sh: the same files as ffi/install.sh installs, SONAME
# libprintseal.so.MAJOR, pkg-config finds printseal.pc, the installed header is
# include/printseal.h, only printseal_* symbols exported; then examples/c builds
# through pkg-config against it and round-trips a job.
#
# Not part of scripts/test.sh: cargo-c builds from source in about 15 minutes on two
# cores, and cargo cinstall builds the library (AWS-LC included) once more. Run it
# before a release or after touching [package.metadata.capi] or ffi/install.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CARGO_C_VERSION=0.10.24
fail() { echo "check-cinstall: FAILED: $*" >&2; exit 1; }

# It prints "cargo-c 0.10.24+cargo-0.98.0".
installed=$(cargo cinstall --version 2>/dev/null | awk '{print $2}')
if [ "${installed%%+*}" != "$CARGO_C_VERSION" ]; then
  echo "==> installing cargo-c $CARGO_C_VERSION"
  cargo install cargo-c --version "$CARGO_C_VERSION" --locked
fi

WORK=$(mktemp -d "$ROOT/target/cinstall.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
CPREFIX="$WORK/cargo-c"
PPREFIX="$WORK/install-sh"

echo "==> cargo cinstall -p printseal-ffi --release --prefix $CPREFIX"
cargo cinstall -p printseal-ffi --release --prefix "$CPREFIX" --libdir lib
cargo build -q -p printseal-ffi --release
ffi/install.sh --prefix "$PPREFIX" --profile release >/dev/null

echo "==> the same files as ffi/install.sh"
(cd "$CPREFIX" && find . -type f -o -type l | sort) >"$WORK/cargo-c.txt"
(cd "$PPREFIX" && find . -type f -o -type l | sort) >"$WORK/install-sh.txt"
diff -u "$WORK/install-sh.txt" "$WORK/cargo-c.txt" || fail "cargo cinstall and ffi/install.sh install different files"
cat "$WORK/cargo-c.txt"

version=$(sed -n 's/^version = "\(.*\)"/\1/p' ffi/Cargo.toml | head -n1)
vmaj=${version%%.*}
cmp "$CPREFIX/include/printseal.h" include/printseal.h || fail "installed header differs"
# shellcheck source=scripts/ffi-install-checks.sh
. "$ROOT/scripts/ffi-install-checks.sh"
check_installed_library "$CPREFIX" "$version" "$WORK/exported.txt"

echo "==> examples/c through pkg-config against the cargo-c install"
mkdir "$WORK/examples"
cp examples/c/*.c examples/c/Makefile "$WORK/examples/"
make -s -C "$WORK/examples" CC=gcc
(
  cd "$WORK/examples"
  export LD_LIBRARY_PATH="$CPREFIX/lib"
  ldd ./seal_file | grep -q "$CPREFIX/lib/libprintseal.so.$vmaj" || exit 1
  alice=$(./keygen alice.key)
  ./seal_file "$ROOT/examples/data/sample-job.pdf" job.sealed "$alice"
  ./open_file alice.key job.sealed out.pdf
  cmp out.pdf "$ROOT/examples/data/sample-job.pdf"
) || fail "examples against the cargo-c install"
echo "check-cinstall: all passed"
