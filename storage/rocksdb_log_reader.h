// RocksDbLogReader: the read side of the RocksDB event log — stream reads,
// whole-log reads and stream heads — over an open EventLogDatabase. It owns
// no state of its own: what is "committed" is the head position the caller
// passes in, which the writer publishes (storage/rocksdb_event_log.cc).
// Internal to storage/.
//
// Thread safety: every method is safe to call concurrently. The database
// must outlive the reader.
#ifndef COLLECTIONS_STORAGE_ROCKSDB_LOG_READER_H_
#define COLLECTIONS_STORAGE_ROCKSDB_LOG_READER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/event_log.h"
#include "storage/rocksdb_database.h"

namespace collections::storage {

// Decodes one "events" value stored at `position`: hashes, exact record
// bytes and the parsed envelope. DATA_LOSS naming the position when the value
// is malformed, does not parse, or says it belongs at another position.
absl::StatusOr<RecordedEvent> DecodeStoredEvent(uint64_t position,
                                                absl::string_view value);

class RocksDbLogReader {
 public:
  // `database` must outlive the reader; `max_stream_id_bytes` as in
  // EventLogOptions.
  RocksDbLogReader(const EventLogDatabase& database, size_t max_stream_id_bytes)
      : database_(database), max_stream_id_bytes_(max_stream_id_bytes) {}

  // EventLog::GetStreamHead, as of `snapshot` (nullptr: the latest state,
  // which may include a group still being committed).
  absl::StatusOr<std::optional<StreamHead>> GetStreamHead(
      absl::string_view stream_id,
      const rocksdb::Snapshot* snapshot = nullptr) const;

  // EventLog::FindEvent: absent when not written or above `committed_head`.
  absl::StatusOr<std::optional<EventLocation>> FindEvent(
      absl::string_view stream_id, absl::string_view event_id,
      uint64_t committed_head) const;

  // EventLog::ReadStream, showing only events at or below `committed_head`.
  absl::StatusOr<std::vector<RecordedEvent>> ReadStream(
      absl::string_view stream_id, uint64_t from_version,
      ReadDirection direction, size_t limit, uint64_t committed_head) const;

  // EventLog::ReadAll, reading no further than `committed_head`.
  absl::StatusOr<LogReadResult> ReadAll(const LogRead& read,
                                        uint64_t committed_head) const;

 private:
  const EventLogDatabase& database_;
  const size_t max_stream_id_bytes_;
};

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_ROCKSDB_LOG_READER_H_
