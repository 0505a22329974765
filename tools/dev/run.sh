#!/usr/bin/env bash
# The run command of the README quick start: installs missing packages,
# builds, and starts collectionsd on ./data, seeding a demo portfolio on the
# first start. Plaintext on loopback, callers naming themselves: a local
# development setup (production: --tls_cert_file/--tls_key_file/
# --tls_client_ca_file and --identities_file, see docs/security.md "Security").
# Extra arguments go to collectionsd (e.g. --listen=127.0.0.1:50052).
set -euo pipefail
cd "$(dirname "$0")/../.."
# Only what it serves: the server and the CLI, not the test suite (a first
# start on a fresh machine takes the time of those two targets).
tools/dev/build.sh collectionsd collectionsctl
BUILD_DIR="${BUILD_DIR:-build}"
# Metrics on http://127.0.0.1:9464/metrics; the JSON log on stderr.
exec "$BUILD_DIR/services/server/collectionsd" --data_dir="${DATA_DIR:-data}" \
  --seed_demo --insecure_plaintext --metrics_listen=127.0.0.1:9464 "$@"
