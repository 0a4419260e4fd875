#!/usr/bin/env bash
# Builds the core, the plugin and the unit tests with AddressSanitizer, UBSan and the loop-thread checks in build/asan (a copy of
# the sources: an in-tree configure rules out a VPATH build), runs the unit tests, then the integration
# tests with that plugin inside a real Janus (the sanitizer runtimes preloaded into Janus only). Any report
# fails the run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$root/build/asan
mkdir -p "$dir"
(cd "$root" && git ls-files -co --exclude-standard -- . ':!web' | tar -cf - -T -) | tar -xf - -C "$dir"
mkdir -p "$dir/build" && ln -sfn "$root/build/worker" "$dir/build/worker"
ln -sfn "$root/web" "$dir/web"  # the tests' WebSocket client (npm ws) comes from web/node_modules
cd "$dir"
[ -x configure ] || autoreconf -fi >/dev/null
[ -f Makefile ] || ./configure -q --enable-sanitizers --enable-loop-checks
make -j"$(nproc)" >/dev/null

reports=$dir/reports
rm -rf "$reports" && mkdir -p "$reports"
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=0"
unit_tests=$(grep -oP '^UNIT_TESTS = \K.*' Makefile.am)
make -j"$(nproc)" check TESTS="$unit_tests" || { cat tests/unit_*.log; exit 1; }

# Janus itself is not ours: no leak checking there, only memory errors and undefined behaviour.
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=0"
export JANUS_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
PLUGIN_SO=$dir/.libs/libjanus_mediasoup.so MEDIASOUP_WORKER_BIN=$root/build/worker/mediasoup-worker TOP_SRCDIR=$dir \
  node --test --test-concurrency=1 tests/integration/*.test.mjs

if compgen -G "$reports/*" >/dev/null; then
  echo "sanitizer reports:"; head -n 60 "$reports"/*; exit 1
fi
echo "ASan/UBSan: no reports"
