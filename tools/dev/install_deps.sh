#!/usr/bin/env bash
# Installs the Debian 12 packages the project builds and tests with, skipping
# those already present. Uses sudo when not run as root.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  clang-format  # tools/dev/format.sh: the format check of the test command
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev libabsl-dev libssl-dev libjemalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  tzdata  # IANA zones: debtors' local time, deadlines in their calendar
  openssl  # tests make keys and TLS certificates with its CLI
  python3 python3-yaml  # tests/deploy reads the Kubernetes manifests
  prometheus-cpp-dev  # the metrics endpoint (docs/architecture.md: why prometheus-cpp)
  nlohmann-json3-dev  # JSON that is not a proto message (log lines, CLI output)
  libnats-dev nats-server  # cluster mode: the replicated log on JetStream
  libcli11-dev  # collectionsctl's command line: subcommands, each with --help
  # examples/python (the Python client the test suite runs): stubs from
  # protoc's grpc_python_plugin, calls through grpcio, Ed25519 through
  # cryptography.
  python3-grpcio python3-protobuf python3-cryptography
)
# --with-peers: also what tools/bench/peer_bench.sh measures against (the
# test command installs them: tests/tools/peer_bench_test.sh runs it).
if [[ "${1:-}" == "--with-peers" ]]; then
  PACKAGES+=(rocksdb-tools postgresql-15)
  # tests/tools/dossier_test.sh draws the evidence dossier with it.
  PACKAGES+=(chromium)
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install_deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
