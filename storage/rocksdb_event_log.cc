#include "storage/rocksdb_event_log.h"

#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "storage/disk_space.h"
#include "storage/rocksdb_event_log_impl.h"
#include "storage/rocksdb_status.h"

namespace collections::storage {
namespace internal {

void RocksDbEventLog::RunCommitter() {
  for (;;) {
    auto group = std::make_unique<Group>();
    {
      absl::MutexLock lock(&queue_mu_);
      auto has_work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_) {
        return !queue_.empty() || stopping_;
      };
      queue_mu_.Await(absl::Condition(&has_work));
      if (queue_.empty()) return;  // stopping, and everything is committed
      // Take everything queued, up to the group byte budget.
      size_t bytes = 0;
      while (!queue_.empty()) {
        const size_t next = queue_.front()->queued_bytes();
        if (!group->members.empty() && bytes + next > options_.max_group_bytes)
          break;
        bytes += next;
        group->members.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    // The group before was answered (or failed) in full: a repair sees
    // everything it left behind.
    if (needs_repair_) group->refusal = Repair();
    if (group->refusal.ok()) {
      group->refusal = CheckFreeSpace(
          database_.dir, options_.min_free_disk_bytes, options_.write_faults);
    }
    Sequence(group.get());
    WriteGroup(&group->plan);
    if (!group->plan.batches.empty())
      next_position_ = group->plan.next_position;
    // Synced and answered here, before the next group is taken: what
    // arrives meanwhile queues up and forms the next group. An earlier
    // design handed each written group to a syncer thread and wrote the
    // next while it synced; measured 2026-12-07 (loadgen, 64 callers,
    // alternating 10 s runs on the 2-core machine), one thread doing both
    // used less CPU per event: single events 6,390 -> 6,801 events/s
    // (four runs each; server CPU 200 -> 187 us/event), 100-event writes
    // 70,139 -> 72,213 and 73,208 -> 71,203 (two sets of three runs: no
    // difference). The overlap saved at most the write of a group (tens of
    // microseconds against a WAL sync of ~0.7 ms) and cost a thread
    // hand-over for every group.
    FinishGroup(group.get());
  }
}

namespace {

// Events of an append with its transaction's parts or its unit's writes.
size_t EventsOf(const PendingAppend& append) {
  size_t events = append.events.size();
  for (const auto& part : append.linked) events += EventsOf(*part);
  for (const auto& write : append.replicated) events += EventsOf(*write);
  return events;
}

}  // namespace

GroupCommitReport RocksDbEventLog::ReportOf(const Group& group,
                                            absl::Duration wal_sync,
                                            bool acknowledged) {
  GroupCommitReport report;
  report.appends = group.members.size();
  report.wal_sync = wal_sync;
  report.acknowledged = acknowledged;
  for (const auto& member : group.members) {
    report.events += EventsOf(*member);
  }
  return report;
}

void RocksDbEventLog::FinishGroup(Group* group) {
  absl::Status failure = group->refusal;
  absl::Duration sync_time;
  if (failure.ok()) failure = group->plan.write_error;
  if (failure.ok() && !group->plan.batches.empty() && options_.sync) {
    const absl::Time sync_start = absl::Now();
    failure = FromRocksDbStatus(db_->SyncWAL(), "syncing the event log");
    sync_time = absl::Now() - sync_start;
  }

  if (!group->refusal.ok()) {
    // Refused before anything was written (no room on the disk, or an
    // earlier failure not repaired yet): its members already hold the
    // reason, and the groups after it are unaffected.
  } else if (!failure.ok()) {
    // Nothing of this group is acknowledged, not even answers to retries
    // (their originals may be in the part that failed).
    if (failure.code() != absl::StatusCode::kDataLoss) {
      failure = absl::UnavailableError(
          absl::StrCat(failure.message(),
                       "; the append was not acknowledged and may be "
                       "retried with the same event ids (if writes keep "
                       "failing once the disk is sound, restart the "
                       "server: reopening the data directory recovers)"));
    }
    for (auto& member : group->members) member->result = failure;
    needs_repair_ = true;
  } else if (!group->plan.batches.empty()) {
    // Fed first: a reader that wakes for the new head finds its events
    // in memory.
    if (Feeding()) FeedGroup(&group->plan);
    // Published before anyone is told, so an acknowledged append is
    // always visible to the caller's next read.
    PublishHead(group->plan.next_position - 1);
  }
  if (options_.observer != nullptr) {
    options_.observer->OnGroupCommit(
        ReportOf(*group, group->refusal.ok() ? sync_time : absl::ZeroDuration(),
                 /*acknowledged=*/failure.ok()));
  }
  for (auto& member : group->members) {
    std::move(member->done)(std::move(member->result));
  }
}

absl::Status RocksDbEventLog::Repair() {
  // After a failed write RocksDB refuses every write (its "background
  // error"), and the repair's own write with it, until the data directory is
  // reopened. Resume() is not called: with Debian's RocksDB 7.8 it can
  // report success and then send the next write to the failed WAL writer,
  // which aborts the process on an assertion. Refusing until a restart is
  // the safe answer; the free-space reserve keeps a full disk from getting
  // here (disk_space.h).
  // The cache may hold heads of the groups the repair removes.
  ClearCachedHeads();
  bool repaired = false;
  absl::Status status = RepairPartialGroup(database_, &repaired);
  absl::StatusOr<uint64_t> last =
      status.ok() ? ReadLastPosition(database_) : status;
  absl::StatusOr<merkle::Frontier> frontier =
      absl::UnavailableError("the log head could not be read");
  if (!last.ok()) {
    frontier = last.status();
  } else {
    frontier =
        options_.merkle_tree
            ? merkle::Frontier::Load(*last,
                                     [this](merkle::NodeId id) {
                                       return ReadMerkleNode(database_, id);
                                     })
            : merkle::Frontier();
  }
  if (!frontier.ok()) {
    const absl::Status& cause = frontier.status();
    if (cause.code() != absl::StatusCode::kDataLoss) {
      // I/O again: the repair is retried before the next group.
      return absl::UnavailableError(absl::StrCat(
          "the event log's storage refused a write and accepts none since (",
          cause.message(),
          "); nothing was appended: once the disk accepts writes again, "
          "restart the server (reopening the data directory recovers) and "
          "retry with the same event ids"));
    }
    broken_ = absl::DataLossError(absl::StrCat(
        "the event log refuses appends after a failed write: what is on disk "
        "cannot be read back (",
        cause.message(), "); reopen the data directory to recover"));
    return broken_;
  }
  frontier_ = *std::move(frontier);
  next_position_ = *last + 1;
  ClearCachedHeads();
  PublishHead(*last);
  needs_repair_ = false;
  return absl::OkStatus();
}

void RocksDbEventLog::WriteGroup(GroupPlan* plan) {
  if (!plan->write_error.ok()) {  // abandoned while sequencing
    ClearCachedHeads();
    return;
  }
  if (plan->batches.empty() && !plan->replica_cursor.has_value()) return;
  rocksdb::WriteBatch batch(plan->bytes + 256 * plan->batches.size());
  std::vector<StreamHead> heads;
  heads.reserve(plan->batches.size());
  std::vector<Sha256Digest> leaves(plan->next_position - plan->first_position);
  for (const StreamBatch& stream_batch : plan->batches) {
    heads.push_back(BuildStreamBatch(stream_batch, *plan, &batch, &leaves));
  }
  // One marker per group, not per stream: with one-event appends to
  // different streams it was a fifth of the group's memtable inserts.
  if (!plan->batches.empty()) {
    batch.Put(cf(ColumnFamily::kMeta), ToSlice(kLastGroupKey), plan->marker);
  }
  if (options_.merkle_tree) AddTreeNodes(leaves, &batch);
  if (plan->replica_cursor.has_value()) {
    std::string cursor;
    PutU64(&cursor, *plan->replica_cursor);
    batch.Put(cf(ColumnFamily::kMeta), ToSlice(kReplicaCursorKey), cursor);
  }
  plan->write_error =
      FromRocksDbStatus(db_->Write(unsynced_write_options_, &batch),
                        "appending to the event log");
  if (!plan->write_error.ok()) {
    ClearCachedHeads();  // what is on disk is unknown until the repair
    return;
  }
  absl::MutexLock lock(&heads_mu_);
  if (head_cache_.size() + heads.size() > kMaxCachedHeads) head_cache_.clear();
  for (size_t i = 0; i < heads.size(); ++i) {
    head_cache_.insert_or_assign(std::string(plan->batches[i].stream_id),
                                 heads[i]);
  }
}

void RocksDbEventLog::FeedCommittedEvents(CommittedEventsSink* sink) {
  absl::MutexLock lock(&sink_mu_);
  sink_ = sink;
  feeding_.store(sink != nullptr, std::memory_order_release);
}

void RocksDbEventLog::FeedGroup(GroupPlan* plan) {
  const uint64_t count = plan->next_position - plan->first_position;
  std::vector<SharedRecordedEvent> events(count);
  for (const StreamBatch& stream_batch : plan->batches) {
    for (PendingAppend* append : stream_batch.appends) {
      // Queued before the feed began, or a replicated write: no decoded
      // events, so the sink gets none of this group.
      if (append->decoded.size() != append->events.size()) return;
      const google::protobuf::Timestamp& recorded_at =
          append->recorded_at.has_value() ? *append->recorded_at
                                          : plan->recorded_at;
      for (size_t i = 0; i < append->events.size(); ++i) {
        // What the record's trailer adds when it is parsed
        // (record_trailer.h): the four log-assigned fields.
        auto recorded = std::make_shared<RecordedEvent>();
        recorded->event = std::move(append->decoded[i]);
        recorded->event.set_stream_id(append->stream_id);
        recorded->event.set_stream_version(append->first_version + i);
        recorded->event.set_global_position(append->first_position + i);
        *recorded->event.mutable_recorded_at() = recorded_at;
        // The batch holds its own copy of the value: the record is taken
        // out of it rather than copied (no one reads it after this).
        std::string& value = append->events[i].value;
        std::memcpy(recorded->leaf_hash.data(), value.data() + kLeafOffset,
                    recorded->leaf_hash.size());
        std::memcpy(recorded->chain_hash.data(), value.data() + kChainOffset,
                    recorded->chain_hash.size());
        value.erase(0, kRecordOffset);
        recorded->record = std::move(value);
        events[append->first_position + i - plan->first_position] =
            std::move(recorded);
      }
      append->decoded.clear();
    }
  }
  for (const SharedRecordedEvent& event : events) {
    if (event == nullptr) return;  // not every position accounted for
  }
  absl::MutexLock lock(&sink_mu_);
  if (sink_ != nullptr) sink_->Committed(std::move(events));
}

std::optional<StreamHead> RocksDbEventLog::CachedHead(
    absl::string_view stream_id) const {
  absl::ReaderMutexLock lock(&heads_mu_);
  if (auto it = head_cache_.find(stream_id); it != head_cache_.end()) {
    return it->second;
  }
  return std::nullopt;
}

absl::StatusOr<std::optional<StreamHead>> RocksDbEventLog::CurrentHead(
    absl::string_view stream_id) const {
  // A stream id the reader would refuse is never cached: the miss goes to
  // the reader, which refuses it.
  if (std::optional<StreamHead> cached = CachedHead(stream_id)) return cached;
  return reader_.GetStreamHead(stream_id, nullptr);
}

void RocksDbEventLog::ClearCachedHeads() {
  absl::MutexLock lock(&heads_mu_);
  head_cache_.clear();
}

void RocksDbEventLog::Sequence(Group* group) {
  GroupPlan* plan = &group->plan;
  plan->first_position = next_position_;
  plan->next_position = next_position_;
  plan->recorded_at = ToTimestamp(options_.clock->Now());
  for (auto& member : group->members) {
    if (!broken_.ok()) {
      member->result = broken_;
    } else if (!group->refusal.ok()) {
      member->result = group->refusal;
    } else if (member->replica_cursor.has_value()) {
      SequenceReplicated(member.get(), plan);
    } else if (member->linked.empty()) {
      member->result = SequenceOne(member.get(), plan);
    } else {
      SequenceTransaction(member.get(), plan);
    }
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

void RocksDbEventLog::SequenceReplicated(PendingAppend* unit, GroupPlan* plan) {
  for (auto& write : unit->replicated) {
    if (write->linked.empty()) {
      write->result = SequenceOne(write.get(), plan);
    } else {
      SequenceTransaction(write.get(), plan);
    }
    const absl::Status& status = write->result.status();
    if (!status.ok() && !IsReplicatedRefusal(status)) {
      // Refusals are decided alike on every node; an I/O error is not, and
      // skipping the write here would make this copy differ: write nothing.
      plan->write_error = status;
      unit->result = status;
      return;
    }
  }
  plan->replica_cursor = unit->replica_cursor;
  unit->result = AppendResult{};
}

void RocksDbEventLog::SequenceTransaction(PendingAppend* first,
                                          GroupPlan* plan) {
  std::vector<PendingAppend*> parts = {first};
  for (const auto& part : first->linked) parts.push_back(part.get());
  const uint64_t next_position = plan->next_position;
  const size_t bytes = plan->bytes;
  const size_t batches = plan->batches.size();
  std::vector<StreamBatch*> staged;  // where each new part went, in order
  absl::Status failure;
  size_t retries = 0;
  for (size_t i = 0; i < parts.size() && failure.ok(); ++i) {
    PendingAppend* part = parts[i];
    part->result = SequenceOne(part, plan);
    if (!part->result.ok()) {
      failure = TransactionPartError(i, part->stream_id, part->result.status());
    } else if (part->result->already_appended) {
      ++retries;
    } else {
      staged.push_back(plan->batch_of_stream.at(part->stream_id));
    }
  }
  if (failure.ok() && retries > 0 && retries < parts.size()) {
    failure = PartialTransactionRetryError();
  }
  if (failure.ok()) return;
  // Undo, newest first: the parts leave their streams' batches, and the
  // batches this transaction opened go.
  for (auto it = staged.rbegin(); it != staged.rend(); ++it) {
    (*it)->bytes -= (*it)->appends.back()->bytes;
    (*it)->appends.pop_back();
  }
  while (plan->batches.size() > batches) {
    plan->batch_of_stream.erase(plan->batches.back().stream_id);
    plan->batches.pop_back();
  }
  plan->next_position = next_position;
  plan->bytes = bytes;
  for (PendingAppend* part : parts) part->result = failure;
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
                               CurrentHead(stream_id));
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
  RecordTrailer trailer(stream_batch.stream_id);
  std::string index_key = StreamKeyPrefix(stream_batch.stream_id);
  const size_t index_prefix_size = index_key.size();
  for (PendingAppend* append : stream_batch.appends) {
    trailer.set_recorded_at(append->recorded_at.has_value()
                                ? *append->recorded_at
                                : plan.recorded_at);
    for (size_t i = 0; i < append->events.size(); ++i) {
      PreparedEvent& event = append->events[i];
      const uint64_t position = append->first_position + i;
      const uint64_t version = append->first_version + i;
      const absl::string_view trailer_bytes =
          trailer.Serialize(version, position);
      event.value.append(trailer_bytes.data(), trailer_bytes.size());
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
  return head;
}

}  // namespace internal

absl::StatusOr<std::unique_ptr<ReplicatedLog>> OpenRocksDbReplicatedLog(
    const EventLogOptions& options, absl::string_view dir) {
  COLLECTIONS_ASSIGN_OR_RETURN(EventLogDatabase database,
                               OpenEventLogDatabase(options, dir));
  return std::unique_ptr<ReplicatedLog>(
      new internal::RocksDbEventLog(options, std::move(database)));
}

absl::StatusOr<std::unique_ptr<DurableEventLog>> OpenRocksDbEventLog(
    const EventLogOptions& options, absl::string_view dir) {
  COLLECTIONS_ASSIGN_OR_RETURN(std::unique_ptr<ReplicatedLog> log,
                               OpenRocksDbReplicatedLog(options, dir));
  return std::unique_ptr<DurableEventLog>(std::move(log));
}

}  // namespace collections::storage
