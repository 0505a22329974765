#!/usr/bin/env bash
# Generates the Python message and gRPC stub modules from the repository's
# proto/ into OUT_DIR (default: examples/python/generated). The modules are
# not committed: they are made from the protos the server was built from, so
# they never drift.
#
# The generator is grpcio-tools' own Python plugin, run by Debian's protoc
# 3.21 (protobuf-compiler + protobuf-compiler-grpc's grpc_python_plugin):
# Debian 12's python3-grpc-tools (1.14) bundles a protoc too old for the
# proto3 `optional` our protos use. With a newer grpcio-tools from pip,
# `python -m grpc_tools.protoc` with the same arguments does the same.
#
#   examples/python/generate_stubs.sh [OUT_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$here/generated}
mkdir -p "$out"
cd "$root/proto"
# /usr/include holds google/protobuf/*.proto (libprotobuf-dev).
protoc -I . -I /usr/include \
  --plugin=protoc-gen-grpc_python="$(command -v grpc_python_plugin)" \
  --python_out="$out" --grpc_python_out="$out" \
  collections/v1/*.proto google/rpc/*.proto
# Packages for `import collections.v1…`/`google.rpc…` from $out. The
# generated `collections` package would shadow the standard library's
# module of that name, so the example imports it as `collections_pb`.
mkdir -p "$out/collections_pb"
rm -rf "$out/collections_pb/v1"
mv "$out/collections/v1" "$out/collections_pb/v1"
rmdir "$out/collections"
touch "$out/collections_pb/__init__.py" "$out/collections_pb/v1/__init__.py"
# The generated modules import each other as collections.v1.x_pb2.
sed -i 's/^from collections\.v1\([ .]\)/from collections_pb.v1\1/' \
  "$out"/collections_pb/v1/*.py
echo "stubs in $out"
