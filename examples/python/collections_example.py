#!/usr/bin/env python3
"""A collections backend client in Python: open a case, record a call and a
payment, read the case's standing with read-your-writes, see a refusal's
rich error details, then fetch the case's evidence bundle and verify it
offline (Ed25519 over the signed tree head, RFC 9162 inclusion proofs, the
per-stream hash chains) with nothing but the `cryptography` package.

    examples/python/generate_stubs.sh            # once: the stubs
    python3 examples/python/collections_example.py --server=127.0.0.1:50051

Against a development server (--insecure_plaintext) it names itself with
x-actor-id/x-actor-role metadata; against a TLS server pass --ca, --cert
and --key (the client certificate names the caller). Exits 0 when every
step did what it should and the bundle verified, 1 otherwise.
"""

import argparse
import hashlib
import os
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("COLLECTIONS_STUBS", os.path.join(HERE, "generated")))

import grpc  # noqa: E402
from cryptography.exceptions import InvalidSignature  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey  # noqa: E402

from collections_pb.v1 import audit_pb2, audit_pb2_grpc  # noqa: E402
from collections_pb.v1 import case_commands_pb2, case_commands_pb2_grpc  # noqa: E402
from collections_pb.v1 import case_queries_pb2, case_queries_pb2_grpc  # noqa: E402
from collections_pb.v1 import events_pb2, money_pb2  # noqa: E402
from google.rpc import error_details_pb2, status_pb2  # noqa: E402


# --- offline verification of an evidence bundle -----------------------------
# The hashes are those of storage/merkle.h and common/sha256.h:
#   leaf  SHA-256(0x00 || record)            (RFC 9162 §2.1.1)
#   node  SHA-256(0x01 || left || right)
#   chain SHA-256(0x02 || previous chain || leaf), 32 zero bytes before
#         a stream's first event
# and the signed input of services/audit/signed_tree_head.cc:
#   "collections.v1.SignedTreeHead\n" || u64be(tree_size)
#   || u64be(timestamp in Unix milliseconds) || root_hash

SIGNING_LABEL = b"collections.v1.SignedTreeHead\n"


def sha256(*parts):
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.digest()


def leaf_hash(record):
    return sha256(b"\x00", record)


def node_hash(left, right):
    return sha256(b"\x01", left, right)


def root_from_inclusion_proof(index, size, leaf, path):
    """RFC 9162 §2.1.3.2: the root the proof leads to, or None."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_bundle(bundle, public_key_pem):
    """Every check the C++ verifier makes; returns the list of failures."""
    failures = []
    key = serialization.load_pem_public_key(public_key_pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        return ["the public key is not Ed25519"]
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    head = bundle.head
    if head.key_fingerprint != hashlib.sha256(raw).hexdigest():
        failures.append("the head was signed by another key")
    millis = head.timestamp.seconds * 1000 + head.timestamp.nanos // 1000000
    signed = SIGNING_LABEL + struct.pack(">QQ", head.tree_size, millis) + head.root_hash
    try:
        key.verify(head.signature, signed)
    except InvalidSignature:
        failures.append("the tree head's signature does not verify")

    chains = {}  # stream -> (last version, last chain hash)
    for item in sorted(bundle.events, key=lambda e: (e.stream_id, e.stream_version)):
        name = "position %d (%s v%d)" % (item.position, item.stream_id, item.stream_version)
        if item.withheld_leaf_hash:
            leaf = item.withheld_leaf_hash
        else:
            leaf = leaf_hash(item.record)
            stored = events_pb2.Event()
            stored.ParseFromString(item.record)
            if (stored.global_position, stored.stream_id, stored.stream_version) != (
                    item.position, item.stream_id, item.stream_version):
                failures.append(name + ": the record names another place")
            if stored != item.event:
                failures.append(name + ": the decoded form differs from the record")
        root = root_from_inclusion_proof(item.position - 1, head.tree_size, leaf,
                                         list(item.inclusion_path))
        if root != head.root_hash:
            failures.append(name + ": not included in the signed tree")
        last_version, previous = chains.get(item.stream_id, (0, b"\x00" * 32))
        if item.stream_version != last_version + 1:
            failures.append(name + ": the stream's versions have a gap")
        chain = sha256(b"\x02", previous, leaf)
        if chain != item.chain_hash:
            failures.append(name + ": the chain hash does not recompute")
        chains[item.stream_id] = (item.stream_version, chain)
    for stream in bundle.streams:
        if chains.get(stream.stream_id) != (stream.last_version, stream.last_chain_hash):
            failures.append("stream %s: does not end where the bundle says" % stream.stream_id)
    if not bundle.events:
        failures.append("the bundle holds no event")
    return failures


# --- the rich error model ---------------------------------------------------

def rich_status(error):
    """The google.rpc.Status in a failed call's grpc-status-details-bin."""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status()
            status.ParseFromString(value)
            return status
    return None


