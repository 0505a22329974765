// The RocksDB event log's implementation class, shared by its two source
// files: rocksdb_event_log.cc (the committer: sequencing, group writes,
// durability, repair) and rocksdb_event_log_calls.cc (the caller's
// side: preparing appends, reads, proofs). Internal to storage/; the rest of
// the code opens the log with OpenRocksDbEventLog (rocksdb_event_log.h).
#ifndef COLLECTIONS_STORAGE_ROCKSDB_EVENT_LOG_IMPL_H_
#define COLLECTIONS_STORAGE_ROCKSDB_EVENT_LOG_IMPL_H_

#include <atomic>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/thread_name.h"
#include "common/time_conversion.h"
#include "google/protobuf/timestamp.pb.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "storage/append_checks.h"
#include "storage/committed_events.h"
#include "storage/merkle.h"
#include "storage/record_trailer.h"
#include "storage/replicated_log.h"
#include "storage/rocksdb_database.h"
#include "storage/rocksdb_event_log.h"
#include "storage/rocksdb_figures.h"
#include "storage/rocksdb_log_reader.h"
#include "storage/rocksdb_log_tree.h"

namespace collections::storage::internal {

using collections::v1::Event;

// Byte offsets inside an "events" value (key_encoding.h).
inline constexpr size_t kLeafOffset = 1;
inline constexpr size_t kChainOffset = 33;
inline constexpr size_t kRecordOffset = 65;
// Room reserved after the body for the trailer of log-assigned fields.
inline constexpr size_t kTrailerReserve = 64;
// PendingAppend::ids_absent_at_version when the sequencer must look the ids
// up again whatever the stream's version.
inline constexpr uint64_t kLookAgain = UINT64_MAX;
// Most stream heads the committer keeps cached.
inline constexpr size_t kMaxCachedHeads = 100000;

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

  // The events decoded, for the committed-events sink (set only while one
  // is fed): the caller's own (AppendTakingAsync) or copies. Their
  // log-assigned fields are set once the append is durable.
  std::vector<Event> decoded;

  absl::StatusOr<AppendResult> result = absl::InternalError("not committed");
  AppendCallback done;

  // The first part of a transaction holds its other parts: the whole
  // transaction is queued, grouped, sequenced and acknowledged as one.
  // Their results are read by the first part's `done`.
  std::vector<std::unique_ptr<PendingAppend>> linked;

  // Replicated writes only (ReplicatedLog::ApplyReplicated): the
  // recorded_at the source gave this append, instead of the group's.
  std::optional<google::protobuf::Timestamp> recorded_at;

  // A unit of replicated writes: this entry has no events of its own; it
  // holds the writes (appends, or transactions leading their parts), which
  // are grouped, sequenced one by one and written as one batch with the
  // cursor, and acknowledged through this entry's `done`.
  std::vector<std::unique_ptr<PendingAppend>> replicated;
  std::optional<uint64_t> replica_cursor;

  // Bytes of the whole transaction or unit (just this append otherwise).
  size_t queued_bytes() const {
    size_t total = bytes;
    for (const auto& part : linked) total += part->bytes;
    for (const auto& write : replicated) total += write->queued_bytes();
    return total;
  }
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
  // Stored with the group when it holds a unit of replicated writes.
  std::optional<uint64_t> replica_cursor;
  // Stable addresses: batch_of_stream points into it.
  std::deque<StreamBatch> batches;
  absl::flat_hash_map<absl::string_view, StreamBatch*> batch_of_stream;
  // Set before the write when sequencing met an error that is not the same
  // on every node (I/O): then nothing of the group is written.
  absl::Status write_error;
};

// A group on its way through the committer: sequenced, written, made
// durable and acknowledged.
struct Group {
  std::vector<std::unique_ptr<PendingAppend>> members;  // in queue order
  GroupPlan plan;
  // Why the whole group was refused before sequencing (the repair of an
  // earlier failed write did not succeed yet); OK otherwise.
  absl::Status refusal;
};

// The event ids of an append, for ClassifyRetry's messages.
inline auto EventIdOf(const PendingAppend& append) {
  return [&append](size_t i) {
    return absl::string_view(append.events[i].event_id);
  };
}

class RocksDbEventLog final : public ReplicatedLog {
 public:
  RocksDbEventLog(const EventLogOptions& options, EventLogDatabase database)
      : options_(options),
        database_(std::move(database)),
        db_(database_.db.get()),
        reader_(database_, options.max_stream_id_bytes),
        tree_(database_),
        next_position_(database_.head_position + 1),
        frontier_(std::move(database_.frontier)),
        head_position_(database_.head_position),
        published_head_(database_.head_position) {
    // Writes are never synced one by one: the committer makes each group
    // durable with one SyncWAL().
    // (memtable_insert_hint_per_batch stays off: a group interleaves column
    // families and streams, and the hint's splice recomputation cost more than
    // it saved in storage_bench.)
    committer_ = std::thread([this] {
      NameThisThread("log-committer");
      RunCommitter();
    });
  }

