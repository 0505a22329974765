#!/usr/bin/env bash
# The crash test: appends acknowledged under load survive any SIGKILL.
#
# Runs two load generators against collectionsd (single-event appends and
# 10-event batches, each retrying a failed append with the same request id
# once the server is back), kills the server with SIGKILL at random moments,
# and after every kill, before the restart, runs crash_check on the data
# directory: every acknowledged event present exactly once where its
# acknowledgement said, positions gap-free, versions contiguous, the Merkle
# tree re-verified from the records, and each projection caught up from its
# checkpoint equal to its rebuild from zero (tools/crash_check/). Then
# restarts the server on the same port and goes on.
#
#   crash_test.sh <collectionsd> <loadgen> <crash_check> [<power_loss_test>]
#
# MODE=power instead simulates power cuts (a SIGKILL cannot: the page cache
# survives it): it runs the power-loss harness (tests/storage/
# power_loss_test.cc, the fourth argument, or storage_power_loss_test next
# to crash_check) for KILLS power losses — appends through the real append
# path from several threads, the unsynced data of every file dropped (or a
# random part of it kept) at a random moment, the log reopened in the same
# process and checked: every acknowledged event once at its position,
# positions gap-free, the Merkle tree and chains recomputed.
#
# Environment: KILLS (default 20), MIN_MS/MAX_MS (the random time between a
# start and its kill, default 50..1000 ms), KEEP=1 keeps the work directory.
# Prints one line per kill and a summary; exit status 0 only when every
# check held.
set -euo pipefail
source "$(dirname "$0")/server_lib.sh"
kills=${KILLS:-20} min_ms=${MIN_MS:-50} max_ms=${MAX_MS:-1000}
if [[ "${MODE:-kill}" == power ]]; then
  # The harness binary: the fourth argument, else the build's (BUILD_DIR,
  # default build).
  power_bin=${4:-${BUILD_DIR:-build}/tests/storage/storage_power_loss_test}
  [[ -x "$power_bin" ]] || { echo "no power-loss harness at $power_bin" >&2; exit 2; }
  POWER_LOSSES=$kills exec "$power_bin" --gtest_brief=1
fi
server_bin=$1 loadgen_bin=$2 check_bin=$3
work=$(mktemp -d)
server_pid="" loadgen_pids=()
cleanup() {
  kill -KILL "$server_pid" "${loadgen_pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  if [[ "${KEEP:-0}" == 1 ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# start_server <listen address>: starts collectionsd and waits until it
# serves; sets server_pid and port.
start_server() {
  : >"$work/server.out"
  "$server_bin" --listen="$1" --data_dir="$work/data" --insecure_plaintext --rate_limit_per_second=0 \
    --tree_head_interval_seconds=1 --due_events_interval_seconds=0 \
    >>"$work/server.out" 2>&1 &
  server_pid=$!
  wait_serving "$work/server.out"
}

start_server 127.0.0.1:0
for workload in "single --callers=8 --case_prefix=s" \
                "batch --batch_events=10 --callers=4 --case_prefix=b"; do
  # shellcheck disable=SC2086  # the workload's flags split on purpose
  "$loadgen_bin" --server="127.0.0.1:$port" --workload=$workload --retry \
    --seconds=100000 --acked_log="$work/acked" \
    >>"$work/loadgen.out" 2>&1 &
  loadgen_pids+=($!)
done

check() {  # check <label>: crash_check on the stopped server's data
  local out
  if ! out=$("$check_bin" --data_dir="$work/data" --acked_log="$work/acked" 2>&1); then
    echo "FAIL after $1:"; echo "$out"; cat "$work/server.out"; exit 1
  fi
  echo "$1: ${out#crash_check: }"
  last_check=$out
}

for kill_number in $(seq "$kills"); do
  sleep "$(awk -v lo="$min_ms" -v hi="$max_ms" -v r="$RANDOM" \
    'BEGIN { printf "%.3f", (lo + (hi - lo) * r / 32767) / 1000 }')"
  for pid in "${loadgen_pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || {
      echo "FAIL: a load generator stopped:"; cat "$work/loadgen.out"; exit 1; }
  done
  kill -KILL "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  check "kill $kill_number"
  start_server "127.0.0.1:$port"
done

kill -TERM "${loadgen_pids[@]}"
wait "${loadgen_pids[@]}" 2>/dev/null || true
loadgen_pids=()
kill -KILL "$server_pid"
wait "$server_pid" 2>/dev/null || true
check "final"
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$last_check"; }
echo "crash_test: kills=$kills acked_appends=$(field acked_appends)" \
  "acked_events=$(field acked_events) events_in_log=$(field events)" \
  "lost=$(field lost) PASSED"
