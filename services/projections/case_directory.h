// CaseDirectory: an in-memory read model of every case (folded standing) and
// of which cases belong to which debtor, fed from the log in position order.
// It answers "list cases" and "which cases does debtor D have" for queries,
// and says how far into the log it has applied, so a query can wait for a
// caller's own write (read-your-writes).
//
// It is rebuilt from the log on every start (see LogFollower); persisted
// projections with checkpoints replace it with the projections issue.
//
// Thread safety: all methods are safe to call concurrently. Apply must be
// called by one feeder in position order.
#ifndef COLLECTIONS_SERVICES_PROJECTIONS_CASE_DIRECTORY_H_
#define COLLECTIONS_SERVICES_PROJECTIONS_CASE_DIRECTORY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "collections/v1/events.pb.h"
#include "services/domain/case_state.h"
#include "services/projections/projection.h"

namespace collections::projections {

class CaseDirectory final : public Projection {
 public:
  // Applies one committed event at `position` (> every earlier one) and
  // marks everything up to `position` applied.
  void Apply(const collections::v1::Event& event) override;
  // Marks positions up to `position` applied without an event (events of
  // other streams, filtered out upstream).
  void AdvanceTo(uint64_t position);

  // The last log position this directory reflects.
  uint64_t applied_position() const;
  // Waits until applied_position() >= position or the deadline passes;
  // returns applied_position().
  uint64_t WaitUntilApplied(uint64_t position, absl::Time deadline) const;

  // The case's folded state, or nullopt when unknown.
  std::optional<domain::CaseState> GetCase(const std::string& case_id) const;
  // Case ids of a debtor, in case id order (empty when unknown).
  std::vector<std::string> CasesOfDebtor(const std::string& debtor_id) const;
  // Up to `limit` cases with ids > `after_case_id`, in id order, optionally
  // only those of `debtor_id` (empty = all). `*more` says whether any follow.
  std::vector<domain::CaseState> ListCases(const std::string& after_case_id,
                                           const std::string& debtor_id,
                                           size_t limit, bool* more) const;

 private:
  mutable absl::Mutex mu_;
  // The call history is dropped from these copies: the directory keeps the
  // standing; contact rules read calls on the command side.
  std::map<std::string, domain::CaseState> cases_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::vector<std::string>> debtor_cases_
      ABSL_GUARDED_BY(mu_);
  // The case each stream id belongs to.
  absl::flat_hash_map<std::string, std::string> stream_to_case_
      ABSL_GUARDED_BY(mu_);
  uint64_t applied_position_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace collections::projections

#endif  // COLLECTIONS_SERVICES_PROJECTIONS_CASE_DIRECTORY_H_
