#include "storage/rocksdb_event_log.h"

#include <atomic>
#include <cstring>
#include <deque>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/timestamp.pb.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "storage/append_checks.h"
#include "storage/rocksdb_database.h"
#include "storage/rocksdb_log_reader.h"
#include "storage/rocksdb_status.h"
#include "storage/status_macros.h"

namespace collections::storage {
namespace {

using collections::v1::Event;

// Byte offsets inside an "events" value (key_encoding.h).
constexpr size_t kLeafOffset = 1;
constexpr size_t kChainOffset = 33;
constexpr size_t kRecordOffset = 65;
// Room reserved after the body for the trailer of log-assigned fields.
constexpr size_t kTrailerReserve = 64;
// PendingAppend::ids_absent_at_version when the sequencer must look the ids
// up again whatever the stream's version.
constexpr uint64_t kLookAgain = UINT64_MAX;

// An event after the caller-thread half of the work. `value` is already the
// "events" value being built: tag, room for the two hashes, the serialized
// body; the stream's writer appends the trailer and fills the hashes in
// place, so the record is never copied before it goes into a batch.
struct PreparedEvent {
  absl::string_view event_id;  // points into the caller's Event
  std::string id_key;          // EncodeEventIdKey(stream, event_id)
  std::string value;
  Sha256 leaf_hasher;  // has seen 0x00 || body
};

struct PendingAppend;
struct GroupPlan;

// All accepted appends of one group to one stream. They are written as one
// sub-batch, by one thread, so a stream's state never spans sub-batches.
struct StreamBatch {
  absl::string_view stream_id;
  StreamHead head_before;               // the stream's head before the group
  std::vector<PendingAppend*> appends;  // in group order
  size_t bytes = 0;
};

// One Append call waiting in the commit queue. Lives on its caller's stack.
struct PendingAppend {
  absl::string_view stream_id;
  ExpectedVersion expected;
  std::vector<PreparedEvent> events;
  size_t bytes = 0;
  // The stream version at which the caller found none of the event ids in
  // the stream. If the leader finds the stream still there, the ids need no
  // second look.
  uint64_t ids_absent_at_version = 0;

  // Assigned by the leader when the append is accepted.
  uint64_t first_position = 0;
  uint64_t first_version = 0;

  // Guarded by the log's queue mutex:
  absl::StatusOr<AppendResult> result = absl::InternalError("not committed");
  bool done = false;
  StreamBatch* to_write = nullptr;  // set by the leader: write this sub-batch
  GroupPlan* to_write_plan = nullptr;  // the plan `to_write` belongs to
  absl::CondVar cv;  // signalled when done, given a sub-batch, or made leader
};

// The sequencing of one group: its sub-batches and the write bookkeeping.
struct GroupPlan {
  uint64_t first_position = 0;
  uint64_t next_position = 0;
  google::protobuf::Timestamp recorded_at;
  std::string marker;  // kLastGroupKey value
  size_t bytes = 0;    // of all accepted appends
  // Stable addresses: members hold pointers into it.
  std::deque<StreamBatch> batches;
  absl::flat_hash_map<absl::string_view, StreamBatch*> batch_of_stream;
  // Guarded by the log's queue mutex while sub-batches are being written:
  int writes_pending = 0;
  absl::Status write_error;
};

// The event ids of an append, for ClassifyRetry's messages.
auto EventIdOf(const PendingAppend& append) {
  return [&append](size_t i) { return append.events[i].event_id; };
}

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t seconds = absl::ToUnixSeconds(t);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(seconds)) /
                                    absl::Nanoseconds(1)));
  return ts;
}

class RocksDbEventLog final : public EventLog {
 public:
  RocksDbEventLog(const EventLogOptions& options, EventLogDatabase database)
      : options_(options),
        database_(std::move(database)),
        db_(database_.db.get()),
        reader_(database_, options.max_stream_id_bytes),
        next_position_(database_.head_position + 1),
        head_position_(database_.head_position),
        published_head_(database_.head_position) {
    // Writes are never synced one by one: a group is made durable by one
    // SyncWAL() after all of it is written (see Commit).
    // A sub-batch's keys are sequential within each column family (positions,
    // one stream's versions): let concurrent inserts continue from the
    // batch's previous insert instead of searching the skiplist again.
    unsynced_write_options_.memtable_insert_hint_per_batch = true;
  }

