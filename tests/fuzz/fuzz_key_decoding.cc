// Fuzz target: decoding the event log's stored keys and values
// (storage/key_encoding.h). Whatever bytes a damaged database holds, the
// decoders answer a value or DATA_LOSS: they never read out of bounds,
// crash or loop. A decoded value re-encodes to the bytes it came from.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "storage/key_encoding.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace storage = collections::storage;
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  // The first byte picks where the rest is split into a key and a value.
  const size_t split = size == 0 ? 0 : data[0] % size;
  const absl::string_view key = bytes.substr(0, split);
  const absl::string_view value = bytes.substr(split);

  if (auto position = storage::DecodePositionKey(bytes); position.ok()) {
    if (storage::EncodePositionKey(*position) != bytes) __builtin_trap();
  }
  (void)storage::DecodeStreamVersionKey(bytes);
  (void)storage::DecodeStreamRun(key, value);
  if (auto entry = storage::DecodeEventIdValue(bytes); entry.ok()) {
    if (storage::EncodeEventIdValue(*entry) != bytes) __builtin_trap();
  }
  if (auto head = storage::DecodeStreamHead(bytes); head.ok()) {
    if (storage::EncodeStreamHead(*head) != bytes) __builtin_trap();
  }
  (void)storage::DecodeEventValue(bytes);
  return 0;
}
