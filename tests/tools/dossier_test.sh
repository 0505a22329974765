#!/usr/bin/env bash
# The evidence dossier (collectionsctl dossier) as a person sees it: a demo
# case's verified bundle rendered to HTML, that page drawn by headless
# Chromium to a PNG which must show the page (not blank), and a tampered
# bundle file rendered too, which must say FAILED and exit 1.
#
#   dossier_test.sh <collectionsd> <collectionsctl>
# Skipped (77) when no chromium is installed (tools/dev/install_deps.sh
# --with-peers installs Debian's).
set -euo pipefail
server_bin=$1 ctl_bin=$2
work=$(mktemp -d)
trap 'kill "${server_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
chromium=$(command -v chromium || command -v chromium-browser || true)
[[ -n "$chromium" ]] || { echo "SKIP: no chromium"; exit 77; }

source "$(dirname "$0")/server_lib.sh"
start_server "$server_bin" "$ctl_bin" 3
cd "$work"

# shot <page.html> <image.png>: the page as headless Chromium draws it.
shot() {
  # --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu \
    --hide-scrollbars --window-size=1200,1600 --screenshot="$work/$2" \
    "file://$work/$1" >/dev/null 2>&1 || true
  [[ -s "$2" ]] || fail "chromium drew no $2"
}
# not_blank <image.png>: decodes the PNG (zlib, Python's standard library)
# and counts distinct pixel values: a blank page has one or two.
not_blank() {
  python3 - "$1" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, width, height = 8, b"", 0, 0
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height = struct.unpack(">II", body[:8])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
raw = zlib.decompress(idat)
# Filtered scanlines: the byte values say whether anything is drawn.
distinct = len(set(raw))
print("png %dx%d, %d distinct byte values" % (width, height, distinct))
sys.exit(0 if width > 0 and distinct > 16 else 1)
PY
}

# A verified case.
ctl dossier case c-0001-1 --out=dossier.html >out || { cat out; fail "dossier"; }
grep -q "VERIFIED" out || fail "the dossier was not verified: $(cat out)"
grep -q 'class="verdict verified">VERIFIED' dossier.html || fail "no VERIFIED verdict"
grep -q "<h2>Timeline</h2>" dossier.html || fail "no timeline"
grep -q "<h2>Invoices</h2>" dossier.html || fail "no invoice table"
grep -q "BEGIN PUBLIC KEY" dossier.html || fail "no public key"
grep -Eq '<td class="hash">[0-9a-f]{64}</td>' dossier.html || fail "no leaf hashes"
shot dossier.html dossier.png
not_blank dossier.png || fail "the rendered dossier is blank"

# The same bundle as a file, one byte of a stored record changed.
ctl public-key --out=key.pem >/dev/null
ctl bundle case c-0001-1 --out=bundle.pb >/dev/null
python3 - bundle.pb <<'PY'
import sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
at = data.find(b"c-0001-1", len(data) // 3)  # inside a record, not the subject
assert at > 0, "no record to tamper with"
data[at + 7] ^= 0x01  # c-0001-1 -> c-0001-0
open(path, "wb").write(bytes(data))
PY
set +e
ctl dossier file bundle.pb --public_key=key.pem --out=tampered.html >out 2>&1
got=$?
set -e
[[ $got -eq 1 ]] || { cat out; fail "a tampered bundle exited $got, not 1"; }
grep -q 'class="verdict failed">FAILED' tampered.html || fail "no FAILED verdict"
grep -q '<ul class="failures">' tampered.html || fail "the failed checks are not listed"
shot tampered.html tampered.png
not_blank tampered.png || fail "the rendered tampered dossier is blank"
echo "PASS"
