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
SECONDS_EACH=1 WRITERS=2 BUILD_DIR="$1" \
  "$(dirname "$0")/../../tools/bench/peer_bench.sh" >"$out" 2>&1 ||
  { cat "$out"; echo "FAIL: peer_bench.sh exited $?"; exit 1; }
cat "$out"
python3 - "$out" <<'PY'
import re, sys
rows = [line for line in open(sys.argv[1]) if re.match(r"\| (collectionsd|RocksDB|PostgreSQL)", line)]
assert len(rows) == 6, f"{len(rows)} rows"
for row in rows:
    cells = [c.strip() for c in row.strip().strip("|").split("|")]
    events, p50, p99, ratio = (float(c) for c in cells[2:6])
    assert events > 0 and p50 > 0 and p99 >= p50 and ratio > 0, row
print("peer_bench_test: 6 rows with figures")
PY
