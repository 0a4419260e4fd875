#!/usr/bin/env bash
# Integration tests: a real Janus loading the built plugin, real mediasoup workers, real HTTP.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# A tree without the web packages (make distcheck's) cannot run them: skip, as automake understands.
if [ ! -d "${TOP_SRCDIR:-$here/../..}/web/node_modules/ws" ]; then
  echo "SKIP: web packages not installed (scripts/build-web.sh)"; exit 77
fi
exec node --test --test-concurrency=1 --test-reporter=spec "$here"/*.test.mjs
