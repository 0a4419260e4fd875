#!/usr/bin/env bash
# One room fanned out over 1, 2 and 4 workers with real browsers, inside a loopback-only network namespace
# (needs root). Usage: bench/fanout.sh [VIEWERS] [SECONDS]   (defaults 6 and 20)
exec "$(dirname "$0")/netns_node.sh" fanout.mjs "${1:-6}" "${2:-20}"
