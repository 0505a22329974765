#!/usr/bin/env bash
# Installs missing packages, then configures and builds into ./build
# (Release with debug info, Ninja): everything, or only the targets named
# (tools/dev/build.sh collectionsd collectionsctl). Incremental on a second
# run.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/dev/install_deps.sh
BUILD_DIR="${BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}"
if [[ $# -gt 0 ]]; then
  cmake --build "$BUILD_DIR" -j "$(nproc)" --target "$@"
else
  cmake --build "$BUILD_DIR" -j "$(nproc)"
fi
