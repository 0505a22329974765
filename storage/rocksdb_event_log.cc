#include "storage/rocksdb_event_log.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <limits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/timestamp.pb.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "storage/rocksdb_status.h"
#include "storage/status_macros.h"

namespace collections::storage {
namespace {

using collections::v1::Event;

// RocksDB speaks std::string_view / Slice; Debian's Abseil has its own
// string_view type. These two convert at the boundary.
absl::string_view View(const rocksdb::Slice& slice) { return {slice.data(), slice.size()}; }
rocksdb::Slice ToSlice(absl::string_view view) { return {view.data(), view.size()}; }

// An event after the caller-thread half of the work: its body serialized and
// already fed to the leaf hash. The sequencer appends the trailer (the
// log-assigned fields) to both.
struct PreparedEvent {
  std::string event_id;
  std::string record;  // body; the trailer is appended at commit
  Sha256 leaf_hasher;  // has seen 0x00 || body
};

// One Append call waiting in the commit queue. Lives on its caller's stack.
struct PendingAppend {
  absl::string_view stream_id;
  ExpectedVersion expected;
  std::vector<PreparedEvent> events;
  size_t bytes = 0;

  // Written by the leader, read by the owner once `done`.
  absl::StatusOr<AppendResult> result = absl::InternalError("not committed");
  bool done = false;  // guarded by the log's queue mutex
  absl::CondVar cv;   // signalled when done or when it becomes the leader
};

// What a group has staged but not yet written: later appends in the same
// group must see the earlier ones.
struct GroupState {
  uint64_t next_position = 0;
  google::protobuf::Timestamp recorded_at;
  absl::flat_hash_map<std::string, StreamHead> heads;
  absl::flat_hash_map<std::string, EventIdEntry> event_ids;  // key: EncodeEventIdKey
  std::vector<PendingAppend*> staged;  // appends whose events are in the batch
};

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t seconds = absl::ToUnixSeconds(t);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(seconds)) / absl::Nanoseconds(1)));
  return ts;
}

std::string DescribeVersion(uint64_t version) {
  return version == 0 ? std::string("no stream (version 0)") : absl::StrCat("version ", version);
}

absl::Status CheckExpectation(absl::string_view stream_id, ExpectedVersion expected,
                              uint64_t actual) {
  bool holds = true;
  std::string wanted;
  switch (expected.kind) {
    case ExpectedVersion::Kind::kAny:
      return absl::OkStatus();
    case ExpectedVersion::Kind::kNoStream:
      holds = actual == 0;
      wanted = "no stream";
      break;
    case ExpectedVersion::Kind::kStreamExists:
      holds = actual > 0;
      wanted = "an existing stream";
      break;
    case ExpectedVersion::Kind::kExact:
      holds = actual == expected.version;
      wanted = DescribeVersion(expected.version);
      break;
  }
  if (holds) return absl::OkStatus();
  return absl::AbortedError(absl::StrCat("stream ", stream_id, ": expected ", wanted,
                                         " but the actual version is ", actual));
}

class RocksDbEventLog final : public EventLog {
 public:
  RocksDbEventLog(const EventLogOptions& options, std::unique_ptr<rocksdb::DB> db,
                  std::vector<rocksdb::ColumnFamilyHandle*> handles, uint64_t head)
      : options_(options),
        db_(std::move(db)),
        handles_(std::move(handles)),
        next_position_(head + 1),
        head_position_(head),
        published_head_(head) {
    write_options_.sync = options_.sync;
  }

  ~RocksDbEventLog() override {
    // Without sync the WAL may still sit in RocksDB's buffer; a clean close
    // must not lose it.
    db_->FlushWAL(/*sync=*/true).PermitUncheckedError();
    for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
  }

  RocksDbEventLog(const RocksDbEventLog&) = delete;
  RocksDbEventLog& operator=(const RocksDbEventLog&) = delete;

  absl::StatusOr<AppendResult> Append(absl::string_view stream_id, ExpectedVersion expected,
                                      absl::Span<const Event> events) override;
  absl::StatusOr<std::vector<RecordedEvent>> ReadStream(absl::string_view stream_id,
                                                        uint64_t from_version,
                                                        ReadDirection direction,
                                                        size_t limit) override;
  absl::StatusOr<LogReadResult> ReadAll(const LogRead& read) override;
  absl::StatusOr<std::optional<StreamHead>> GetStreamHead(absl::string_view stream_id) override;
  uint64_t HeadPosition() const override { return head_position_.load(std::memory_order_acquire); }
  uint64_t WaitForPosition(uint64_t position, absl::Time deadline) const override;