  ~RocksDbEventLog() override {
    // Everything queued is still committed and acknowledged: the committer
    // drains the queue before it stops.
    {
      absl::MutexLock lock(&queue_mu_);
      stopping_ = true;
    }
    committer_.join();
    // Without sync the WAL may still sit in RocksDB's buffer; a clean close
    // must not lose it. Not after a failed write that was never repaired:
    // RocksDB's WAL writer is then in an error state (and its debug build
    // asserts on a sync); nothing since was acknowledged, and the next open
    // repairs. (needs_repair_ is the committer's, which has joined.)
    if (!needs_repair_) db_->FlushWAL(/*sync=*/true).PermitUncheckedError();
    database_.Close();
  }

  RocksDbEventLog(const RocksDbEventLog&) = delete;
  RocksDbEventLog& operator=(const RocksDbEventLog&) = delete;

  // EventLog.
  void AppendAsync(absl::string_view stream_id, ExpectedVersion expected,
                   absl::Span<const Event> events,
                   AppendCallback done) override;
  void AppendTakingAsync(absl::string_view stream_id, ExpectedVersion expected,
                         std::vector<Event> events,
                         AppendCallback done) override;
  void AppendTransactionAsync(absl::Span<const StreamAppend> parts,
                              TransactionCallback done) override;
  void FeedCommittedEvents(CommittedEventsSink* sink) override
      ABSL_LOCKS_EXCLUDED(sink_mu_);
  absl::StatusOr<std::vector<RecordedEvent>> ReadStream(
      absl::string_view stream_id, uint64_t from_version,
      ReadDirection direction, size_t limit) override;
  absl::StatusOr<LogReadResult> ReadAll(const LogRead& read) override;
  absl::StatusOr<std::optional<StreamHead>> GetStreamHead(
      absl::string_view stream_id) override;
  absl::StatusOr<std::optional<EventLocation>> FindEvent(
      absl::string_view stream_id, absl::string_view event_id) override;
  uint64_t HeadPosition() const override {
    return head_position_.load(std::memory_order_acquire);
  }
  uint64_t WaitForPosition(uint64_t position,
                           absl::Time deadline) const override;

  // LogTree.
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

  // LogAdministration.
  absl::Status Settle(absl::Duration timeout) override;
  absl::Status Checkpoint(const std::string& dir) override;
  StorageFigures Figures() const override {
    return ReadStorageFigures(db_, database_.handles);
  }

  // ReplicatedLog.
  absl::StatusOr<size_t> ApplyReplicated(
      absl::Span<const ReplicatedWrite> writes, uint64_t cursor) override;
  absl::StatusOr<uint64_t> ReplicatedCursor() override;

 private:
  // OUT_OF_RANGE unless the tree of `tree_size` events is acknowledged.
  absl::Status CheckTreeSize(uint64_t tree_size) const;

  rocksdb::ColumnFamilyHandle* cf(ColumnFamily family) const {
    return database_.cf(family);
  }

  // Caller-thread half of an append whose input the caller validated
  // (ValidateAppend or ValidateTransaction): serialization, body hashing.
  absl::Status Prepare(absl::string_view stream_id, ExpectedVersion expected,
                       absl::Span<const Event> events,
                       PendingAppend* append) const;

  // AppendAsync's and AppendTakingAsync's work: `taken` holds the caller's
  // events when it handed them over (else null: they are copied, and only
  // while a sink is fed).
  void Enqueue(absl::string_view stream_id, ExpectedVersion expected,
               absl::Span<const Event> events, std::vector<Event>* taken,
               AppendCallback done);

  // Whether a committed-events sink is fed (then appends keep their events
  // decoded).
  bool Feeding() const { return feeding_.load(std::memory_order_acquire); }

  // Committer only. Hands the durable group's events to the sink,
  // unless some append of it kept no decoded events (then the sink sees a
  // gap). Takes the decoded events and the record bytes out of the plan's
  // appends: only their counts and results are read after it.
  void FeedGroup(GroupPlan* plan) ABSL_LOCKS_EXCLUDED(sink_mu_);

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
  // max_group_bytes), sequences it, writes it as one RocksDB batch and
  // finishes it (FinishGroup); what arrives meanwhile waits in the queue
  // and forms the next group. Drains the queue before it stops.
  void RunCommitter();

  // Committer only. Makes the written group durable with one WAL sync,
  // feeds the sink, publishes the head and calls every member's callback,
  // in order. A failed write or sync fails the whole group and makes the
  // committer repair the log before the next one.
  // What the observer hears of a finished group: `acknowledged` when it
  // was written and synced (its members' answers, refusals included, are
  // final), false when it was refused or its write or sync failed.
  static GroupCommitReport ReportOf(const Group& group, absl::Duration wal_sync,
                                    bool acknowledged);
  void FinishGroup(Group* group);

  // Committer only. Decides every member's fate and assigns positions and
  // versions, grouping accepted appends by stream; with group->refusal set
  // (the log cannot write yet), fails every member with it instead.
  void Sequence(Group* group);

