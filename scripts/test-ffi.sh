#!/usr/bin/env bash
# Tests of the C ABI (ffi/, libprintseal): header regeneration and diff, version
# macros, exported symbols, SONAME, install layout and pkg-config, C tests under
# AddressSanitizer + UndefinedBehaviorSanitizer and under valgrind, the header as
# C++, a NULL-argument case for every function, the format vectors through the C ABI,
# fault injection, a real SoftHSM2 token, every status provoked, Rust interop, and the
# C examples built with make (static and pkg-config) and CMake. Called by
# scripts/test.sh; installs what it needs on a fresh machine (cbindgen, gcc/g++,
# valgrind, cmake, pkg-config, softhsm2).
#
# The library is built with the dev profile (dependencies at opt-level 2), which
# shares the aws-lc-sys build of `cargo test --features aws-lc-rs,...`; packagers
# build with --release (see README, "C library"). FFI_PROFILE=release overrides.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TERM_COLOR=never
PROFILE=${FFI_PROFILE:-debug}
CARGO_PROFILE_FLAG=()
[ "$PROFILE" = release ] && CARGO_PROFILE_FLAG=(--release)
CBINDGEN_VERSION=0.29.4
WORK="$ROOT/target/ffi-test"
PREFIX="$ROOT/target/ffi-prefix"
step() { printf '\n==> ffi: %s\n' "$*"; }
fail() { echo "ffi: FAILED: $*" >&2; exit 1; }

# --- Tools ------------------------------------------------------------------------
need_apt=()
for tool in gcc:gcc g++:g++ valgrind:valgrind cmake:cmake pkg-config:pkg-config make:make; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need_apt+=("${tool#*:}")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    step "installing ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    fail "missing tools: ${need_apt[*]}"
  fi
fi
if [ "$(cbindgen --version 2>/dev/null)" != "cbindgen $CBINDGEN_VERSION" ]; then
  step "installing cbindgen $CBINDGEN_VERSION"
  cargo install cbindgen --version "$CBINDGEN_VERSION" --locked --force
fi

# --- Header -------------------------------------------------------------------------
step "include/printseal.h is what cbindgen $CBINDGEN_VERSION generates"
mkdir -p "$WORK"
cbindgen --quiet --config ffi/cbindgen.toml --crate printseal-ffi --output "$WORK/printseal.h" ffi
if ! diff -u include/printseal.h "$WORK/printseal.h"; then
  fail "include/printseal.h is stale: regenerate it with
  cbindgen --config ffi/cbindgen.toml --crate printseal-ffi --output include/printseal.h ffi"
fi
version=$(sed -n 's/^version = "\(.*\)"/\1/p' ffi/Cargo.toml | head -n1)
IFS=. read -r vmaj vmin vpat <<<"$version"
for part in "MAJOR $vmaj" "MINOR $vmin" "PATCH $vpat"; do
  set -- $part
  grep -qx "#define PRINTSEAL_VERSION_$1 $2" include/printseal.h ||
    fail "PRINTSEAL_VERSION_$1 is not $2 (ffi/Cargo.toml says $version)"
done

# --- Rust side ----------------------------------------------------------------------
step "cargo clippy and test -p printseal-ffi"
cargo clippy -p printseal-ffi --all-targets -- -D warnings
cargo clippy -p printseal-ffi --all-targets --features test-hooks -- -D warnings
cargo test -p printseal-ffi "${CARGO_PROFILE_FLAG[@]}"

# --- The library and its install layout -------------------------------------------------
step "build libprintseal ($PROFILE) and install it into target/ffi-prefix"
cargo build -p printseal-ffi "${CARGO_PROFILE_FLAG[@]}"
rm -rf "$PREFIX"
ffi/install.sh --prefix "$PREFIX" --profile "$PROFILE"

step "the installed library: SONAME, only printseal_* exported, pkg-config finds it"
# shellcheck source=scripts/ffi-install-checks.sh
. "$ROOT/scripts/ffi-install-checks.sh"
check_installed_library "$PREFIX" "$version" "$WORK/exported.txt"

