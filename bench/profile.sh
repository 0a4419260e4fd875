#!/usr/bin/env bash
# Where a request's CPU goes inside Janus: a steady load of one kind (bench/request_loop.mjs), `perf record`
# of the Janus process and its worker meanwhile, then each thread's share (ws thread = Janus's WebSocket
# transport, pool-janus = Janus's request pool, msp-loop = this plugin's loop, mediasoup-worke = the worker)
# and the plugin loop's heaviest call paths.
# Usage: bench/profile.sh [exists|room|transport] [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kind=${1:-transport}
seconds=${2:-6}
bash "$root/scripts/build.sh" >/dev/null
command -v perf >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q linux-perf >/dev/null
export MEDIASOUP_WORKER_BIN=$root/build/worker/mediasoup-worker PLUGIN_SO=$root/.libs/libjanus_mediasoup.so TOP_SRCDIR=$root
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
node "$root/bench/request_loop.mjs" "$kind" $((seconds + 8)) > "$out/load.txt" &
load=$!
for _ in $(seq 100); do grep -q '^ready' "$out/load.txt" 2>/dev/null && break; sleep 0.1; done
janus=$(awk '/^ready/ {print $2}' "$out/load.txt")
worker=$(pgrep -P "$janus" -f mediasoup-worker | head -1)
sleep 2  # past the warm-up
perf record -q -F 1000 --call-graph dwarf,16384 -p "$janus,$worker" -o "$out/perf.data" -- sleep "$seconds" >/dev/null 2>&1
wait "$load"
echo "$(grep "requests/s" "$out/load.txt") (slowed down by perf: for rates use bench/run.sh)"
echo
echo "CPU samples per thread:"
perf report -i "$out/perf.data" --no-children --sort comm --stdio -g none 2>/dev/null | grep '%' | head -8
echo
echo "msp-loop, inclusive (% of all samples): the plugin's functions and the libraries they call:"
perf report -i "$out/perf.data" --comms msp-loop --children --sort sym --stdio -g none 2>/dev/null | grep '%' \
  | grep -E 'msp::|json_|futex|write|epoll' | grep -v -E '__invoke|_M_invoke|visit|operator\(\)' | cut -c1-140 | head -25
