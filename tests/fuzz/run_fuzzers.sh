#!/usr/bin/env bash
# Fuzzes every target in tests/fuzz with libFuzzer under ASan + UBSan and
# prints each run's wall time, CPU time and executions.
#
# How long: SECONDS_PER_TARGET of wall time (default 300), or, when
# CPU_SECONDS_PER_TARGET is set, until the target has used that much CPU
# (user + system, read from /proc every few seconds; then it is interrupted
# and prints its final statistics). CPU time is the honest budget on a
# machine that does other work meanwhile. PARALLEL=N fuzzes N targets at a
# time (default 1); NICE=n runs them at that niceness (default 0).
#
# Builds with clang into build-fuzz/ (installs clang and its runtimes from
# Debian when missing). Each target starts from its seed corpus in
# tests/fuzz/<target>/ and grows a working corpus in build-fuzz/corpus/;
# a crash is written to build-fuzz/crashes/<target>-… and ends that run with
# a failure: copy the file into tests/fuzz/<target>/ and it replays in every
# test run from then on.
#
#   tests/fuzz/run_fuzzers.sh            # 5 minutes per target
#   SECONDS_PER_TARGET=60 tests/fuzz/run_fuzzers.sh fuzz_return_file
#   CPU_SECONDS_PER_TARGET=3600 PARALLEL=2 NICE=19 tests/fuzz/run_fuzzers.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${SECONDS_PER_TARGET:-300}
cpu_seconds=${CPU_SECONDS_PER_TARGET:-}
parallel=${PARALLEL:-1}
niceness=${NICE:-0}
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(fuzz_request_validation
  fuzz_stored_event fuzz_key_decoding fuzz_return_file fuzz_case_commands)

if ! command -v clang++-14 >/dev/null ||
   ! dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q "ok installed"; then
  SUDO=""; [[ "$(id -u)" -eq 0 ]] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    --no-install-recommends clang-14 libclang-rt-14-dev
fi
tools/dev/install_deps.sh
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
  -DCOLLECTIONS_SANITIZE=address -DCOLLECTIONS_FUZZ=ON >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target "${targets[@]}"

ticks=$(getconf CLK_TCK)
# cpu_of <pid>: the CPU seconds (user + system) the process has used so far.
cpu_of() {
  awk -v t="$ticks" '{ print int(($14 + $15) / t) }' "/proc/$1/stat" 2>/dev/null
}

# fuzz_one <target>: fuzzes one target; writes its summary line to
# build-fuzz/<target>.result and answers 0 only when it found no crash.
fuzz_one() {
  local target=$1 corpus=build-fuzz/corpus/$1 log=build-fuzz/$1.log
  mkdir -p "$corpus"
  local limit=$seconds
  [[ -z "$cpu_seconds" ]] || limit=$((cpu_seconds * 100))  # CPU decides
  local started=$SECONDS
  nice -n "$niceness" build-fuzz/tests/fuzz/"$target" "$corpus" \
    "tests/fuzz/$target" -max_total_time="$limit" -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="build-fuzz/crashes/$target-" \
    >"$log" 2>&1 &
  local pid=$! used=0
  while kill -0 "$pid" 2>/dev/null; do
    used=$(cpu_of "$pid") || true
    used=${used:-0}
    if [[ -n "$cpu_seconds" && $used -ge $cpu_seconds ]]; then
      kill -INT "$pid" 2>/dev/null || true
    fi
    sleep 5
  done
  local result=0
  wait "$pid" || result=$?
  # 72: libFuzzer's exit on SIGINT (the CPU budget spent), not a finding.
  [[ -n "$cpu_seconds" && $result -eq 72 ]] && result=0
  local runs corpus_size wall=$((SECONDS - started))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  corpus_size=$(find "$corpus" -type f | wc -l)
  if [[ $result -eq 0 ]]; then
    echo "$target: ${wall} s wall, ${used} s CPU, ${runs:-?} executions," \
      "corpus $corpus_size inputs, no crash" >"build-fuzz/$target.result"
  else
    { echo "$target: FAILED after ${runs:-?} executions (see $log, build-fuzz/crashes/)"
      tail -30 "$log"; } >"build-fuzz/$target.result"
  fi
  return $result
}

mkdir -p build-fuzz/crashes
status=0
running=0
for target in "${targets[@]}"; do
  if [[ $running -ge $parallel ]]; then
    wait -n || status=1
    running=$((running - 1))
  fi
  fuzz_one "$target" &
  running=$((running + 1))
done
while [[ $running -gt 0 ]]; do
  wait -n || status=1
  running=$((running - 1))
done
for target in "${targets[@]}"; do cat "build-fuzz/$target.result"; done
exit $status
