// TimelineProjection: every debtor's timeline across all of their cases, in
// timeline order (business time, then log position), stored so that a page
// is one ordered scan:
//   "t/<debtor id>/<TimelineKey::Encode()>"  → the rendered entry (bytes)
//   "cd/<case id>"                            → the case's debtor id
// The full events (include_events) are read from the log by position, not
// copied here: a rebuild writes half as much.
// An event recorded late (business time before events already recorded)
// lands in its place by its key; nothing is re-sorted.
//
// Thread safety: driven by one ProjectionRunner; ReadTimeline from any
// thread.
#ifndef COLLECTIONS_SERVICES_PROJECTIONS_TIMELINE_PROJECTION_H_
#define COLLECTIONS_SERVICES_PROJECTIONS_TIMELINE_PROJECTION_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/projections/projection_runner.h"
#include "services/projections/timeline_entries.h"

namespace collections::projections {

class TimelineProjection final : public StoredProjection {
 public:
  static constexpr char kName[] = "debtor_timeline";
  static constexpr int kVersion = 1;

  std::string name() const override { return kName; }
  int version() const override { return kVersion; }
  storage::LogFilter filter() const override;
  absl::Status Apply(const storage::RecordedEvent& recorded,
                     storage::ProjectionWrite& write) override;
  // Its only read ("cd/<case>") is of a case opened in an earlier run, or
  // found in debtors_: its writes need no index.
  bool reads_own_writes() const override { return false; }
  void Reset() override { debtors_.clear(); }

 private:
  // case id → debtor id, for the cases seen (reloaded from "cd/" on a miss).
  absl::flat_hash_map<std::string, std::string> debtors_;
};

// Which entries a timeline read returns. Empty filters match everything.
struct TimelineQuery {
  std::string debtor_id;
  std::optional<TimelineKey> after;        // continue after this entry
  absl::Time from = absl::InfinitePast();  // business time, inclusive
  absl::Time to = absl::InfiniteFuture();  // business time, exclusive
  std::string case_id;
  absl::flat_hash_set<std::string> event_types;
  uint64_t as_of = UINT64_MAX;  // leave out events above this log position
  size_t limit = 100;
  bool include_events = false;
  // Entries looked at per call at most (filters that match little answer
  // in bounded time; the token continues where the scan stopped).
  size_t max_scanned = 10000;
};

struct TimelinePage {
  std::vector<TimelineItem> items;  // in timeline order
  std::optional<TimelineKey> next;  // where the next page starts after
  bool debtor_known = false;        // the debtor has any entry at all
};

// `log` supplies the events themselves when query.include_events (it may be
// null otherwise).
absl::StatusOr<TimelinePage> ReadTimeline(storage::ProjectionStore& store,
                                          const std::string& keyspace,
                                          const TimelineQuery& query,
                                          storage::EventLog* log = nullptr);

}  // namespace collections::projections

#endif  // COLLECTIONS_SERVICES_PROJECTIONS_TIMELINE_PROJECTION_H_
