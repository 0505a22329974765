#!/usr/bin/env bash
# Benchmarks against peers, in one run on this machine: the same ~400-byte
# events, the same number of concurrent writers, every write durable before
# it is acknowledged (fsync'd WAL), written by
#
#   collectionsd   LogCalls over gRPC through tools/loadgen (one event per
#                  call: validation, idempotency lookup, stream head, chain
#                  hash and Merkle tree, group commit, WAL sync)
#   gRPC ceiling   the same loadgen calls answered by tools/bench/
#                  ceiling_server without storage (same gRPC build, same
#                  callback API): the most any server of ours could do
#   RocksDB        Debian's db_bench fillrandom --sync=1: raw puts into one
#                  RocksDB, in-process, no network, no checks (the floor our
#                  storage sits on)
#   PostgreSQL     Debian's PostgreSQL 15 and pgbench: an events table
#                  (position, stream, version, event id, body) with a unique
#                  (stream, version), each append reading its stream's head,
#                  synchronous_commit=on, fsync=on
#
# one event per durable write, then 100, and prints one table: events/s,
# p50 and p99 latency per write, and each system's throughput as a ratio to
# raw RocksDB, to PostgreSQL and to the gRPC ceiling measured in the same
# run with the same shape. For collectionsd it also prints the projections'
# lag during the load (p99 of the oldest unapplied event's age, sampled
# every 200 ms), how long they took to catch up after it, the server's
# resident memory at the end and the events then in its log.
#
# Last, the memory figure: a fresh collectionsd filled with MEMORY_EVENTS
# events (default 10,000,000, in 100-event writes by 64 callers), its
# projections caught up, then its resident memory (VmRSS). MEMORY_EVENTS=0
# skips it.
#
#   tools/bench/peer_bench.sh                      # 15 s a row, 64 writers
#   TRANSPORT=tcp tools/bench/peer_bench.sh        # gRPC over TCP loopback
#   SECONDS_EACH=30 WRITERS=64 tools/bench/peer_bench.sh
#   ROUNDS=3 tools/bench/peer_bench.sh             # each row the median of 3
#
# ROUNDS runs every row that many times, the systems in a rotating order,
# and shows each system's median round, then each round's ratios: on a
# machine whose speed drifts from minute to minute (a shared VM), one run's
# ratios can move by a fifth; the rounds' spread says how much to trust
# them.
#
# TRANSPORT says how loadgen reaches collectionsd and the ceiling server:
# "unix" (the default) over a Unix domain socket, as pgbench reaches
# PostgreSQL here, so the rows compare the servers, not the kernel's TCP
# loopback; "tcp" over 127.0.0.1. Measured 2026-12-07, one event per
# write, three alternating pairs: TCP 6,798-7,397 events/s, the server
# 175-188 us and loadgen 61-66 us of CPU per event; a Unix socket
# 7,554-7,637, 168-172 us and 53-55 us.
#
# Installs rocksdb-tools and postgresql when missing (apt-get), builds
# collectionsd when needed. PostgreSQL runs as a private cluster in a
# temporary directory on a Unix socket (as the postgres user when run as
# root); nothing is left behind.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/bench/lib.sh
SECONDS_EACH="${SECONDS_EACH:-15}"
ROUNDS="${ROUNDS:-1}"
WRITERS="${WRITERS:-64}"
VALUE_BYTES=400
MEMORY_EVENTS="${MEMORY_EVENTS:-10000000}"
BUILD_DIR="${BUILD_DIR:-build}"
TRANSPORT="${TRANSPORT:-unix}"
case $TRANSPORT in
  unix | tcp) ;;
  *) echo "TRANSPORT must be unix or tcp, not $TRANSPORT" >&2; exit 2 ;;
esac