 private:
  rocksdb::ColumnFamilyHandle* cf(ColumnFamily family) const {
    return handles_[static_cast<int>(family)];
  }

  // Caller-thread half of Append: validation, serialization, body hashing.
  absl::Status Prepare(absl::string_view stream_id, ExpectedVersion expected,
                       absl::Span<const Event> events, PendingAppend* append) const;

  // Sequencer half: queue, become leader or wait for one.
  absl::StatusOr<AppendResult> Commit(PendingAppend* append);

  // Leader only. Writes `group` as one batch and fills every result.
  void CommitGroup(const std::vector<PendingAppend*>& group);

  // Leader only. Stages one append into `batch` (or refuses it, or answers
  // it as a retry); returns the append's result.
  absl::StatusOr<AppendResult> Stage(PendingAppend* append, GroupState* group,
                                     rocksdb::WriteBatch* batch);

  // Leader only. The stream's head as of the staged group.
  absl::StatusOr<StreamHead> LoadHead(absl::string_view stream_id, GroupState* group);

  // Leader only. Looks up the append's event ids (in the group, then on
  // disk). Returns the original result when all are present, nullopt when
  // none are, FAILED_PRECONDITION for a partial or reordered retry.
  absl::StatusOr<std::optional<AppendResult>> FindOriginalAppend(PendingAppend* append,
                                                                 GroupState* group);

  // Leader only. After a failed write the outcome on disk is unknown, so the
  // next position is read back from the database.
  absl::Status ResyncNextPosition();

  void PublishHead(uint64_t head);

  absl::StatusOr<RecordedEvent> DecodeRecord(uint64_t position, absl::string_view value) const;

  const EventLogOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::WriteOptions write_options_;

  // The commit queue. The front entry is the leader.
  absl::Mutex queue_mu_;
  std::deque<PendingAppend*> queue_ ABSL_GUARDED_BY(queue_mu_);

  // Touched only by the current leader (leadership is exclusive and handed
  // over under queue_mu_, which orders the accesses).
  uint64_t next_position_;
  bool needs_resync_ = false;

  // The last committed position, for lock-free reads…
  std::atomic<uint64_t> head_position_;
  // …and for waiters.
  mutable absl::Mutex head_mu_;
  uint64_t published_head_ ABSL_GUARDED_BY(head_mu_);
};

absl::Status RocksDbEventLog::Prepare(absl::string_view stream_id, ExpectedVersion expected,
                                      absl::Span<const Event> events,
                                      PendingAppend* append) const {
  COLLECTIONS_RETURN_IF_ERROR(ValidateStreamId(stream_id, options_.max_stream_id_bytes));
  const int kind = static_cast<int>(expected.kind);
  if (kind < static_cast<int>(ExpectedVersion::Kind::kAny) ||
      kind > static_cast<int>(ExpectedVersion::Kind::kExact)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown expected-version kind ", kind,
                     "; use any, no stream, stream exists or an exact version"));
  }
  if (events.empty()) return absl::InvalidArgumentError("append of an empty batch");
  if (events.size() > options_.max_events_per_append) {
    return absl::InvalidArgumentError(absl::StrCat("append of ", events.size(),
                                                   " events; the limit is ",
                                                   options_.max_events_per_append));
  }
  append->stream_id = stream_id;
  append->expected = expected;
  append->events.reserve(events.size());
  absl::flat_hash_set<absl::string_view> ids;
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& event = events[i];
    if (event.event_id().empty()) {
      return absl::InvalidArgumentError(absl::StrCat("event ", i, " has no event id"));
    }
    if (event.event_id().size() > options_.max_event_id_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("event ", i, ": event id is ", event.event_id().size(),
                       " bytes; the limit is ", options_.max_event_id_bytes));
    }
    if (!ids.insert(event.event_id()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("event id ", event.event_id(), " appears twice in one append"));
    }
    if (event.type().empty()) {
      return absl::InvalidArgumentError(absl::StrCat("event ", i, " has no type"));
    }
    if (!event.stream_id().empty() || event.stream_version() != 0 ||
        event.global_position() != 0 || event.has_recorded_at()) {
      return absl::InvalidArgumentError(
          absl::StrCat("event ", i,
                       ": stream_id, stream_version, global_position and recorded_at are "
                       "assigned by the log and must be left unset"));
    }
    PreparedEvent prepared;
    prepared.event_id = event.event_id();
    if (!event.SerializeToString(&prepared.record)) {
      return absl::InvalidArgumentError(absl::StrCat("event ", i, " cannot be serialized"));
    }
    if (prepared.record.size() > options_.max_event_bytes) {
      return absl::InvalidArgumentError(absl::StrCat("event ", i, " is ", prepared.record.size(),
                                                     " bytes; the limit is ",
                                                     options_.max_event_bytes));
    }
    prepared.leaf_hasher.UpdateByte(kLeafHashPrefix).Update(prepared.record);
    append->bytes += prepared.record.size() + 128;
    append->events.push_back(std::move(prepared));
  }
  return absl::OkStatus();
}

