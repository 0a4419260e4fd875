#!/usr/bin/env bash
# The plugin must export only create(), and every symbol it needs must come from a linked library or from
# the janus executable (janus_*): anything else only fails when Janus dlopens it.
set -u
so=${PLUGIN_SO:?}
exported=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ {print $3}')
if [ "$exported" != "create" ]; then
  echo "FAIL: the plugin exports more than create():"; echo "$exported" | head; exit 1
fi
missing=$(ldd -r "$so" 2>&1 | grep "undefined symbol" | grep -v "undefined symbol: janus_" || true)
if [ -n "$missing" ]; then
  echo "FAIL: unresolved symbols:"; echo "$missing"; exit 1
fi
echo "PASS: exports only create(); every other symbol resolves"
