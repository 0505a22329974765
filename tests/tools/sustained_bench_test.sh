#!/usr/bin/env bash
# The sustained-load benchmark runs end to end (three seconds: a smoke run,
# not a measurement) and prints its figures: events/s, the server's CPU per
# event, and a compaction line for each database read from its RocksDB LOG.
#
#   sustained_bench_test.sh <build dir>
set -euo pipefail
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
SECONDS_EACH=3 WRITERS=4 BUILD_DIR="$1" \
  "$(dirname "$0")/../../tools/bench/sustained_bench.sh" >"$out" 2>&1 ||
  status=$?
if ((status != 0)); then
  cat "$out"
  echo "FAIL: sustained_bench.sh exited $status"
  exit 1
fi
cat "$out"
python3 - "$out" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rate = re.search(r"^  (\d+) events/s, p99 ([\d.]+) ms", text, re.M)
assert rate and int(rate.group(1)) > 0, text
cpu = re.search(r"server CPU ([\d.]+) s \(([\d.]+) us per event\), resident (\d+) MiB", text)
assert cpu and float(cpu.group(1)) > 0 and int(cpu.group(3)) > 0, text
for name in ("event log", "projection store"):
    assert re.search(rf"^  {name}: \d+ compactions, [\d.]+ CPU s", text, re.M), name
print("sustained_bench_test: figures and both databases' compaction lines")
PY
