#!/usr/bin/env bash
# collectionsd with mutual TLS and an identities file, as an operator
# configures it, called by collectionsctl: a collector's certificate lists
# cases, a client without a certificate is refused in the handshake, an
# auditor's bearer token reads the audit trail, and the collector may not;
# an administrator forgets debtors.
#
#   tls_cli_test.sh <collectionsd> <collectionsctl>
set -euo pipefail
server_bin=$1 ctl_bin=$2
work=$(mktemp -d)
trap 'kill "$server_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$work"

ec() { echo "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"; }
openssl req -x509 $(ec) -keyout ca.key -out ca.pem -days 2 \
  -subj "/CN=test CA" 2>/dev/null
issue() {  # issue <name> <subject> [req options…]
  local name=$1 subject=$2
  shift 2
  openssl req -new $(ec) -keyout "$name.key" -out "$name.csr" \
    -subj "$subject" "$@" 2>/dev/null
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key \
    -CAcreateserial -out "$name.pem" -days 2 -copy_extensions copyall \
    2>/dev/null
}
issue server /CN=localhost -addext "subjectAltName=DNS:localhost"
issue anna /CN=anna.example.com
token=auditor-token-$RANDOM$RANDOM
admin_token=admin-token-$RANDOM$RANDOM
hash() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
cat >identities <<EOF2
cert  anna.example.com  anna  collector
token sha256:$(hash "$token") audra auditor
token sha256:$(hash "$admin_token") ops admin
EOF2

"$server_bin" --listen=127.0.0.1:0 --data_dir=data --seed_demo \
  --demo_debtors=3 --due_events_interval_seconds=0 \
  --tree_head_interval_seconds=0 --tls_cert_file=server.pem \
  --tls_key_file=server.key --tls_client_ca_file=ca.pem \
  --identities_file=identities >server.out 2>&1 &
server_pid=$!
for _ in $(seq 200); do
  grep -q "serving on port" server.out && break
  sleep 0.1
done
port=$(sed -n 's/.*serving on port \([0-9]*\).*/\1/p' server.out)
[[ -n "$port" ]] || { cat server.out; fail "the server did not start"; }
ctl() { "$ctl_bin" --server="localhost:$port" --tls_ca_file=ca.pem "$@"; }

ctl --tls_cert_file=anna.pem --tls_key_file=anna.key list | grep -q c-0001-1 ||
  fail "the collector cannot list cases"
if ctl list >out 2>&1; then fail "a client without a certificate got in"; fi
printf '%s\n' "$token" >auditor.token
ctl --tls_cert_file=anna.pem --tls_key_file=anna.key --token_file=auditor.token \
  trail --page_size=3 | grep -q demo-seed || fail "the auditor cannot read the trail"
# A token on the command line is refused (argv is readable by every user).
set +e
ctl --tls_cert_file=anna.pem --tls_key_file=anna.key --token="$token" \
  trail --page_size=3 >out 2>&1
got=$?
set -e
[[ $got -eq 2 ]] && grep -q "token_file" out ||
  { cat out; fail "--token was not refused with the way out"; }
if ctl --tls_cert_file=anna.pem --tls_key_file=anna.key trail >out 2>&1; then
  fail "a collector read the audit trail"
fi
grep -q "role 'collector' may not call collections.v1.Audit/ListAuditTrail" out ||
  { cat out; fail "the refusal does not say why"; }
grep -q WARNING server.out && fail "a TLS server warned about plaintext"

# Forgetting: a demo debtor is within retention (deferred); one the server
# holds nothing personal of is erased at once; collectors may not.
COLLECTIONS_TOKEN="$admin_token" ctl --tls_cert_file=anna.pem --tls_key_file=anna.key \
  forget d-0001 --reference=GDPR-1 | grep -q "deferred until .*7 years" ||
  fail "forget within retention was not deferred"
COLLECTIONS_TOKEN="$admin_token" ctl --tls_cert_file=anna.pem --tls_key_file=anna.key \
  forget d-9999 --reference=GDPR-2 | grep -q "erased: key (none left)" ||
  fail "forget without data"
if ctl --tls_cert_file=anna.pem --tls_key_file=anna.key forget d-0001 \
  --reference=GDPR-3 >out 2>&1; then fail "a collector forgot a debtor"; fi
echo "TLS CLI: OK"
