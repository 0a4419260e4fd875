#!/usr/bin/env bash
# Transport capacity of one worker with and without its WebRtcServer, side by side.
# Usage: bench/capacity.sh [CAP] [CONCURRENCY]   (defaults 10000 and 8)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh" >/dev/null
export MEDIASOUP_WORKER_BIN=$root/build/worker/mediasoup-worker
export PLUGIN_SO=$root/.libs/libjanus_mediasoup.so TOP_SRCDIR=$root
exec node "$root/bench/capacity.mjs" "${1:-10000}" "${2:-8}"
