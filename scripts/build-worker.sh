#!/usr/bin/env bash
# Builds the mediasoup worker from the released npm source of mediasoup@VERSION, offline, against Debian's
# libraries. Usage: build-worker.sh [OUT_DIR [VERSION]] (defaults: build/worker of the checkout, and the
# version configure.ac names). Output: OUT_DIR/mediasoup-worker. A second run reuses the first.
# WORKER_LIBSRTP=openssl (default): libsrtp built on OpenSSL from Debian's source (build-libsrtp.sh), linked
# statically; WORKER_LIBSRTP=debian: Debian's shared libsrtp2 (on NSS), for the benchmark's comparison.
# scripts/worker-patches/*.patch (in name order) are applied to the released source: each backports one
# upstream mediasoup fix and names it in its header. A changed patch set rebuilds from a fresh source.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/build/worker}
MEDIASOUP_VERSION=${2:-$(sed -n 's/^m4_define(\[msp_mediasoup_version\], \[\(.*\)\])$/\1/p' "$root/configure.ac")}
[ -n "$MEDIASOUP_VERSION" ] || { echo "build-worker: no mediasoup version in configure.ac" >&2; exit 1; }
bin=$out/mediasoup-worker
stamp=$out/.version
libsrtp=${WORKER_LIBSRTP:-openssl}
case $libsrtp in openssl | debian) ;; *) echo "build-worker: WORKER_LIBSRTP is openssl or debian" >&2; exit 1 ;; esac
patches=("$root"/scripts/worker-patches/*.patch)
patch_set=$(cat "${patches[@]}" | sha256sum | cut -c1-16)
want="$MEDIASOUP_VERSION libsrtp-$libsrtp patches-$patch_set"

if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "build-worker: $bin is up to date ($want)"
  exit 0
fi
srtp_prefix=
if [ "$libsrtp" = openssl ]; then
  bash "$root/scripts/build-libsrtp.sh"
  srtp_prefix=$root/build/libsrtp/install
fi

mkdir -p "$out"
src=$out/src
w=$src/package/worker
if [ ! -f "$w/meson.build" ] || [ "$(cat "$w/.patches" 2>/dev/null)" != "$patch_set" ]; then
  rm -rf "$src" && mkdir -p "$src"
  # The npm registry is the only network access: the tarball holds the worker's C++ source.
  (cd "$src" && npm pack --silent "mediasoup@$MEDIASOUP_VERSION" >/dev/null && tar xzf mediasoup-*.tgz)
  for p in "${patches[@]}"; do
    echo "build-worker: applying $(basename "$p")"
    patch -p1 --forward --batch --quiet -d "$w" < "$p"
  done
  echo "$patch_set" > "$w/.patches"
fi
# Replace each download wrap with a local subproject pointing at Debian's library.
rm -rf "$w"/subprojects/*.wrap "$w/subprojects/packagefiles"
for sp in "$root"/scripts/worker-subprojects/*/; do
  name=$(basename "$sp")
  rm -rf "$w/subprojects/$name" && cp -r "$sp" "$w/subprojects/$name"
done
# bookworm ships meson 1.0.1; the worker needs nothing newer.
sed -i "s/meson_version: '>= 1.1.0'/meson_version: '>= 1.0.0'/" "$w/meson.build"

cd "$w"
# Another libsrtp than the last build: configure again.
[ "$(cat build/.libsrtp 2>/dev/null)" = "$libsrtp" ] || rm -rf build
[ -f build/build.ninja ] || meson setup build --buildtype=release -Db_ndebug=true --wrap-mode=nodownload \
  "-Dlibsrtp2:static-prefix=$srtp_prefix"
echo "$libsrtp" > build/.libsrtp
ninja -C build mediasoup-worker
install -m 0755 build/mediasoup-worker "$bin"
echo "$want" > "$stamp"
echo "build-worker: built $bin"
