#!/usr/bin/env bash
# Sets everything up and runs the product: Janus (private config folder, WebSocket API on 8188, HTTP API on
# 8088, Admin API on 7088) with the mediasoup plugin, its workers, the stats server and the demo page on
# $PORT (3000). Environment: MEDIASOUP_WORKER_COUNT, WEBRTC_LISTEN_IP, ANNOUNCED_IP, PORT, JANUS_WS_PORT,
# JANUS_HTTP_PORT, JANUS_ADMIN_PORT, JANUS_ADMIN_SECRET. Ctrl-C stops Janus and every worker.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh"

run=$root/build/run
http_port=${JANUS_HTTP_PORT:-8088}
admin_port=${JANUS_ADMIN_PORT:-7088}
secret=${JANUS_ADMIN_SECRET:-janusoverlord}
export PORT=${PORT:-3000}
export JANUS_WS_PORT=${JANUS_WS_PORT:-8188}
export MEDIASOUP_WORKER_BIN=${MEDIASOUP_WORKER_BIN:-$root/build/worker/mediasoup-worker}

bash "$root/scripts/janus-config.sh" "$run" "$http_port" "$admin_port" "$secret" \
  "$root/.libs/libjanus_mediasoup.so" "$root/conf/janus.plugin.mediasoup.jcfg"
# The demo page is served by the plugin's own HTTP server: point web_root at the bundle, unless the
# config already sets one (inside its general block: a second block would be ignored).
jcfg=$run/conf/janus.plugin.mediasoup.jcfg
if [ -d "$root/web/dist" ] && ! grep -Eq '^[[:space:]]*web_root[[:space:]]*=' "$jcfg"; then
  sed -i "0,/^general: {/s||general: {\n\tweb_root = \"$root/web/dist\"|" "$jcfg"
fi

cat <<INFO
janus-mediasoup starting
  Janus WebSocket  ws://127.0.0.1:$JANUS_WS_PORT  (what the demo page uses)
  Janus HTTP API   http://127.0.0.1:$http_port/janus
  Janus Admin API  http://127.0.0.1:$admin_port/admin (secret: $secret)
  Stats            http://127.0.0.1:$PORT/stats   http://127.0.0.1:$PORT/workers
  Demo page        http://127.0.0.1:$PORT/        Dashboard: http://127.0.0.1:$PORT/dashboard.html
INFO
echo "  Log              $run/janus.log"
exec janus -F "$run/conf" -P "$run/plugins" -L "$run/janus.log" -o
