#!/usr/bin/env bash
# Installs like a Janus plugin, checked on a clean copy of the sources: an out-of-tree build with the
# prebuilt worker, make install DESTDIR=… into Janus's folders, a real Janus loading the staged plugin,
# --enable/--disable-sanitizers, and make distcheck.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
worker=$root/build/worker/mediasoup-worker
[ -x "$worker" ] || bash "$root/scripts/build-worker.sh"
. "$root/scripts/janus-dirs.sh"
janus_lib=$(janus_lib_dir)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
checks=0
check() { if eval "$1"; then checks=$((checks + 1)); else echo "install: FAILED: $2"; exit 1; fi; }

# A clean copy (an in-tree configure would rule out VPATH builds), with the built web bundle.
mkdir "$work/src"
(cd "$root" && git ls-files -co --exclude-standard -- . ':!web/node_modules' | tar -cf - -T -) | tar -xf - -C "$work/src"
[ -d "$root/web/dist" ] && cp -r "$root/web/dist" "$work/src/web/dist"
(cd "$work/src" && autoreconf -fi >/dev/null 2>&1)

mkdir "$work/b" && cd "$work/b"
../src/configure -q --prefix=/usr --sysconfdir=/etc --with-mediasoup-worker="$worker"
check 'grep -q "^JANUS_PLUGIN_DIR = $janus_lib/plugins$" Makefile' "configure detects Janus's plugins folder ($janus_lib/plugins)"
check '! grep -q fsanitize Makefile' "no sanitizers unless asked"
make -s -j"$(nproc)" >/dev/null 2>&1
check '[ -f .libs/libjanus_mediasoup.so ]' "out-of-tree build"
check '[ ! -e "$work/src/.libs" ]' "nothing built into the source tree"
stage=$work/stage
make -s install DESTDIR="$stage" >/dev/null
check '[ -f "$stage$janus_lib/plugins/libjanus_mediasoup.so" ]' "plugin in Janus's plugins folder"
check '[ ! -e "$stage$janus_lib/plugins/libjanus_mediasoup.la" ]' "no .la in Janus's plugins folder"
check '[ -f "$stage/etc/janus/janus.plugin.mediasoup.jcfg.sample" ]' "sample config beside Janus's"
check '[ -x "$stage/usr/libexec/janus-mediasoup/mediasoup-worker" ]' "worker under pkglibexecdir"
check '[ -f "$stage/usr/share/janus-mediasoup/web/index.html" ]' "demo pages under pkgdatadir"
check 'strings "$stage$janus_lib/plugins/libjanus_mediasoup.so" | grep -x "/usr/libexec/janus-mediasoup/mediasoup-worker" >/dev/null' "the plugin's default worker path is the installed one"
check '! grep -rq x86_64-linux-gnu "$work/src/configure.ac" "$work/src/Makefile.am" "$work/src/shim" "$work/src/plugin"' "no architecture written in the build or the shim"

# A real Janus loads the staged plugin, which runs the staged worker.
conf=$work/janus
port=$((30000 + $$ % 5000))
cp "$stage/etc/janus/janus.plugin.mediasoup.jcfg.sample" "$work/plugin.jcfg"
bash "$root/scripts/janus-config.sh" "$conf" "$port" "$((port + 1))" secret "$stage$janus_lib/plugins/libjanus_mediasoup.so" "$work/plugin.jcfg"
JANUS_WS_PORT=$((port + 3)) MEDIASOUP_WORKER_COUNT=1 MEDIASOUP_WORKER_BIN="$stage/usr/libexec/janus-mediasoup/mediasoup-worker" PORT=$((port + 2)) \
  janus -F "$conf/conf" -P "$conf/plugins" -L "$conf/janus.log" -N -o -d 4 >/dev/null 2>&1 &
janus_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$((port + 2))/stats" >/dev/null 2>&1 && break; sleep 0.1; done
check 'curl -sf "http://127.0.0.1:$((port + 2))/stats" | grep "\"closed\":false" >/dev/null' "Janus runs the installed plugin and its worker"
kill -TERM "$janus_pid"; wait "$janus_pid" || true

# --enable-sanitizers does, --disable-sanitizers does not.
mkdir "$work/asan" && (cd "$work/asan" && ../src/configure -q --enable-sanitizers --with-mediasoup-worker="$worker")
check 'grep -q "^SANITIZER_FLAGS = -fsanitize" "$work/asan/Makefile"' "--enable-sanitizers enables them"
mkdir "$work/noasan" && (cd "$work/noasan" && ../src/configure -q --disable-sanitizers --with-mediasoup-worker="$worker")
check 'grep -q "^SANITIZER_FLAGS = $" "$work/noasan/Makefile"' "--disable-sanitizers disables them"

# The release tarball builds, checks, installs and uninstalls cleanly on its own.
cd "$work/b"
make -s distcheck -j"$(nproc)" >"$work/distcheck.log" 2>&1 || { tail -40 "$work/distcheck.log"; echo "install: FAILED: make distcheck"; exit 1; }
checks=$((checks + 1))
echo "install: $checks checks passed"
