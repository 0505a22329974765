#!/usr/bin/env bash
# Runs tools/loadgen against a fresh collectionsd (sync on) on a temporary
# data directory, one server per workload, on this machine:
#
#   tools/dev/loadtest.sh                  # the issue-3 set, 8 s each
#   SECONDS_EACH=20 tools/dev/loadtest.sh  # longer runs
#   tools/dev/loadtest.sh single --callers=64    # one workload, loadgen flags
#
# Builds first if needed. Prints each loadgen table and its JSON line.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR="${BUILD_DIR:-build}"
[[ -x "$BUILD_DIR/services/server/collectionsd" && -x "$BUILD_DIR/tools/loadgen" ]] ||
  tools/dev/build.sh
SECONDS_EACH="${SECONDS_EACH:-8}"
PORT="${PORT:-50171}"

run() {  # run <workload> [loadgen flags…]
  local dir
  dir="$(mktemp -d)"
  "$BUILD_DIR/services/server/collectionsd" --listen="127.0.0.1:$PORT" \
    --data_dir="$dir/data" --insecure_plaintext --rate_limit_per_second=0 >"$dir/server.log" 2>&1 &
  local server=$!
  for _ in $(seq 50); do
    grep -q "serving on" "$dir/server.log" 2>/dev/null && break
    sleep 0.1
  done
  local workload=$1
  shift
  "$BUILD_DIR/tools/loadgen" --server="127.0.0.1:$PORT" --workload="$workload" \
    --seconds="$SECONDS_EACH" "$@" || true
  kill "$server"
  wait "$server" || true
  rm -rf "$dir"
  echo
}

if [[ $# -gt 0 ]]; then
  run "$@"
  exit 0
fi
run single --callers=64
run batch --callers=64
run timeline --callers=1
run mixed --callers=8 --readers=1
run mixed --callers=16 --readers=1
run mixed --callers=64 --readers=1