need=()
command -v db_bench >/dev/null || need+=(rocksdb-tools)
[[ -x /usr/lib/postgresql/15/bin/pgbench ]] || need+=(postgresql-15)
if [[ ${#need[@]} -gt 0 ]]; then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    --no-install-recommends "${need[@]}" >/dev/null
fi
[[ -x "$BUILD_DIR/services/server/collectionsd" && -x "$BUILD_DIR/tools/loadgen" &&
   -x "$BUILD_DIR/tools/ceiling_server" && -x "$BUILD_DIR/tools/collectionsctl" ]] ||
  tools/dev/build.sh >/dev/null

work=$(mktemp -d /var/tmp/peer_bench.XXXXXX)
pg_bin=/usr/lib/postgresql/15/bin
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  [[ -n "${server_pid:-}" ]] && kill "$server_pid" 2>/dev/null || true
  [[ -d "$work/pg" ]] && as_pg "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop \
    >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
[[ $(id -u) -eq 0 ]] && chown postgres "$work"

# listen_address NAME: where a server of ours listens; after
# bench_start_server, called_at NAME is where loadgen calls it.
listen_address() {
  if [[ $TRANSPORT == unix ]]; then echo "unix:$work/$1.sock"; else echo 127.0.0.1:0; fi
}
called_at() {
  if [[ $TRANSPORT == unix ]]; then echo "unix:$work/$1.sock"; else echo "127.0.0.1:$port"; fi
}

# Percentiles of a file of latencies (ms, one per line): "p50 p99".
percentiles() {
  sort -g "$1" | awk '{v[NR]=$1} END {
    i50=int(NR*0.50); if (i50<1) i50=1; i99=int(NR*0.99); if (i99<1) i99=1;
    printf "%.2f %.2f", v[i50], v[i99] }'
}

# Each system, in one of two shapes: "single" (one event per durable write)
# or "batch" (100 events per durable write: one call, one WriteBatch, one
# transaction). Each prints "<events/s> <p50 ms> <p99 ms>" (latency per
# write).
# start_collectionsd: a fresh collectionsd on an empty data directory;
# sets server_pid and port once it serves (tools/bench/lib.sh).
start_collectionsd() {
  rm -rf "$work/collectionsd"
  bench_start_server "$work/server.log" \
    "$BUILD_DIR/services/server/collectionsd" \
    --listen="$(listen_address collectionsd)" \
    --data_dir="$work/collectionsd" --insecure_plaintext --rate_limit_per_second=0 \
    --tree_head_interval_seconds=0 --due_events_interval_seconds=0 || exit 1
  server_address=$(called_at collectionsd)
}

run_collectionsd() {  # run_collectionsd single|batch
  start_collectionsd
  # --projection_lag: loadgen asks for the projections' lag every 200 ms
  # during the load (the oldest unapplied event's age over all
  # projections) and times their catch-up after it, on its own channel.
  "$BUILD_DIR/tools/loadgen" --server="$server_address" --workload="$1" \
    --batch_events=100 --callers="$WRITERS" --seconds="$SECONDS_EACH" \
    --projection_lag >"$work/loadgen.out" ||
    { echo "loadgen failed against $server_address; the server's log:" >&2
      cat "$work/server.log" >&2; }
  local rss_mib events_in_log
  rss_mib=$(awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$server_pid/status")
  peak_mib=$(awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$server_pid/status")
  events_in_log=$("$BUILD_DIR/tools/collectionsctl" --server="$server_address" \
    status --json 2>/dev/null | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(r["log_head"])' 2>/dev/null || echo "?")
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
  local lag_p99 caught_up
  read -r lag_p99 caught_up < <(grep '^{"benchmark"' "$work/loadgen.out" | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(r.get("projection_lag_p99_ms", "?"), r.get("projections_caught_up_s", "?"))')
  echo "lag_p99_ms=$lag_p99 caught_up_s=$caught_up rss_mib=$rss_mib events_in_log=$events_in_log" \
    >"$work/ours_$1.extra"
  grep '^{"benchmark"' "$work/loadgen.out" | python3 -c '
import json, sys
op = json.load(sys.stdin)["ops"][0]
print("%.0f %.2f %.2f" % (op["events_per_s"], op["p50_ms"], op["p99_ms"]))'
}

run_ours() { run_collectionsd "$@"; }
describe() {  # describe <system>: what the rows of that system run
  case $1 in
    ours) echo "collectionsd + loadgen ($WRITERS callers, ${SECONDS_EACH}s)" ;;
    ceiling) echo "gRPC ceiling (no storage) + loadgen" ;;
    rocks) echo "RocksDB db_bench fillrandom --sync=1 ($WRITERS threads)" ;;
    pg) echo "PostgreSQL 15 + pgbench ($WRITERS clients)" ;;
  esac
}

run_ceiling() {  # run_ceiling single|batch
  bench_start_server "$work/ceiling.log" \
    "$BUILD_DIR/tools/ceiling_server" --listen="$(listen_address ceiling)" || exit 1
  "$BUILD_DIR/tools/loadgen" --server="$(called_at ceiling)" --workload="$1" \
    --batch_events=100 --callers="$WRITERS" --seconds="$SECONDS_EACH" \
    >"$work/loadgen.out"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
  grep '^{"benchmark"' "$work/loadgen.out" | python3 -c '
import json, sys
op = json.load(sys.stdin)["ops"][0]
print("%.0f %.2f %.2f" % (op["events_per_s"], op["p50_ms"], op["p99_ms"]))'
}

run_rocks() {  # run_rocks single|batch
  rm -rf "$work/rocksdb"
  db_bench --benchmarks=fillrandom --db="$work/rocksdb" --sync=1 \
    --threads="$WRITERS" --value_size="$VALUE_BYTES" --key_size=16 \
    --batch_size="$([[ $1 == batch ]] && echo 100 || echo 1)" \
    --duration="$SECONDS_EACH" --num=100000000 --histogram=1 \
    --compression_type=lz4 --statistics=0 >"$work/db_bench.out" 2>&1
  # ops/sec counts keys; the histogram times each WriteBatch.
  python3 - "$work/db_bench.out" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
ops = float(re.search(r"fillrandom\s*:\s*[\d.]+ micros/op (\d+) ops/sec", text).group(1))
p = re.search(r"Percentiles: P50: ([\d.]+) P75: [\d.]+ P99: ([\d.]+)", text)
print("%.0f %.2f %.2f" % (ops, float(p.group(1)) / 1000, float(p.group(2)) / 1000))
PY
}

# The server's resident memory with MEMORY_EVENTS events in its log and
# its projections caught up: "<rss MiB> <events in log> <fill seconds>
# <catch-up seconds> <peak rss MiB>" (the peak: VmHWM, the most it was
# resident at any moment of the fill).
run_memory() {
  start_collectionsd
  local started
  started=$(date +%s.%N)
  "$BUILD_DIR/tools/loadgen" --server="$server_address" --workload=batch \
    --batch_events=100 --callers=64 --events="$MEMORY_EVENTS" --projection_lag \
    >"$work/loadgen.out" ||
    { echo "loadgen failed against $server_address; the server's log:" >&2
      cat "$work/server.log" >&2; }
  local fill_s caught_up rss_mib peak_mib events_in_log
  fill_s=$(python3 -c "print('%.0f' % ($(date +%s.%N) - $started))")
  caught_up=$(grep '^{"benchmark"' "$work/loadgen.out" | python3 -c '
import json, sys
print(json.load(sys.stdin).get("projections_caught_up_s", "?"))')
  rss_mib=$(awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$server_pid/status")
  peak_mib=$(awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$server_pid/status")
  events_in_log=$("$BUILD_DIR/tools/collectionsctl" --server="$server_address" \
    status --json 2>/dev/null | python3 -c '
import json, sys
print(json.load(sys.stdin)["log_head"])' 2>/dev/null || echo "?")
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
  echo "$rss_mib $events_in_log $fill_s $caught_up $peak_mib"
}

start_postgres() {
  as_pg "$pg_bin/initdb" -D "$work/pg" -U bench --auth=trust -E UTF8 >/dev/null
  as_pg "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w \
    -o "-k $work -c listen_addresses='' -c synchronous_commit=on -c fsync=on -c max_connections=$((WRITERS + 10))" \
    start >/dev/null
}
psql_run() { as_pg psql -h "$work" -U bench -d postgres -qAt "$@"; }

run_pg() {  # run_pg single|batch
  local events=1
  [[ $1 == batch ]] && events=100
  psql_run -c "DROP TABLE IF EXISTS events; CREATE TABLE events (
    position bigserial PRIMARY KEY,
    stream_id text NOT NULL,
    version bigint NOT NULL,
    event_id text NOT NULL,
    body bytea NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_id, version));"
  # Each client appends to its own stream after reading its head, as an
  # append with an expected version does.
  cat >"$work/append.sql" <<SQL
INSERT INTO events (stream_id, version, event_id, body)
SELECT 'case-' || :client_id, head.version + n, md5(random()::text),
       convert_to(repeat('n', $VALUE_BYTES), 'UTF8')
FROM (SELECT coalesce(max(version), 0) AS version FROM events
      WHERE stream_id = 'case-' || :client_id) head,
     generate_series(1, $events) n;
SQL
  chmod a+r "$work/append.sql"
  rm -f "$work"/pgbench_log.*
  (cd "$work" && as_pg "$pg_bin/pgbench" -h "$work" -U bench -n -M prepared \
    -c "$WRITERS" -j 2 -T "$SECONDS_EACH" -f "$work/append.sql" -l \
    --log-prefix="$work/pgbench_log" postgres >"$work/pgbench.out" 2>&1)
  cat "$work"/pgbench_log.* | awk '{print $3 / 1000}' >"$work/pg_latencies"
  local tps
  tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/pgbench.out" | head -1)
  echo "$(python3 -c "print('%.0f' % ($tps * $events))") $(percentiles "$work/pg_latencies")"
}

start_postgres
# rounds[<system>_<shape>]: one "<events/s> <p50> <p99>" line per round.
declare -A rounds result
systems=(ours ceiling rocks pg)
for round in $(seq "$ROUNDS"); do
  for shape in single batch; do
    # Round r starts with the r-th system, so none always runs first (right
    # after the previous shape's background work) or last.
    for i in 0 1 2 3; do
      system=${systems[$(((i + round - 1) % 4))]}
      echo "== round $round/$ROUNDS, $shape: $(describe "$system")" >&2
      line=$(run_"$system" "$shape")
      rounds[${system}_$shape]+="$line"$'\n'
      [[ $system == ours ]] && cp "$work/ours_$shape.extra" "$work/ours_$shape.extra.$round"
    done
  done
done
# Each system's row is its median round by events/s (the lower middle one
# for an even count); with one round, that round.
median_round() {  # median_round <key>: the line and its round number
  printf '%s' "${rounds[$1]}" | awk '{print $1, NR, $0}' | sort -g -k1,1 |
    awk '{line[NR]=$0} END {n = split(line[int((NR + 1) / 2)], f, " ");
      out=f[3]; for (i = 4; i <= n; i++) out = out " " f[i];
      print out, f[2]}'
}
declare -A median_of
for key in "${!rounds[@]}"; do
  read -r eps p50 p99 nth <<<"$(median_round "$key")"
  result[$key]="$eps $p50 $p99"
  median_of[$key]=$nth
done

memory_line="memory: skipped (MEMORY_EVENTS=0)"
if [[ "$MEMORY_EVENTS" -gt 0 ]]; then
  echo "== memory: collectionsd filled with $MEMORY_EVENTS events" >&2
  read -r mem_rss mem_events mem_fill mem_caught_up mem_peak <<<"$(run_memory)"
  memory_line="memory: collectionsd resident ${mem_rss} MiB with ${mem_events} events in its log, projections caught up (filled in ${mem_fill} s, caught up ${mem_caught_up} s after; peak during the fill ${mem_peak} MiB)"
fi

ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }
# row <label> <write> <key> <shape>: the ratios to RocksDB, PostgreSQL and
# the gRPC ceiling of the same shape.
row() {
  local eps p50 p99 rocks pg ceiling
  read -r eps p50 p99 <<<"${result[$3]}"
  read -r rocks _ _ <<<"${result[rocks_$4]}"
  read -r pg _ _ <<<"${result[pg_$4]}"
  read -r ceiling _ _ <<<"${result[ceiling_$4]}"
  echo "| $1 | $2 | $eps | $p50 | $p99 | $(ratio "$eps" "$rocks") | $(ratio "$eps" "$pg") | $(ratio "$eps" "$ceiling") |"
}
# extra <shape>: the projections' figures of collectionsd's median round.
extra() { sed 's/ /, /g; s/=/ /g' "$work/ours_$1.extra.${median_of[ours_$1]}"; }
# per_round <shape>: with several rounds, each round's collectionsd events/s
# as a ratio to PostgreSQL's and to the ceiling's in the same round (the
# machine's speed may drift between rounds; within one it moves all four
# rows alike), and each round's projection lag p99.
per_round() {
  [[ $ROUNDS -gt 1 ]] || return 0
  local ours pg ceiling vs_pg="" vs_ceiling="" lags=""
  for round in $(seq "$ROUNDS"); do
    ours=$(printf '%s' "${rounds[ours_$1]}" | sed -n "${round}p" | cut -d' ' -f1)
    pg=$(printf '%s' "${rounds[pg_$1]}" | sed -n "${round}p" | cut -d' ' -f1)
    ceiling=$(printf '%s' "${rounds[ceiling_$1]}" | sed -n "${round}p" | cut -d' ' -f1)
    vs_pg+=" $(ratio "$ours" "$pg")"
    vs_ceiling+=" $(ratio "$ours" "$ceiling")"
    lags+=" $(sed -n 's/.*lag_p99_ms=\([^ ]*\).*/\1/p' "$work/ours_$1.extra.$round")"
  done
  printf '\n%s' "collectionsd per round, $2: vs PostgreSQL$vs_pg; vs ceiling$vs_ceiling; lag p99 ms$lags"
}
cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
fs=$(df -T "$work" | awk 'NR==2 {print $2}')

cat <<TABLE

Peer benchmark, $(date -u +%F), $(nproc) cores ($cpu), Linux $(uname -r), data on $fs.
$WRITERS concurrent writers, ${SECONDS_EACH} s per row, gRPC over $([[ $TRANSPORT == unix ]] && echo "a Unix socket (as pgbench's)" || echo "TCP loopback")$([[ $ROUNDS -gt 1 ]] && echo ", each row the median of $ROUNDS rounds"), ${VALUE_BYTES}-byte event bodies,
every write synced to disk before it is acknowledged; latency is per write.

| system | one write | events/s | p50 ms | p99 ms | vs RocksDB | vs PostgreSQL | vs ceiling |
|---|---|---:|---:|---:|---:|---:|---:|
$(row "collectionsd (gRPC)" "LogCalls, 1 event" ours_single single)
$(row "gRPC ceiling (no storage)" "LogCalls, 1 event, answered at once" ceiling_single single)
$(row "RocksDB 7.8 (db_bench)" "put, in-process" rocks_single single)
$(row "PostgreSQL 15 (pgbench)" "INSERT after reading the stream head" pg_single single)
$(row "collectionsd (gRPC)" "LogCalls, 100 events" ours_batch batch)
$(row "gRPC ceiling (no storage)" "LogCalls, 100 events, answered at once" ceiling_batch batch)
$(row "RocksDB 7.8 (db_bench)" "WriteBatch of 100 puts" rocks_batch batch)
$(row "PostgreSQL 15 (pgbench)" "100-row INSERT after reading the head" pg_batch batch)

collectionsd, 1 event per write: projections $(extra single)
collectionsd, 100 events per write: projections $(extra batch)$(per_round single "1 event per write")$(per_round batch "100 events per write")
(lag: p99 of the oldest unapplied event's age during the load, ms; caught
up: seconds from the load's end until every projection is at the head;
rss: the server's resident memory at the end, MiB)
$memory_line

command: SECONDS_EACH=$SECONDS_EACH WRITERS=$WRITERS ROUNDS=$ROUNDS TRANSPORT=$TRANSPORT MEMORY_EVENTS=$MEMORY_EVENTS tools/bench/peer_bench.sh
TABLE
