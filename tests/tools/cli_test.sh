#!/usr/bin/env bash
# collectionsctl against a real server, as an operator and a script use it:
# every command's table, its --json (parsed by python3), and its exit code
# (0 done, 1 refused / not verified, 2 usage, 3 not found, 4 unavailable);
# rebuild with progress, due-time processing for an instant, backup then an
# offline restore a second server starts on, and verification.
#
#   cli_test.sh <collectionsd> <collectionsctl>
set -euo pipefail
server_bin=$1 ctl_bin=$2
work=$(mktemp -d)
trap 'kill "$server_pid" "${restored_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

source "$(dirname "$0")/server_lib.sh"
start_server "$server_bin" "$ctl_bin" 30
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_exit <code> <command…>: runs it, output in $work/out and $work/err.
expect_exit() {
  local want=$1; shift
  set +e
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  set -e
  [[ $got -eq $want ]] || {
    cat "$work/out" "$work/err"; fail "$* exited $got, not $want"; }
}
# json <python expression over d>: evaluates it on $work/out as JSON.
json() { python3 -c "import json,sys; d=json.load(open('$work/out')); print($1)"; }

# Health and status.
expect_exit 0 ctl health
grep -qx SERVING "$work/out" || fail "health: $(cat "$work/out")"
expect_exit 0 ctl status
grep -q "^log head" "$work/out" && grep -q "case_standing" "$work/out" ||
  fail "status table"
expect_exit 0 ctl status --json
[[ $(json 'd["serving"] and d["queries_serving"]') == True ]] || fail "status json"
head=$(json 'd["log_head"]')
[[ $head -gt 100 ]] || fail "status: log head $head"

# Cases.
expect_exit 0 ctl list --page_size=5
grep -q "^CASE" "$work/out" && [[ $(wc -l <"$work/out") -ge 6 ]] || fail "list"
expect_exit 0 ctl list --page_size=5 --json
[[ $(json 'len(d["cases"])') == 5 ]] || fail "list json"
case_id=$(json 'd["cases"][1]["case_id"]')
debtor=$(json 'd["cases"][1]["debtor_id"]')
expect_exit 0 ctl case "$case_id"
grep -q "^outstanding" "$work/out" || fail "case table"
grep -q "^INVOICE .*LIMITATION *VAT RELIEF" "$work/out" || fail "invoice table"
expect_exit 0 ctl case "$case_id" --json
[[ $(json 'd["case"]["case_id"]') == "$case_id" ]] || fail "case json"
outstanding=$(json 'd["case"]["outstanding"]["amount_minor"]')
expect_exit 0 ctl standing "$case_id" --json
[[ $(json 'len(d["actions"]) > 0') == True ]] || fail "standing json"
expect_exit 0 ctl timeline "$debtor" --page_size=3 --json
entries=$(json 'len(d["entries"])')
[[ $entries -gt 3 ]] || fail "timeline --json did not gather every page ($entries)"
expect_exit 3 ctl case no-such-case
grep -q "^error: NOT_FOUND" "$work/err" || fail "not found message"
expect_exit 3 ctl case no-such-case --json
python3 -c "import json; e=json.load(open('$work/err'))['error']; assert e['code']=='NOT_FOUND', e"

# Work queue and KPIs.
expect_exit 0 ctl queue --as_of=2027-06-01 --json
total=$(json 'len(d["items"])')
[[ $total -gt 0 ]] || fail "queue: nothing due by 2027-06-01"
expect_exit 0 ctl queue --as_of=2027-06-01 --kind=vat_relief --json
[[ $(json 'all(i["kind"]=="WORK_KIND_VAT_RELIEF" for i in d["items"])') == True ]] ||
  fail "queue --kind"
expect_exit 0 ctl queue --as_of=2027-06-01
grep -q "^DUE" "$work/out" || fail "queue table"
expect_exit 2 ctl queue --kind=bogus
expect_exit 2 ctl queue --as_of=yesterday
expect_exit 0 ctl kpis --creditor=acme-energy --json
[[ $(json 'd["open_cases"] > 0') == True ]] || fail "kpis json"
expect_exit 0 ctl kpis --creditor=acme-energy
grep -q "^open cases" "$work/out" || fail "kpis table"
grep -q "^note .*credit sales" "$work/out" || fail "kpis: DSO without sales"
expect_exit 0 ctl kpis --creditor=acme-energy --credit_sales_minor=100000000
grep -q "^DSO *[0-9]* days" "$work/out" || fail "kpis: DSO with sales"
expect_exit 2 ctl kpis

# Projections and a rebuild followed to the end.
expect_exit 0 ctl projections --json
[[ $(json 'sorted(p["name"] for p in d["projections"])') == \
   "['audit_actors', 'case_standing', 'debtor_timeline']" ]] || fail "projections"
expect_exit 0 ctl rebuild case_standing
grep -q "^rebuilt case_standing: generation 2 swapped in" "$work/out" ||
  fail "rebuild: $(cat "$work/out")"
grep -q "rebuilding case_standing \[####################\] 100%" "$work/err" ||
  fail "no progress shown: $(cat "$work/err")"
expect_exit 3 ctl rebuild no_such_projection

# Due-time processing for an instant: past is done, the future refused.
expect_exit 0 ctl process-due --as_of="$(date -u -d '-1 minute' +%FT%TZ)" --json
[[ $(json 'd["cases_examined"] > 0') == True ]] || fail "process-due json"
expect_exit 1 ctl process-due --as_of=2099-01-01
grep -q "FAILED_PRECONDITION\|INVALID_ARGUMENT" "$work/err" || fail "future as_of"

