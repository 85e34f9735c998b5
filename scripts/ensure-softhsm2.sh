#!/usr/bin/env bash
# Makes sure SoftHSM2 (the PKCS#11 module and softhsm2-util) is installed, for the
# tests that run against a real token: installs Debian's softhsm2 when it is missing
# and this runs as root (as CI does), else says how. It does not fail: the tests
# themselves fail under CI=true when the module is still missing, and skip otherwise.
# Usage: scripts/ensure-softhsm2.sh (called by scripts/test-pkcs11.sh and
# scripts/test-python.sh)
set -euo pipefail

have_softhsm() {
  command -v softhsm2-util >/dev/null 2>&1 || return 1
  [ -n "${PRINTSEAL_PKCS11_MODULE:-}" ] && [ -e "$PRINTSEAL_PKCS11_MODULE" ] && return 0
  for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*-linux-gnu/softhsm/libsofthsm2.so; do
    [ -e "$m" ] && return 0
  done
  return 1
}

if ! have_softhsm; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    printf '\n==> %s\n' "installing softhsm2 (Debian package)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends softhsm2 >/dev/null
  else
    echo "SoftHSM2 missing and not root: install it with 'apt-get install softhsm2'" >&2
  fi
fi