  ~RocksDbEventLog() override {
    // Without sync the WAL may still sit in RocksDB's buffer; a clean close
    // must not lose it.
    db_->FlushWAL(/*sync=*/true).PermitUncheckedError();
    database_.Close();
  }

  RocksDbEventLog(const RocksDbEventLog&) = delete;
  RocksDbEventLog& operator=(const RocksDbEventLog&) = delete;

  absl::StatusOr<AppendResult> Append(absl::string_view stream_id,
                                      ExpectedVersion expected,
                                      absl::Span<const Event> events) override;
  absl::StatusOr<std::vector<RecordedEvent>> ReadStream(
      absl::string_view stream_id, uint64_t from_version,
      ReadDirection direction, size_t limit) override;
  absl::StatusOr<LogReadResult> ReadAll(const LogRead& read) override;
  absl::StatusOr<std::optional<StreamHead>> GetStreamHead(
      absl::string_view stream_id) override;
  uint64_t HeadPosition() const override {
    return head_position_.load(std::memory_order_acquire);
  }
  uint64_t WaitForPosition(uint64_t position,
                           absl::Time deadline) const override;

 private:
  rocksdb::ColumnFamilyHandle* cf(ColumnFamily family) const {
    return database_.cf(family);
  }

  // Caller-thread half of Append: validation, serialization, body hashing.
  absl::Status Prepare(absl::string_view stream_id, ExpectedVersion expected,
                       absl::Span<const Event> events,
                       PendingAppend* append) const;

  // Caller-thread idempotency check against one snapshot of the stream head
  // and the event-id index. Returns the original result of a retry, nullopt
  // for new events (recording the version it checked at), or
  // FAILED_PRECONDITION for a partial retry.
  absl::StatusOr<std::optional<AppendResult>> PrecheckIds(
      PendingAppend* append) const;

  // Looks the append's ids up in the event-id index, as of `snapshot`
  // (nullptr: latest). Slots already filled in `found` are skipped.
  absl::Status LookUpIds(const PendingAppend& append,
                         const rocksdb::Snapshot* snapshot,
                         std::vector<std::optional<EventIdEntry>>* found) const;

  // Sequencer half: queue, become leader or wait for one; write a sub-batch
  // when the leader hands one over.
  absl::StatusOr<AppendResult> Commit(PendingAppend* append);

  // Leader only, without the queue lock: decides every member's fate and
  // assigns positions and versions, grouping accepted appends by stream.
  void Sequence(const std::vector<PendingAppend*>& group, GroupPlan* plan);

  // Leader only. Accepts, refuses or answers as a retry one append.
  absl::StatusOr<AppendResult> SequenceOne(PendingAppend* append,
                                           GroupPlan* plan);

  // Leader only. The stream's head as of the group so far.
  absl::StatusOr<StreamHead> LoadHead(absl::string_view stream_id,
                                      GroupPlan* plan);

  // Any thread: adds one stream's part of the group to `out`: records with
  // their trailers, leaf and chain hashes, both indexes, the stream head and
  // the group marker. Each event's value is completed in place.
  void BuildStreamBatch(const StreamBatch& batch, const GroupPlan& plan,
                        rocksdb::WriteBatch* out);

  // Any thread: builds one stream's sub-batch and writes it unsynced.
  absl::Status WriteStreamBatch(const StreamBatch& batch,
                                const GroupPlan& plan);

  // Leader only: writes the planned group unsynced, as one batch or as
  // parallel per-stream sub-batches handed to member threads.
  void WriteGroup(PendingAppend* leader, GroupPlan* plan);

  // Makes the WAL durable at least through the group with `ticket`: waits
  // for a sync in progress and syncs again only if that one did not cover
  // it, so concurrent groups share fsyncs.
  absl::Status SyncThrough(uint64_t ticket);

  // Leader only, with no group in flight: removes what a failed group left
  // behind beyond the first gap and re-reads the head.
  void Repair();

  void PublishHead(uint64_t head);

  const EventLogOptions options_;
  EventLogDatabase database_;
  rocksdb::DB* const db_;          // owned by database_
  const RocksDbLogReader reader_;  // reads database_
  rocksdb::WriteOptions unsynced_write_options_;

