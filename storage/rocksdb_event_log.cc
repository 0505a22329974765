#include "storage/rocksdb_event_log.h"

#include <atomic>
#include <cstring>
#include <deque>
#include <memory>
#include <thread>
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
// Most stream heads the committer keeps cached.
constexpr size_t kMaxCachedHeads = 100000;

// An event after the caller-thread half of the work. `value` is already the
// "events" value being built: tag, room for the two hashes, the serialized
// body; the stream's writer appends the trailer and fills the hashes in
// place, so the record is never copied before it goes into a batch.
struct PreparedEvent {
  std::string event_id;
  std::string id_key;  // EncodeEventIdKey(stream, event_id)
  std::string value;
  Sha256 leaf_hasher;  // has seen 0x00 || body
};

// One Append call between AppendAsync and its acknowledgement. Owns
// everything it needs: the caller's events may be gone once AppendAsync
// returns.
struct PendingAppend {
  std::string stream_id;
  ExpectedVersion expected;
  std::vector<PreparedEvent> events;
  size_t bytes = 0;
  // The stream version at which the caller found none of the event ids in
  // the stream. If the committer finds the stream still there, the ids need
  // no second look.
  uint64_t ids_absent_at_version = 0;

  // Assigned by the committer when the append is accepted.
  uint64_t first_position = 0;
  uint64_t first_version = 0;

  absl::StatusOr<AppendResult> result = absl::InternalError("not committed");
  AppendCallback done;
};

// All accepted appends of one group to one stream, in group order.
struct StreamBatch {
  absl::string_view stream_id;
  StreamHead head_before;               // the stream's head before the group
  std::vector<PendingAppend*> appends;  // in group order
  size_t bytes = 0;
};

// The sequencing of one group: its per-stream batches and its outcome.
struct GroupPlan {
  uint64_t first_position = 0;
  uint64_t next_position = 0;
  google::protobuf::Timestamp recorded_at;
  std::string marker;  // kLastGroupKey value
  size_t bytes = 0;    // of all accepted appends
  // Stable addresses: batch_of_stream points into it.
  std::deque<StreamBatch> batches;
  absl::flat_hash_map<absl::string_view, StreamBatch*> batch_of_stream;
  absl::Status write_error;
};

// A group on its way through the pipeline: sequenced and written by the
// committer thread, then made durable and acknowledged by the syncer thread.
struct Group {
  std::vector<std::unique_ptr<PendingAppend>> members;  // in queue order
  GroupPlan plan;
};

