#!/usr/bin/env bash
# Installs libprintseal from a plain `cargo build -p printseal-ffi` into a prefix, the
# layout `cargo cinstall` makes: lib/libprintseal.so.0.1.0 (SONAME libprintseal.so.0)
# with its .so.0 and .so links, lib/libprintseal.a, include/printseal.h and
# lib/pkgconfig/printseal.pc.
#
#   cargo build -p printseal-ffi --release
#   ffi/install.sh --prefix /usr/local [--profile release] [--libdir lib] [--destdir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PREFIX=/usr/local
PROFILE=release
LIBDIR=lib
DESTDIR=
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX=$2; shift 2 ;;
    --profile) PROFILE=$2; shift 2 ;;
    --libdir) LIBDIR=$2; shift 2 ;;
    --destdir) DESTDIR=$2; shift 2 ;;
    *) echo "usage: $0 [--prefix DIR] [--profile release|debug] [--libdir lib] [--destdir DIR]" >&2; exit 2 ;;
  esac
done
case "$PROFILE" in dev) PROFILE=debug ;; esac
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' ffi/Cargo.toml | head -n1)
MAJOR=${VERSION%%.*}
OUT="$TARGET_DIR/$PROFILE"
for f in libprintseal_ffi.so libprintseal_ffi.a; do
  [ -f "$OUT/$f" ] || { echo "missing $OUT/$f: run cargo build -p printseal-ffi first" >&2; exit 1; }
done
LIB="$DESTDIR$PREFIX/$LIBDIR"
INC="$DESTDIR$PREFIX/include"
mkdir -p "$LIB/pkgconfig" "$INC"
install -m 0755 "$OUT/libprintseal_ffi.so" "$LIB/libprintseal.so.$VERSION"
ln -sf "libprintseal.so.$VERSION" "$LIB/libprintseal.so.$MAJOR"
ln -sf "libprintseal.so.$MAJOR" "$LIB/libprintseal.so"
install -m 0644 "$OUT/libprintseal_ffi.a" "$LIB/libprintseal.a"
install -m 0644 include/printseal.h "$INC/printseal.h"
# What a static link needs besides libprintseal.a (rustc's native-static-libs on Linux).
cat > "$LIB/pkgconfig/printseal.pc" <<PC
prefix=$PREFIX
exec_prefix=\${prefix}
libdir=\${exec_prefix}/$LIBDIR
includedir=\${prefix}/include

Name: printseal
Description: Sealed print and scan jobs (C2SP chunked encryption, AES-KWP, HPKE)
Version: $VERSION
Libs: -L\${libdir} -lprintseal
Libs.private: -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
Cflags: -I\${includedir}
PC
echo "installed libprintseal $VERSION into $DESTDIR$PREFIX"