# Evidence: a bundle verified, a damaged one not.
ctl public-key --out="$work/key.pem" 2>/dev/null
expect_exit 0 ctl bundle case "$case_id" --out="$work/case.bundle" --json
[[ $(json 'd["events"] > 0 and d["tree_size"] >= d["events"]') == True ]] ||
  fail "bundle json"
expect_exit 0 ctl head --json
[[ $(json 'int(d["tree_size"]) > 0') == True ]] || fail "head json"
expect_exit 0 ctl trail --actor=demo-seed --page_size=3 --json
[[ $(json 'len(d["entries"])') == 3 ]] || fail "trail json"
expect_exit 0 ctl verify bundle "$work/case.bundle" --public_key="$work/key.pem" --json
[[ $(json 'd["verified"]') == True ]] || fail "verify json"
python3 - "$work/case.bundle" <<'PY'
import sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
data[len(data) // 2] ^= 0x01
open(path, "wb").write(bytes(data))
PY
set +e; ctl verify bundle "$work/case.bundle" --public_key="$work/key.pem" >/dev/null 2>&1
status=$?; set -e
[[ $status -eq 1 || $status -eq 2 ]] || fail "a damaged bundle: exit $status"
expect_exit 2 ctl verify bundle "$work/case.bundle"

# Backup, then an offline restore a second server runs on.
expect_exit 0 ctl backup --out="$work/backup"
[[ ! -e "$work/backup/audit_signing_key.pem" ]] ||
  fail "the backup holds the signing key"
expect_exit 2 ctl restore "$work/backup" --data_dir="$work/restored"
grep -q "signing_key_file" "$work/err" || fail "restore without a key: no hint"
expect_exit 0 ctl restore "$work/backup" --data_dir="$work/restored" \
  --signing_key_file="$work/data/audit_signing_key.pem"
grep -q "^VERIFIED" "$work/out" || fail "restore did not verify the backup"
cmp -s "$work/data/audit_signing_key.pem" "$work/restored/audit_signing_key.pem" ||
  fail "restore did not put the signing key back"
expect_exit 1 ctl restore "$work/backup" --data_dir="$work/restored" \
  --public_key="$work/key.pem"
expect_exit 2 ctl restore "$work/no-backup" --data_dir="$work/elsewhere" \
  --public_key="$work/key.pem"
expect_exit 0 ctl verify datadir "$work/restored" --public_key="$work/key.pem"
first_port=$port first_pid=$server_pid
"$server_bin" --listen=127.0.0.1:0 --data_dir="$work/restored" \
  --master_key_file="$work/data/master.key" --tree_head_interval_seconds=0 \
  --due_events_interval_seconds=0 --insecure_plaintext \
  >"$work/restored.out" 2>&1 &
restored_pid=$! server_pid=$restored_pid
wait_serving "$work/restored.out"
expect_exit 0 ctl case "$case_id" --json
[[ $(json 'd["case"]["outstanding"]["amount_minor"]') == "$outstanding" ]] ||
  fail "the restored server disagrees on $case_id"
kill "$restored_pid"; wait "$restored_pid" 2>/dev/null || true

# Master key rotation on the stopped copy: every data key re-wrapped once; a
# second run finds nothing left; the copy serves under the new key.
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/new_master.key"
chmod 600 "$work/new_master.key"
expect_exit 2 ctl rewrap-keys --data_dir="$work/restored"
expect_exit 0 ctl rewrap-keys --data_dir="$work/restored" \
  --master_key_file="$work/data/master.key" \
  --new_master_key_file="$work/new_master.key"
grep -q "^re-wrapped [1-9]" "$work/out" || fail "no data key was re-wrapped"
expect_exit 0 ctl rewrap-keys --data_dir="$work/restored" \
  --master_key_file="$work/data/master.key" \
  --new_master_key_file="$work/new_master.key"
grep -q "^re-wrapped 0 " "$work/out" || fail "a second rotation re-wrapped keys"
"$server_bin" --listen=127.0.0.1:0 --data_dir="$work/restored" \
  --master_key_file="$work/new_master.key" --tree_head_interval_seconds=0 \
  --due_events_interval_seconds=0 --insecure_plaintext \
  >"$work/rotated.out" 2>&1 &
restored_pid=$! server_pid=$restored_pid
wait_serving "$work/rotated.out"
# The log read reveals personal data: every data key opens under the new key.
set +e
timeout 3 "$ctl_bin" --server="127.0.0.1:$port" tail --after=0 --json \
  >"$work/out" 2>"$work/err"
set -e
if grep -q "master key" "$work/err"; then
  cat "$work/err"; fail "a data key did not open under the new master key"
fi
[[ $(wc -l <"$work/out") -ge 100 ]] || fail "the rotated copy's log did not read"
kill "$restored_pid"; wait "$restored_pid" 2>/dev/null || true
port=$first_port server_pid=$first_pid

# The event log followed as JSON lines.
set +e
timeout 2 "$ctl_bin" --server="127.0.0.1:$port" tail --after=0 --json >"$work/out"
set -e
python3 -c "
import json
lines = open('$work/out').read().splitlines()
assert len(lines) >= 100, len(lines)
assert json.loads(lines[0])['global_position'] == '1', lines[0]"

# No server: unavailable; a bad command line: usage.
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
expect_exit 4 ctl health
expect_exit 4 ctl list
expect_exit 2 ctl no-such-command
echo "cli_test: all checks passed"
