#!/usr/bin/env bash
# Builds libsrtp from Debian's own source package with its OpenSSL crypto backend, as a static library the
# worker links (Janus and everything else keep Debian's libsrtp2, which is built on NSS: 5-10x slower per
# packet, see README "Media benchmark"). Offline like the rest: the source comes from the same Debian archive
# (a deb-src entry is added for it). Usage: build-libsrtp.sh [OUT_DIR]; output OUT_DIR/install/{include,lib}.
# A second run reuses the first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/build/libsrtp}
prefix=$out/install
version=$(dpkg-query -W -f='${Version}' libsrtp2-dev)
stamp="libsrtp2 $version openssl"
if [ -f "$prefix/lib/libsrtp2.a" ] && [ "$(cat "$out/.stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "build-libsrtp: $prefix is up to date ($stamp)"
  exit 0
fi

# deb-src entries for the archives apt already uses (deb822 and one-line formats).
if ! apt-get source --print-uris -qq libsrtp2 >/dev/null 2>&1; then
  list=/etc/apt/sources.list.d/janus-mediasoup-deb-src
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && [ "$f" != "$list.sources" ] && sed -n 's/^Types: deb$/Types: deb-src/;p' "$f"
    echo
  done > "$list.sources"
  lines=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | sed 's/^deb /deb-src /' || true)
  [ -z "$lines" ] || echo "$lines" > "$list.list"
  apt-get update -q
fi

rm -rf "$out" && mkdir -p "$out/src"
# The installed version's source; the archive's current one if that is gone (a security update).
(cd "$out/src" && { apt-get source -q "libsrtp2=$version" || apt-get source -q libsrtp2; })
src=$(find "$out/src" -maxdepth 1 -mindepth 1 -type d -name 'libsrtp2-*' | head -1)
meson setup "$out/build" "$src" --prefix="$prefix" --libdir=lib --buildtype=release -Ddefault_library=static \
  -Dcrypto-library=openssl -Dcrypto-library-kdf=disabled -Dtests=disabled -Ddoc=disabled -Db_staticpic=true
ninja -C "$out/build" install
echo "$stamp" > "$out/.stamp"
echo "build-libsrtp: built $prefix/lib/libsrtp2.a (OpenSSL backend)"
