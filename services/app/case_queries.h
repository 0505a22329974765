// CaseQueryHandler: the query use cases, all answered from stored
// projections: GetCase, GetCaseStanding, ListCases, GetWorkQueue and
// GetPortfolioKpis from the case standing (snapshots and their indexes),
// GetDebtorTimeline from the debtor timeline.
//
// Read-your-writes: a request's min_position makes the query wait until the
// projection it reads reflects that position, until `deadline`; then
// DEADLINE_EXCEEDED.
//
// Errors: INVALID_ARGUMENT (bad id, page size or token), NOT_FOUND (unknown
// case or debtor), DEADLINE_EXCEEDED, and the log's own (DATA_LOSS…).
//
// Thread safety: safe to call concurrently. The store and projections must
// outlive the handler.
#ifndef COLLECTIONS_SERVICES_APP_CASE_QUERIES_H_
#define COLLECTIONS_SERVICES_APP_CASE_QUERIES_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collections/v1/case_queries.pb.h"
#include "collections/v1/debtor.pb.h"
#include "common/clock.h"
#include "services/domain/case_state.h"
#include "services/projections/managed_projection.h"
#include "services/security/personal_data_vault.h"
#include "storage/event_log.h"
#include "storage/projection_store.h"

namespace collections::app {

class CaseQueryHandler {
 public:
  CaseQueryHandler(storage::EventLog* log, storage::ProjectionStore* store,
                   const projections::ManagedProjection* standing,
                   const projections::ManagedProjection* timeline,
                   const Clock* clock,
                   security::PersonalDataVault* vault = nullptr)
      : log_(log),
        store_(store),
        standing_(standing),
        timeline_(timeline),
        clock_(clock),
        vault_(vault) {}

  absl::StatusOr<collections::v1::GetCaseResponse> GetCase(
      const collections::v1::GetCaseRequest& request, absl::Time deadline);
  // The standing at request.as_of (default: the clock's now).
  absl::StatusOr<collections::v1::CaseStanding> GetCaseStanding(
      const collections::v1::GetCaseStandingRequest& request,
      absl::Time deadline);
  // Returns the serialized GetDebtorTimelineResponse: the timeline's entries
  // are kept serialized, and a page is assembled from their bytes.
  absl::StatusOr<std::string> GetDebtorTimeline(
      const collections::v1::GetDebtorTimelineRequest& request,
      absl::Time deadline);
  absl::StatusOr<collections::v1::GetWorkQueueResponse> GetWorkQueue(
      const collections::v1::GetWorkQueueRequest& request, absl::Time deadline);
  absl::StatusOr<collections::v1::PortfolioKpis> GetPortfolioKpis(
      const collections::v1::GetPortfolioKpisRequest& request,
      absl::Time deadline);
  absl::StatusOr<collections::v1::ListCasesResponse> ListCases(
      const collections::v1::ListCasesRequest& request, absl::Time deadline);
  // The debtor's profile as the case standing projection folded it, with
  // the debtor's case ids. NOT_FOUND when the debtor has neither debtor
  // events nor cases; INVALID_ARGUMENT for a malformed id.
  absl::StatusOr<collections::v1::DebtorProfile> GetDebtor(
      const collections::v1::GetDebtorRequest& request, absl::Time deadline);

  static constexpr uint32_t kDefaultPageSize = 100;
  static constexpr uint32_t kMaxPageSize = 1000;

 private:
  // The case as the standing projection holds it, once it reflects
  // `min_position`; NOT_FOUND for an unknown case.
  absl::StatusOr<domain::CaseState> LoadCase(const std::string& case_id,
                                             uint64_t min_position,
                                             absl::Time deadline);
  using ProjectionStatus = projections::ProjectionRunner::Status;
  // Waits until `projection` reflects `min_position` (0: no wait);
  // DEADLINE_EXCEEDED, or UNAVAILABLE when the projection has stopped.
  absl::Status WaitFor(const projections::ManagedProjection& projection,
                       const char* name, uint64_t min_position,
                       absl::Time deadline);

  storage::EventLog* const log_;  // the events of include_events timelines
  storage::ProjectionStore* const store_;
  const projections::ManagedProjection* const standing_;
  const projections::ManagedProjection* const timeline_;
  const Clock* const clock_;
  // Reveals the personal data of include_events timelines (optional).
  security::PersonalDataVault* const vault_;
};

// The CaseView of a folded case.
collections::v1::CaseView ToCaseView(const domain::CaseState& state);
// One invoice of the ledger as the API shows it. Whether it is time-barred
// is judged on the day of the case's last activity (queries read no clock).
collections::v1::InvoiceView ToInvoiceView(const domain::CaseState& state,
                                           const domain::InvoiceState& invoice);

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_CASE_QUERIES_H_
