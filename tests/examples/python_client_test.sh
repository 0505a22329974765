#!/usr/bin/env bash
# The Python client example (examples/python) against a real server, so it
# never rots: stubs generated from proto/ as a newcomer would, then the
# whole session — open, call, payment, read-your-writes, a refusal's
# BadRequest, the evidence bundle verified in Python, a tampered copy
# refused — and the session's W3C trace id in the server's log line of
# the refused call.
#
#   python_client_test.sh <collectionsd> <collectionsctl>
set -euo pipefail
server_bin=$1 ctl_bin=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'kill "${server_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Debian's interpreter and packages (python3-grpcio, python3-protobuf,
# python3-cryptography), not whatever python3 a PATH puts first.
python=${PYTHON:-/usr/bin/python3}
"$root/examples/python/generate_stubs.sh" "$work/stubs" >/dev/null

source "$root/tests/tools/server_lib.sh"
start_server "$server_bin" "$ctl_bin" 3

trace_id=4bf92f3577b34da6a3ce929d0e0e4736
COLLECTIONS_STUBS="$work/stubs" "$python" \
  "$root/examples/python/collections_example.py" \
  --server="127.0.0.1:$port" --case_id=py-1 --trace_id=$trace_id \
  >"$work/out" 2>&1 || { cat "$work/out"; fail "the example failed"; }
cat "$work/out"
grep -q "VERIFIED" "$work/out" || fail "the bundle was not verified"
grep -q "a tampered copy fails verification" "$work/out" ||
  fail "the tamper check did not run"
# The refused payment is logged (failures are, by default) with the trace.
grep '"code":"INVALID_ARGUMENT"' "$work/server.out" |
  grep -q "\"trace_id\":\"$trace_id\"" ||
  fail "the refused call's log line does not carry the trace id"
echo "PASS"
