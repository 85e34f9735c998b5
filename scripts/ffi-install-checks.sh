# Sourced by scripts/test-ffi.sh (the plain-cargo install of ffi/install.sh) and
# scripts/check-cinstall.sh (the cargo-c install): the checks both install paths must
# pass, so that they are the same checks. Needs `fail` defined by the caller.

# check_installed_library PREFIX VERSION EXPORTED_TXT: lib/libprintseal.so.VERSION has
# the SONAME libprintseal.so.MAJOR and exports only printseal_* symbols (their sorted
# names go to EXPORTED_TXT), and pkg-config finds printseal VERSION under PREFIX
# (PKG_CONFIG_PATH is exported for the caller's later steps).
check_installed_library() {
  local prefix=$1 version=$2 exported=$3
  local so="$prefix/lib/libprintseal.so.$version" soname
  soname=$(readelf -d "$so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
  [ "$soname" = "libprintseal.so.${version%%.*}" ] ||
    fail "SONAME is '$soname', want libprintseal.so.${version%%.*}"
  nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVWGSi]$/ {print $3}' | sort -u >"$exported"
  if grep -v '^printseal_' "$exported"; then
    fail "libprintseal exports symbols without the printseal_ prefix (above)"
  fi
  export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
  [ "$(pkg-config --modversion printseal)" = "$version" ] || fail "pkg-config --modversion"
  echo "SONAME $soname; $(wc -l <"$exported") symbols exported, all printseal_*;" \
    "pkg-config: $(pkg-config --cflags --libs printseal)"
}
