// The caller's side of the RocksDB event log: preparing and queueing
// appends, reads, and the tree's roots and proofs (see
// rocksdb_event_log_impl.h).
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "storage/rocksdb_event_log_impl.h"
#include "storage/rocksdb_settle.h"
#include "storage/rocksdb_status.h"

namespace collections::storage::internal {

absl::Status RocksDbEventLog::Prepare(absl::string_view stream_id,
                                      ExpectedVersion expected,
                                      absl::Span<const Event> events,
                                      PendingAppend* append) const {
  append->stream_id = std::string(stream_id);
  append->expected = expected;
  append->events.resize(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& event = events[i];
    // ValidateAppend computed the size; protobuf keeps it for serializing.
    const size_t body_size = event.GetCachedSize();
    PreparedEvent& prepared = append->events[i];
    prepared.event_id = event.event_id();
    prepared.id_key = EncodeEventIdKey(stream_id, event.event_id());
    prepared.value.reserve(kRecordOffset + body_size + stream_id.size() +
                           kTrailerReserve);
    prepared.value.assign(kRecordOffset, '\0');
    prepared.value[0] = static_cast<char>(kEventValueTag);
    if (!event.AppendToString(&prepared.value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("event ", i, " cannot be serialized"));
    }
    prepared.leaf_hasher.UpdateByte(kLeafHashPrefix)
        .Update(absl::string_view(prepared.value).substr(kRecordOffset));
    append->bytes +=
        prepared.value.size() + prepared.id_key.size() + kTrailerReserve;
  }
  return absl::OkStatus();
}

absl::Status RocksDbEventLog::LookUpIds(
    const PendingAppend& append, const rocksdb::Snapshot* snapshot,
    std::vector<std::optional<EventIdEntry>>* found) const {
  std::vector<rocksdb::Slice> keys;
  std::vector<size_t> slots;
  for (size_t i = 0; i < append.events.size(); ++i) {
    if ((*found)[i].has_value()) continue;
    keys.push_back(ToSlice(append.events[i].id_key));
    slots.push_back(i);
  }
  if (keys.empty()) return absl::OkStatus();
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot;
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(read_options, cf(ColumnFamily::kEventIds), keys.size(),
                keys.data(), values.data(), statuses.data());
  for (size_t j = 0; j < keys.size(); ++j) {
    if (statuses[j].IsNotFound()) continue;
    COLLECTIONS_RETURN_IF_ERROR(
        FromRocksDbStatus(statuses[j], "reading the event id index"));
    COLLECTIONS_ASSIGN_OR_RETURN((*found)[slots[j]],
                                 DecodeEventIdValue(View(values[j])));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<AppendResult>> RocksDbEventLog::PrecheckIds(
    PendingAppend* append) const {
  // The head first, the ids after it, both as of their own moment: ids are
  // only ever added, so ids absent at the later look were absent at version
  // V too. ("None of these ids at version V" needs no snapshot, which would
  // take RocksDB's DB mutex on every append.)
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<StreamHead> head,
                               CurrentHead(append->stream_id));
  const uint64_t version = head.has_value() ? head->version : 0;
  std::vector<std::optional<EventIdEntry>> found(append->events.size());
  if (version > 0) {  // a stream that does not exist has no event ids
    COLLECTIONS_RETURN_IF_ERROR(LookUpIds(*append, nullptr, &found));
  }
  append->ids_absent_at_version = version;
  COLLECTIONS_ASSIGN_OR_RETURN(
      std::optional<AppendResult> original,
      ClassifyRetry(append->stream_id, found, EventIdOf(*append)));
  if (original.has_value() && original->last_position > HeadPosition()) {
    // The original is still being committed and not acknowledged (it could
    // yet fail): let the sequencer look again and answer in order after it.
    append->ids_absent_at_version = kLookAgain;
    return std::nullopt;
  }
  return original;
}

void RocksDbEventLog::AppendAsync(absl::string_view stream_id,
                                  ExpectedVersion expected,
                                  absl::Span<const Event> events,
                                  AppendCallback done) {
  Enqueue(stream_id, expected, events, nullptr, std::move(done));
}

void RocksDbEventLog::AppendTakingAsync(absl::string_view stream_id,
                                        ExpectedVersion expected,
                                        std::vector<Event> events,
                                        AppendCallback done) {
  Enqueue(stream_id, expected, events, &events, std::move(done));
}

void RocksDbEventLog::Enqueue(absl::string_view stream_id,
                              ExpectedVersion expected,
                              absl::Span<const Event> events,
                              std::vector<Event>* taken, AppendCallback done) {
  auto append = std::make_unique<PendingAppend>();
  absl::Status prepared = ValidateAppend(options_, stream_id, expected, events);
  if (prepared.ok()) {
    prepared = Prepare(stream_id, expected, events, append.get());
  }
  if (!prepared.ok()) {
    std::move(done)(std::move(prepared));
    return;
  }
  absl::StatusOr<std::optional<AppendResult>> original =
      PrecheckIds(append.get());
  if (!original.ok()) {
    std::move(done)(std::move(original).status());
    return;
  }
  if (original->has_value()) {  // a retry of an acknowledged append
    std::move(done)(**original);
    return;
  }
  if (Feeding()) {
    if (taken != nullptr) {
      append->decoded = std::move(*taken);
    } else {
      append->decoded.assign(events.begin(), events.end());
    }
  }
  append->done = std::move(done);
  absl::MutexLock lock(&queue_mu_);
  queue_.push_back(std::move(append));
}

void RocksDbEventLog::AppendTransactionAsync(
    absl::Span<const StreamAppend> parts, TransactionCallback done) {
  absl::Status valid = ValidateTransaction(options_, parts);
  if (!valid.ok()) {
    std::move(done)(std::move(valid));
    return;
  }
  std::vector<std::unique_ptr<PendingAppend>> prepared;
  std::vector<AppendResult> originals;
  for (size_t i = 0; i < parts.size(); ++i) {
    const StreamAppend& part = parts[i];
    auto fail = [&](const absl::Status& status) {
      std::move(done)(TransactionPartError(i, part.stream_id, status));
    };
    auto append = std::make_unique<PendingAppend>();
    absl::Status status =
        Prepare(part.stream_id, part.expected, part.events, append.get());
    if (!status.ok()) return fail(status);
    if (Feeding()) {
      append->decoded.assign(part.events.begin(), part.events.end());
    }
    absl::StatusOr<std::optional<AppendResult>> original =
        PrecheckIds(append.get());
    if (!original.ok()) return fail(original.status());
    if (original->has_value()) originals.push_back(**original);
    prepared.push_back(std::move(append));
  }
  if (originals.size() == parts.size()) {  // a retry of one that landed
    std::move(done)(std::move(originals));
    return;
  }
  if (!originals.empty()) {
    std::move(done)(PartialTransactionRetryError());
    return;
  }
  std::unique_ptr<PendingAppend> first = std::move(prepared.front());
  for (size_t i = 1; i < prepared.size(); ++i) {
    first->linked.push_back(std::move(prepared[i]));
  }
  // Runs when the first part is acknowledged: its result stands for the
  // whole (a failed group fails it), the others' are read off the parts.
  PendingAppend* leader = first.get();
  first->done = [leader, done = std::move(done)](
                    absl::StatusOr<AppendResult> result) mutable {
    if (!result.ok()) return std::move(done)(result.status());
    std::vector<AppendResult> results = {*result};
    for (const auto& part : leader->linked) {
      if (!part->result.ok()) return std::move(done)(part->result.status());
      results.push_back(*part->result);
    }
    std::move(done)(std::move(results));
  };
  absl::MutexLock lock(&queue_mu_);
  queue_.push_back(std::move(first));
}

absl::StatusOr<std::unique_ptr<PendingAppend>>
RocksDbEventLog::PrepareReplicated(const ReplicatedWrite& write) const {
  const google::protobuf::Timestamp recorded_at =
      ToTimestamp(write.recorded_at);
  // No parts, a stream named twice, bad input, a partial retry: refused on
  // every node alike, so it writes nothing.
  if (!ValidateTransaction(options_, write.parts).ok()) return nullptr;
  std::vector<std::unique_ptr<PendingAppend>> prepared;
  size_t retries = 0;
  for (const StreamAppend& part : write.parts) {
    auto append = std::make_unique<PendingAppend>();
    absl::Status status =
        Prepare(part.stream_id, part.expected, part.events, append.get());
    if (!status.ok()) {
      if (IsReplicatedRefusal(status)) return nullptr;
      return status;
    }
    absl::StatusOr<std::optional<AppendResult>> original =
        PrecheckIds(append.get());
    if (!original.ok()) {
      if (IsReplicatedRefusal(original.status())) return nullptr;
      return original.status();
    }
    if (original->has_value()) ++retries;
    append->recorded_at = recorded_at;
    prepared.push_back(std::move(append));
  }
  // A retry of a write applied before (a restart re-applies from the
  // cursor), or a mix of applied and new parts: nothing to write.
  if (retries > 0) return nullptr;
  std::unique_ptr<PendingAppend> first = std::move(prepared.front());
  for (size_t i = 1; i < prepared.size(); ++i) {
    first->linked.push_back(std::move(prepared[i]));
  }
  return first;
}

absl::StatusOr<size_t> RocksDbEventLog::ApplyReplicated(
    absl::Span<const ReplicatedWrite> writes, uint64_t cursor) {
  auto unit = std::make_unique<PendingAppend>();
  unit->replica_cursor = cursor;
  for (const ReplicatedWrite& write : writes) {
    COLLECTIONS_ASSIGN_OR_RETURN(std::unique_ptr<PendingAppend> append,
                                 PrepareReplicated(write));
    if (append != nullptr) unit->replicated.push_back(std::move(append));
  }
  absl::Notification finished;
  absl::StatusOr<size_t> outcome = absl::InternalError("not committed");
  const PendingAppend* holder = unit.get();
  // Runs while the group still owns the unit, so `holder` is alive.
  unit->done = [&finished, &outcome,
                holder](absl::StatusOr<AppendResult> result) {
    if (result.ok()) {
      size_t accepted = 0;
      for (const auto& write : holder->replicated) {
        if (write->result.ok() && !write->result->already_appended) ++accepted;
      }
      outcome = accepted;
    } else {
      outcome = result.status();
    }
    finished.Notify();
  };
  {
    absl::MutexLock lock(&queue_mu_);
    queue_.push_back(std::move(unit));
  }
  finished.WaitForNotification();
  return outcome;
}

absl::StatusOr<uint64_t> RocksDbEventLog::ReplicatedCursor() {
  std::string value;
  rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), cf(ColumnFamily::kMeta),
               ToSlice(kReplicaCursorKey), &value);
  if (status.IsNotFound()) return 0;
  COLLECTIONS_RETURN_IF_ERROR(
      FromRocksDbStatus(status, "reading the replica cursor"));
  if (value.size() != 8) {
    return absl::DataLossError("the replica cursor is malformed");
  }
  return GetU64(value.data());
}

