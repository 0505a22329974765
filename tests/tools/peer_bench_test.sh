#!/usr/bin/env bash
# The peer benchmark runs end to end (a second per row, two writers: a
# smoke run, not a measurement): collectionsd through loadgen, db_bench and
# PostgreSQL with pgbench each produce a row with figures, and the ratios
# are computed. Two rounds, so the rounds' medians and per-round ratios
# are exercised too. The default transport (a Unix socket) is the one run.
#
#   peer_bench_test.sh <build dir>
set -euo pipefail
out=$(mktemp)
trap 'rm -f "$out"' EXIT
SECONDS_EACH=1 WRITERS=2 ROUNDS=2 MEMORY_EVENTS=2000 BUILD_DIR="$1" \
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
assert "each row the median of 2 rounds" in text
# The default transport: gRPC over a Unix socket, as pgbench reaches PostgreSQL.
assert "gRPC over a Unix socket" in text and "TRANSPORT=unix" in text
# Each round's ratios and lag, for both shapes.
per_round = re.findall(r"collectionsd per round, (1|100) events? per write: vs PostgreSQL ([\d. ]+); vs ceiling ([\d. ]+); lag p99 ms ([\d.? ]+)", text)
assert [shape for shape, *_ in per_round] == ["1", "100"], per_round
for _, vs_pg, vs_ceiling, lags in per_round:
    assert len(vs_pg.split()) == 2 and all(float(r) > 0 for r in vs_pg.split()), vs_pg
    assert len(vs_ceiling.split()) == 2 and len(lags.split()) == 2, (vs_ceiling, lags)
memory = re.search(r"memory: collectionsd resident (\d+) MiB with (\d+) events in its log", text)
assert memory and int(memory.group(1)) > 0 and int(memory.group(2)) >= 2000, memory
print("peer_bench_test: 8 rows with figures, projections caught up, memory")
PY
