#!/usr/bin/env bash
# A/B load comparison of two collectionsd builds on this machine: the same
# loadgen, the same workloads, fresh data for every run, the two servers
# interleaved so drift in the machine hits both alike.
#
#   tools/dev/compare_servers.sh <base collectionsd> <head collectionsd> \
#       [ROUNDS=2] [SECONDS_EACH=8]
#   BASE_FLAGS / HEAD_FLAGS: extra server flags for each side (e.g.
#   HEAD_FLAGS=--insecure_plaintext for builds that need it).
#
# Prints one loadgen JSON line per run, labelled base or head.
set -euo pipefail
base=$1 head=$2
ROUNDS="${ROUNDS:-2}" SECONDS_EACH="${SECONDS_EACH:-8}"
LOADGEN="${LOADGEN:-$(dirname "$0")/../../build/tools/loadgen}"
PORT="${PORT:-50177}"

run() {  # run <label> <server> <flags> <loadgen args…>
  local label=$1 bin=$2 flags=$3
  shift 3
  local dir
  dir=$(mktemp -d)
  # shellcheck disable=SC2086
  "$bin" --listen="127.0.0.1:$PORT" --data_dir="$dir/data" $flags \
    >"$dir/log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do
    grep -q "serving on" "$dir/log" 2>/dev/null && break
    sleep 0.1
  done
  echo "$label $* $("$LOADGEN" --server="127.0.0.1:$PORT" \
    --seconds="$SECONDS_EACH" "$@" 2>&1 | grep '^{' | tail -1)"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}

for _ in $(seq "$ROUNDS"); do
  for workload in "--workload=single --callers=64" \
                  "--workload=mixed --callers=16 --readers=1"; do
    # shellcheck disable=SC2086
    run base "$base" "${BASE_FLAGS:-}" $workload
    # shellcheck disable=SC2086
    run head "$head" "${HEAD_FLAGS:-}" $workload
  done
done
