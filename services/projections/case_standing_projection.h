// CaseStandingProjection: every case's folded state and what is derived from
// it, under one fold:
//   "case/<case id>"                        → CaseSnapshot (the state and its
//                                             KPI figures, case_kpi_figures.h)
//   "debtor/<debtor id>/<case id>"          → "" (a debtor's cases)
//   "creditor/<creditor id>/<case id>"      → "" (a creditor's portfolio)
//   "open/<case id>"                        → "" (cases not closed)
//   "wq/<due, 16 hex ns>/<case>/<kind>/<ref>" → WorkItem (the work queue)
//   "wqc/<case id>"                         → the case's "wq/" keys
//   "dprof/<debtor id>"                     → DebtorProfile (debtor stream)
//   "dcases/<debtor id>"                    → the debtor's case ids, one a
//                                             line (to hand each a new
//                                             profile)
// A debtor event updates the profile and every case of the debtor (their
// state's `debtor`), so each shows the debtor-wide holds and segment.
// A case's work items are replaced whenever the case changes.
// Queries restore the snapshot and compute what depends on the instant asked
// about (days past due, next allowed contact, the actions allowed now) from it.
//
// Folding keeps recently touched cases in memory and writes each changed
// case once per commit (Flush), so a rebuild writes a busy case once per
// run of events, not once per event.
//
// Thread safety: driven by one ProjectionRunner.
#ifndef COLLECTIONS_SERVICES_PROJECTIONS_CASE_STANDING_PROJECTION_H_
#define COLLECTIONS_SERVICES_PROJECTIONS_CASE_STANDING_PROJECTION_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "collections/v1/case_queries.pb.h"
#include "services/domain/case_state.h"
#include "services/projections/case_kpi_figures.h"
#include "services/projections/projection_runner.h"

namespace collections::projections {

class CaseStandingProjection final : public StoredProjection {
 public:
  static constexpr char kName[] = "case_standing";
  // 2: the open-case index; 3: creditor index and work queue.
  // 5: the invoice ledger; 6: Reg F; 7: debtor streams folded
  static constexpr int kVersion = 7;
  // Cases kept in memory between commits (beyond that, reloaded).
  static constexpr size_t kMaxCached = 50000;

  std::string name() const override { return kName; }
  int version() const override { return kVersion; }
  storage::LogFilter filter() const override;
  absl::Status Apply(const storage::RecordedEvent& recorded,
                     storage::ProjectionWrite& write) override;
  absl::Status Flush(storage::ProjectionWrite& write) override;
  void Reset() override;

  // Store keys.
  static std::string CaseKey(const std::string& case_id);
  static std::string DebtorPrefix(const std::string& debtor_id);
  static std::string DebtorProfileKey(const std::string& debtor_id);

 private:
  absl::StatusOr<CaseWithFigures*> Load(const std::string& case_id,
                                        storage::ProjectionWrite& write);
  // Replaces the case's work items with those of its state now. Writes
  // only what changed since the items it wrote last (kept in written_work_;
  // the stored index "wqc/<case>" is read only for a case not kept).
  absl::Status WriteWork(const domain::CaseState& state,
                         storage::ProjectionWrite& write);

  absl::StatusOr<collections::v1::DebtorProfile*> LoadDebtor(
      const std::string& debtor_id, storage::ProjectionWrite& write);
  absl::Status ApplyDebtorEvent(const collections::v1::Event& event,
                                storage::ProjectionWrite& write);

  absl::flat_hash_map<std::string, CaseWithFigures> cached_;
  absl::flat_hash_set<std::string> dirty_;
  // Per case kept in cached_: its work items as last written (store key →
  // serialized item, in key order; nullopt: stored by an earlier instance,
  // value not known), so a commit rewrites only what changed.
  using WrittenWork = std::map<std::string, std::optional<std::string>>;
  absl::flat_hash_map<std::string, WrittenWork> written_work_;
  absl::flat_hash_map<std::string, collections::v1::DebtorProfile> debtors_;
  absl::flat_hash_set<std::string> dirty_debtors_;
};

// The case's state as the projection stored it (exists = false when the
// case is unknown). Errors: the store's; DATA_LOSS for an unreadable
// snapshot.
absl::StatusOr<domain::CaseState> ReadStoredCase(
    storage::ProjectionStore& store, const std::string& keyspace,
    const std::string& case_id);

// The debtor's profile as the projection stored it (nullopt: no debtor
// event seen). Errors: the store's; DATA_LOSS for an unreadable profile.
absl::StatusOr<std::optional<collections::v1::DebtorProfile>> ReadStoredDebtor(
    storage::ProjectionStore& store, const std::string& keyspace,
    const std::string& debtor_id);

// The case's state and KPI figures as stored (state.exists = false when
// the case is unknown). Errors as ReadStoredCase.
absl::StatusOr<CaseWithFigures> ReadStoredCaseWithFigures(
    storage::ProjectionStore& store, const std::string& keyspace,
    const std::string& case_id);

// Up to `limit` stored cases with ids after `after` (empty: from the
// start), in id order, only those of `debtor_id` when it is not empty.
// *more says whether any follow.
absl::StatusOr<std::vector<domain::CaseState>> ListStoredCases(
    storage::ProjectionStore& store, const std::string& keyspace,
    const std::string& after, const std::string& debtor_id, size_t limit,
    bool* more);

// Every stored case of `debtor_id`, in id order.
absl::StatusOr<std::vector<domain::CaseState>> StoredCasesOfDebtor(
    storage::ProjectionStore& store, const std::string& keyspace,
    const std::string& debtor_id);

// Up to `limit` work items due before `until`, in due order, after the key
// `after` (empty: from the start), each with its key (to continue after).
using KeyedWorkItem = std::pair<std::string, collections::v1::WorkItem>;
absl::StatusOr<std::vector<KeyedWorkItem>> ReadWorkQueue(
    storage::ProjectionStore& store, const std::string& keyspace,
    absl::Time until, const std::string& after, size_t limit);

// Up to `limit` ids of cases that are not closed, after `after`, in order.
absl::StatusOr<std::vector<std::string>> ListOpenCaseIds(
    storage::ProjectionStore& store, const std::string& keyspace,
    const std::string& after, size_t limit);

}  // namespace collections::projections

#endif  // COLLECTIONS_SERVICES_PROJECTIONS_CASE_STANDING_PROJECTION_H_
