#!/usr/bin/env bash
# The run command of the README quick start: installs missing packages,
# builds, and starts collectionsd on ./data, seeding a demo portfolio on the
# first start. Extra arguments go to collectionsd (e.g. --listen=0.0.0.0:50051).
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/dev/build.sh
BUILD_DIR="${BUILD_DIR:-build}"
exec "$BUILD_DIR/services/server/collectionsd" --data_dir="${DATA_DIR:-data}" \
  --seed_demo "$@"
