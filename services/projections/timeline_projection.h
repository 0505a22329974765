// TimelineProjection: every debtor's timeline across all of their cases, in
// timeline order (business time, then log position), stored so that a page
// is a few point reads, whatever the store's size:
//   "th/<debtor id>"                → TimelineIndex: the debtor's chunks,
//                                     and the only chunk inline while there
//                                     is one (up to kChunkEntries entries:
//                                     most debtors, one point read a page)
//   "tc/<debtor id>/<chunk id hex>" → TimelineChunk: up to kChunkEntries
//                                     entries (key, rendered entry), sorted,
//                                     once the debtor has two or more
//   "cd/<case id>"                  → the case's debtor id
// (snapshots.proto). A range scan would cost one seek per sorted run of the
// LSM tree, and the runs multiply as the store grows; point reads pass
// every run that lacks the key on its bloom filter.
//
// Apply keeps the chunks it touches in memory and Flush writes each dirty
// chunk and index once per commit, so a rebuild writes a debtor's chunk
// about once per batch rather than once per event. Between commits it keeps
// them (for up to kMaxKeptDebtors debtors), so a runner following the log
// does not read back and parse each commit what the last one wrote.
// An event recorded late (business time before events already recorded) is
// inserted in its chunk at its place; a full chunk splits in two (at the end
// of the timeline, the new entry starts the next chunk, so appends in time
// order leave full chunks behind).
//
// The full events (include_events) are read from the log by position, not
// copied here: a rebuild writes half as much.
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
#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collections/v1/snapshots.pb.h"
#include "services/projections/projection_runner.h"
#include "services/projections/timeline_entries.h"

namespace collections::projections {

class TimelineProjection final : public StoredProjection {
 public:
  static constexpr char kName[] = "debtor_timeline";
  // 5: debtor streams (cease, insolvency, segment…) in the timeline;
  // 4: summaries without personal data; 3: a single chunk inline in the
  // index; 2: chunks; 1: a key per entry.
  static constexpr int kVersion = 5;
  static constexpr int kChunkEntries = 64;
  // Debtors whose index and touched chunks stay in memory between commits
  // (a chunk is at most kChunkEntries rendered entries, ~13 KB).
  static constexpr size_t kMaxKeptDebtors = 1024;
  // Case → debtor pairs kept in memory at most (about 100 bytes each).
  static constexpr size_t kMaxCachedCases = 1000000;

  std::string name() const override { return kName; }
  int version() const override { return kVersion; }
  storage::LogFilter filter() const override;
  absl::Status Apply(const storage::RecordedEvent& recorded,
                     storage::ProjectionWrite& write) override;
  // Its only read ("cd/<case>") is of a case opened in an earlier run, or
  // found in debtors_: its writes need no index.
  bool reads_own_writes() const override { return false; }
  absl::Status Flush(storage::ProjectionWrite& write) override;
  void Reset() override {
    debtors_.clear();
    pending_.clear();
  }

 private:
  // A debtor's timeline as far as this batch has touched it.
  struct Pending {
    collections::v1::TimelineIndex index;
    // node_hash_map: Apply holds a chunk while adding the one it splits off.
    absl::node_hash_map<uint32_t, collections::v1::TimelineChunk> chunks;
    absl::flat_hash_set<uint32_t> dirty;  // chunk ids to write
  };
  absl::StatusOr<std::string> DebtorOf(const collections::v1::Event& event,
                                       storage::ProjectionWrite& write);
  absl::StatusOr<Pending*> LoadPending(const std::string& debtor_id,
                                       storage::ProjectionWrite& write);
  absl::StatusOr<collections::v1::TimelineChunk*> LoadChunk(
      const std::string& debtor_id, Pending& pending, uint32_t id,
      storage::ProjectionWrite& write);

  // case id → debtor id, for the cases seen (reloaded from "cd/" on a miss).
  absl::flat_hash_map<std::string, std::string> debtors_;
  // debtor id → its index and the chunks loaded; `dirty` what this batch
  // changed, written by Flush.
  absl::node_hash_map<std::string, Pending> pending_;
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
