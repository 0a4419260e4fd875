#!/usr/bin/env bash
# Runs a Node.js benchmark of bench/ with the built plugin and worker, inside a loopback-only network
# namespace (needs root). Usage: bench/netns_node.sh SCRIPT.mjs [ARGS...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${IN_BENCH_NETNS:-}" ]; then
  bash "$root/scripts/build.sh" >/dev/null
  export IN_BENCH_NETNS=1
  exec unshare --net -- "$BASH" -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
fi
export MEDIASOUP_WORKER_BIN=$root/build/worker/mediasoup-worker
export PLUGIN_SO=$root/.libs/libjanus_mediasoup.so TOP_SRCDIR=$root
script=$1
shift
exec node "$root/bench/$script" "$@"
