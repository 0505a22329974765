// Erasure: forgetting a debtor by crypto-shredding (domain.md §3).
//
// Forget records ErasureRequested in the debtor's stream ("debtor-<id>",
// written through the CaseWriter).
// Retention: the Dutch fiscal period, seven years after the last event
// (derived ones included) on any of the debtor's cases. While it runs,
// ErasureDeferred (basis, until) is recorded and the request kept in the vault;
// once it has ended — at once, or when DestroyDue finds it due — the debtor's
// data key is destroyed and SubjectKeyDestroyed recorded. Destruction is final:
// every event sealed with that key reads "[erased]" from then on.
//
// Idempotent: the events of one request reference are appended once.
// Errors: INVALID_ARGUMENT for a bad id, reference or a future as_of.
//
// Thread safety: all methods may be called concurrently; everything given
// must outlive the object.
#ifndef COLLECTIONS_SERVICES_APP_ERASURE_H_
#define COLLECTIONS_SERVICES_APP_ERASURE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collections/v1/operations.pb.h"
#include "services/app/case_writer.h"
#include "services/projections/managed_projection.h"
#include "services/security/personal_data_vault.h"
#include "storage/event_log.h"
#include "storage/projection_store.h"

namespace collections::app {

// The retention period and its legal basis.
inline constexpr int kRetentionYears = 7;
inline constexpr char kRetentionBasis[] =
    "NL fiscal retention: 7 years after the last activity (art. 52 AWR)";

class Erasure {
 public:
  // `log` only for its head position (waiting for the case standing).
  Erasure(storage::EventLog* log, CaseWriter* writer,
          security::PersonalDataVault* vault, storage::ProjectionStore* store,
          projections::ManagedProjection* standing);

  absl::StatusOr<collections::v1::ForgetDebtorResponse> Forget(
      const collections::v1::ForgetDebtorRequest& request,
      const collections::v1::Actor& actor, absl::Time now);

  // Destroys the keys of deferred requests whose retention ended by
  // `as_of`; returns how many.
  absl::StatusOr<int> DestroyDue(absl::Time as_of);

  // On start: destroys every key the erasure ledger names that the store
  // holds again (a restored backup taken before the erasure) and records
  // SubjectKeyDestroyed for each in its debtor's stream (correlation
  // "erasure-ledger"), so the restored log says the debtor is gone again.
  // Returns how many keys it destroyed.
  absl::StatusOr<int> ReapplyLedger(absl::Time now);

 private:
  // When retention of the debtor's data ends (InfinitePast: none applies).
  absl::StatusOr<absl::Time> RetentionEnd(const std::string& debtor_id);
  // Destroys the key and records it; returns the key id and position.
  absl::StatusOr<std::pair<std::string, uint64_t>> DestroyAndRecord(
      const std::string& debtor_id, const std::string& reference, absl::Time at,
      const collections::v1::Actor& actor);

  storage::EventLog* const log_;
  CaseWriter* const writer_;
  security::PersonalDataVault* const vault_;
  storage::ProjectionStore* const store_;
  projections::ManagedProjection* const standing_;
};

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_ERASURE_H_
