#include "services/projections/timeline_entries.h"

#include <string>

#include "absl/strings/numbers.h"
#include "common/fixed_hex.h"
#include "services/projections/event_summary.h"

namespace collections::projections {

TimelineKey TimelineKey::Of(const collections::v1::Event& event) {
  return {
      event.occurred_at().seconds() * 1000000000 + event.occurred_at().nanos(),
      event.global_position()};
}

std::string TimelineKey::Encode() const {
  // Flipping the sign bit orders negative instants before positive ones.
  const uint64_t time = static_cast<uint64_t>(occurred_nanos) ^ (1ULL << 63);
  // "%016llx.%016llx", written without printf (common/fixed_hex.h).
  std::string key;
  key.reserve(33);
  AppendFixedHex(time, 16, &key);
  key.push_back('.');
  AppendFixedHex(position, 16, &key);
  return key;
}

std::optional<TimelineKey> TimelineKey::Decode(absl::string_view encoded) {
  uint64_t time = 0;
  TimelineKey key;
  if (encoded.size() != 33 || encoded[16] != '.' ||
      !absl::SimpleHexAtoi(encoded.substr(0, 16), &time) ||
      !absl::SimpleHexAtoi(encoded.substr(17), &key.position)) {
    return std::nullopt;
  }
  key.occurred_nanos = static_cast<int64_t>(time ^ (1ULL << 63));
  return key;
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

void AppendEncodedEntry(const TimelineItem& item, bool with_event,
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
