#!/usr/bin/env bash
# Soak benchmark (not a test): rooms with peers churning for minutes on a pool of workers; prints the memory,
# fds and threads of Janus and the workers every minute. Usage: bench/soak.sh [MINUTES] [ROOMS] [WORKERS]
# (defaults 10, 500, 4).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh" >/dev/null
export MEDIASOUP_WORKER_BIN=$root/build/worker/mediasoup-worker
export PLUGIN_SO=$root/.libs/libjanus_mediasoup.so TOP_SRCDIR=$root
exec node "$root/bench/soak.mjs" "${1:-10}" "${2:-500}" "${3:-4}"
