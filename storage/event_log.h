// EventLog: the append-only, tamper-evident log every other part of the
// backend stands on. This header is the core of the storage interface the
// upper layers depend on: appends, reads and waits, ten methods. The log's
// other two parts have headers of their own:
//   storage/log_tree.h           LogTree: the Merkle tree's roots and proofs
//                                and the signed tree heads kept with the log;
//   storage/log_administration.h LogAdministration: settling, online copies
//                                and the storage engine's figures.
// A durable log is all three in one object (storage/durable_event_log.h):
// the RocksDB log (storage/rocksdb_event_log.h) and the cluster log
// (storage/cluster_event_log.h) are opened as one and are linked only by the
// server and tools. storage/in_memory_event_log.h is an EventLog alone, for
// the unit tests of the layers above storage.
//
// Guarantees of every implementation:
//   - An acknowledged append (OK result) is durable (with sync on) and is
//     never lost, reordered or duplicated.
//   - Global positions are 1, 2, 3 … without gaps; a stream's versions are
//     1, 2, 3 … without gaps; an append's events are contiguous in both.
//   - All events of one Append land atomically, or none do; so do all parts
//     of one AppendTransaction, across streams.
//   - Appending events whose ids are already in the stream (a retry) returns
//     the original result and writes nothing.
//   - Readers only ever see a prefix of the log: never a gap.
//   - Each record is stored with its RFC 9162 leaf hash and a per-stream
//     chain hash (common/sha256.h), written in the same batch.
//
// Thread safety: all methods are safe to call concurrently from any number of
// threads. The log must outlive every call in flight.
#ifndef COLLECTIONS_STORAGE_EVENT_LOG_H_
#define COLLECTIONS_STORAGE_EVENT_LOG_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "collections/v1/events.pb.h"
#include "common/sha256.h"
#include "storage/key_encoding.h"

namespace collections::storage {

// What the caller expects of the stream before its append (optimistic
// concurrency). A mismatch fails the append with ABORTED, naming the actual
// version.
struct ExpectedVersion {
  enum class Kind : int {
    kAny = 0,           // no check
    kNoStream = 1,      // the stream must not exist yet
    kStreamExists = 2,  // the stream must have at least one event
    kExact = 3,         // the stream must be at exactly `version`
  };
  Kind kind = Kind::kAny;
  uint64_t version = 0;  // only for kExact; 0 means "no stream"

  static ExpectedVersion Any() { return {Kind::kAny, 0}; }
  static ExpectedVersion NoStream() { return {Kind::kNoStream, 0}; }
  static ExpectedVersion StreamExists() { return {Kind::kStreamExists, 0}; }
  static ExpectedVersion Exact(uint64_t v) { return {Kind::kExact, v}; }
};

// The outcome of an acknowledged append.
struct AppendResult {
  uint64_t first_position = 0;  // global position of the first event
  uint64_t last_position = 0;   // global position of the last event
  uint64_t stream_version = 0;  // stream version of the last event
  // True when every event id was already in the stream: nothing was written
  // and the positions are those of the original append.
  bool already_appended = false;
};

// Where an event sits in the log.
struct EventLocation {
  uint64_t stream_version = 0;
  uint64_t global_position = 0;
};

// One event as stored.
struct RecordedEvent {
  // The decoded envelope, log-assigned fields included.
  collections::v1::Event event;
  // The exact stored bytes: what leaf_hash covers and what a verifier hashes.
  std::string record;
  Sha256Digest leaf_hash{};   // SHA-256(0x00 || record)
  Sha256Digest chain_hash{};  // SHA-256(0x02 || previous chain || leaf_hash)
};

enum class ReadDirection { kForward, kBackward };

// Which events a log read returns. Empty fields match everything.
struct LogFilter {
  std::vector<std::string> event_types;  // Event.type in this set
  std::string stream_prefix;             // stream_id starts with this
};

// A read of the whole log.
struct LogRead {
  uint64_t from_position = 1;  // first position to look at (inclusive)
  size_t max_events = 1000;    // stop after this many matching events
  // Stop after looking at this many events even if fewer matched, so a
  // selective filter over a long log answers in bounded time. The result's
  // next_position tells where to continue.
  size_t max_scanned = 100000;
  LogFilter filter;
};

struct LogReadResult {
  std::vector<RecordedEvent> events;  // matching events, by position
  // Where the next read continues: one past the last position looked at,
  // matched or not. Subscribers checkpoint this.
  uint64_t next_position = 1;
  // The last committed position when the read started.
  uint64_t head_position = 0;
};

// Receives the outcome of an AppendAsync.
using AppendCallback =
    absl::AnyInvocable<void(absl::StatusOr<AppendResult>) &&>;

// One stream's part of a transaction (EventLog::AppendTransaction).
struct StreamAppend {
  std::string stream_id;
  ExpectedVersion expected;
  std::vector<collections::v1::Event> events;
};

// Receives the outcome of an AppendTransactionAsync: one result per part,
// in the parts' order.
using TransactionCallback =
    absl::AnyInvocable<void(absl::StatusOr<std::vector<AppendResult>>) &&>;

class CommittedEventsSink;  // storage/committed_events.h

class EventLog {
 public:
  virtual ~EventLog() = default;

