// DebtorTimelines: every debtor's timeline across all of their cases, kept
// rendered and serialized in memory in timeline order (business time, then
// log position), so reading a page is a binary search and a concatenation of
// bytes: no log reads, no decoding, no sorting, no message building per
// query.
//
// Entries are immutable once rendered and shared with the readers that hold
// them, so a reader copies pointers under the lock and the bytes after it.
//
// Like CaseDirectory it is rebuilt from the log on every start; persisted
// projections with checkpoints replace it with the projections issue.
//
// Thread safety: all methods are safe to call concurrently; Apply must be
// called by one feeder in position order.
#ifndef COLLECTIONS_SERVICES_PROJECTIONS_DEBTOR_TIMELINES_H_
#define COLLECTIONS_SERVICES_PROJECTIONS_DEBTOR_TIMELINES_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "collections/v1/case_queries.pb.h"
#include "collections/v1/events.pb.h"
#include "services/projections/projection.h"

namespace collections::projections {

// Timeline order: business time, then log position (unique).
struct TimelineKey {
  int64_t occurred_nanos = 0;
  uint64_t position = 0;

  static TimelineKey Of(const collections::v1::Event& event);
  bool operator<(const TimelineKey& other) const {
    return occurred_nanos != other.occurred_nanos
               ? occurred_nanos < other.occurred_nanos
               : position < other.position;
  }
};

class DebtorTimelines final : public Projection {
 public:
  // One rendered event, serialized: the TimelineEntry without its `event`
  // field, and the Event (the entry's field 8 when events are asked for).
  struct Item {
    std::string entry_bytes;
    std::string event_bytes;
  };
  using Entry = std::shared_ptr<const Item>;
  using KeyedEntry = std::pair<TimelineKey, Entry>;

  // Case streams are recognised by their CaseOpened event, which names the
  // debtor; events of other streams are ignored.
  void Apply(const collections::v1::Event& event) override;

  struct Page {
    std::vector<KeyedEntry> entries;  // in timeline order
    bool more = false;                // entries at or below as_of follow
  };
  // Up to `limit` entries of the debtor that come after `after` (from the
  // start when nullopt), leaving out events above log position `as_of` (so an
  // answer reflects one position). nullopt for a debtor with no case.
  std::optional<Page> Read(const std::string& debtor_id,
                           const std::optional<TimelineKey>& after,
                           uint64_t as_of, size_t limit) const;

 private:
  mutable absl::Mutex mu_;
  // The debtor each case stream belongs to.
  absl::flat_hash_map<std::string, std::string> stream_debtor_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::vector<KeyedEntry>> timelines_
      ABSL_GUARDED_BY(mu_);
};

// The timeline entry of an event of `case_id`, without the event itself.
collections::v1::TimelineEntry RenderTimelineEntry(
    const collections::v1::Event& event, const std::string& case_id);

// Appends `item` to `out` encoded as one element of the repeated field
// `field_number` (GetDebtorTimelineResponse.entries), with the entry's
// `event` field when `with_event`. Concatenating such fields and the
// serialization of a response without entries gives the serialized response
// (protobuf merges concatenated messages, repeated fields in order).
void AppendEncodedEntry(const DebtorTimelines::Item& item, bool with_event,
                        int field_number, std::string* out);

}  // namespace collections::projections

#endif  // COLLECTIONS_SERVICES_PROJECTIONS_DEBTOR_TIMELINES_H_