absl::StatusOr<AppendResult> RocksDbEventLog::Append(absl::string_view stream_id,
                                                     ExpectedVersion expected,
                                                     absl::Span<const Event> events) {
  PendingAppend append;
  COLLECTIONS_RETURN_IF_ERROR(Prepare(stream_id, expected, events, &append));
  return Commit(&append);
}

absl::StatusOr<AppendResult> RocksDbEventLog::Commit(PendingAppend* append) {
  std::vector<PendingAppend*> group;
  {
    absl::MutexLock lock(&queue_mu_);
    queue_.push_back(append);
    while (!append->done && queue_.front() != append) append->cv.Wait(&queue_mu_);
    if (append->done) return std::move(append->result);
    // Leader: take everything queued, up to the group byte budget.
    size_t bytes = 0;
    for (PendingAppend* waiting : queue_) {
      if (!group.empty() && bytes + waiting->bytes > options_.max_group_bytes) break;
      group.push_back(waiting);
      bytes += waiting->bytes;
    }
  }

  CommitGroup(group);

  absl::MutexLock lock(&queue_mu_);
  for (PendingAppend* member : group) {
    queue_.pop_front();  // the group is the queue's front, in order
    member->done = true;
    if (member != append) member->cv.Signal();
  }
  if (!queue_.empty()) queue_.front()->cv.Signal();  // hand over leadership
  return std::move(append->result);
}

void RocksDbEventLog::CommitGroup(const std::vector<PendingAppend*>& group) {
  if (needs_resync_) {
    if (absl::Status status = ResyncNextPosition(); !status.ok()) {
      for (PendingAppend* member : group) member->result = status;
      return;
    }
  }
  GroupState state;
  state.next_position = next_position_;
  state.recorded_at = ToTimestamp(options_.clock->Now());
  rocksdb::WriteBatch batch;
  for (PendingAppend* member : group) {
    batch.SetSavePoint();
    member->result = Stage(member, &state, &batch);
    if (member->result.ok() && !member->result->already_appended) {
      state.staged.push_back(member);
      batch.PopSavePoint().PermitUncheckedError();
    } else {
      // Refused or a retry: whatever it staged must not be written.
      batch.RollbackToSavePoint().PermitUncheckedError();
    }
  }
  if (state.staged.empty()) return;

  rocksdb::Status written = db_->Write(write_options_, &batch);
  if (!written.ok()) {
    // The batch may or may not be on disk (a failed sync can leave it in the
    // WAL). Callers get UNAVAILABLE and retry with the same event ids, which
    // the idempotency index answers either way.
    needs_resync_ = true;
    absl::Status status = FromRocksDbStatus(written, "appending to the event log");
    if (status.code() != absl::StatusCode::kDataLoss) {
      status = absl::UnavailableError(status.message());
    }
    for (PendingAppend* member : state.staged) member->result = status;
    return;
  }
  next_position_ = state.next_position;
  PublishHead(state.next_position - 1);
}

