#include "storage/rocksdb_log_reader.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "storage/key_encoding.h"
#include "storage/rocksdb_status.h"

namespace collections::storage {

absl::StatusOr<RecordedEvent> DecodeStoredEvent(uint64_t position,
                                                absl::string_view value) {
  absl::StatusOr<EventValueView> view = DecodeEventValue(value);
  if (!view.ok()) {
    return absl::DataLossError(absl::StrCat("event at position ", position,
                                            ": ", view.status().message()));
  }
  RecordedEvent recorded;
  recorded.record = std::string(view->record);
  recorded.leaf_hash = view->leaf_hash;
  recorded.chain_hash = view->chain_hash;
  if (!recorded.event.ParseFromString(recorded.record)) {
    return absl::DataLossError(absl::StrCat("event at position ", position,
                                            " does not decode as an Event"));
  }
  if (recorded.event.global_position() != position) {
    return absl::DataLossError(absl::StrCat(
        "event stored at position ", position, " says it is at position ",
        recorded.event.global_position()));
  }
  return recorded;
}

absl::StatusOr<std::optional<StreamHead>> RocksDbLogReader::GetStreamHead(
    absl::string_view stream_id, const rocksdb::Snapshot* snapshot) const {
  COLLECTIONS_RETURN_IF_ERROR(
      ValidateStreamId(stream_id, max_stream_id_bytes_));
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot;
  rocksdb::PinnableSlice value;
  rocksdb::Status status =
      database_.db->Get(read_options, database_.cf(ColumnFamily::kStreams),
                        ToSlice(stream_id), &value);
  if (status.IsNotFound()) return std::nullopt;
  COLLECTIONS_RETURN_IF_ERROR(
      FromRocksDbStatus(status, "reading a stream head"));
  COLLECTIONS_ASSIGN_OR_RETURN(StreamHead head, DecodeStreamHead(View(value)));
  return head;
}

absl::StatusOr<std::optional<EventLocation>> RocksDbLogReader::FindEvent(
    absl::string_view stream_id, absl::string_view event_id,
    uint64_t committed_head) const {
  COLLECTIONS_RETURN_IF_ERROR(
      ValidateStreamId(stream_id, max_stream_id_bytes_));
  rocksdb::PinnableSlice value;
  rocksdb::Status status = database_.db->Get(
      rocksdb::ReadOptions(), database_.cf(ColumnFamily::kEventIds),
      ToSlice(EncodeEventIdKey(stream_id, event_id)), &value);
  if (status.IsNotFound()) return std::nullopt;
  COLLECTIONS_RETURN_IF_ERROR(
      FromRocksDbStatus(status, "reading the event id index"));
  COLLECTIONS_ASSIGN_OR_RETURN(EventIdEntry entry,
                               DecodeEventIdValue(View(value)));
  // Written but not yet acknowledged: it may still fail.
  if (entry.position > committed_head) return std::nullopt;
  return EventLocation{entry.version, entry.position};
}

absl::StatusOr<std::vector<RecordedEvent>> RocksDbLogReader::ReadStream(
    absl::string_view stream_id, uint64_t from_version, ReadDirection direction,
    size_t limit, uint64_t committed_head) const {
  COLLECTIONS_RETURN_IF_ERROR(
      ValidateStreamId(stream_id, max_stream_id_bytes_));
  if (limit == 0) return absl::InvalidArgumentError("limit must be at least 1");

  // One snapshot for the index scan and the event reads, so both agree.
  const ScopedSnapshot snapshot(database_.db.get());
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot.get();

  const std::string prefix = StreamKeyPrefix(stream_id);
  const bool forward = direction == ReadDirection::kForward;
  std::vector<std::string> position_keys;
  {
    std::unique_ptr<rocksdb::Iterator> it(database_.db->NewIterator(
        read_options, database_.cf(ColumnFamily::kStreamIndex)));
    auto in_stream = [&]() {
      return it->Valid() && View(it->key()).substr(0, prefix.size()) == prefix;
    };
    // The run that holds from_version starts at or before it. Forwards, a
    // from_version below the first run starts at the first run.
    it->SeekForPrev(EncodeStreamVersionKey(stream_id, from_version));
    if (forward && !in_stream()) {
      it->Seek(EncodeStreamVersionKey(stream_id, from_version));
    }
    // Positions above the published head belong to a group still being
    // committed: not acknowledged yet, so not shown.
    bool done = false;
    while (!done && in_stream() && position_keys.size() < limit) {
      COLLECTIONS_ASSIGN_OR_RETURN(
          StreamRun run, DecodeStreamRun(View(it->key()), View(it->value())));
      if (forward) {
        for (uint64_t v = std::max(from_version, run.first_version);
             v <= run.last_version() && position_keys.size() < limit; ++v) {
          if (run.PositionOf(v) > committed_head) {
            done = true;
            break;
          }
          position_keys.push_back(EncodePositionKey(run.PositionOf(v)));
        }
        it->Next();
      } else {
        for (uint64_t v = std::min(from_version, run.last_version());
             v >= run.first_version && position_keys.size() < limit; --v) {
          if (run.PositionOf(v) <= committed_head) {
            position_keys.push_back(EncodePositionKey(run.PositionOf(v)));
          }
        }
        it->Prev();
      }
    }
    COLLECTIONS_RETURN_IF_ERROR(
        FromRocksDbStatus(it->status(), "reading a stream index"));
  }

  std::vector<rocksdb::Slice> keys(position_keys.begin(), position_keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  database_.db->MultiGet(read_options, database_.cf(ColumnFamily::kEvents),
                         keys.size(), keys.data(), values.data(),
                         statuses.data());
  std::vector<RecordedEvent> events;
  events.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    COLLECTIONS_ASSIGN_OR_RETURN(uint64_t position,
                                 DecodePositionKey(View(keys[i])));
    if (statuses[i].IsNotFound()) {
      return absl::DataLossError(absl::StrCat("stream ", stream_id,
                                              " indexes position ", position,
                                              ", which is not in the log"));
    }
    COLLECTIONS_RETURN_IF_ERROR(
        FromRocksDbStatus(statuses[i], "reading an event"));
    COLLECTIONS_ASSIGN_OR_RETURN(RecordedEvent event,
                                 DecodeStoredEvent(position, View(values[i])));
    events.push_back(std::move(event));
  }
  return events;
}

absl::StatusOr<LogReadResult> RocksDbLogReader::ReadAll(
    const LogRead& read, uint64_t committed_head) const {
  if (read.from_position == 0) {
    return absl::InvalidArgumentError(
        "from_position starts at 1 (the first event)");
  }
  if (read.max_events == 0 || read.max_scanned == 0) {
    return absl::InvalidArgumentError(
        "max_events and max_scanned must be at least 1");
  }
  LogReadResult result;
  result.head_position = committed_head;
  result.next_position = read.from_position;
  if (read.from_position > result.head_position) return result;

  const absl::flat_hash_set<absl::string_view> types(
      read.filter.event_types.begin(), read.filter.event_types.end());
  // Read no further than the head published when the read began, so the
  // result is consistent with head_position.
  const std::string upper = EncodePositionKey(result.head_position + 1);
  const rocksdb::Slice upper_bound(upper);
  rocksdb::ReadOptions read_options;
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(database_.db->NewIterator(
      read_options, database_.cf(ColumnFamily::kEvents)));
  size_t scanned = 0;
  for (it->Seek(EncodePositionKey(read.from_position));
       it->Valid() && scanned < read.max_scanned &&
       result.events.size() < read.max_events;
       it->Next(), ++scanned) {
    COLLECTIONS_ASSIGN_OR_RETURN(uint64_t position,
                                 DecodePositionKey(View(it->key())));
    if (position != result.next_position) {
      return absl::DataLossError(
          absl::StrCat("the log has a gap: position ", result.next_position,
                       " is missing (next stored is ", position, ")"));
    }
    COLLECTIONS_ASSIGN_OR_RETURN(
        RecordedEvent event, DecodeStoredEvent(position, View(it->value())));
    result.next_position = position + 1;
    if (!types.empty() && !types.contains(event.event.type())) continue;
    if (!absl::StartsWith(event.event.stream_id(), read.filter.stream_prefix))
      continue;
    result.events.push_back(std::move(event));
  }
  COLLECTIONS_RETURN_IF_ERROR(
      FromRocksDbStatus(it->status(), "reading the log"));
  return result;
}

}  // namespace collections::storage
