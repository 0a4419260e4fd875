#!/usr/bin/env bash
# Control-plane benchmark, side by side in one run, all against the same mediasoup worker binary:
#   1. mediasoup's own Node.js control plane (npm mediasoup 3.12.16),
#   2. this plugin's C++ core driven directly (no Janus),
#   3. the whole product through Janus's WebSocket API, and 4. through its HTTP API → plugin → workers.
# Workload per room: router, send + recv WebRTC transports, a VP8 producer, a consumer, close everything.
# Then each operation on its own (room create, transport create, room destroy: bench/ops.mjs) for Node and
# both Janus transports, and where a request's time goes between Janus and the plugin (request_overhead.mjs).
# Usage: bench/run.sh [ROOMS] [CONCURRENCY]   (defaults 2000 and 8; 1 and 2 workers each)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rooms=${1:-2000}
concurrency=${2:-8}
bash "$root/scripts/build.sh" >/dev/null
make -C "$root" -s bench/core_bench
cd "$root/bench"
# mediasoup's install script would download or build a worker: ours is used instead.
[ -d node_modules/mediasoup ] || npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
# Node's control plane must be the release the worker was built from (configure.ac names it once).
version=$(sed -n 's/^m4_define(\[msp_mediasoup_version\], \[\(.*\)\])$/\1/p' "$root/configure.ac")
installed=$(node -p 'require("./node_modules/mediasoup/package.json").version')
[ "$installed" = "$version" ] || { echo "bench: npm mediasoup $installed, but configure.ac builds the worker of $version: update bench/package.json" >&2; exit 1; }
export MEDIASOUP_WORKER_BIN=$root/build/worker/mediasoup-worker
export PLUGIN_SO=$root/.libs/libjanus_mediasoup.so TOP_SRCDIR=$root

results=()
for workers in 1 2; do
  results+=("$(node node_control_plane.mjs "$workers" "$rooms" "$concurrency")")
  results+=("$("$root/bench/core_bench" "$MEDIASOUP_WORKER_BIN" "$workers" "$rooms" "$concurrency")")
  results+=("$(node janus_api.mjs ws "$workers" "$rooms" "$concurrency")")
  results+=("$(node janus_api.mjs http "$workers" "$rooms" "$concurrency")")
done

echo
echo "$rooms rooms, $concurrency in flight, on $(nproc) cores ($(date -u +%F))"
echo
echo "| driver | workers | rooms/s | p50 ms | p95 ms | p99 ms |"
echo "|---|---|---|---|---|---|"
for r in "${results[@]}"; do
  node -e 'const r = JSON.parse(process.argv[1]); console.log(`| ${r.driver} | ${r.workers} | ${r.roomsPerSecond} | ${r.p50Ms} | ${r.p95Ms} | ${r.p99Ms} |`)' "$r"
done

# Each operation alone, 1 worker, twice the room count (so transports and destroys have rooms to work on).
operations=$(for driver in node ws http; do node ops.mjs "$driver" 1 $((rooms * 2)) "$concurrency"; done)
echo
echo "Per operation, $((rooms * 2)) each, $concurrency in flight, 1 worker"
echo
echo "| operation | driver | per second | × Node | p50 ms | p99 ms | p99 ÷ Node's |"
echo "|---|---|---|---|---|---|---|"
node -e '
const rows = process.argv[1].trim().split("\n").map((line) => JSON.parse(line));
for (const operation of [...new Set(rows.map((r) => r.operation))]) {
  const node = rows.find((r) => r.operation === operation && r.driver.startsWith("mediasoup Node"));
  for (const r of rows.filter((r) => r.operation === operation)) {
    console.log(`| ${operation} | ${r.driver} | ${r.perSecond} | ${(r.perSecond / node.perSecond).toFixed(2)} | ${r.p50Ms} | ${r.p99Ms} | ${(r.p99Ms / node.p99Ms).toFixed(2)} |`);
  }
}' "$operations"

node request_overhead.mjs $((rooms * 3)) "$concurrency"