  // Committer only. Accepts, refuses or answers as a retry one append.
  absl::StatusOr<AppendResult> SequenceOne(PendingAppend* append,
                                           GroupPlan* plan);

  // Committer only. Sequences every write of a unit of replicated writes;
  // an error that is not a refusal abandons the group (plan->write_error).
  void SequenceReplicated(PendingAppend* unit, GroupPlan* plan);

  // Caller's side of ApplyReplicated: one write prepared as an append (a
  // transaction's first part, holding the others), or null when it is
  // refused or a retry: it writes nothing. UNAVAILABLE and DATA_LOSS as
  // Append's.
  absl::StatusOr<std::unique_ptr<PendingAppend>> PrepareReplicated(
      const ReplicatedWrite& write) const;

  // Committer only. Sequences every part of the transaction `first` leads,
  // or, when one fails, takes the others back out of the plan and fails
  // them all with that part's error.
  void SequenceTransaction(PendingAppend* first, GroupPlan* plan);

  // The cached head of `stream_id`, if the committer wrote it lately.
  std::optional<StreamHead> CachedHead(absl::string_view stream_id) const
      ABSL_LOCKS_EXCLUDED(heads_mu_);
  // The stream's head: cached, else read from RocksDB (latest).
  absl::StatusOr<std::optional<StreamHead>> CurrentHead(
      absl::string_view stream_id) const ABSL_LOCKS_EXCLUDED(heads_mu_);
  // Committer only. Forgets every cached head.
  void ClearCachedHeads() ABSL_LOCKS_EXCLUDED(heads_mu_);

  // Committer only. The stream's head as of the group so far.
  absl::StatusOr<StreamHead> LoadHead(absl::string_view stream_id,
                                      GroupPlan* plan);

  // Adds one stream's part of the group to `out`: records with their
  // trailers, leaf and chain hashes, both indexes and the stream head (the
  // group marker is WriteGroup's). Each event's value is completed in place.
  // Returns the stream's new head.
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

  // Committer only, with no group in flight: resumes RocksDB's writes
  // (refused after a failed one until then), removes what a failed group
  // left behind beyond the first gap and re-reads the head. UNAVAILABLE
  // while the storage still refuses (a disk still full): the repair is tried
  // again before the next group. DATA_LOSS when what is on disk cannot be
  // read back: then broken_ is set.
  absl::Status Repair();

  void PublishHead(uint64_t head);

  const EventLogOptions options_;
  EventLogDatabase database_;
  rocksdb::DB* const db_;          // owned by database_
  const RocksDbLogReader reader_;  // reads database_
  const RocksDbLogTree tree_;      // proves database_'s tree
  rocksdb::WriteOptions unsynced_write_options_;

  absl::Mutex queue_mu_;
  // Appends waiting for the committer, in arrival order.
  std::deque<std::unique_ptr<PendingAppend>> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;

  // Touched only by the committer thread.
  // A group's write or sync failed: the committer repairs before
  // sequencing anything more.
  bool needs_repair_ = false;
  uint64_t next_position_;
  // The Merkle tree's right edge after the last group written (reloaded
  // from disk by Repair when a write fails).
  merkle::Frontier frontier_;
  // The heads of streams the committer wrote lately, so neither sequencing
  // an append to a busy stream nor GetStreamHead (two or three times per
  // command: the case reader's freshness checks, PrecheckIds) reads a head
  // back from RocksDB, whose memtable lookup cost ~4% of the server's CPU
  // under single-event load (docs/performance.md). It holds exactly what
  // a read of "streams" at the latest sequence number would: a group is in
  // it once its batch is in the memtable, even before it is durable (the
  // next group builds on it, and fails with it if its sync fails). Only the
  // committer writes it; any thread reads it. Cleared by a failed write and
  // before and after Repair (which rewrites heads on disk); cleared whole
  // when it reaches kMaxCachedHeads (crude, but a miss only costs a read).
  mutable absl::Mutex heads_mu_;
  absl::flat_hash_map<std::string, StreamHead> head_cache_
      ABSL_GUARDED_BY(heads_mu_);
  // Set when a failed group could not be repaired because what is on disk
  // cannot be read back: appends are refused until the log is reopened.
  absl::Status broken_;

  // The last committed position, for lock-free reads…
  std::atomic<uint64_t> head_position_;
  // …and for waiters.
  mutable absl::Mutex head_mu_;
  uint64_t published_head_ ABSL_GUARDED_BY(head_mu_);

  // Where durable events go decoded (FeedCommittedEvents); held while it is
  // called, so a sink is never called after it was replaced.
  absl::Mutex sink_mu_;
  CommittedEventsSink* sink_ ABSL_GUARDED_BY(sink_mu_) = nullptr;
  std::atomic<bool> feeding_{false};

  std::thread committer_;
};

}  // namespace collections::storage::internal

#endif  // COLLECTIONS_STORAGE_ROCKSDB_EVENT_LOG_IMPL_H_