  // The commit queue. The front entry is the leader.
  absl::Mutex queue_mu_;
  std::deque<PendingAppend*> queue_ ABSL_GUARDED_BY(queue_mu_);

  // Touched only by the current leader (leadership is exclusive and handed
  // over under queue_mu_, which orders the accesses).
  uint64_t next_position_;
  // Set when a failed group could not be repaired: what is on disk is
  // unknown, so appends are refused until the log is reopened (which repairs).
  absl::Status broken_;

  // The pipeline: groups written but not yet synced and acknowledged. They
  // finish strictly in ticket order. Guarded by queue_mu_.
  uint64_t tickets_issued_ ABSL_GUARDED_BY(queue_mu_) = 0;
  uint64_t tickets_finished_ ABSL_GUARDED_BY(queue_mu_) = 0;
  int groups_in_flight_ ABSL_GUARDED_BY(queue_mu_) = 0;
  // A group failed: later groups in flight fail too, and the next leader
  // repairs before sequencing anything.
  bool pipeline_failed_ ABSL_GUARDED_BY(queue_mu_) = false;
  bool needs_repair_ ABSL_GUARDED_BY(queue_mu_) = false;
  // WAL syncs, one at a time, shared by every group written before it began.
  bool sync_in_progress_ ABSL_GUARDED_BY(queue_mu_) = false;
  uint64_t synced_through_ticket_ ABSL_GUARDED_BY(queue_mu_) = 0;
  absl::CondVar sync_done_;

  // The last committed position, for lock-free reads…
  std::atomic<uint64_t> head_position_;
  // …and for waiters.
  mutable absl::Mutex head_mu_;
  uint64_t published_head_ ABSL_GUARDED_BY(head_mu_);
};

