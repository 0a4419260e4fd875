#!/usr/bin/env bash
# Sets everything up and runs every test: cmocka unit tests, integration tests against a real Janus with
# real workers, and (where the web bundle exists) browser media tests in headless Chromium.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh"
cd "$root"
make -j"$(nproc)" check || { cat tests/*.log tests/integration/*.log tests/e2e/*.log 2>/dev/null | tail -300; exit 1; }
# Line coverage of plugin/ by the unit tests alone; the rooms layer must stay at 85 % or more.
MIN_ROOMS_COVERAGE=85 bash scripts/coverage.sh | tail -12
# The same unit and integration tests again, built with ASan and UBSan.
bash scripts/test-asan.sh
# Installing like a Janus plugin: out-of-tree build, make install DESTDIR=…, a Janus loading it, distcheck.
bash scripts/test-install.sh | tee tests/install.log

# One closing line over every individual test case (cmocka cases + node test cases).
passed=0 failed=0
for log in tests/unit_*.log; do
  p=$(grep -oP '\[  PASSED  \] \K[0-9]+' "$log" | tail -1 || true); f=$(grep -oP '\[  FAILED  \] \K[0-9]+' "$log" | tail -1 || true)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
for log in tests/integration/*.log tests/e2e/*.log; do
  [ -f "$log" ] || continue
  # A log may hold several runs (the browser suite runs twice): add them all up.
  p=$(grep -oP 'ℹ pass \K[0-9]+' "$log" | awk '{s+=$1} END {print s+0}'); f=$(grep -oP 'ℹ fail \K[0-9]+' "$log" | awk '{s+=$1} END {print s+0}')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
p=$(grep -oP '^install: \K[0-9]+(?= checks passed)' tests/install.log || true)
passed=$((passed + ${p:-0}))
echo "$passed passed, $failed failed"
