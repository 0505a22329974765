#!/usr/bin/env bash
# Fuzzes every target in tests/fuzz with libFuzzer under ASan + UBSan, for
# SECONDS each (default 300), and prints each run's duration and executions.
# Builds with clang into build-fuzz/ (installs clang and its runtimes from
# Debian when missing). Each target starts from its seed corpus in
# tests/fuzz/<target>/ and grows a working corpus in build-fuzz/corpus/;
# a crash is written to build-fuzz/crashes/<target>-… and ends that run with
# a failure: copy the file into tests/fuzz/<target>/ and it replays in every
# test run from then on.
#
#   tests/fuzz/run_fuzzers.sh            # 5 minutes per target
#   SECONDS_PER_TARGET=60 tests/fuzz/run_fuzzers.sh fuzz_return_file
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${SECONDS_PER_TARGET:-300}
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(fuzz_request_validation
  fuzz_stored_event fuzz_key_decoding fuzz_return_file)

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

mkdir -p build-fuzz/crashes
status=0
for target in "${targets[@]}"; do
  corpus=build-fuzz/corpus/$target
  mkdir -p "$corpus"
  log=build-fuzz/$target.log
  set +e
  build-fuzz/tests/fuzz/"$target" "$corpus" "tests/fuzz/$target" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/crashes/$target-" >"$log" 2>&1
  result=$?
  set -e
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
  corpus_size=$(find "$corpus" -type f | wc -l)
  if [[ $result -eq 0 ]]; then
    echo "$target: ${took:-?} s, ${runs:-?} executions, corpus $corpus_size inputs, no crash"
  else
    echo "$target: FAILED after ${runs:-?} executions (see $log, build-fuzz/crashes/)"
    tail -30 "$log"
    status=1
  fi
done
exit $status
