#!/usr/bin/env bash
# Integration tests: a real Janus loading the built plugin, real mediasoup workers, real HTTP.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# A tree without the web packages (make distcheck's) cannot run them: skip, as automake understands.
if [ ! -d "${TOP_SRCDIR:-$here/../..}/web/node_modules/ws" ]; then
  echo "SKIP: web packages not installed (scripts/build-web.sh)"; exit 77
fi
tests=()
for test in "$here"/*.test.mjs; do
  [ "$(basename "$test")" = cluster.test.mjs ] || tests+=("$test")
done
node --test --test-concurrency=1 --test-reporter=spec "${tests[@]}"
# The cluster's hosts (Redis, three Janus, their pipes on 127.0.0.11-.14) in a network namespace of their own
# that has only loopback (needs root, as CI has).
exec unshare --net -- "$BASH" -c 'ip link set lo up && exec node --test --test-concurrency=1 --test-reporter=spec "$0"' "$here/cluster.test.mjs"