absl::Status RocksDbEventLog::Prepare(absl::string_view stream_id,
                                      ExpectedVersion expected,
                                      absl::Span<const Event> events,
                                      PendingAppend* append) const {
  COLLECTIONS_RETURN_IF_ERROR(
      ValidateAppend(options_, stream_id, expected, events));
  append->stream_id = stream_id;
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
  // One snapshot for the head and the ids: "none of these ids at version V"
  // must be a statement about one moment.
  const ScopedSnapshot snapshot(db_);
  COLLECTIONS_ASSIGN_OR_RETURN(
      std::optional<StreamHead> head,
      reader_.GetStreamHead(append->stream_id, snapshot.get()));
  const uint64_t version = head.has_value() ? head->version : 0;
  std::vector<std::optional<EventIdEntry>> found(append->events.size());
  if (version > 0) {  // a stream that does not exist has no event ids
    COLLECTIONS_RETURN_IF_ERROR(LookUpIds(*append, snapshot.get(), &found));
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

absl::StatusOr<AppendResult> RocksDbEventLog::Append(
    absl::string_view stream_id, ExpectedVersion expected,
    absl::Span<const Event> events) {
  PendingAppend append;
  COLLECTIONS_RETURN_IF_ERROR(Prepare(stream_id, expected, events, &append));
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<AppendResult> original,
                               PrecheckIds(&append));
  if (original.has_value()) return *original;  // a retry of a committed append
  return Commit(&append);
}

absl::StatusOr<AppendResult> RocksDbEventLog::Commit(PendingAppend* append) {
  std::vector<PendingAppend*> group;
  bool repair_first = false;
  {
    absl::MutexLock lock(&queue_mu_);
    queue_.push_back(append);
    for (;;) {
      if (append->to_write != nullptr) {
        // The leader handed this thread its stream's sub-batch.
        StreamBatch* batch = std::exchange(append->to_write, nullptr);
        GroupPlan* plan = append->to_write_plan;
        queue_mu_.Unlock();
        absl::Status status = WriteStreamBatch(*batch, *plan);
        queue_mu_.Lock();
        if (!status.ok() && plan->write_error.ok()) plan->write_error = status;
        if (--plan->writes_pending == 0)
          queue_.front()->cv.Signal();  // the leader
        continue;
      }
      if (append->done) return std::move(append->result);
      if (queue_.front() == append) break;
      append->cv.Wait(&queue_mu_);
    }
    // Leader. After a failure, let every group in flight finish before the
    // log is repaired, so the repair sees what they left.
    if (needs_repair_) {
      while (groups_in_flight_ > 0) append->cv.Wait(&queue_mu_);
      repair_first = true;
    }
    // Take everything queued, up to the group byte budget.
    size_t bytes = 0;
    for (PendingAppend* waiting : queue_) {
      if (!group.empty() && bytes + waiting->bytes > options_.max_group_bytes)
        break;
      group.push_back(waiting);
      bytes += waiting->bytes;
    }
  }
  if (repair_first) Repair();

  GroupPlan plan;
  Sequence(group, &plan);
  WriteGroup(append, &plan);

  // Hand over leadership as soon as the group is written: the next group is
  // sequenced and written while this one waits for its WAL sync.
  uint64_t ticket;
  {
    absl::MutexLock lock(&queue_mu_);
    if (!plan.batches.empty()) next_position_ = plan.next_position;
    if (!plan.write_error.ok()) needs_repair_ = true;
    ticket = ++tickets_issued_;
    ++groups_in_flight_;
    for (size_t i = 0; i < group.size(); ++i) queue_.pop_front();
    if (!queue_.empty()) queue_.front()->cv.Signal();
  }

  absl::Status sync_status;
  if (!plan.batches.empty() && plan.write_error.ok() && options_.sync) {
    sync_status = SyncThrough(ticket);
  }

  absl::MutexLock lock(&queue_mu_);
  // Groups finish in the order they were written: a group is acknowledged
  // only once every group before it is durable.
  auto my_turn = [this, ticket]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_) {
    return tickets_finished_ == ticket - 1;
  };
  queue_mu_.Await(absl::Condition(&my_turn));
  absl::Status failure =
      !plan.write_error.ok() ? plan.write_error : sync_status;
  if (failure.ok() && pipeline_failed_) {
    failure = absl::UnavailableError("an earlier group commit failed");
  }
  if (!failure.ok()) {
    // Nothing of this group is acknowledged, not even answers to retries
    // (their originals may be in a group that failed too).
    if (failure.code() != absl::StatusCode::kDataLoss) {
      failure = absl::UnavailableError(
          absl::StrCat(failure.message(),
                       "; the append was not acknowledged and may be "
                       "retried with the same event ids"));
    }
    for (PendingAppend* member : group) member->result = failure;
    pipeline_failed_ = true;
    needs_repair_ = true;
  } else if (!plan.batches.empty()) {
    PublishHead(plan.next_position - 1);
  }
  tickets_finished_ = ticket;
  --groups_in_flight_;
  if (groups_in_flight_ == 0 && needs_repair_ && !queue_.empty()) {
    queue_.front()->cv.Signal();  // a leader may be waiting to repair
  }
  for (PendingAppend* member : group) {
    member->done = true;
    if (member != append) member->cv.Signal();
  }
  return std::move(append->result);
}

absl::Status RocksDbEventLog::SyncThrough(uint64_t ticket) {
  absl::MutexLock lock(&queue_mu_);
  for (;;) {
    if (synced_through_ticket_ >= ticket) return absl::OkStatus();
    if (pipeline_failed_)
      return absl::UnavailableError("an earlier WAL sync failed");
    if (!sync_in_progress_) break;
    sync_done_.Wait(&queue_mu_);
  }
  // Every group with a ticket up to `target` has finished writing, so one
  // sync makes all of them durable.
  sync_in_progress_ = true;
  const uint64_t target = tickets_issued_;
  queue_mu_.Unlock();
  absl::Status status =
      FromRocksDbStatus(db_->SyncWAL(), "syncing the event log");
  queue_mu_.Lock();
  sync_in_progress_ = false;
  if (status.ok()) {
    synced_through_ticket_ = target;
  } else {
    pipeline_failed_ = true;
  }
  sync_done_.SignalAll();
  return status;
}

void RocksDbEventLog::Repair() {
  bool repaired = false;
  absl::Status status = RepairPartialGroup(database_, &repaired);
  absl::StatusOr<uint64_t> last =
      status.ok() ? ReadLastPosition(database_) : status;
  absl::MutexLock lock(&queue_mu_);
  if (!last.ok()) {
    broken_ = absl::UnavailableError(absl::StrCat(
        "the event log refuses appends after a failed write that it could not "
        "repair (",
        last.status().message(), "); reopen the data directory to recover"));
    return;
  }
  next_position_ = *last + 1;
  needs_repair_ = false;
  pipeline_failed_ = false;
  PublishHead(*last);
}

