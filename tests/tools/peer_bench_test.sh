#!/usr/bin/env bash
# The peer benchmark runs end to end (a second per row, two writers: a
# smoke run, not a measurement): collectionsd through loadgen, db_bench and
# PostgreSQL with pgbench each produce a row with figures, and the ratios
# are computed.
#
#   peer_bench_test.sh <build dir>
set -euo pipefail
out=$(mktemp)
trap 'rm -f "$out"' EXIT
SECONDS_EACH=1 WRITERS=2 MEMORY_EVENTS=2000 BUILD_DIR="$1" \
  "$(dirname "$0")/../../tools/bench/peer_bench.sh" >"$out" 2>&1 ||
  { cat "$out"; echo "FAIL: peer_bench.sh exited $?"; exit 1; }
cat "$out"
python3 - "$out" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rows = [line for line in text.splitlines() if re.match(r"\| (collectionsd|gRPC ceiling|RocksDB|PostgreSQL)", line)]
assert len(rows) == 8, f"{len(rows)} rows"
for row in rows:
    cells = [c.strip() for c in row.strip().strip("|").split("|")]
    events, p50, p99, *ratios = (float(c) for c in cells[2:8])
    assert events > 0 and p50 > 0 and p99 >= p50 and all(r > 0 for r in ratios), row
# The projections' figures for both collectionsd rows.
extras = re.findall(r"projections lag_p99_ms ([\d.?]+), caught_up_s ([-\d.]+), rss_mib (\d+), events_in_log (\d+)", text)
assert len(extras) == 2, extras
for lag, caught_up, rss, events in extras:
    assert float(caught_up) >= 0 and int(rss) > 0 and int(events) > 0, (lag, caught_up, rss, events)
memory = re.search(r"memory: collectionsd resident (\d+) MiB with (\d+) events in its log", text)
assert memory and int(memory.group(1)) > 0 and int(memory.group(2)) >= 2000, memory
print("peer_bench_test: 8 rows with figures, projections caught up, memory")
PY
