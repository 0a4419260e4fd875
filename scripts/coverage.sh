#!/usr/bin/env bash
# Line coverage of plugin/ by the unit tests alone (no Janus, no worker process): builds the core and the unit
# tests with --coverage in build/coverage (a copy of the sources, as test-asan.sh does), runs them, and prints
# gcovr's table per file and a total per layer. With MIN_ROOMS_COVERAGE=N, fails when plugin/rooms/ is below N %.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$root/build/coverage
mkdir -p "$dir"
(cd "$root" && git ls-files -co --exclude-standard -- . ':!web' ':!bench/media' | tar -cf - -T -) | tar -xf - -C "$dir"
mkdir -p "$dir/build" && ln -sfn "$root/build/worker" "$dir/build/worker"
cd "$dir"
[ -x configure ] || autoreconf -fi >/dev/null
[ -f Makefile ] || ./configure -q CXXFLAGS="-O0 -g --coverage -fprofile-update=atomic" CFLAGS="-O0 -g --coverage -fprofile-update=atomic" LDFLAGS="--coverage" --enable-loop-checks
unit_tests=$(grep -oP '^UNIT_TESTS = \K.*' Makefile.am)
find . -name '*.gcda' -delete
make -j"$(nproc)" >/dev/null
# One at a time: test programs sharing the core's objects would merge the same .gcda files at once.
make -j1 check TESTS="$unit_tests" >/dev/null || { cat tests/unit_*.log | tail -80; exit 1; }

report=$dir/coverage.txt
gcovr --root . --filter 'plugin/' --exclude-unreachable-branches --txt "$report" >/dev/null
cat "$report"
echo
echo "line coverage by the unit tests, per layer:"
rooms_percent=0
for layer in $(ls -d plugin/*/ | xargs -n1 basename); do
  # Sum lines and covered lines over the layer's files (gcovr's txt rows: file, lines, exec, cover, missing).
  read -r lines covered < <(awk -v p="plugin/$layer/" '$1 ~ "^"p && NF >= 3 && $2 ~ /^[0-9]+$/ {l += $2; c += $3} END {print l+0, c+0}' "$report")
  percent=$(awk -v l="$lines" -v c="$covered" 'BEGIN { if (l == 0) print 0; else printf "%.1f", 100 * c / l }')
  printf '  %-10s %5s %% of %5d lines\n' "$layer" "$percent" "$lines"
  [ "$layer" = rooms ] && rooms_percent=$percent
done
total=$(awk '/^TOTAL/ {print $4}' "$report")
echo "  all        $total of plugin/"
if [ -n "${MIN_ROOMS_COVERAGE:-}" ] && awk -v p="$rooms_percent" -v m="$MIN_ROOMS_COVERAGE" 'BEGIN { exit !(p < m) }'; then
  echo "coverage: plugin/rooms/ at $rooms_percent %, below the $MIN_ROOMS_COVERAGE % floor"
  exit 1
fi