void RocksDbEventLog::WriteGroup(PendingAppend* leader, GroupPlan* plan) {
  if (plan->batches.empty()) return;
  if (plan->batches.size() == 1 ||
      plan->bytes < options_.parallel_write_min_bytes) {
    // Small or single-stream: one batch, written here.
    rocksdb::WriteBatch batch(plan->bytes + 256 * plan->batches.size());
    for (const StreamBatch& stream_batch : plan->batches) {
      BuildStreamBatch(stream_batch, *plan, &batch);
    }
    plan->write_error =
        FromRocksDbStatus(db_->Write(unsynced_write_options_, &batch),
                          "appending to the event log");
    return;
  }
  // Hand every stream's sub-batch to the first member appending to it, so
  // the sub-batches are built and written in parallel; RocksDB merges
  // concurrent writes into one WAL write and inserts them into the memtables
  // concurrently.
  StreamBatch* own = nullptr;
  {
    absl::MutexLock lock(&queue_mu_);
    plan->writes_pending = static_cast<int>(plan->batches.size());
    for (StreamBatch& batch : plan->batches) {
      PendingAppend* writer = batch.appends.front();
      writer->to_write_plan = plan;
      if (writer == leader) {
        own = &batch;
      } else {
        writer->to_write = &batch;
        writer->cv.Signal();
      }
    }
  }
  absl::Status own_status =
      own != nullptr ? WriteStreamBatch(*own, *plan) : absl::OkStatus();
  absl::MutexLock lock(&queue_mu_);
  if (!own_status.ok() && plan->write_error.ok())
    plan->write_error = own_status;
  if (own != nullptr) --plan->writes_pending;
  while (plan->writes_pending > 0) leader->cv.Wait(&queue_mu_);
}

void RocksDbEventLog::Sequence(const std::vector<PendingAppend*>& group,
                               GroupPlan* plan) {
  plan->first_position = next_position_;
  plan->next_position = next_position_;
  plan->recorded_at = ToTimestamp(options_.clock->Now());
  for (PendingAppend* member : group) {
    member->result = broken_.ok() ? SequenceOne(member, plan) : broken_;
  }
  PutU64(&plan->marker, plan->first_position);
  PutU64(&plan->marker, plan->next_position - 1);
}

absl::StatusOr<AppendResult> RocksDbEventLog::SequenceOne(PendingAppend* append,
                                                          GroupPlan* plan) {
  COLLECTIONS_ASSIGN_OR_RETURN(StreamHead head,
                               LoadHead(append->stream_id, plan));
  auto staged = plan->batch_of_stream.find(append->stream_id);
  if (head.version != append->ids_absent_at_version) {
    // The stream moved since the caller looked: a concurrent copy of this
    // append may have landed. Look again, in this group first, then on disk.
    std::vector<std::optional<EventIdEntry>> found(append->events.size());
    if (staged != plan->batch_of_stream.end()) {
      for (size_t i = 0; i < append->events.size(); ++i) {
        for (const PendingAppend* earlier : staged->second->appends) {
          for (size_t k = 0; k < earlier->events.size(); ++k) {
            if (earlier->events[k].event_id == append->events[i].event_id) {
              found[i] = EventIdEntry{earlier->first_position + k,
                                      earlier->first_version + k};
            }
          }
        }
      }
    }
    COLLECTIONS_RETURN_IF_ERROR(LookUpIds(*append, nullptr, &found));
    COLLECTIONS_ASSIGN_OR_RETURN(
        std::optional<AppendResult> original,
        ClassifyRetry(append->stream_id, found, EventIdOf(*append)));
    if (original.has_value()) return *original;
  }
  COLLECTIONS_RETURN_IF_ERROR(
      CheckExpectation(append->stream_id, append->expected, head.version));

  append->first_position = plan->next_position;
  append->first_version = head.version + 1;
  plan->next_position += append->events.size();
  StreamBatch* batch;
  if (staged != plan->batch_of_stream.end()) {
    batch = staged->second;
  } else {
    batch = &plan->batches.emplace_back();
    batch->stream_id = append->stream_id;
    batch->head_before = head;
    plan->batch_of_stream[append->stream_id] = batch;
  }
  batch->appends.push_back(append);
  batch->bytes += append->bytes;
  plan->bytes += append->bytes;

  AppendResult result;
  result.first_position = append->first_position;
  result.last_position = plan->next_position - 1;
  result.stream_version = head.version + append->events.size();
  return result;
}

