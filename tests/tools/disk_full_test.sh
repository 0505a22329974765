#!/usr/bin/env bash
# Disk full on a real (small) file system: collectionsd's data directory on
# a 512 MiB tmpfs, filled by another file. Below the free-space reserve
# (--min_free_disk_mb) appends answer UNAVAILABLE "nearly full", the server
# stays up and serving, and appends resume by themselves once the file is
# removed; the log then verifies with every acknowledged append in place.
# (Writes failing under RocksDB itself are tested with injected faults:
# tests/storage/storage_faults_test.cc, tests/integration/faults_test.cc.)
# Needs permission to mount a tmpfs (root in a container that allows it);
# exits 77 (skipped) otherwise.
#
#   disk_full_test.sh <collectionsd> <collectionsctl> <loadgen> <crash_check>
set -euo pipefail
source "$(dirname "$0")/server_lib.sh"
server_bin=$1 ctl_bin=$2 loadgen_bin=$3 check_bin=$4
work=$(mktemp -d)
fs=$work/fs
server_pid=""
cleanup() {
  kill -KILL "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  umount "$fs" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$fs"
if ! mount -t tmpfs -o size=512m tmpfs "$fs" 2>/dev/null; then
  echo "SKIP: cannot mount a tmpfs here"
  exit 77
fi

start_server() {  # start_server <reserve MiB>
  : >"$work/server.out"
  "$server_bin" --listen=127.0.0.1:0 --data_dir="$fs/data" \
    --insecure_plaintext --rate_limit_per_second=0 --min_free_disk_mb="$1" \
    --tree_head_interval_seconds=0 --due_events_interval_seconds=0 \
    >>"$work/server.out" 2>&1 &
  server_pid=$!
  wait_serving "$work/server.out"
}
load() {  # load <case prefix>: a second of single appends; prints the result
  "$loadgen_bin" --server="127.0.0.1:$port" --workload=single --callers=2 \
    --seconds=1 --case_prefix="$1" --acked_log="$work/acked" 2>&1
}
healthy() { "$ctl_bin" --server="127.0.0.1:$port" health | grep -qx SERVING; }
fill() {  # fill <MiB to leave free>
  local free_mib
  free_mib=$(( $(stat -f -c '%a' "$fs") * $(stat -f -c '%S' "$fs") / 1048576 ))
  if (( free_mib > $1 )); then
    dd if=/dev/zero of="$fs/filler" bs=1M count=$(( free_mib - $1 )) \
      status=none 2>/dev/null || true
  fi
}

start_server 32
load before >/dev/null || { echo "FAIL: appends with room"; exit 1; }
fill 8
if out=$(load full); then echo "FAIL: appended on a nearly full disk"; exit 1; fi
grep -q "nearly full" <<<"$out" || { echo "FAIL: $out"; exit 1; }
healthy || { echo "FAIL: the server stopped serving"; exit 1; }
rm -f "$fs/filler"
load after >/dev/null || { echo "FAIL: appends did not resume"; exit 1; }
echo "PASS: refused below the reserve, resumed once space returned"

kill -TERM "$server_pid"; wait "$server_pid" || true
server_pid=""
"$check_bin" --data_dir="$fs/data" --acked_log="$work/acked" ||
  { echo "FAIL: the log does not verify"; exit 1; }
echo "PASS: every acknowledged append is in the log, which verifies"
