#!/usr/bin/env bash
# The core's folders are its layers, and includes point one way: api → rooms → pool → entities → channel,
# rooms → cluster (the hosts of a cluster and its room directory, on Redis),
# with ortc, sdp, config, messages, auth and base below. A header of the core is always included by its folder path, so a
# wrong arrow is a line this script can see. Lists every include that breaks the rule and fails on any.
set -euo pipefail
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top/plugin"

declare -A allowed=(
  [base]="base"
  [channel]="channel base"
  [ortc]="ortc base"
  [config]="config ortc base"
  [messages]="messages base"
  [auth]="auth base"
  [sdp]="sdp ortc base"
  [cluster]="cluster config base"
  [entities]="entities channel ortc config base"
  [pool]="pool entities channel ortc config base"
  [rooms]="rooms cluster pool entities channel ortc config messages auth sdp base"
  [api]="api rooms cluster pool entities channel ortc config messages auth sdp base"
)

bad=0
checked=0
for dir in */; do
  layer=${dir%/}
  if [ -z "${allowed[$layer]+x}" ]; then
    echo "layers: plugin/$layer/ is not a known layer (add it to tests/layers.sh with its allowed includes)"
    bad=$((bad + 1))
    continue
  fi
  for file in "$layer"/*; do
    while IFS= read -r line; do
      target=$(sed -E 's/^#include "([^"]+)".*/\1/' <<<"$line")
      checked=$((checked + 1))
      if [[ $target != */* ]]; then
        echo "layers: plugin/$file includes \"$target\" without its folder"
        bad=$((bad + 1))
        continue
      fi
      to=${target%%/*}
      if [[ " ${allowed[$layer]} " != *" $to "* ]]; then
        echo "layers: plugin/$file ($layer) includes $target ($to): not allowed below ${layer}"
        bad=$((bad + 1))
      fi
    done < <(grep -E '^#include "' "$file" || true)
  done
done
echo "layers: $checked includes checked, $bad against the rule"
[ "$bad" -eq 0 ]
