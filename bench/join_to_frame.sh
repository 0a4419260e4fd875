#!/usr/bin/env bash
# Join to first frame, three paths side by side (bench/join_to_frame.mjs): the plugin with mediasoup-client, the
# plugin with SDP in the body, Janus VideoRoom with janus.js. Runs in a private network namespace, as the browser
# tests (tests/e2e/run.sh): loopback, and a veth pair that leads nowhere so that libnice (Janus's ICE) gathers
# an address. Env: BENCH_JOINS (50), BENCH_IN_FLIGHT (10).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/build.sh >/dev/null
export MEDIASOUP_WORKER_BIN=${MEDIASOUP_WORKER_BIN:-$root/build/worker/mediasoup-worker}
export PLUGIN_SO=${PLUGIN_SO:-$root/.libs/libjanus_mediasoup.so}
export TOP_SRCDIR=$root
exec unshare --net -- bash -c 'ip link set lo up && ip link add jtf0 type veth peer name jtf1 &&
  ip addr add 10.254.0.1/24 dev jtf0 && ip link set jtf0 up && ip link set jtf1 up && exec node bench/join_to_frame.mjs'
