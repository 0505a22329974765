#include "services/projections/debtor_timelines.h"

#include <algorithm>

#include "services/domain/case_state.h"
#include "services/projections/event_summary.h"

namespace collections::projections {

TimelineKey TimelineKey::Of(const collections::v1::Event& event) {
  return {
      event.occurred_at().seconds() * 1000000000 + event.occurred_at().nanos(),
      event.global_position()};
}

collections::v1::TimelineEntry RenderTimelineEntry(
    const collections::v1::Event& event, const std::string& case_id) {
  collections::v1::TimelineEntry entry;
  entry.set_case_id(case_id);
  *entry.mutable_occurred_at() = event.occurred_at();
  *entry.mutable_recorded_at() = event.recorded_at();
  entry.set_type(event.type());
  entry.set_summary(SummarizeEvent(event));
  *entry.mutable_actor() = event.actor();
  entry.set_global_position(event.global_position());
  return entry;
}

void DebtorTimelines::Apply(const collections::v1::Event& event) {
  // Rendered before taking the lock: readers wait only for the insert.
  std::string case_id;
  std::string debtor_id;
  if (event.payload().has_case_opened()) {
    case_id = event.payload().case_opened().case_id();
    debtor_id = event.payload().case_opened().debtor_id();
  } else {
    absl::ReaderMutexLock lock(&mu_);
    auto it = stream_debtor_.find(event.stream_id());
    if (it == stream_debtor_.end()) return;  // not a case stream
    debtor_id = it->second;
  }
  if (case_id.empty()) case_id = domain::CaseIdOfStream(event.stream_id());
  KeyedEntry item{TimelineKey::Of(event),
                  std::make_shared<const Item>(Item{
                      RenderTimelineEntry(event, case_id).SerializeAsString(),
                      event.SerializeAsString()})};

  absl::MutexLock lock(&mu_);
  if (event.payload().has_case_opened()) {
    stream_debtor_[event.stream_id()] = debtor_id;
  }
  std::vector<KeyedEntry>& timeline = timelines_[debtor_id];
  // Business time mostly grows with the log, so this is usually the end.
  auto at = std::upper_bound(timeline.begin(), timeline.end(), item,
                             [](const KeyedEntry& a, const KeyedEntry& b) {
                               return a.first < b.first;
                             });
  timeline.insert(at, std::move(item));
}

std::optional<DebtorTimelines::Page> DebtorTimelines::Read(
    const std::string& debtor_id, const std::optional<TimelineKey>& after,
    uint64_t as_of, size_t limit) const {
  absl::ReaderMutexLock lock(&mu_);
  auto found = timelines_.find(debtor_id);
  if (found == timelines_.end()) return std::nullopt;
  const std::vector<KeyedEntry>& timeline = found->second;
  auto it = timeline.begin();
  if (after.has_value()) {
    it = std::upper_bound(timeline.begin(), timeline.end(), *after,
                          [](const TimelineKey& key, const KeyedEntry& item) {
                            return key < item.first;
                          });
  }
  Page page;
  for (; it != timeline.end(); ++it) {
    if (it->first.position > as_of) continue;
    if (page.entries.size() == limit) {
      page.more = true;
      break;
    }
    page.entries.push_back(*it);
  }
  return page;
}

namespace {

// Protobuf wire format: a varint, and the key of a length-delimited field.
void AppendVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

void AppendLengthDelimitedKey(int field_number, uint64_t length,
                              std::string* out) {
  constexpr int kLengthDelimited = 2;
  AppendVarint((static_cast<uint64_t>(field_number) << 3) | kLengthDelimited,
               out);
  AppendVarint(length, out);
}

size_t VarintSize(uint64_t value) {
  size_t size = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++size;
  }
  return size;
}

// TimelineEntry.event
constexpr int kEntryEventField = 8;

}  // namespace

void AppendEncodedEntry(const DebtorTimelines::Item& item, bool with_event,
                        int field_number, std::string* out) {
  size_t length = item.entry_bytes.size();
  if (with_event) {
    length += VarintSize((kEntryEventField << 3) | 2) +
              VarintSize(item.event_bytes.size()) + item.event_bytes.size();
  }
  AppendLengthDelimitedKey(field_number, length, out);
  out->append(item.entry_bytes);
  if (with_event) {
    AppendLengthDelimitedKey(kEntryEventField, item.event_bytes.size(), out);
    out->append(item.event_bytes);
  }
}

}  // namespace collections::projections
