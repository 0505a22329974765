#!/usr/bin/env bash
# The agency handoff as an operator and an agency use it: a delivery
# written by collectionsctl, the same range twice byte-identical, every
# package verified offline by collections-verify (and a tampered one
# refused), a return file imported once, refused when cut or altered, and an
# agency kept to its own cases.
#
#   agency_cli_test.sh <collectionsd> <collectionsctl> <collections-verify>
set -euo pipefail
server_bin=$1 ctl=$2 verify=$3
work=$(mktemp -d)
trap 'kill "$server_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

source "$(dirname "$0")/server_lib.sh"
start_server "$server_bin" "$ctl" 20
fail() { echo "FAIL: $*" >&2; exit 1; }

ctl public-key --out="$work/key.pem" 2>/dev/null
ctl delivery incasso-noord --out="$work/d1" | tee "$work/d1.out"
through=$(sed -n 's/.*--since=\([0-9]*\).*/\1/p' "$work/d1.out")
ctl delivery incasso-noord --through="$through" --out="$work/d2" >/dev/null
diff -r "$work/d1" "$work/d2" || fail "the same delivery differs"

packages=("$work"/d1/PKG-*)
[[ ${#packages[@]} -ge 1 && -d "${packages[0]}" ]] || fail "no placement"
for package in "${packages[@]}"; do
  "$verify" package --dir="$package" --public_key="$work/key.pem" \
    >"$work/verify.out" || { cat "$work/verify.out"; fail "$package"; }
done
first=${packages[0]}
sed -i 's/^principal,\([0-9]*\),/principal,1\1,/' "$first/balance.csv"
set +e
"$verify" package --dir="$first" --public_key="$work/key.pem" >"$work/verify.out"
status=$?
set -e
[[ $status -eq 1 ]] && grep -q "FAILED  balance.csv" "$work/verify.out" ||
  fail "a tampered package verified (status $status)"

# The agency sees its own case, not as another agency.
case_id=$(sed -n 's/.*"case_id":"\([^"]*\)".*/\1/p' "$first/debtor.jsonl")
ctl package "$case_id" --out="$work/mine" \
  --actor_role=agency:incasso-noord >/dev/null
cmp "$work/mine/manifest.json" "$work/d2/$(basename "$first")/manifest.json"
if ctl package "$case_id" --out="$work/theirs" \
  --actor_role=agency:incasso-zuid 2>"$work/err.out"; then
  fail "another agency read the package"
fi
grep -q "not placed with agency incasso-zuid" "$work/err.out"

# A return file: imported once; cut or altered, refused whole.
cat >"$work/returns.jsonl" <<JSON
{"header":{"agency_id":"incasso-noord","file_id":"R-2026-11-22"}}
{"record":{"case_id":"$case_id","context":{"occurred_at":"2026-11-01T10:00:00Z"},"update":{"agency_id":"incasso-noord","status":"TRACING","contact_kind":"postal","contact_value":"Dorpsstraat 1, Utrecht"}}}
{"trailer":{"record_count":1,"payments_total_minor":0,"reversals_count":0}}
JSON
ctl import-returns "$work/returns.jsonl" --actor_role=agency:incasso-noord |
  grep -q "1 records on 1 cases applied" || fail "import"
ctl import-returns "$work/returns.jsonl" --actor_role=agency:incasso-noord |
  grep -q "already imported: nothing changed" || fail "re-import"
debtor_id=$(sed -n 's/.*"debtor_id":"\([^"]*\)".*/\1/p' "$first/debtor.jsonl")
on_timeline=no
for _ in $(seq 50); do  # the timeline projection follows the log
  if ctl timeline "$debtor_id" | grep -q "status TRACING, new postal reported"
  then on_timeline=yes; break; fi
  sleep 0.1
done
[[ $on_timeline == yes ]] || fail "the update is not on the timeline"
head -2 "$work/returns.jsonl" >"$work/short.jsonl"
if ctl import-returns "$work/short.jsonl" 2>"$work/err.out"; then
  fail "a short file was imported"
fi
grep -q "line 2: the trailer is missing" "$work/err.out"
sed 's/"record_count":1/"record_count":2/' "$work/returns.jsonl" \
  >"$work/altered.jsonl"
if ctl import-returns "$work/altered.jsonl" 2>"$work/err.out"; then
  fail "an altered file was imported"
fi
grep -q "line 3: the trailer counts 2 records" "$work/err.out"
# The agency's key: registered by an operator; an X25519 key only.
openssl genpkey -algorithm X25519 -out "$work/agency.pem" 2>/dev/null
openssl pkey -in "$work/agency.pem" -pubout -out "$work/agency.pub"
ctl agency-key incasso-noord "$work/agency.pub" | grep -q "registered" ||
  fail "the agency key was not registered"
openssl genpkey -algorithm ED25519 -out "$work/ed.pem" 2>/dev/null
openssl pkey -in "$work/ed.pem" -pubout -out "$work/ed.pub"
if ctl agency-key incasso-noord "$work/ed.pub" 2>"$work/err.out"; then
  fail "an Ed25519 key was registered as an agency key"
fi
grep -q "not X25519" "$work/err.out" || fail "no reason for the refusal"
# A package placed before the key carries no sealed file and says why.
grep -q '"personal_data":"withheld' "$first/debtor.jsonl" ||
  fail "debtor.jsonl does not say the personal data is withheld"
set +e
"$verify" open-personal --dir="$first" --agency_key="$work/agency.pem" \
  2>"$work/err.out"
status=$?
set -e
[[ $status -eq 2 ]] && grep -q "no sealed personal data" "$work/err.out" ||
  fail "open-personal on a package without personal data (status $status)"
echo "agency CLI: OK"
