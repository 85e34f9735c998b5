# Sourced by the scripts whose tests need SoftHSM2 (test-pkcs11.sh, test-ffi.sh,
# test-python.sh):
# finds Debian's libsofthsm2.so (or $PRINTSEAL_PKCS11_MODULE) and installs the
# softhsm2 package when it is missing and we are root, as CI runs. Defines
# softhsm_module (prints the module's path, fails if there is none) and ensure_softhsm.

softhsm_module() {
  if [ -n "${PRINTSEAL_PKCS11_MODULE:-}" ] && [ -e "$PRINTSEAL_PKCS11_MODULE" ]; then
    echo "$PRINTSEAL_PKCS11_MODULE"
    return 0
  fi
  for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*-linux-gnu/softhsm/libsofthsm2.so; do
    [ -e "$m" ] && { echo "$m"; return 0; }
  done
  return 1
}

ensure_softhsm() {
  softhsm_module >/dev/null && command -v softhsm2-util >/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    printf '\n==> installing softhsm2 (Debian package)\n'
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends softhsm2 >/dev/null
  else
    echo "SoftHSM2 missing and not root: install it with 'apt-get install softhsm2'" >&2
  fi
}