def detail(status, message_type):
    for any_detail in status.details:
        if any_detail.Is(message_type.DESCRIPTOR):
            found = message_type()
            any_detail.Unpack(found)
            return found
    return None


# --- the session ------------------------------------------------------------

def timestamp(unix_seconds):
    from google.protobuf import timestamp_pb2
    return timestamp_pb2.Timestamp(seconds=int(unix_seconds))


def euros(cents):
    return money_pb2.Money(currency="EUR", amount_minor=cents)


def context(request_id, at, **kwargs):
    return case_commands_pb2.CommandContext(
        request_id=request_id, occurred_at=timestamp(at), **kwargs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default="127.0.0.1:50051")
    parser.add_argument("--case_id", default="py-%d" % int(time.time()))
    parser.add_argument("--ca")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--trace_id", default=os.urandom(16).hex(),
                        help="W3C trace id (32 hex digits) the session's calls carry")
    args = parser.parse_args()

    metadata = ()
    if args.ca:
        def read(path):
            with open(path, "rb") as f:
                return f.read()
        credentials = grpc.ssl_channel_credentials(
            read(args.ca), read(args.key) if args.key else None,
            read(args.cert) if args.cert else None)
        channel = grpc.secure_channel(args.server, credentials)
    else:
        channel = grpc.insecure_channel(args.server)
        metadata = (("x-actor-id", "python-example"), ("x-actor-role", "admin"))
    commands = case_commands_pb2_grpc.CaseCommandsStub(channel)
    queries = case_queries_pb2_grpc.CaseQueriesStub(channel)
    audit = audit_pb2_grpc.AuditStub(channel)
    case_id = args.case_id
    # A W3C trace for the session: every call continues it (the server logs
    # its trace_id and records it on the events).
    trace_id = args.trace_id

    def call(method, request):
        span = os.urandom(8).hex()
        return method(request, metadata=metadata + (
            ("traceparent", "00-%s-%s-01" % (trace_id, span)),), timeout=10)

    # 1. Open a Dutch business case: one invoice of EUR 1,210.00 (VAT
    #    EUR 210.00), due 2026-02-01.
    opened_at = 1767225600  # 2026-01-01T00:00:00Z
    line = events_pb2.ClaimLine(
        invoice_number="INV-2026-001", net=euros(100000), vat=euros(21000),
        gross=euros(121000))
    line.due_date.year, line.due_date.month, line.due_date.day = 2026, 2, 1
    result = call(commands.OpenCase, case_commands_pb2.OpenCaseRequest(
        context=context(case_id + "-open", opened_at),
        case=events_pb2.CaseOpened(
            case_id=case_id, debtor_id=case_id + "-debtor", creditor_id="acme",
            debtor_kind=events_pb2.DEBTOR_KIND_BUSINESS, currency="EUR",
            rule_pack="nl-business", jurisdiction="NL",
            claim_lines=[line])))
    print("opened %s at position %d" % (case_id, result.last_position))

    # 2. A call on 2026-02-10 at 10:00 Amsterdam time (09:00 UTC).
    called_at = 1770714000
    call_request = case_commands_pb2.LogCallsRequest(
        context=context(case_id + "-call-1", called_at), case_id=case_id)
    call_request.calls.add(
        direction=events_pb2.CALL_DIRECTION_OUTBOUND, contact_point_id="phone-1",
        outcome=events_pb2.CALL_OUTCOME_NO_ANSWER, time_zone="Europe/Amsterdam",
        zone_source=events_pb2.ZONE_SOURCE_DEBTOR_RECORD,
        placed_at=timestamp(called_at))
    result = call(commands.LogCalls, call_request)
    print("logged a call at position %d" % result.last_position)

    # 3. A refusal a program acts on: a negative amount is a BadRequest
    #    naming the field, not a sentence to parse.
    payment = events_pb2.PaymentReceived(
        payment_id="pay-1", amount=euros(-5), method=events_pb2.PAYMENT_METHOD_BANK_TRANSFER)
    payment.value_date.year, payment.value_date.month, payment.value_date.day = 2026, 2, 12
    try:
        call(commands.RecordPayment, case_commands_pb2.RecordPaymentRequest(
            context=context(case_id + "-pay-bad", called_at + 86400 * 2),
            case_id=case_id, payment=payment))
        print("FAILED: a negative payment was accepted")
        return 1
    except grpc.RpcError as error:
        status = rich_status(error)
        bad = detail(status, error_details_pb2.BadRequest) if status else None
        info = detail(status, error_details_pb2.ErrorInfo) if status else None
        if error.code() != grpc.StatusCode.INVALID_ARGUMENT or bad is None or \
                bad.field_violations[0].field != "payment.amount" or info is None:
            print("FAILED: the refusal carries no BadRequest for payment.amount")
            return 1
        print("refused as it should be: %s on %s (%s, %s)" % (
            error.code().name, bad.field_violations[0].field, info.reason, info.domain))

    # 4. A payment of EUR 500.00 on 2026-02-12.
    payment.amount.amount_minor = 50000
    result = call(commands.RecordPayment, case_commands_pb2.RecordPaymentRequest(
        context=context(case_id + "-pay-1", called_at + 86400 * 2),
        case_id=case_id, payment=payment))
    print("recorded a payment at position %d" % result.last_position)

    # 5. Read-your-writes: the standing as of the payment's position.
    standing = call(queries.GetCaseStanding, case_queries_pb2.GetCaseStandingRequest(
        case_id=case_id, min_position=result.last_position))
    outstanding = standing.case.outstanding.amount_minor
    print("standing at position %d: outstanding EUR %d.%02d, %d call(s)" % (
        standing.as_of_position, outstanding // 100, outstanding % 100,
        standing.case.calls_logged))
    if standing.as_of_position < result.last_position or outstanding != 121000 - 50000:
        print("FAILED: the standing does not show the payment")
        return 1

    # 6. The evidence bundle, verified offline against a trusted copy of the
    #    server's public key (fetched here; an auditor keeps their own).
    public_key = call(audit.GetPublicKey, audit_pb2.GetPublicKeyRequest())
    bundle = call(audit.GetEvidenceBundle, audit_pb2.GetEvidenceBundleRequest(case_id=case_id))
    failures = verify_bundle(bundle, public_key.pem)
    for failure in failures:
        print("FAILED:", failure)
    if failures:
        return 1
    print("bundle of %s: %d events, head of %d signed by %s..., VERIFIED" % (
        bundle.subject, len(bundle.events), bundle.head.tree_size,
        bundle.head.key_fingerprint[:16]))

    # 7. The same check catches a tampered record.
    tampered = audit_pb2.EvidenceBundle()
    tampered.CopyFrom(bundle)
    record = bytearray(tampered.events[0].record)
    record[-1] ^= 0x01
    tampered.events[0].record = bytes(record)
    if not verify_bundle(tampered, public_key.pem):
        print("FAILED: a tampered record verified")
        return 1
    print("a tampered copy fails verification, as it must")
    return 0


if __name__ == "__main__":
    sys.exit(main())
