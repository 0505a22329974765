#!/usr/bin/env bash
# The offline verifier end to end: a bundle and a public key fetched from a
# real server with collectionsctl verify with collections-verify after the
# server and its data are gone; a wrong key and a damaged file are refused;
# a copy of the data directory verifies against its signed heads.
#
#   verify_tool_test.sh <collectionsd> <collectionsctl> <collections-verify>
set -euo pipefail
server_bin=$1 ctl=$2 verify=$3
work=$(mktemp -d)
trap 'kill "$server_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

source "$(dirname "$0")/server_lib.sh"
start_server "$server_bin" "$ctl" 5

ctl public-key --out="$work/key.pem"
ctl bundle case c-0001-1 --out="$work/case.bundle"
ctl bundle debtor d-0002 --out="$work/debtor.bundle"
kill -TERM "$server_pid"
wait "$server_pid" || true
cp -r "$work/data" "$work/data-copy"
rm -rf "$work/data"  # the verifier needs nothing of the server

expect() {  # expect <exit status> <text in output> <verifier args…>
  local want=$1 text=$2
  shift 2
  set +e
  out=$("$verify" "$@" 2>&1)
  got=$?
  set -e
  if [[ $got -ne $want || "$out" != *"$text"* ]]; then
    echo "FAIL: collections-verify $* exited $got (want $want, '$text'):"
    echo "$out"
    exit 1
  fi
}
expect 0 "VERIFIED" bundle --bundle="$work/case.bundle" --public_key="$work/key.pem"
expect 0 "case-c-0001-1: versions 1.." bundle --bundle="$work/case.bundle" \
  --public_key="$work/key.pem"
expect 0 "VERIFIED" bundle --bundle="$work/debtor.bundle" --public_key="$work/key.pem"

openssl genpkey -algorithm ed25519 -out "$work/other.pem" 2>/dev/null
openssl pkey -in "$work/other.pem" -pubout -out "$work/other.pub.pem"
expect 1 "FAILED  signed head" bundle --bundle="$work/case.bundle" \
  --public_key="$work/other.pub.pem"

head -c 100 "$work/case.bundle" >"$work/truncated.bundle"
expect 2 "cannot read" bundle --bundle="$work/truncated.bundle" \
  --public_key="$work/key.pem"

expect 0 "matches the root recomputed" datadir --data_dir="$work/data-copy" \
  --public_key="$work/key.pem"
echo "verify tool: all checks passed"