// The event ids of an append, for ClassifyRetry's messages.
auto EventIdOf(const PendingAppend& append) {
  return [&append](size_t i) {
    return absl::string_view(append.events[i].event_id);
  };
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
        frontier_(database_.frontier),
        head_position_(database_.head_position),
        published_head_(database_.head_position) {
    // Writes are never synced one by one: the syncer makes every group
    // written so far durable with one SyncWAL().
    // (memtable_insert_hint_per_batch stays off: a group interleaves column
    // families and streams, and the hint's splice recomputation cost more than
    // it saved in storage_bench.)
    committer_ = std::thread([this] { RunCommitter(); });
    syncer_ = std::thread([this] { RunSyncer(); });
  }

  ~RocksDbEventLog() override {
    // Everything queued is still committed and acknowledged: the committer
    // drains the queue before it stops, the syncer drains the pipeline.
    {
      absl::MutexLock lock(&queue_mu_);
      stopping_ = true;
    }
    committer_.join();
    {
      absl::MutexLock lock(&queue_mu_);
      committer_stopped_ = true;
    }
    syncer_.join();
    // Without sync the WAL may still sit in RocksDB's buffer; a clean close
    // must not lose it.
    db_->FlushWAL(/*sync=*/true).PermitUncheckedError();
    database_.Close();
  }

  RocksDbEventLog(const RocksDbEventLog&) = delete;
  RocksDbEventLog& operator=(const RocksDbEventLog&) = delete;

  void AppendAsync(absl::string_view stream_id, ExpectedVersion expected,
                   absl::Span<const Event> events,
                   AppendCallback done) override;
  absl::StatusOr<std::optional<EventLocation>> FindEvent(
      absl::string_view stream_id, absl::string_view event_id) override;
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
  absl::StatusOr<Sha256Digest> TreeRoot(uint64_t tree_size) override;
  absl::StatusOr<std::vector<Sha256Digest>> InclusionProof(
      uint64_t position, uint64_t tree_size) override;
  absl::StatusOr<std::vector<Sha256Digest>> ConsistencyProof(
      uint64_t old_size, uint64_t new_size) override;
  absl::Status SaveTreeHead(uint64_t tree_size,
                            absl::string_view head) override;
  absl::StatusOr<std::optional<std::string>> ReadTreeHead(
      uint64_t tree_size) override;
  absl::StatusOr<std::optional<std::string>> LatestTreeHead() override;

 private:
  // OUT_OF_RANGE unless the tree of `tree_size` events is acknowledged.
  absl::Status CheckTreeSize(uint64_t tree_size) const;
  absl::StatusOr<Sha256Digest> ReadNode(merkle::NodeId id) const {
    return ReadMerkleNode(database_, id);
  }

  rocksdb::ColumnFamilyHandle* cf(ColumnFamily family) const {
    return database_.cf(family);
  }

  // Caller-thread half of an append: validation, serialization, body hashing.
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

  // The committer thread: takes what is queued as one group (up to
  // max_group_bytes), sequences it, writes it unsynced and hands it to the
  // syncer; then takes the next group while that one syncs. Drains the queue
  // before it stops.
  void RunCommitter();

  // The syncer thread: makes every group written so far durable with one
  // WAL sync, publishes the new head and acknowledges the groups' appends,
  // strictly in the order they were written.
  void RunSyncer();

  // Syncer (or committer, when nothing else is in flight). Makes `groups`
  // durable with one WAL sync, publishes the head and calls every member's
  // callback, in order. A failed group fails every group after it until the
  // committer has repaired the log.
  void FinishGroups(std::vector<std::unique_ptr<Group>> groups);

  // Committer only. Decides every member's fate and assigns positions and
  // versions, grouping accepted appends by stream.
  void Sequence(Group* group);

  // Committer only. Accepts, refuses or answers as a retry one append.
  absl::StatusOr<AppendResult> SequenceOne(PendingAppend* append,
                                           GroupPlan* plan);

  // Committer only. The stream's head as of the group so far.
  absl::StatusOr<StreamHead> LoadHead(absl::string_view stream_id,
                                      GroupPlan* plan);

  // Adds one stream's part of the group to `out`: records with their
  // trailers, leaf and chain hashes, both indexes, the stream head and the
  // group marker. Each event's value is completed in place. Returns the
  // stream's new head.
  // `leaves[position − plan.first_position]` receives each event's leaf hash.
  StreamHead BuildStreamBatch(const StreamBatch& batch, const GroupPlan& plan,
                              rocksdb::WriteBatch* out,
                              std::vector<Sha256Digest>* leaves);

  // Committer only. Adds the group's leaves to the tree: every node they
  // complete goes into `out`, the same batch as their events.
  void AddTreeNodes(const std::vector<Sha256Digest>& leaves,
                    rocksdb::WriteBatch* out);

  // Committer only. Writes the planned group unsynced as one batch and
  // remembers the streams' new heads.
  void WriteGroup(GroupPlan* plan);

  // Committer only, with no group in flight: removes what a failed group left
  // behind beyond the first gap and re-reads the head.
  void Repair();

  void PublishHead(uint64_t head);

  const EventLogOptions options_;
  EventLogDatabase database_;
  rocksdb::DB* const db_;          // owned by database_
  const RocksDbLogReader reader_;  // reads database_
  rocksdb::WriteOptions unsynced_write_options_;

  absl::Mutex queue_mu_;
  // Appends waiting for the committer, in arrival order.
  std::deque<std::unique_ptr<PendingAppend>> queue_ ABSL_GUARDED_BY(queue_mu_);
  // Groups written by the committer and waiting for the syncer, in order.
  std::deque<std::unique_ptr<Group>> written_ ABSL_GUARDED_BY(queue_mu_);
  // Groups handed to the syncer and not yet acknowledged.
  int groups_in_flight_ ABSL_GUARDED_BY(queue_mu_) = 0;
  // A group failed: groups still in flight fail too (the repair may remove
  // them), and the committer repairs before sequencing anything more.
  bool pipeline_failed_ ABSL_GUARDED_BY(queue_mu_) = false;
  bool needs_repair_ ABSL_GUARDED_BY(queue_mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;
  bool committer_stopped_ ABSL_GUARDED_BY(queue_mu_) = false;

  // Touched only by the committer thread.
  uint64_t next_position_;
  // The Merkle tree's right edge after the last group written (reloaded
  // from disk by Repair when a write fails).
  merkle::Frontier frontier_;
  // The heads of streams the committer wrote lately, so sequencing an
  // append to a busy stream does not read its head back from RocksDB. A
  // group that was written is in it even before it is durable: the next
  // group builds on it, and fails with it if its sync fails. Cleared by a
  // failed write and by Repair; cleared whole when it reaches
  // kMaxCachedHeads (crude, but a miss only costs a read).
  absl::flat_hash_map<std::string, StreamHead> head_cache_;
  // Set when a failed group could not be repaired: what is on disk is
  // unknown, so appends are refused until the log is reopened (which repairs).
  absl::Status broken_;

  // The last committed position, for lock-free reads…
  std::atomic<uint64_t> head_position_;
  // …and for waiters.
  mutable absl::Mutex head_mu_;
  uint64_t published_head_ ABSL_GUARDED_BY(head_mu_);

  std::thread committer_;
  std::thread syncer_;
};

absl::Status RocksDbEventLog::Prepare(absl::string_view stream_id,
                                      ExpectedVersion expected,
                                      absl::Span<const Event> events,
                                      PendingAppend* append) const {
  COLLECTIONS_RETURN_IF_ERROR(
      ValidateAppend(options_, stream_id, expected, events));
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
  COLLECTIONS_ASSIGN_OR_RETURN(
      std::optional<StreamHead> head,
      reader_.GetStreamHead(append->stream_id, nullptr));
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
  auto append = std::make_unique<PendingAppend>();
  absl::Status prepared = Prepare(stream_id, expected, events, append.get());
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
  append->done = std::move(done);
  absl::MutexLock lock(&queue_mu_);
  queue_.push_back(std::move(append));
}

void RocksDbEventLog::RunCommitter() {
  for (;;) {
    auto group = std::make_unique<Group>();
    bool repair_first = false;
    {
      absl::MutexLock lock(&queue_mu_);
      auto has_work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_) {
        return !queue_.empty() || stopping_;
      };
      queue_mu_.Await(absl::Condition(&has_work));
      if (queue_.empty()) return;  // stopping, and everything is committed
      if (needs_repair_) {
        // Let every group in flight finish first, so the repair sees all
        // that they left behind.
        auto drained = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_) {
          return groups_in_flight_ == 0;
        };
        queue_mu_.Await(absl::Condition(&drained));
        repair_first = true;
      }
      // Take everything queued, up to the group byte budget.
      size_t bytes = 0;
      while (!queue_.empty()) {
        const size_t next = queue_.front()->bytes;
        if (!group->members.empty() && bytes + next > options_.max_group_bytes)
          break;
        bytes += next;
        group->members.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (repair_first) Repair();
    Sequence(group.get());
    WriteGroup(&group->plan);
    if (!group->plan.batches.empty())
      next_position_ = group->plan.next_position;

    // Hand the group to the syncer and go on with the next one while it
    // syncs: the WAL sync of one group overlaps the writing of the next.
    // With nothing queued and nothing in flight there is nothing to overlap:
    // finish the group here and spare the caller a thread hand-over.
    bool finish_here;
    {
      absl::MutexLock lock(&queue_mu_);
      if (!group->plan.write_error.ok()) needs_repair_ = true;
      finish_here = queue_.empty() && groups_in_flight_ == 0;
      ++groups_in_flight_;
      if (!finish_here) written_.push_back(std::move(group));
    }
    if (finish_here) {
      std::vector<std::unique_ptr<Group>> groups;
      groups.push_back(std::move(group));
      FinishGroups(std::move(groups));
    }
  }
}

void RocksDbEventLog::RunSyncer() {
  for (;;) {
    std::vector<std::unique_ptr<Group>> groups;
    {
      absl::MutexLock lock(&queue_mu_);
      auto has_work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_) {
        return !written_.empty() || committer_stopped_;
      };
      queue_mu_.Await(absl::Condition(&has_work));
      if (written_.empty()) return;  // the committer stopped; all acknowledged
      for (auto& group : written_) groups.push_back(std::move(group));
      written_.clear();
    }
    FinishGroups(std::move(groups));
  }
}

