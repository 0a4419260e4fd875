#!/usr/bin/env bash
# What spanning hosts costs (Redis, two Janus hosts, plain RTP), inside a loopback-only network namespace
# (needs root). Usage: bench/hosts.sh [STREAMS] [RECEIVERS] [SECONDS] [JOINS] [ROOMS]   (defaults 4 2 15 40 400)
exec "$(dirname "$0")/netns_node.sh" hosts.mjs "$@"
