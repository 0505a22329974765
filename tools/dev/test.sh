#!/usr/bin/env bash
# The test command of the README quick start (and what .ci/run runs):
# installs missing packages, checks the formatting (tools/dev/format.sh),
# builds with warnings as errors, and runs the whole test suite under
# AddressSanitizer + UndefinedBehaviorSanitizer (build-check/), then the
# concurrency tests under ThreadSanitizer (build-tsan/).
#
# Both builds are optimised lightly (-O1) with line tables only (-g1): the
# sanitizers need no more for their reports, and it keeps CI's two builds
# within its time on 2 cores. The server's own build (tools/dev/build.sh,
# build/) is separate and unsanitized.
#   SANITIZERS=address   runs only the first part; SANITIZERS=thread only the second.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/dev/install_deps.sh --with-peers
# The sources as .clang-format writes them (fails fast, before building).
tools/dev/format.sh --check
sanitizers=${SANITIZERS:-address thread}
configure() {  # configure <dir> <sanitizer>
  cmake -S . -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DCOLLECTIONS_SANITIZE="$2" \
    -DCOLLECTIONS_WERROR=ON
}

if [[ " $sanitizers " == *" address "* ]]; then
  configure build-check address
  cmake --build build-check -j "$(nproc)"
  ctest --test-dir build-check --output-on-failure -j "$(nproc)" --timeout 900
fi

if [[ " $sanitizers " == *" thread "* ]]; then
  configure build-tsan thread
  cmake --build build-tsan -j "$(nproc)" --target concurrency_tests
  ctest --test-dir build-tsan --output-on-failure -j "$(nproc)" --timeout 900 \
    -L concurrency
fi