void RocksDbEventLog::FinishGroups(std::vector<std::unique_ptr<Group>> groups) {
  bool failed;
  {
    absl::MutexLock lock(&queue_mu_);
    failed = pipeline_failed_;
  }
  // Every group here was completely written before the sync starts, so one
  // sync makes all of them durable.
  bool wrote = false;
  for (const auto& group : groups) {
    wrote |= !group->plan.batches.empty() && group->plan.write_error.ok();
  }
  absl::Status sync_status;
  if (wrote && options_.sync && !failed) {
    sync_status = FromRocksDbStatus(db_->SyncWAL(), "syncing the event log");
  }

  for (const auto& group : groups) {
    absl::Status failure =
        !group->plan.write_error.ok() ? group->plan.write_error : sync_status;
    if (failure.ok() && failed) {
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
      for (auto& member : group->members) member->result = failure;
      failed = true;
    } else if (!group->plan.batches.empty()) {
      // Published before anyone is told, so an acknowledged append is
      // always visible to the caller's next read.
      PublishHead(group->plan.next_position - 1);
    }
    for (auto& member : group->members) {
      std::move(member->done)(std::move(member->result));
    }
  }

  absl::MutexLock lock(&queue_mu_);
  groups_in_flight_ -= static_cast<int>(groups.size());
  if (failed) {
    pipeline_failed_ = true;
    needs_repair_ = true;
  }
}

