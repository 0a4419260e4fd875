#!/usr/bin/env bash
# Writes a private Janus configuration folder (never /etc/janus) that loads only this plugin, with the HTTP
# and WebSocket transports (WebSocket on JANUS_WS_PORT, default 8188) and the Admin API on loopback.
# Usage: janus-config.sh DIR HTTP_PORT ADMIN_PORT ADMIN_SECRET PLUGIN_SO [PLUGIN_JCFG]
set -euo pipefail
dir=$1 http_port=$2 admin_port=$3 admin_secret=$4 plugin_so=$5 plugin_jcfg=${6:-}
. "$(dirname "$0")/janus-dirs.sh"
lib=$(janus_lib_dir) || { echo "janus-config: Janus's plugins/transports folders not found (install janus)" >&2; exit 1; }
mkdir -p "$dir/conf" "$dir/plugins"
ln -sf "$plugin_so" "$dir/plugins/libjanus_mediasoup.so"
# Janus's own plugins beside it (JANUS_EXTRA_PLUGINS="videoroom …", for the benchmarks), default settings.
for extra in ${JANUS_EXTRA_PLUGINS:-}; do
  ln -sf "$lib/plugins/libjanus_$extra.so" "$dir/plugins/libjanus_$extra.so"
  echo "general: {}" > "$dir/conf/janus.plugin.$extra.jcfg"
done

# Event handlers get events only when the test or operator names a backend for the sample handler.
broadcast=false
[ -n "${JANUS_EVH_BACKEND:-}" ] && broadcast=true

cat > "$dir/conf/janus.jcfg" <<JCFG
general: {
	configs_folder = "$dir/conf"
	plugins_folder = "$dir/plugins"
	transports_folder = "$lib/transports"
	events_folder = "$lib/events"
	loggers_folder = "$lib/loggers"
	admin_secret = "$admin_secret"
	session_timeout = ${JANUS_SESSION_TIMEOUT:-60}
	# 0: Janus's default, a loop thread (and GLib context) per handle; N: N shared loops.
	event_loops = ${JANUS_EVENT_LOOPS:-2}
}
media: {
	rtp_port_range = "20000-20100"
}
transports: {
	disable = "libjanus_pfunix.so,libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_rabbitmq.so"
}
loggers: {
	disable = "libjanus_jsonlog.so"
}
events: {
	broadcast = $broadcast
	disable = "libjanus_gelfevh.so,libjanus_mqttevh.so,libjanus_nanomsgevh.so,libjanus_rabbitmqevh.so,libjanus_wsevh.so"
}
JCFG

cat > "$dir/conf/janus.transport.http.jcfg" <<JCFG
general: {
	json = "compact"
	base_path = "/janus"
	http = true
	port = $http_port
	ip = "127.0.0.1"
	https = false
}
admin: {
	admin_base_path = "/admin"
	admin_http = true
	admin_port = $admin_port
	admin_ip = "127.0.0.1"
	admin_https = false
}
cors: {
	allow_origin = "*"
}
JCFG

# Most Janus deployments talk WebSocket: one connection per client instead of HTTP long-polls (a browser
# allows 6 HTTP connections per host, so a 6th janus.js tab over HTTP stalls).
cat > "$dir/conf/janus.transport.websockets.jcfg" <<JCFG
general: {
	json = "compact"
	ws = true
	ws_port = ${JANUS_WS_PORT:-8188}
	ws_ip = "127.0.0.1"
	wss = false
}
admin: {
	admin_ws = false
	admin_wss = false
}
JCFG

# JANUS_EVH_BACKEND=<url>: Janus's sample event handler posts every plugin event there (tests use it).
if [ -n "${JANUS_EVH_BACKEND:-}" ]; then
  cat > "$dir/conf/janus.eventhandler.sampleevh.jcfg" <<JCFG
general: {
	enabled = true
	events = "plugins"
	grouping = false
	json = "compact"
	backend = "$JANUS_EVH_BACKEND"
}
JCFG
fi

if [ -n "$plugin_jcfg" ]; then
  cp "$plugin_jcfg" "$dir/conf/janus.plugin.mediasoup.jcfg"
fi
