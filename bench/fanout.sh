#!/usr/bin/env bash
# One room fanned out over 1, 2 and 4 workers with real browsers, inside a loopback-only network namespace
# (needs root). Usage: bench/fanout.sh [VIEWERS] [SECONDS]   (defaults 6 and 20)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${IN_BENCH_NETNS:-}" ]; then
  bash "$root/scripts/build.sh" >/dev/null
  export IN_BENCH_NETNS=1
  exec unshare --net -- "$BASH" -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
fi
export MEDIASOUP_WORKER_BIN=$root/build/worker/mediasoup-worker
export PLUGIN_SO=$root/.libs/libjanus_mediasoup.so TOP_SRCDIR=$root
exec node "$root/bench/fanout.mjs" "${1:-6}" "${2:-20}"