absl::StatusOr<AppendResult> RocksDbEventLog::Stage(PendingAppend* append, GroupState* group,
                                                    rocksdb::WriteBatch* batch) {
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<AppendResult> original,
                               FindOriginalAppend(append, group));
  if (original.has_value()) return *original;

  COLLECTIONS_ASSIGN_OR_RETURN(StreamHead head, LoadHead(append->stream_id, group));
  COLLECTIONS_RETURN_IF_ERROR(CheckExpectation(append->stream_id, append->expected, head.version));

  AppendResult result;
  result.first_position = group->next_position;
  Event trailer;
  trailer.set_stream_id(std::string(append->stream_id));
  *trailer.mutable_recorded_at() = group->recorded_at;
  std::string trailer_bytes;
  for (PreparedEvent& event : append->events) {
    const uint64_t position = group->next_position++;
    const uint64_t version = ++head.version;
    trailer.set_stream_version(version);
    trailer.set_global_position(position);
    trailer_bytes.clear();
    trailer.SerializeToString(&trailer_bytes);
    event.record.append(trailer_bytes);
    const Sha256Digest leaf = event.leaf_hasher.Update(trailer_bytes).Finish();
    head.chain_hash = ChainHash(head.chain_hash, leaf);
    head.last_position = position;

    const std::string id_key = EncodeEventIdKey(append->stream_id, event.event_id);
    const EventIdEntry id_entry{position, version};
    batch->Put(cf(ColumnFamily::kEvents), EncodePositionKey(position),
               EncodeEventValue(leaf, head.chain_hash, event.record));
    batch->Put(cf(ColumnFamily::kStreamIndex), EncodeStreamVersionKey(append->stream_id, version),
               EncodePositionKey(position));
    batch->Put(cf(ColumnFamily::kEventIds), id_key, EncodeEventIdValue(id_entry));
    group->event_ids[id_key] = id_entry;
  }
  batch->Put(cf(ColumnFamily::kStreams), ToSlice(append->stream_id), EncodeStreamHead(head));
  group->heads[append->stream_id] = head;
  result.last_position = head.last_position;
  result.stream_version = head.version;
  return result;
}

absl::StatusOr<StreamHead> RocksDbEventLog::LoadHead(absl::string_view stream_id,
                                                     GroupState* group) {
  if (auto it = group->heads.find(stream_id); it != group->heads.end()) return it->second;
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<StreamHead> head, GetStreamHead(stream_id));
  return head.value_or(StreamHead{});
}

absl::StatusOr<std::optional<AppendResult>> RocksDbEventLog::FindOriginalAppend(
    PendingAppend* append, GroupState* group) {
  const size_t n = append->events.size();
  std::vector<std::string> keys(n);
  std::vector<std::optional<EventIdEntry>> found(n);
  std::vector<rocksdb::Slice> disk_keys;
  std::vector<size_t> disk_index;
  for (size_t i = 0; i < n; ++i) {
    keys[i] = EncodeEventIdKey(append->stream_id, append->events[i].event_id);
    if (auto it = group->event_ids.find(keys[i]); it != group->event_ids.end()) {
      found[i] = it->second;
    } else {
      disk_keys.emplace_back(keys[i]);
      disk_index.push_back(i);
    }
  }
  if (!disk_keys.empty()) {
    std::vector<rocksdb::PinnableSlice> values(disk_keys.size());
    std::vector<rocksdb::Status> statuses(disk_keys.size());
    db_->MultiGet(rocksdb::ReadOptions(), cf(ColumnFamily::kEventIds), disk_keys.size(),
                  disk_keys.data(), values.data(), statuses.data());
    for (size_t j = 0; j < disk_keys.size(); ++j) {
      if (statuses[j].IsNotFound()) continue;
      COLLECTIONS_RETURN_IF_ERROR(FromRocksDbStatus(statuses[j], "reading the event id index"));
      COLLECTIONS_ASSIGN_OR_RETURN(found[disk_index[j]], DecodeEventIdValue(View(values[j])));
    }
  }
  const size_t present = std::count_if(found.begin(), found.end(),
                                       [](const auto& entry) { return entry.has_value(); });
  if (present == 0) return std::nullopt;
  if (present < n) {
    std::vector<absl::string_view> known;
    for (size_t i = 0; i < n; ++i) {
      if (found[i].has_value()) known.push_back(append->events[i].event_id);
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "stream ", append->stream_id, ": event ids ", absl::StrJoin(known, ", "),
        " were appended before but the others were not; a retry must resend exactly the "
        "original batch, and new events need new ids"));
  }
  for (size_t i = 1; i < n; ++i) {
    if (found[i]->position != found[0]->position + i ||
        found[i]->version != found[0]->version + i) {
      return absl::FailedPreconditionError(absl::StrCat(
          "stream ", append->stream_id,
          ": these event ids were appended before, but not as one batch in this order; a "
          "retry must resend exactly the original batch"));
    }
  }
  AppendResult result;
  result.first_position = found.front()->position;
  result.last_position = found.back()->position;
  result.stream_version = found.back()->version;
  result.already_appended = true;
  return result;
}