  // Appends `events` to `stream_id` atomically and waits for the outcome.
  //
  // The caller fills each event's event_id, type, occurred_at, actor,
  // correlation/causation ids, schema_version and payload, and leaves
  // stream_id, stream_version, global_position and recorded_at unset: the log
  // assigns them.
  //
  // Errors:
  //   INVALID_ARGUMENT    empty, over-long or non-printable stream id; empty
  //                       or over-size batch; over-size event; missing or
  //                       duplicate event id; missing type; a log-assigned
  //                       field set; unknown expected-version kind.
  //   ABORTED             the expectation does not hold; the message says
  //                       the actual version.
  //   FAILED_PRECONDITION some but not all event ids are already in the
  //                       stream, or they are but not as one original append
  //                       in this order.
  //   UNAVAILABLE         the write failed (I/O, disk full); its outcome is
  //                       unknown to the caller, who retries with the same
  //                       event ids.
  absl::StatusOr<AppendResult> Append(
      absl::string_view stream_id, ExpectedVersion expected,
      absl::Span<const collections::v1::Event> events);

  // The same append without waiting: no thread is held while the append
  // waits for its group commit. `done` is called exactly once with what
  // Append would return: on the calling thread before AppendAsync returns
  // when the outcome is known at once (bad input, a retry of an acknowledged
  // append), otherwise on the log's own thread once the append is durable
  // and visible to readers (or has failed). `done` must be quick and must
  // not call back into Append. `events` are copied before AppendAsync
  // returns.
  virtual void AppendAsync(absl::string_view stream_id,
                           ExpectedVersion expected,
                           absl::Span<const collections::v1::Event> events,
                           AppendCallback done) = 0;

  // AppendAsync, taking the events: a log that feeds its committed events
  // to a sink (FeedCommittedEvents) keeps these as the decoded copies it
  // hands on, where AppendAsync has to copy them. Outcome, errors and
  // `done` exactly as AppendAsync's. Default: AppendAsync.
  virtual void AppendTakingAsync(absl::string_view stream_id,
                                 ExpectedVersion expected,
                                 std::vector<collections::v1::Event> events,
                                 AppendCallback done) {
    AppendAsync(stream_id, expected, events, std::move(done));
  }

  // Hands every event this log makes durable from now on to `sink`
  // (storage/committed_events.h); nullptr stops. Returns once a call to the
  // previous sink in progress has returned, so that sink may be destroyed
  // after FeedCommittedEvents(nullptr); until then it must stay alive. May
  // be called from any thread, not from within the sink. A log that cannot
  // feed ignores it (the default): its readers read everything from the
  // log.
  virtual void FeedCommittedEvents(CommittedEventsSink* sink) {}

  // Appends to several streams as one: every part lands, in one group
  // commit, or none does. Each part is checked as Append checks it (errors
  // name the part); any part failing fails the whole transaction and
  // nothing of it is written. Positions are contiguous across the parts, in
  // their order. A retry of a transaction that landed (every event id found)
  // returns the original results marked already_appended; one whose ids are
  // found for some parts only is FAILED_PRECONDITION. INVALID_ARGUMENT for
  // no parts or a stream named twice.
  absl::StatusOr<std::vector<AppendResult>> AppendTransaction(
      absl::Span<const StreamAppend> parts);
  // The same without waiting; `done` as AppendAsync's.
  virtual void AppendTransactionAsync(absl::Span<const StreamAppend> parts,
                                      TransactionCallback done) = 0;

  // Reads up to `limit` events of a stream starting at `from_version`
  // (inclusive): forwards towards newer versions, or backwards towards older
  // ones. Backwards from the newest: from_version = UINT64_MAX. A stream that
  // does not exist reads as empty (use GetStreamHead to tell the difference).
  // Errors: INVALID_ARGUMENT for a bad stream id or zero limit; DATA_LOSS for
  // a record that cannot be decoded (naming its position).
  virtual absl::StatusOr<std::vector<RecordedEvent>> ReadStream(
      absl::string_view stream_id, uint64_t from_version,
      ReadDirection direction, size_t limit) = 0;

  // Reads the whole log from a global position, filtered. Never returns a
  // gap: the events are a filtered prefix of what is committed.
  // Errors: INVALID_ARGUMENT for from_position 0 or zero limits; DATA_LOSS.
  virtual absl::StatusOr<LogReadResult> ReadAll(const LogRead& read) = 0;

  // The stream's head, or nullopt when the stream does not exist. It may
  // already include an append that is being committed but not yet
  // acknowledged; an append that expects that version is sequenced after it.
  // Errors: INVALID_ARGUMENT for a bad stream id; DATA_LOSS; UNAVAILABLE.
  virtual absl::StatusOr<std::optional<StreamHead>> GetStreamHead(
      absl::string_view stream_id) = 0;

  // Where `event_id` of `stream_id` was appended, or nullopt when no
  // acknowledged append holds it (an append still being committed reads as
  // absent). Lets a use case recognise a retried request before deciding
  // anything. Errors: INVALID_ARGUMENT for a bad stream id; DATA_LOSS.
  virtual absl::StatusOr<std::optional<EventLocation>> FindEvent(
      absl::string_view stream_id, absl::string_view event_id) = 0;

  // The last committed global position (0 for an empty log).
  virtual uint64_t HeadPosition() const = 0;

  // Blocks until the log's head is at least `position` or `deadline` passes,
  // without polling; returns the head at that moment (which is below
  // `position` on timeout). For tailing readers and read-your-writes.
  virtual uint64_t WaitForPosition(uint64_t position,
                                   absl::Time deadline) const = 0;
};

// Checks a stream id: 1..max_bytes bytes of printable ASCII (0x21..0x7e).
// INVALID_ARGUMENT naming the problem otherwise.
absl::Status ValidateStreamId(absl::string_view stream_id, size_t max_bytes);

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_EVENT_LOG_H_