void RocksDbEventLog::PublishHead(uint64_t head) {
  head_position_.store(head, std::memory_order_release);
  absl::MutexLock lock(&head_mu_);
  published_head_ = head;
}

absl::Status RocksDbEventLog::Checkpoint(const std::string& dir) {
  return CheckpointDatabase(db_, dir, "the event log");
}

absl::Status RocksDbEventLog::Settle(absl::Duration timeout) {
  return SettleDatabase(db_, database_.handles, timeout, "the event log");
}

uint64_t RocksDbEventLog::WaitForPosition(uint64_t position,
                                          absl::Time deadline) const {
  absl::MutexLock lock(&head_mu_);
  auto reached = [this, position]() ABSL_SHARED_LOCKS_REQUIRED(head_mu_) {
    return published_head_ >= position;
  };
  head_mu_.AwaitWithDeadline(absl::Condition(&reached), deadline);
  return published_head_;
}

absl::StatusOr<std::optional<StreamHead>> RocksDbEventLog::GetStreamHead(
    absl::string_view stream_id) {
  return CurrentHead(stream_id);
}

absl::StatusOr<std::optional<EventLocation>> RocksDbEventLog::FindEvent(
    absl::string_view stream_id, absl::string_view event_id) {
  return reader_.FindEvent(stream_id, event_id, HeadPosition());
}

