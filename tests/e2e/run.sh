#!/usr/bin/env bash
# Browser media tests: Janus, its mediasoup workers and headless Chromium together in a private network
# namespace that has only loopback, so every packet stays on 127.0.0.1 (needs root, as CI has).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "${TOP_SRCDIR:-$here/../..}/web/node_modules/puppeteer-core" ] || [ ! -d "${TOP_SRCDIR:-$here/../..}/web/dist" ]; then
  echo "SKIP: web packages or bundle not built (scripts/build-web.sh)"; exit 77
fi
if [ -z "${IN_TEST_NETNS:-}" ]; then
  export IN_TEST_NETNS=1
  # Besides loopback, a veth pair with a private address that leads nowhere: libnice (GStreamer's webrtcbin)
  # gathers no loopback candidates, so a namespace with only lo would leave it none.
  exec unshare --net -- "$BASH" -c 'ip link set lo up && ip link add e2e0 type veth peer name e2e1 &&
    ip addr add 10.254.0.1/24 dev e2e0 && ip link set e2e0 up && ip link set e2e1 up && exec "$0"' "$0"
fi
# The whole suite twice: WebRTC transports on each worker's WebRtcServer (the default), then on ports of
# their own (webrtc_server = false).
for server in true false; do
  echo "# browser suite with webrtc_server = $server"
  E2E_WEBRTC_SERVER=$server node --test --test-concurrency=1 --test-reporter=spec "$here"/*.test.mjs
done