void RocksDbEventLog::Repair() {
  bool repaired = false;
  absl::Status status = RepairPartialGroup(database_, &repaired);
  absl::StatusOr<uint64_t> last =
      status.ok() ? ReadLastPosition(database_) : status;
  if (!last.ok()) {
    broken_ = absl::UnavailableError(absl::StrCat(
        "the event log refuses appends after a failed write that it could not "
        "repair (",
        last.status().message(), "); reopen the data directory to recover"));
    return;
  }
  absl::StatusOr<merkle::Frontier> frontier =
      options_.merkle_tree
          ? merkle::Frontier::Load(*last,
                                   [this](merkle::NodeId id) {
                                     return ReadMerkleNode(database_, id);
                                   })
          : merkle::Frontier();
  if (!frontier.ok()) {
    broken_ = absl::UnavailableError(absl::StrCat(
        "the event log refuses appends after a failed write: its Merkle tree "
        "could not be reloaded (",
        frontier.status().message(), "); reopen the data directory"));
    return;
  }
  frontier_ = *std::move(frontier);
  next_position_ = *last + 1;
  head_cache_.clear();
  PublishHead(*last);
  absl::MutexLock lock(&queue_mu_);
  needs_repair_ = false;
  pipeline_failed_ = false;
}

void RocksDbEventLog::WriteGroup(GroupPlan* plan) {
  if (plan->batches.empty()) return;
  rocksdb::WriteBatch batch(plan->bytes + 256 * plan->batches.size());
  std::vector<StreamHead> heads;
  heads.reserve(plan->batches.size());
  std::vector<Sha256Digest> leaves(plan->next_position - plan->first_position);
  for (const StreamBatch& stream_batch : plan->batches) {
    heads.push_back(BuildStreamBatch(stream_batch, *plan, &batch, &leaves));
  }
  if (options_.merkle_tree) AddTreeNodes(leaves, &batch);
  plan->write_error =
      FromRocksDbStatus(db_->Write(unsynced_write_options_, &batch),
                        "appending to the event log");
  if (!plan->write_error.ok()) {
    head_cache_.clear();  // what is on disk is unknown until the repair
    return;
  }
  if (head_cache_.size() + heads.size() > kMaxCachedHeads) head_cache_.clear();
  for (size_t i = 0; i < heads.size(); ++i) {
    head_cache_.insert_or_assign(std::string(plan->batches[i].stream_id),
                                 heads[i]);
  }
}

void RocksDbEventLog::Sequence(Group* group) {
  GroupPlan* plan = &group->plan;
  plan->first_position = next_position_;
  plan->next_position = next_position_;
  plan->recorded_at = ToTimestamp(options_.clock->Now());
  for (auto& member : group->members) {
    member->result = broken_.ok() ? SequenceOne(member.get(), plan) : broken_;
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
  if (auto it = head_cache_.find(stream_id); it != head_cache_.end()) {
    return it->second;
  }
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<StreamHead> head,
                               GetStreamHead(stream_id));
  return head.value_or(StreamHead{});
}

