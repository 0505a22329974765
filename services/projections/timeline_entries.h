// Timeline entries: how an event reads in a debtor's timeline, the order of
// a timeline (business time, then log position), and the wire encoding that
// lets a page be assembled from stored bytes without parsing them.
//
// Pure; thread safe.
#ifndef COLLECTIONS_SERVICES_PROJECTIONS_TIMELINE_ENTRIES_H_
#define COLLECTIONS_SERVICES_PROJECTIONS_TIMELINE_ENTRIES_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "collections/v1/case_queries.pb.h"
#include "collections/v1/events.pb.h"

namespace collections::projections {

// Timeline order: business time, then log position (unique).
struct TimelineKey {
  int64_t occurred_nanos = 0;
  uint64_t position = 0;

  static TimelineKey Of(const collections::v1::Event& event);
  // 33 characters ("<16 hex time>.<16 hex position>") whose byte order is
  // timeline order; Decode is its inverse (nullopt for anything else).
  std::string Encode() const;
  static std::optional<TimelineKey> Decode(absl::string_view encoded);

  bool operator<(const TimelineKey& other) const {
    return occurred_nanos != other.occurred_nanos
               ? occurred_nanos < other.occurred_nanos
               : position < other.position;
  }
};

// One rendered event, serialized: the TimelineEntry without its `event`
// field, and the Event (the entry's field 8 when events are asked for).
struct TimelineItem {
  std::string entry_bytes;
  std::string event_bytes;
};

// The timeline entry of an event of `case_id`, without the event itself.
collections::v1::TimelineEntry RenderTimelineEntry(
    const collections::v1::Event& event, const std::string& case_id);

// Appends `item` to `out` encoded as one element of the repeated field
// `field_number` (GetDebtorTimelineResponse.entries), with the entry's
// `event` field when `with_event`. Concatenating such fields and the
// serialization of a response without entries gives the serialized response
// (protobuf merges concatenated messages, repeated fields in order).
void AppendEncodedEntry(const TimelineItem& item, bool with_event,
                        int field_number, std::string* out);

}  // namespace collections::projections

#endif  // COLLECTIONS_SERVICES_PROJECTIONS_TIMELINE_ENTRIES_H_
