#!/usr/bin/env bash
# A sustained load, long enough for RocksDB's compactions to matter: a fresh
# collectionsd on an empty data directory, loadgen's 100-event writes (64
# callers) for SECONDS_EACH seconds, then what it took:
#
#   events/s, p99 latency and the projections' lag p99 during the load;
#   the server's CPU seconds and CPU per event (utime + stime, /proc);
#   the compactions of the event log and of the projection store: how many,
#   their CPU seconds (RocksDB's own compaction_time_cpu_micros, from each
#   database's LOG), by column family;
#   the server's resident memory at the end and the data directory's size.
#
# The peer benchmark's rows (15 s) end before most compactions start; this
# is what a long load pays for them.
#
#   tools/bench/sustained_bench.sh                  # 90 s
#   SECONDS_EACH=300 SHAPE=single tools/bench/sustained_bench.sh
#
# Builds collectionsd and loadgen when needed; nothing is left behind.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/bench/lib.sh
SECONDS_EACH="${SECONDS_EACH:-90}"
SHAPE="${SHAPE:-batch}"
WRITERS="${WRITERS:-64}"
BUILD_DIR="${BUILD_DIR:-build}"
[[ -x "$BUILD_DIR/services/server/collectionsd" && -x "$BUILD_DIR/tools/loadgen" ]] ||
  tools/dev/build.sh >/dev/null

work=$(mktemp -d /var/tmp/sustained_bench.XXXXXX)
server_pid=
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

bench_start_server "$work/server.log" \
  "$BUILD_DIR/services/server/collectionsd" --listen=127.0.0.1:0 \
  --data_dir="$work/data" --insecure_plaintext --rate_limit_per_second=0 \
  --tree_head_interval_seconds=0 --due_events_interval_seconds=0 || exit 1

cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
ticks_before=$(cpu_ticks)
"$BUILD_DIR/tools/loadgen" --server="127.0.0.1:$port" --workload="$SHAPE" \
  --batch_events=100 --callers="$WRITERS" --seconds="$SECONDS_EACH" \
  --projection_lag >"$work/loadgen.out"
ticks_after=$(cpu_ticks)
rss_mib=$(awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$server_pid/status")
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=
data_mib=$(du -sm "$work/data" | cut -f1)

python3 - "$work" "$((ticks_after - ticks_before))" "$(getconf CLK_TCK)" \
  "$rss_mib" "$data_mib" "$SHAPE" "$WRITERS" <<'PY'
import collections, json, re, sys

work, ticks, hz, rss, data, shape, writers = sys.argv[1:8]
cpu_s = int(ticks) / int(hz)
run = next(json.loads(line) for line in open(f"{work}/loadgen.out")
           if line.startswith('{"benchmark"'))
op = run["ops"][0]
events = op["events_per_s"] * run["seconds"]


def compactions(log_path):
    """(count, CPU seconds, CPU seconds by column family) from a RocksDB LOG."""
    family_of_job, by_family = {}, collections.Counter()
    count, cpu = 0, 0.0
    for line in open(log_path, errors="replace"):
        started = re.search(r"\[([\w-]+)\] \[JOB (\d+)\] Compacting", line)
        if started:
            family_of_job[int(started.group(2))] = started.group(1)
        if '"event": "compaction_finished"' in line:
            event = json.loads(line[line.index("{"):])
            seconds = event["compaction_time_cpu_micros"] / 1e6
            count += 1
            cpu += seconds
            by_family[family_of_job.get(event["job"], "?")] += seconds
    return count, cpu, by_family


print(f"sustained load: {shape}, {writers} callers, {run['seconds']:.0f} s")
print(f"  {op['events_per_s']:.0f} events/s, p99 {op['p99_ms']:.1f} ms, "
      f"projections' lag p99 {run.get('projection_lag_p99_ms', '?')} ms")
print(f"  server CPU {cpu_s:.1f} s ({cpu_s / max(events, 1) * 1e6:.1f} us per event), "
      f"resident {rss} MiB, data directory {data} MiB")
for name, path in (("event log", f"{work}/data/LOG"),
                   ("projection store", f"{work}/data/projections/LOG")):
    count, cpu, by_family = compactions(path)
    families = ", ".join(f"{family} {seconds:.1f} s"
                         for family, seconds in by_family.most_common())
    print(f"  {name}: {count} compactions, {cpu:.1f} CPU s"
          + (f" ({families})" if families else ""))
PY