step "every function of the header is exported"
# Declarations in the header, less the test-hooks block.
awk '/#if defined\(PRINTSEAL_TEST_HOOKS\)/{skip=1} !skip{print} /#endif/{skip=0}' include/printseal.h |
  grep -oE '\bprintseal_[a-z0-9_]+\(' | tr -d '(' | sort -u >"$WORK/declared.txt"
if ! diff -u "$WORK/declared.txt" "$WORK/exported.txt"; then
  fail "exported symbols differ from the header's functions"
fi
grep -q _for_testing "$WORK/exported.txt" && fail "a test hook is exported by the product build"
echo "$(wc -l <"$WORK/exported.txt") functions exported, all printseal_*"

# --- C tests ------------------------------------------------------------------------
CFLAGS=(-std=c11 -Wall -Wextra -Werror -Wpedantic -g -I"$ROOT/include" -I"$ROOT/ffi/tests/c")
SAN=(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
STATIC_LIBS=(-lpthread -ldl -lm)
cd "$WORK"

step "the header compiles as C11 and as C++ (g++)"
printf '#include "printseal.h"\nint main(void) { return printseal_status_str(0) == 0; }\n' >hdr.c
gcc "${CFLAGS[@]}" -c hdr.c -o hdr-c.o
g++ -std=c++11 -Wall -Wextra -Werror -Wpedantic -I"$ROOT/include" -x c++ -c hdr.c -o hdr-cxx.o
g++ -std=c++17 -Wall -Wextra -Werror -I"$ROOT/include" -x c++ -c hdr.c -o hdr-cxx17.o

check_ran() { # log name: the program printed its summary and no failure
  grep -qE '^[0-9]+ passed, 0 failed$' "$1" || { tail -n 40 "$1"; fail "$2"; }
  grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | sed "s/^/$2: /"
}

step "C tests under AddressSanitizer + UndefinedBehaviorSanitizer"
gcc "${CFLAGS[@]}" "${SAN[@]}" "$ROOT/ffi/tests/c/test_ffi.c" "$PREFIX/lib/libprintseal.a" \
  "${STATIC_LIBS[@]}" -o test_ffi_asan
nm test_ffi_asan >asan-symbols.txt
grep -q __asan_init asan-symbols.txt || fail "test_ffi_asan is not instrumented (no __asan_init)"
grep -q __ubsan_handle asan-symbols.txt || fail "test_ffi_asan has no UBSan handlers"
echo "instrumented: $(grep -c '__asan_init\|__ubsan_handle' asan-symbols.txt) sanitizer symbols"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ./test_ffi_asan >asan.log 2>&1 || { tail -n 60 asan.log; fail "test_ffi under ASan/UBSan"; }
check_ran asan.log "test_ffi (ASan+UBSan)"

step "every function of the header with a pointer argument has a NULL-argument case"
# Functions (less the test-hooks block) that take a pointer or a callback, from the
# declarations with the comments removed; test_ffi logs "null-case: NAME" for each
# function it called with NULL arguments and checked.
awk '/#if defined\(PRINTSEAL_TEST_HOOKS\)/{skip=1} !skip{print} /#endif/{skip=0}' \
  "$ROOT/include/printseal.h" |
  perl -0777 -ne 's{/\*.*?\*/}{}gs;
    while (/\b(printseal_\w+)\(([^;{}()]*)\);/g) {
      my ($name, $params) = ($1, $2);
      print "$name\n" if $params =~ /\*|_callback\b/;
    }' |
  sort -u >pointer-functions.txt
[ "$(wc -l <pointer-functions.txt)" -gt 60 ] || fail "could not list the header's functions"
sed -n 's/^null-case: //p' asan.log | sort -u >null-cases.txt
missing=$(comm -23 pointer-functions.txt null-cases.txt)
[ -z "$missing" ] || fail "no NULL-argument case for: $missing"
echo "$(wc -l <pointer-functions.txt) functions with pointer arguments, each with a NULL case"

step "C tests under valgrind (shared library from pkg-config)"
# shellcheck disable=SC2046
gcc "${CFLAGS[@]}" -O1 $(pkg-config --cflags printseal) "$ROOT/ffi/tests/c/test_ffi.c" \
  $(pkg-config --libs printseal) -lpthread -o test_ffi_shared
LD_LIBRARY_PATH="$PREFIX/lib" valgrind --error-exitcode=99 --leak-check=full \
  --errors-for-leak-kinds=definite --show-leak-kinds=definite \
  ./test_ffi_shared quick >valgrind.log 2>&1 || { tail -n 60 valgrind.log; fail "valgrind"; }
check_ran valgrind.log "test_ffi (valgrind)"
grep -q "ERROR SUMMARY: 0 errors" valgrind.log || fail "valgrind reported errors"
grep -q "definitely lost: 0 bytes" valgrind.log || grep -q "no leaks are possible" valgrind.log ||
  fail "valgrind: memory definitely lost"
grep -E "ERROR SUMMARY|definitely lost" valgrind.log

# --- Examples -------------------------------------------------------------------------
step "examples/c: make (pkg-config and static) and CMake, then a round trip"
rm -rf examples && mkdir examples && cp "$ROOT"/examples/c/*.c "$ROOT"/examples/c/Makefile \
  "$ROOT"/examples/c/CMakeLists.txt examples/
make -s -C examples CC=gcc
make -s -C examples static CC=gcc PREFIX="$PREFIX"
cmake -S examples -B examples/cmake-build -DCMAKE_BUILD_TYPE=Release >cmake.log 2>&1 ||
  { cat cmake.log; fail "cmake configure"; }
cmake --build examples/cmake-build >>cmake.log 2>&1 || { cat cmake.log; fail "cmake build"; }
(
  cd examples
  export LD_LIBRARY_PATH="$PREFIX/lib"
  rm -f alice.key bob.key
  alice=$(./keygen --pq alice.key)
  ./keygen bob.key >/dev/null
  ./seal_file "$ROOT/examples/data/sample-job.pdf" job.sealed "$alice"
  ./cmake-build/inspect job.sealed | grep -q "content type: application/pdf"
  ./open_file-static alice.key job.sealed out.pdf
  cmp out.pdf "$ROOT/examples/data/sample-job.pdf"
  ./cmake-build/open_file alice.key job.sealed out2.pdf
  cmp out2.pdf "$ROOT/examples/data/sample-job.pdf"
  if ./open_file bob.key job.sealed wrong.pdf 2>/dev/null; then exit 1; fi
  [ ! -e wrong.pdf ] # no plaintext under the final name after a failure
  [ "$(stat -c %a alice.key)" = 600 ]
) || fail "examples round trip"
echo "examples: built 3 ways, round trip ok, wrong key refused with no output"

# --- Vectors and test hooks (a second build of the ffi crate only) ----------------------
step "tests/vectors through the C ABI, byte for byte (test-hooks build)"
cd "$ROOT"
cargo build -p printseal-ffi --features test-hooks "${CARGO_PROFILE_FLAG[@]}"
cd "$WORK"
gcc "${CFLAGS[@]}" "${SAN[@]}" -DPRINTSEAL_TEST_HOOKS "$ROOT/ffi/tests/c/vectors.c" \
  "$ROOT/target/$PROFILE/libprintseal_ffi.a" "${STATIC_LIBS[@]}" -o vectors_hooks
ASAN_OPTIONS=detect_leaks=1 ./vectors_hooks "$ROOT/tests/vectors" >vectors.log 2>&1 ||
  { tail -n 40 vectors.log; fail "vectors"; }
grep '^vectors:' vectors.log | head -n1
check_ran vectors.log "vectors (ASan)"
gcc "${CFLAGS[@]}" "${SAN[@]}" -DPRINTSEAL_TEST_HOOKS "$ROOT/ffi/tests/c/test_ffi.c" \
  "$ROOT/target/$PROFILE/libprintseal_ffi.a" "${STATIC_LIBS[@]}" -o test_ffi_hooks
./test_ffi_hooks quick >hooks.log 2>&1 || { tail -n 40 hooks.log; fail "test_ffi with hooks"; }
check_ran hooks.log "test_ffi (panic boundary, injected faults)"

# --- PKCS#11: a SoftHSM2 token in a temporary directory ---------------------------------
step "KEKs in a PKCS#11 token (SoftHSM2) through the C ABI"
# shellcheck source=scripts/softhsm.sh
. "$ROOT/scripts/softhsm.sh"
ensure_softhsm
: >pkcs11.log
if module=$(softhsm_module) && command -v softhsm2-util >/dev/null; then
  HSM=$(mktemp -d "$WORK/softhsm.XXXXXX")
  mkdir "$HSM/tokens"
  printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
    "$HSM" >"$HSM/softhsm2.conf"
  export SOFTHSM2_CONF="$HSM/softhsm2.conf"
  # Test PINs, given to SoftHSM2's own tool on its command line (a test token only);
  # printseal reads the user PIN from the file.
  (umask 077 && printf '4711-user-pin\n' >"$HSM/pin")
  softhsm2-util --init-token --free --label printseal-ffi --so-pin 0815-so-pin \
    --pin 4711-user-pin >/dev/null
  # KEK 2 of tests/vectors, moved into the token by SoftHSM2's tool as an operator would.
  vec="$ROOT/tests/vectors/two_keks"
  kek_hex=$(sed -n 's/^kek: //p' "$vec")
  (umask 077 && printf '%b' "$(printf '%s' "$kek_hex" | sed 's/../\\x&/g')" >"$HSM/kek2.bin")
  [ "$(stat -c %s "$HSM/kek2.bin")" = 32 ] || fail "KEK 2 of the vectors is not 32 bytes"
  softhsm2-util --import "$HSM/kek2.bin" --aes --token printseal-ffi --label vector-kek-2 \
    --id "$(sed -n 's/^kek id: //p' "$vec")" --pin 4711-user-pin >/dev/null
  rm -f "$HSM/kek2.bin"
  gcc "${CFLAGS[@]}" "${SAN[@]}" -DPRINTSEAL_TEST_HOOKS "$ROOT/ffi/tests/c/pkcs11.c" \
    "$ROOT/target/$PROFILE/libprintseal_ffi.a" "${STATIC_LIBS[@]}" -o pkcs11_hooks
  ASAN_OPTIONS=detect_leaks=1 ./pkcs11_hooks "$module" printseal-ffi "$HSM/pin" "$vec" >pkcs11.log 2>&1 ||
    { tail -n 40 pkcs11.log; fail "PKCS#11 through the C ABI"; }
  check_ran pkcs11.log "pkcs11 (SoftHSM2, ASan)"
  # The examples take a pkcs11: URI too (PIN from its pin-source): seal to the token's
  # KEK and open through it; a URI naming no key opens nothing and leaves no output.
  uri="pkcs11:token=printseal-ffi;object=vector-kek-2?module-path=$module&pin-source=file:$HSM/pin"
  (
    cd examples
    export LD_LIBRARY_PATH="$PREFIX/lib"
    ./seal_file "$ROOT/examples/data/sample-job.pdf" hsm.sealed "$uri"
    ./open_file-static "$uri" hsm.sealed hsm.pdf
    cmp hsm.pdf "$ROOT/examples/data/sample-job.pdf"
    if ./open_file "${uri/vector-kek-2/no-such-key}" hsm.sealed wrong.pdf 2>/dev/null; then exit 1; fi
    [ ! -e wrong.pdf ]
  ) || fail "examples with a pkcs11: URI"
  echo "examples: sealed to and opened with the token's KEK by URI"
  unset SOFTHSM2_CONF
  rm -rf "$HSM"
elif [ "${CI:-}" = true ]; then
  fail "SoftHSM2 is missing under CI=true (apt-get install softhsm2)"
else
  echo "SoftHSM2 not installed: the PKCS#11 C test was not run"
fi

step "every status of the header is provoked by some test"
sed -n 's/^ *PRINTSEAL_STATUS_[A-Z_]* = \([0-9]*\),\{0,1\}$/\1/p' "$ROOT/include/printseal.h" |
  sort -u >statuses.txt
[ "$(wc -l <statuses.txt)" -ge 25 ] || fail "could not list the header's statuses"
cat asan.log hooks.log vectors.log pkcs11.log | sed -n 's/^statuses provoked://p' |
  tr ' ' '\n' | sed '/^$/d' | sort -u >provoked.txt
missing=$(comm -23 statuses.txt provoked.txt)
[ -z "$missing" ] || fail "statuses no test provokes: $missing"
echo "all $(wc -l <statuses.txt) statuses provoked (RANDOMNESS and INTERNAL by fault injection)"

step "ffi: all passed"
