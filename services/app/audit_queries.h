// Audit use cases: signed tree heads, inclusion and consistency proofs,
// evidence bundles of a case or a debtor, and the audit trail (who did what
// and when). Everything here reads; the only write is a new signed head.
//
// A debtor's cases come from the case standing projection (the cases it
// has applied); an actor's events from the actor index projection; a case's
// events from the log itself.
//
// Thread safety: all methods may be called concurrently.
#ifndef COLLECTIONS_SERVICES_APP_AUDIT_QUERIES_H_
#define COLLECTIONS_SERVICES_APP_AUDIT_QUERIES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "collections/v1/audit.pb.h"
#include "common/clock.h"
#include "services/audit/signed_tree_head.h"
#include "services/projections/managed_projection.h"
#include "storage/event_log.h"
#include "storage/log_tree.h"
#include "storage/projection_store.h"

namespace collections::app {

class AuditQueries {
 public:
  // Everything must outlive the handler; `tree` is `log`'s.
  AuditQueries(storage::EventLog* log, storage::LogTree* tree,
               audit::TreeHeadSigner* signer, storage::ProjectionStore* store,
               projections::ManagedProjection* standing,
               projections::ManagedProjection* actors, const Clock* clock);

  // The newest kept head; with `fresh` (or when none is kept yet), the
  // log's current head signed first.
  absl::StatusOr<collections::v1::SignedTreeHead> SignedHead(bool fresh);
  collections::v1::PublicKey PublicKey() const;

  // INVALID_ARGUMENT for a position outside the tree; OUT_OF_RANGE for a
  // size beyond the log.
  absl::StatusOr<collections::v1::InclusionProof> Inclusion(
      const collections::v1::GetInclusionProofRequest& request);
  absl::StatusOr<collections::v1::ConsistencyProof> Consistency(
      const collections::v1::GetConsistencyProofRequest& request);

  // Against a freshly signed head. NOT_FOUND for an unknown case or a
  // debtor without cases; INVALID_ARGUMENT without a subject.
  absl::StatusOr<collections::v1::EvidenceBundle> Bundle(
      const collections::v1::GetEvidenceBundleRequest& request);

  // The audit trail in log order, filtered, paged by position. A page looks
  // at a bounded number of events: the token continues where it stopped,
  // so a page may hold fewer entries than asked and still have a token.
  // By actor, the actor index serves once it has applied the log as it was
  // when the call came (waiting up to a second). INVALID_ARGUMENT for a bad
  // token or page size.
  absl::StatusOr<collections::v1::ListAuditTrailResponse> Trail(
      const collections::v1::ListAuditTrailRequest& request);

 private:
  absl::StatusOr<std::vector<std::string>> StreamsOfDebtor(
      const std::string& debtor_id);

  storage::EventLog* const log_;
  storage::LogTree* const tree_;
  audit::TreeHeadSigner* const signer_;
  storage::ProjectionStore* const store_;
  projections::ManagedProjection* const standing_;
  projections::ManagedProjection* const actors_;
  const Clock* const clock_;
};

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_AUDIT_QUERIES_H_