absl::Status RocksDbEventLog::ResyncNextPosition() {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(ColumnFamily::kEvents)));
  it->SeekToLast();
  COLLECTIONS_RETURN_IF_ERROR(FromRocksDbStatus(it->status(), "reading the log head"));
  uint64_t head = 0;
  if (it->Valid()) {
    COLLECTIONS_ASSIGN_OR_RETURN(head, DecodePositionKey(View(it->key())));
  }
  next_position_ = head + 1;
  needs_resync_ = false;
  PublishHead(head);
  return absl::OkStatus();
}

void RocksDbEventLog::PublishHead(uint64_t head) {
  head_position_.store(head, std::memory_order_release);
  absl::MutexLock lock(&head_mu_);
  published_head_ = head;
}

uint64_t RocksDbEventLog::WaitForPosition(uint64_t position, absl::Time deadline) const {
  absl::MutexLock lock(&head_mu_);
  auto reached = [this, position]() ABSL_SHARED_LOCKS_REQUIRED(head_mu_) {
    return published_head_ >= position;
  };
  head_mu_.AwaitWithDeadline(absl::Condition(&reached), deadline);
  return published_head_;
}

absl::StatusOr<std::optional<StreamHead>> RocksDbEventLog::GetStreamHead(
    absl::string_view stream_id) {
  COLLECTIONS_RETURN_IF_ERROR(ValidateStreamId(stream_id, options_.max_stream_id_bytes));
  rocksdb::PinnableSlice value;
  rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), cf(ColumnFamily::kStreams), ToSlice(stream_id), &value);
  if (status.IsNotFound()) return std::nullopt;
  COLLECTIONS_RETURN_IF_ERROR(FromRocksDbStatus(status, "reading a stream head"));
  COLLECTIONS_ASSIGN_OR_RETURN(StreamHead head, DecodeStreamHead(View(value)));
  return head;
}

absl::StatusOr<RecordedEvent> RocksDbEventLog::DecodeRecord(uint64_t position,
                                                            absl::string_view value) const {
  absl::StatusOr<EventValueView> view = DecodeEventValue(value);
  if (!view.ok()) {
    return absl::DataLossError(absl::StrCat("event at position ", position, ": ",
                                            view.status().message()));
  }
  RecordedEvent recorded;
  recorded.record = std::string(view->record);
  recorded.leaf_hash = view->leaf_hash;
  recorded.chain_hash = view->chain_hash;
  if (!recorded.event.ParseFromString(recorded.record)) {
    return absl::DataLossError(
        absl::StrCat("event at position ", position, " does not decode as an Event"));
  }
  if (recorded.event.global_position() != position) {
    return absl::DataLossError(absl::StrCat("event stored at position ", position,
                                            " says it is at position ",
                                            recorded.event.global_position()));
  }
  return recorded;
}

