// The pure decisions of an append, apart from any storage: is the request
// well formed, does the stream's version meet the caller's expectation, and
// what do previously stored event ids mean for it (new append, retry of an
// original, or a mistake). Every EventLog implementation (the RocksDB, the
// cluster and the in-memory log) decides with these, so they refuse alike
// and say so in the same words. No I/O, no clock; safe from any thread.
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

namespace collections::storage {

// What one append may hold. The logs' options structs derive from it
// (EventLogOptions, InMemoryEventLogOptions).
struct AppendLimits {
  // Longest stream id accepted, in bytes. Default 128.
  size_t max_stream_id_bytes = 128;

  // Longest event id accepted, in bytes. Default 128.
  size_t max_event_id_bytes = 128;

  // Largest serialized event accepted (the caller's part), in bytes.
  // Default 256 KiB: events hold facts and document hashes, not documents.
  size_t max_event_bytes = 256 * 1024;

  // Most events in one Append call. Default 1000.
  size_t max_events_per_append = 1000;
};

// Checks an Append request against `limits`: stream id, expected version
// kind, batch size, and per event: id present, not over-long and unique in
// the batch, type present, log-assigned fields unset, serialized size within
// the limit. INVALID_ARGUMENT naming the event and the problem. Leaves each
// event's serialized size cached (ByteSizeLong) for the caller.
absl::Status ValidateAppend(const AppendLimits& limits,
                            absl::string_view stream_id,
                            ExpectedVersion expected,
                            absl::Span<const collections::v1::Event> events);

// Checks an AppendTransaction request: at least one part, no stream named
// by two parts, and each part as ValidateAppend checks it (leaving the
// sizes cached). INVALID_ARGUMENT, naming the part (TransactionPartError)
// when one is at fault.
absl::Status ValidateTransaction(const AppendLimits& limits,
                                 absl::Span<const StreamAppend> parts);

// The error `status` of part `index` (of stream `stream_id`) as the whole
// transaction's: the same code, the message naming the part first
// ("transaction part 1 (stream b): …").
absl::Status TransactionPartError(size_t index, absl::string_view stream_id,
                                  const absl::Status& status);

// FAILED_PRECONDITION for a transaction whose event ids are in the log for
// some parts and not for others: it is not a retry of one transaction.
absl::Status PartialTransactionRetryError();

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
