// InMemoryEventLog: the core EventLog (storage/event_log.h) held in memory,
// for the unit tests of the layers above storage (use cases, projections,
// feeds) that need a real log but no RocksDB, no files and no threads of
// its own. Its own small target, collections_storage_memory, depending on
// the storage interface alone.
//
// It keeps every guarantee of event_log.h but durability: positions and
// versions without gaps, every ExpectedVersion kind (ABORTED naming the
// actual version), idempotent event ids (a retry of a whole append returns
// the original result marked already_appended; a partial overlap is
// FAILED_PRECONDITION), transactions all or nothing, reads that never see a
// gap, WaitForPosition without polling. It checks input as the RocksDB log
// does (storage/append_checks.h, with the same default limits) and stores
// each event's record, leaf hash and chain hash as that log would compute
// them (storage/record_trailer.h, common/sha256.h): a record appended here
// hashes as it would there.
//
// What it is not: durable (everything is gone with the object), a LogTree
// or a LogAdministration (no Merkle tree, no signed heads, nothing to
// settle or copy: code that needs those is tested against the RocksDB log),
// or fast with very long logs (fine for tests: every event is a copy in a
// vector).
//
// Every append is decided and made visible before AppendAsync or
// AppendTransactionAsync returns: `done` is always called on the calling
// thread, exactly once, after the log's lock is released (so `done` may
// read the log).
//
// Thread safety: all methods are safe to call concurrently from any number of
// threads. The log must outlive every call in flight.
#ifndef COLLECTIONS_STORAGE_IN_MEMORY_EVENT_LOG_H_
#define COLLECTIONS_STORAGE_IN_MEMORY_EVENT_LOG_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "collections/v1/events.pb.h"
#include "common/clock.h"
#include "common/sha256.h"
#include "google/protobuf/timestamp.pb.h"
#include "storage/append_checks.h"
#include "storage/event_log.h"
#include "storage/key_encoding.h"

namespace collections::storage {

// The limits of what an append may hold (AppendLimits, as the RocksDB log's
// defaults) and where recorded_at comes from.
struct InMemoryEventLogOptions : AppendLimits {
  // Source of recorded_at. Default the wall clock. Must outlive the log.
  const Clock* clock = Clock::Real();
};

class InMemoryEventLog final : public EventLog {
 public:
  // An empty log with the default options.
  InMemoryEventLog();
  // An empty log. `options.clock` must outlive it.
  explicit InMemoryEventLog(const InMemoryEventLogOptions& options);
  InMemoryEventLog(const InMemoryEventLog&) = delete;
  InMemoryEventLog& operator=(const InMemoryEventLog&) = delete;
  ~InMemoryEventLog() override = default;

  // EventLog (contracts in event_log.h; never UNAVAILABLE or DATA_LOSS).
  void AppendAsync(absl::string_view stream_id, ExpectedVersion expected,
                   absl::Span<const collections::v1::Event> events,
                   AppendCallback done) override;
  void AppendTransactionAsync(absl::Span<const StreamAppend> parts,
                              TransactionCallback done) override;
  absl::StatusOr<std::vector<RecordedEvent>> ReadStream(
      absl::string_view stream_id, uint64_t from_version,
      ReadDirection direction, size_t limit) override;
  absl::StatusOr<LogReadResult> ReadAll(const LogRead& read) override;
  absl::StatusOr<std::optional<StreamHead>> GetStreamHead(
      absl::string_view stream_id) override;
  absl::StatusOr<std::optional<EventLocation>> FindEvent(
      absl::string_view stream_id, absl::string_view event_id) override;
  uint64_t HeadPosition() const override;
  uint64_t WaitForPosition(uint64_t position,
                           absl::Time deadline) const override;

 private:
  struct Stream {
    std::vector<uint64_t> positions;  // of versions 1, 2, … in order
    absl::flat_hash_map<std::string, EventIdEntry> event_ids;
    Sha256Digest chain_hash{};  // of the last event; zeros before the first
  };

  // One stream's part of an append, serialized outside the lock.
  struct Part {
    absl::string_view stream_id;
    ExpectedVersion expected;
    absl::Span<const collections::v1::Event> events;
    std::vector<std::string> bodies;  // each event serialized as given
  };

  // Serializes validated `events` (storage/append_checks.h) into a Part.
  static absl::StatusOr<Part> Serialize(
      absl::string_view stream_id, ExpectedVersion expected,
      absl::Span<const collections::v1::Event> events);

  // The original result when every event id of `part` is in its stream,
  // nullopt when none is; FAILED_PRECONDITION otherwise (ClassifyRetry).
  absl::StatusOr<std::optional<AppendResult>> OriginalOf(const Part& part) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  // The stream's version: 0 when it does not exist.
  uint64_t VersionOf(absl::string_view stream_id) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  // Appends the part's events, accepted, at the head; returns their result.
  AppendResult Write(Part& part, const google::protobuf::Timestamp& recorded_at)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // What AppendAsync and AppendTransactionAsync hand to `done`.
  absl::StatusOr<AppendResult> AppendNow(
      absl::string_view stream_id, ExpectedVersion expected,
      absl::Span<const collections::v1::Event> events);
  absl::StatusOr<std::vector<AppendResult>> AppendTransactionNow(
      absl::Span<const StreamAppend> parts);

  const InMemoryEventLogOptions options_;

  mutable absl::Mutex mu_;
  // The event at position p is events_[p − 1].
  std::vector<RecordedEvent> events_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Stream> streams_ ABSL_GUARDED_BY(mu_);
};

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_IN_MEMORY_EVENT_LOG_H_
