#!/usr/bin/env bash
# Installs the web packages (mediasoup-client, janus.js, esbuild, puppeteer-core for the browser tests) from
# npm and bundles the demo and dashboard pages into web/dist. Safe to re-run: npm runs only when the lockfile
# changed since the last install.
set -euo pipefail
web=$(cd "$(dirname "$0")/../web" && pwd)
cd "$web"
# Puppeteer must not download a browser: the tests use Debian's chromium.
export PUPPETEER_SKIP_DOWNLOAD=1
stamp=node_modules/.installed-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
node build.mjs