void RocksDbEventLog::AddTreeNodes(const std::vector<Sha256Digest>& leaves,
                                   rocksdb::WriteBatch* out) {
  for (const Sha256Digest& leaf : leaves) {
    frontier_.Append(leaf, [&](merkle::NodeId id, const Sha256Digest& hash) {
      if (id.level < kLowestStoredMerkleLevel) return;
      out->Put(cf(ColumnFamily::kMerkle),
               EncodeMerkleNodeKey(id.level, id.index), ToSlice(AsBytes(hash)));
    });
  }
}

StreamHead RocksDbEventLog::BuildStreamBatch(
    const StreamBatch& stream_batch, const GroupPlan& plan,
    rocksdb::WriteBatch* out, std::vector<Sha256Digest>* leaves) {
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
      (*leaves)[position - plan.first_position] = leaf;
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
  return head;
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

// A node missing below the head means the stored tree is damaged.
absl::Status TreeDamage(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kNotFound) return status;
  return absl::DataLossError(absl::StrCat(
      "the event log's Merkle tree is damaged: ", status.message()));
}

absl::StatusOr<Sha256Digest> RocksDbEventLog::TreeRoot(uint64_t tree_size) {
  COLLECTIONS_RETURN_IF_ERROR(CheckTreeSize(tree_size));
  auto root = merkle::RootHash(
      [this](merkle::NodeId id) { return ReadNode(id); }, tree_size);
  if (!root.ok()) return TreeDamage(root.status());
  return root;
}

absl::StatusOr<std::vector<Sha256Digest>> RocksDbEventLog::InclusionProof(
    uint64_t position, uint64_t tree_size) {
  COLLECTIONS_RETURN_IF_ERROR(CheckTreeSize(tree_size));
  if (position == 0 || position > tree_size) {
    return absl::InvalidArgumentError(absl::StrCat("position ", position,
                                                   " is not in the tree of ",
                                                   tree_size, " events"));
  }
  auto proof =
      merkle::InclusionProof([this](merkle::NodeId id) { return ReadNode(id); },
                             position - 1, tree_size);
  if (!proof.ok()) return TreeDamage(proof.status());
  return proof;
}

absl::StatusOr<std::vector<Sha256Digest>> RocksDbEventLog::ConsistencyProof(
    uint64_t old_size, uint64_t new_size) {
  COLLECTIONS_RETURN_IF_ERROR(CheckTreeSize(new_size));
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("the old tree size ", old_size,
                     " is larger than the new one, ", new_size));
  }
  auto proof = merkle::ConsistencyProof(
      [this](merkle::NodeId id) { return ReadNode(id); }, old_size, new_size);
  if (!proof.ok()) return TreeDamage(proof.status());
  return proof;
}

absl::Status RocksDbEventLog::SaveTreeHead(uint64_t tree_size,
                                           absl::string_view head) {
  COLLECTIONS_RETURN_IF_ERROR(CheckTreeSize(tree_size));
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;
  return FromRocksDbStatus(
      db_->Put(write_options, cf(ColumnFamily::kTreeHeads),
               EncodeTreeHeadKey(tree_size), ToSlice(head)),
      "saving a signed tree head");
}

absl::StatusOr<std::optional<std::string>> RocksDbEventLog::ReadTreeHead(
    uint64_t tree_size) {
  std::string value;
  rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), cf(ColumnFamily::kTreeHeads),
               EncodeTreeHeadKey(tree_size), &value);
  if (status.IsNotFound()) return std::nullopt;
  COLLECTIONS_RETURN_IF_ERROR(
      FromRocksDbStatus(status, "reading a signed tree head"));
  return value;
}

absl::StatusOr<std::optional<std::string>> RocksDbEventLog::LatestTreeHead() {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(ColumnFamily::kTreeHeads)));
  it->SeekToLast();
  COLLECTIONS_RETURN_IF_ERROR(
      FromRocksDbStatus(it->status(), "reading the latest tree head"));
  if (!it->Valid()) return std::nullopt;
  return it->value().ToString();
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