absl::StatusOr<std::vector<RecordedEvent>> RocksDbEventLog::ReadStream(
    absl::string_view stream_id, uint64_t from_version, ReadDirection direction,
    size_t limit) {
  return reader_.ReadStream(stream_id, from_version, direction, limit,
                            HeadPosition());
}

absl::StatusOr<LogReadResult> RocksDbEventLog::ReadAll(const LogRead& read) {
  return reader_.ReadAll(read, HeadPosition());
}

absl::Status RocksDbEventLog::CheckTreeSize(uint64_t tree_size) const {
  if (tree_size > HeadPosition()) {
    return absl::OutOfRangeError(absl::StrCat(
        "the log holds ", HeadPosition(), " events; no tree of ", tree_size));
  }
  if (!options_.merkle_tree) {
    return absl::FailedPreconditionError(
        "this event log was opened without its Merkle tree");
  }
  return absl::OkStatus();
}

absl::StatusOr<Sha256Digest> RocksDbEventLog::TreeRoot(uint64_t tree_size) {
  COLLECTIONS_RETURN_IF_ERROR(CheckTreeSize(tree_size));
  return tree_.Root(tree_size);
}

absl::StatusOr<std::vector<Sha256Digest>> RocksDbEventLog::InclusionProof(
    uint64_t position, uint64_t tree_size) {
  COLLECTIONS_RETURN_IF_ERROR(CheckTreeSize(tree_size));
  return tree_.InclusionProof(position, tree_size);
}

absl::StatusOr<std::vector<Sha256Digest>> RocksDbEventLog::ConsistencyProof(
    uint64_t old_size, uint64_t new_size) {
  COLLECTIONS_RETURN_IF_ERROR(CheckTreeSize(new_size));
  return tree_.ConsistencyProof(old_size, new_size);
}

absl::Status RocksDbEventLog::SaveTreeHead(uint64_t tree_size,
                                           absl::string_view head) {
  COLLECTIONS_RETURN_IF_ERROR(CheckTreeSize(tree_size));
  return tree_.SaveHead(tree_size, head, options_.sync);
}

absl::StatusOr<std::optional<std::string>> RocksDbEventLog::ReadTreeHead(
    uint64_t tree_size) {
  return tree_.ReadHead(tree_size);
}

absl::StatusOr<std::optional<std::string>> RocksDbEventLog::LatestTreeHead() {
  return tree_.LatestHead();
}

}  // namespace collections::storage::internal