absl::StatusOr<std::vector<RecordedEvent>> RocksDbEventLog::ReadStream(absl::string_view stream_id,
                                                                       uint64_t from_version,
                                                                       ReadDirection direction,
                                                                       size_t limit) {
  COLLECTIONS_RETURN_IF_ERROR(ValidateStreamId(stream_id, options_.max_stream_id_bytes));
  if (limit == 0) return absl::InvalidArgumentError("limit must be at least 1");

  // One snapshot for the index scan and the event reads, so both agree.
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  struct SnapshotReleaser {
    rocksdb::DB* db;
    const rocksdb::Snapshot* snapshot;
    ~SnapshotReleaser() { db->ReleaseSnapshot(snapshot); }
  } releaser{db_.get(), snapshot};
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot;

  const std::string prefix = StreamKeyPrefix(stream_id);
  std::vector<std::string> position_keys;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(read_options, cf(ColumnFamily::kStreamIndex)));
    const std::string start = EncodeStreamVersionKey(stream_id, from_version);
    if (direction == ReadDirection::kForward) {
      it->Seek(start);
    } else {
      it->SeekForPrev(start);
    }
    while (it->Valid() && position_keys.size() < limit && View(it->key()).substr(0, prefix.size()) == prefix) {
      position_keys.emplace_back(View(it->value()));
      if (direction == ReadDirection::kForward) {
        it->Next();
      } else {
        it->Prev();
      }
    }
    COLLECTIONS_RETURN_IF_ERROR(FromRocksDbStatus(it->status(), "reading a stream index"));
  }

  std::vector<rocksdb::Slice> keys(position_keys.begin(), position_keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(read_options, cf(ColumnFamily::kEvents), keys.size(), keys.data(), values.data(),
                statuses.data());
  std::vector<RecordedEvent> events;
  events.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    COLLECTIONS_ASSIGN_OR_RETURN(uint64_t position, DecodePositionKey(View(keys[i])));
    if (statuses[i].IsNotFound()) {
      return absl::DataLossError(absl::StrCat("stream ", stream_id, " indexes position ", position,
                                              ", which is not in the log"));
    }
    COLLECTIONS_RETURN_IF_ERROR(FromRocksDbStatus(statuses[i], "reading an event"));
    COLLECTIONS_ASSIGN_OR_RETURN(RecordedEvent event,
                                 DecodeRecord(position, View(values[i])));
    events.push_back(std::move(event));
  }
  return events;
}

absl::StatusOr<LogReadResult> RocksDbEventLog::ReadAll(const LogRead& read) {
  if (read.from_position == 0) {
    return absl::InvalidArgumentError("from_position starts at 1 (the first event)");
  }
  if (read.max_events == 0 || read.max_scanned == 0) {
    return absl::InvalidArgumentError("max_events and max_scanned must be at least 1");
  }
  LogReadResult result;
  result.head_position = HeadPosition();
  result.next_position = read.from_position;
  if (read.from_position > result.head_position) return result;

  const absl::flat_hash_set<absl::string_view> types(read.filter.event_types.begin(),
                                                    read.filter.event_types.end());
  // Read no further than the head published when the read began, so the
  // result is consistent with head_position.
  const std::string upper = EncodePositionKey(result.head_position + 1);
  const rocksdb::Slice upper_bound(upper);
  rocksdb::ReadOptions read_options;
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, cf(ColumnFamily::kEvents)));
  size_t scanned = 0;
  for (it->Seek(EncodePositionKey(read.from_position));
       it->Valid() && scanned < read.max_scanned && result.events.size() < read.max_events;
       it->Next(), ++scanned) {
    COLLECTIONS_ASSIGN_OR_RETURN(uint64_t position, DecodePositionKey(View(it->key())));
    if (position != result.next_position) {
      return absl::DataLossError(absl::StrCat("the log has a gap: position ", result.next_position,
                                              " is missing (next stored is ", position, ")"));
    }
    COLLECTIONS_ASSIGN_OR_RETURN(RecordedEvent event,
                                 DecodeRecord(position, View(it->value())));
    result.next_position = position + 1;
    if (!types.empty() && !types.contains(event.event.type())) continue;
    if (!absl::StartsWith(event.event.stream_id(), read.filter.stream_prefix)) continue;
    result.events.push_back(std::move(event));
  }
  COLLECTIONS_RETURN_IF_ERROR(FromRocksDbStatus(it->status(), "reading the log"));
  return result;
}

// ------------------------------------------------------------------ opening

rocksdb::ColumnFamilyOptions ColumnFamilyOptionsFor(ColumnFamily family,
                                                    const EventLogOptions& options,
                                                    const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.write_buffer_size = options.write_buffer_bytes;
  cf_options.compression = rocksdb::kLZ4Compression;
  cf_options.bottommost_compression = rocksdb::kZSTD;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.format_version = 5;
  switch (family) {
    case ColumnFamily::kEventIds:
    case ColumnFamily::kStreams:
      // Point lookups on every append, mostly for keys that are absent (new
      // event ids, new streams): bloom filters answer those without I/O.
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
      cf_options.memtable_prefix_bloom_size_ratio = 0.05;
      cf_options.memtable_whole_key_filtering = true;
      break;
    case ColumnFamily::kEvents:
    case ColumnFamily::kStreamIndex:
    case ColumnFamily::kMeta:
      break;
  }
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cf_options;
}

