// Evidence bundles: a case's or a debtor's whole history in one file that a
// third party can check offline with nothing but the server's public key.
//
// A bundle holds one signed tree head and, for every event of the subject's
// streams up to that head: the exact stored record bytes (what the Merkle
// leaf hashes), the record decoded, its chain hash and its inclusion proof
// against the head. Per stream it names the last version and chain hash, so
// a verifier can recompute each chain from version 1 and see the history is
// complete and contiguous from the first event to the last.
//
// What a bundle does not prove: that no event of the stream came after its
// last one below the head (a stream's absence of later events is attested
// by the server's signature over the head, not by a proof).
#ifndef COLLECTIONS_SERVICES_AUDIT_EVIDENCE_BUNDLE_H_
#define COLLECTIONS_SERVICES_AUDIT_EVIDENCE_BUNDLE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collections/v1/audit.pb.h"
#include "services/audit/ed25519_keys.h"
#include "services/audit/signed_tree_head.h"
#include "storage/event_log.h"
#include "storage/log_tree.h"

namespace collections::audit {

// Builds the bundle of `stream_ids` (each read from version 1 from `log`,
// each proven with `tree`, the same log's tree) against `head`, which must
// be a head of that log (events above its size are left out). `subject` names
// what the bundle is of ("case 123"). NOT_FOUND when none of the streams has an
// event within the head.
absl::StatusOr<collections::v1::EvidenceBundle> BuildEvidenceBundle(
    storage::EventLog& log, storage::LogTree& tree,
    const collections::v1::SignedTreeHead& head, const VerifyingKey& key,
    const std::vector<std::string>& stream_ids, const std::string& subject,
    absl::Time now);

// Withholds `event` from a bundle: its record and decoded form are
// replaced by the record's leaf hash (withheld_leaf_hash), which still
// proves inclusion and the stream's chain. A withheld event stays withheld.
void WithholdEvent(collections::v1::BundleEvent& event);

// What a verification found: every check that held, and every one that
// failed, each naming the event (position, stream, version) it is about.
struct VerificationReport {
  std::vector<std::string> holds;
  std::vector<std::string> failures;
  bool ok() const { return failures.empty(); }
};

// Checks `bundle` with `key` alone: the head's signature; for every event
// that its record hashes to a leaf included in the head's tree at its
// position, that the record itself names that position, stream and
// version, and that the decoded form is the record's; for every stream that
// its versions run 1..last without a gap and its chain hashes recompute.
// A withheld event is checked by its leaf hash alone (and said so).
VerificationReport VerifyEvidenceBundle(
    const collections::v1::EvidenceBundle& bundle, const VerifyingKey& key);

}  // namespace collections::audit

#endif  // COLLECTIONS_SERVICES_AUDIT_EVIDENCE_BUNDLE_H_
