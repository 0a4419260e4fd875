#!/usr/bin/env bash
# The same control-plane benchmarks against two builds of the plugin, alternating in one run so both see the
# same machine: the checkout's build and the plugin built from git revision REV (in build/compare/REV, the
# worker shared). Per round: each operation alone over Janus's WebSocket API (ops.mjs) and the per-request
# overhead (request_overhead.mjs). Usage: bench/compare.sh REV [ROUNDS] [COUNT] [CONCURRENCY]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rev=$(git -C "$root" rev-parse --short "${1:?usage: bench/compare.sh REV [ROUNDS] [COUNT] [CONCURRENCY]}")
rounds=${2:-2}
count=${3:-4000}
concurrency=${4:-8}
bash "$root/scripts/build.sh" >/dev/null
cd "$root/bench"
[ -d node_modules/mediasoup ] || npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
other=$root/build/compare/$rev
if [ ! -f "$other/.libs/libjanus_mediasoup.so" ]; then
  rm -rf "$other"
  mkdir -p "$root/build/compare"
  git -C "$root" worktree add -f -q --detach "$other" "$rev"
  (cd "$other" && autoreconf -fi >/dev/null 2>&1 && ./configure -q --with-mediasoup-worker="$root/build/worker/mediasoup-worker" >/dev/null &&
    make -j"$(nproc)" libjanus_mediasoup.la >/dev/null)
fi
export MEDIASOUP_WORKER_BIN=$root/build/worker/mediasoup-worker TOP_SRCDIR=$root
declare -A sos=([checkout]=$root/.libs/libjanus_mediasoup.so [$rev]=$other/.libs/libjanus_mediasoup.so)
for round in $(seq "$rounds"); do
  for build in "$rev" checkout; do
    export PLUGIN_SO=${sos[$build]}
    node ops.mjs ws 1 "$count" "$concurrency" | sed "s/^{/{\"build\":\"$build\",\"round\":$round,/"
    node request_overhead.mjs "$count" "$concurrency" | awk -F'|' -v b="$build" -v r="$round" \
      'NF > 4 && $3 ~ /[0-9]/ { gsub(/^ +| +$/, "", $2); printf "{\"build\":\"%s\",\"round\":%s,\"operation\":\"%s\",\"perSecond\":%s,\"p50Ms\":%s,\"p99Ms\":%s}\n", b, r, $2, $3, $4, $5 }'
  done
done > "$root/build/compare/results.jsonl"
echo
echo "$count requests per operation, $concurrency in flight, Janus WebSocket API, 1 worker, $rounds rounds alternating ($(date -u +%F))"
echo
echo "| operation | build | per second (each round) | p50 ms | p99 ms |"
echo "|---|---|---|---|---|"
node -e '
const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
for (const operation of [...new Set(rows.map((r) => r.operation))]) {
  for (const build of [...new Set(rows.map((r) => r.build))]) {
    const mine = rows.filter((r) => r.operation === operation && r.build === build);
    const median = (key) => { const v = mine.map((r) => r[key]).sort((a, b) => a - b); return v[Math.floor(v.length / 2)]; };
    console.log(`| ${operation} | ${build} | ${mine.map((r) => Math.round(r.perSecond)).join(", ")} | ${median("p50Ms")} | ${median("p99Ms")} |`);
  }
}' "$root/build/compare/results.jsonl"
