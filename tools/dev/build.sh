#!/usr/bin/env bash
# Installs missing packages, then configures and builds everything into
# ./build (Release with debug info, Ninja). Incremental on a second run.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/dev/install_deps.sh
BUILD_DIR="${BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}"
cmake --build "$BUILD_DIR" -j "$(nproc)"
