#!/usr/bin/env bash
# Integration tests: a real Janus loading the built plugin, real mediasoup workers, real HTTP.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec node --test --test-concurrency=1 --test-reporter=spec "$here"/*.test.mjs