absl::StatusOr<StreamHead> RocksDbEventLog::LoadHead(
    absl::string_view stream_id, GroupPlan* plan) {
  if (auto it = plan->batch_of_stream.find(stream_id);
      it != plan->batch_of_stream.end()) {
    const PendingAppend* last = it->second->appends.back();
    // Only version and position matter to sequencing; the chain hash is
    // computed by the stream's writer.
    return StreamHead{last->first_version + last->events.size() - 1,
                      last->first_position + last->events.size() - 1,
                      {}};
  }
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<StreamHead> head,
                               GetStreamHead(stream_id));
  return head.value_or(StreamHead{});
}

absl::Status RocksDbEventLog::WriteStreamBatch(const StreamBatch& stream_batch,
                                               const GroupPlan& plan) {
  rocksdb::WriteBatch batch(stream_batch.bytes + 256);
  BuildStreamBatch(stream_batch, plan, &batch);
  return FromRocksDbStatus(db_->Write(unsynced_write_options_, &batch),
                           "appending to the event log");
}

void RocksDbEventLog::BuildStreamBatch(const StreamBatch& stream_batch,
                                       const GroupPlan& plan,
                                       rocksdb::WriteBatch* out) {
  rocksdb::WriteBatch& batch = *out;
  StreamHead head = stream_batch.head_before;
  Event trailer;
  trailer.set_stream_id(std::string(stream_batch.stream_id));
  *trailer.mutable_recorded_at() = plan.recorded_at;
  std::string trailer_bytes;
  std::string index_key = StreamKeyPrefix(stream_batch.stream_id);
  const size_t index_prefix_size = index_key.size();
  for (PendingAppend* append : stream_batch.appends) {
    for (size_t i = 0; i < append->events.size(); ++i) {
      PreparedEvent& event = append->events[i];
      const uint64_t position = append->first_position + i;
      const uint64_t version = append->first_version + i;
      trailer.set_stream_version(version);
      trailer.set_global_position(position);
      trailer_bytes.clear();
      trailer.SerializeToString(&trailer_bytes);
      event.value.append(trailer_bytes);
      const Sha256Digest leaf =
          event.leaf_hasher.Update(trailer_bytes).Finish();
      head.chain_hash = ChainHash(head.chain_hash, leaf);
      head.version = version;
      head.last_position = position;
      std::memcpy(event.value.data() + kLeafOffset, leaf.data(), leaf.size());
      std::memcpy(event.value.data() + kChainOffset, head.chain_hash.data(),
                  head.chain_hash.size());

      batch.Put(cf(ColumnFamily::kEvents), EncodePositionKey(position),
                event.value);
      batch.Put(cf(ColumnFamily::kEventIds), event.id_key,
                EncodeEventIdValue({position, version}));
    }
    // One index entry per append: its events are contiguous in versions and
    // positions, so a run maps them all (a third of the keys per event).
    index_key.resize(index_prefix_size);
    PutU64(&index_key, append->first_version);
    batch.Put(
        cf(ColumnFamily::kStreamIndex), index_key,
        EncodeStreamRunValue({append->first_version, append->first_position,
                              static_cast<uint32_t>(append->events.size())}));
  }
  batch.Put(cf(ColumnFamily::kStreams), ToSlice(stream_batch.stream_id),
            EncodeStreamHead(head));
  batch.Put(cf(ColumnFamily::kMeta), ToSlice(kLastGroupKey), plan.marker);
}

void RocksDbEventLog::PublishHead(uint64_t head) {
  head_position_.store(head, std::memory_order_release);
  absl::MutexLock lock(&head_mu_);
  published_head_ = head;
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
  return reader_.GetStreamHead(stream_id);
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

}  // namespace

absl::StatusOr<std::unique_ptr<EventLog>> OpenRocksDbEventLog(
    const EventLogOptions& options, absl::string_view dir) {
  COLLECTIONS_ASSIGN_OR_RETURN(EventLogDatabase database,
                               OpenEventLogDatabase(options, dir));
  return std::unique_ptr<EventLog>(
      new RocksDbEventLog(options, std::move(database)));
}

}  // namespace collections::storage
