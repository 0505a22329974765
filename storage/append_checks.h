// The pure decisions of an append, apart from any storage: is the request
// well formed, does the stream's version meet the caller's expectation, and
// what do previously stored event ids mean for it (new append, retry of an
// original, or a mistake). No I/O, no clock; safe from any thread.
#ifndef COLLECTIONS_STORAGE_APPEND_CHECKS_H_
#define COLLECTIONS_STORAGE_APPEND_CHECKS_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "collections/v1/events.pb.h"
#include "storage/event_log.h"
#include "storage/key_encoding.h"
#include "storage/rocksdb_event_log.h"

namespace collections::storage {

// Checks an Append request against `options`' limits: stream id, expected
// version kind, batch size, and per event: id present, not over-long and
// unique in the batch, type present, log-assigned fields unset, serialized
// size within the limit. INVALID_ARGUMENT naming the event and the problem.
// Leaves each event's serialized size cached (ByteSizeLong) for the caller.
absl::Status ValidateAppend(const EventLogOptions& options,
                            absl::string_view stream_id,
                            ExpectedVersion expected,
                            absl::Span<const collections::v1::Event> events);

// OK when a stream at version `actual` (0: absent) meets `expected`;
// ABORTED naming the expectation and the actual version otherwise.
absl::Status CheckExpectation(absl::string_view stream_id,
                              ExpectedVersion expected, uint64_t actual);

// Decides what the looked-up event ids of an append mean, given for each of
// its events the stored entry of that id in the stream, if any:
//   none present                          → nullopt: a new append;
//   all present, consecutive, in order    → the original append's result,
//                                           with already_appended set;
//   anything else                         → FAILED_PRECONDITION naming the
//                                           ids (via `event_id(i)`).
absl::StatusOr<std::optional<AppendResult>> ClassifyRetry(
    absl::string_view stream_id,
    absl::Span<const std::optional<EventIdEntry>> found,
    absl::FunctionRef<absl::string_view(size_t)> event_id);

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_APPEND_CHECKS_H_
