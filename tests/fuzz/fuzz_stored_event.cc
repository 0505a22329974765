// Fuzz target: decoding a stored event as the log reads it back — the
// "events" value (hashes and record) and the record as an Event envelope —
// and summarising it for the timeline, as projections do with every event.
// Bytes from a damaged or hostile database must never crash the reader.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "collections/v1/events.pb.h"
#include "services/projections/event_summary.h"
#include "storage/key_encoding.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::string_view record = bytes;
  if (auto value = collections::storage::DecodeEventValue(bytes); value.ok())
    record = value->record;
  collections::v1::Event event;
  if (!event.ParseFromArray(record.data(), static_cast<int>(record.size())))
    return 0;
  (void)collections::projections::SummarizeEvent(event);
  std::string again;
  event.SerializeToString(&again);
  return 0;
}
