#!/usr/bin/env bash
# The test command of the README quick start (and what .ci/run runs):
# installs missing packages, builds, and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/dev/build.sh
BUILD_DIR="${BUILD_DIR:-build}"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)" --timeout 600
