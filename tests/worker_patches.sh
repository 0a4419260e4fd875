#!/usr/bin/env bash
# Unit tests of the worker's patched source files (scripts/worker-patches/): each test compiles one worker
# .cpp as the build left it, with stand-ins for the worker's logger and libuv (tests/worker/stubs).
# WORKER_SRC is the patched worker source; by default the one next to MEDIASOUP_WORKER_BIN.
set -euo pipefail
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
worker=${MEDIASOUP_WORKER_BIN:?}
src=${WORKER_SRC:-$(dirname "$worker")/src/package/worker}
if [ ! -f "$src/src/RTC/RateCalculator.cpp" ]; then
  echo "SKIP: no worker source at $src"; exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
g++ -std=c++17 -O1 -Wall -Wextra -fsanitize=address,undefined -fno-sanitize-recover=undefined \
  -I"$top/tests/worker/stubs" -I"$src/include" \
  "$src/src/RTC/RateCalculator.cpp" "$top/tests/worker/rate_calculator_test.cpp" -o "$out/rate_calculator_test"
"$out/rate_calculator_test"