absl::Status CheckFormatVersion(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta,
                                uint64_t head) {
  std::string value;
  rocksdb::Status status = db->Get(rocksdb::ReadOptions(), meta, ToSlice(kFormatVersionKey), &value);
  if (status.IsNotFound()) {
    if (head != 0) {
      return absl::DataLossError("the event log has events but no format_version record");
    }
    std::string encoded;
    PutU32(&encoded, kFormatVersion);
    rocksdb::WriteOptions write_options;
    write_options.sync = true;
    return FromRocksDbStatus(db->Put(write_options, meta, ToSlice(kFormatVersionKey), encoded),
                             "writing the format version");
  }
  COLLECTIONS_RETURN_IF_ERROR(FromRocksDbStatus(status, "reading the format version"));
  if (value.size() != 4) return absl::DataLossError("format_version record is malformed");
  const uint32_t stored = GetU32(value.data());
  if (stored > kFormatVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("the data directory was written in format ", stored,
                     " by a newer build; this build reads formats up to ", kFormatVersion));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<EventLog>> OpenRocksDbEventLog(const EventLogOptions& options,
                                                              absl::string_view dir) {
  if (dir.empty()) return absl::InvalidArgumentError("data directory is empty");
  if (options.clock == nullptr) return absl::InvalidArgumentError("options.clock is null");
  if (options.max_events_per_append == 0 || options.max_event_bytes == 0 ||
      options.max_stream_id_bytes == 0 || options.max_event_id_bytes == 0) {
    return absl::InvalidArgumentError("event log limits must be at least 1");
  }
  const std::string path(dir);

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  db_options.paranoid_checks = true;

  // Refuse a database with column families this build does not know: it was
  // written by a newer build, and opening it without them would fail anyway.
  std::vector<std::string> existing;
  rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(db_options, path, &existing);
  if (listed.ok()) {
    for (const std::string& name : existing) {
      bool known = false;
      for (int i = 0; i < kColumnFamilyCount; ++i) {
        known |= name == ColumnFamilyName(static_cast<ColumnFamily>(i));
      }
      if (!known) {
        return absl::FailedPreconditionError(absl::StrCat(
            "the data directory has column family '", name, "', unknown to this build: it was "
            "written by a newer build"));
      }
    }
  } else if (!options.create_if_missing) {
    return absl::NotFoundError(absl::StrCat("no event log in ", path, ": ", listed.ToString()));
  }

  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int i = 0; i < kColumnFamilyCount; ++i) {
    const auto family = static_cast<ColumnFamily>(i);
    descriptors.emplace_back(ColumnFamilyName(family),
                             ColumnFamilyOptionsFor(family, options, cache));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status opened = rocksdb::DB::Open(db_options, path, descriptors, &handles, &raw_db);
  if (!opened.ok()) {
    if (opened.IsIOError() && opened.ToString().find("lock") != std::string::npos) {
      return absl::FailedPreconditionError(
          absl::StrCat("the data directory ", path, " is in use by another process: ",
                       opened.ToString()));
    }
    return FromRocksDbStatus(opened, absl::StrCat("opening the event log in ", path));
  }
  std::unique_ptr<rocksdb::DB> db(raw_db);
  auto close_on_error = [&](absl::Status status) {
    for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    db->Close().PermitUncheckedError();
    return status;
  };

  // The head is the last key of "events": every append writes its events and
  // everything else in one batch, so the events column family is the truth.
  uint64_t head = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(
        rocksdb::ReadOptions(), handles[static_cast<int>(ColumnFamily::kEvents)]));
    it->SeekToLast();
    if (!it->status().ok()) return close_on_error(FromRocksDbStatus(it->status(), "reading the log head"));
    if (it->Valid()) {
      absl::StatusOr<uint64_t> last = DecodePositionKey(View(it->key()));
      if (!last.ok()) return close_on_error(absl::DataLossError(last.status().message()));
      head = *last;
    }
  }
  if (absl::Status status =
          CheckFormatVersion(db.get(), handles[static_cast<int>(ColumnFamily::kMeta)], head);
      !status.ok()) {
    return close_on_error(status);
  }
  return std::unique_ptr<EventLog>(
      new RocksDbEventLog(options, std::move(db), std::move(handles), head));
}

}  // namespace collections::storage
