#include "storage/cluster_event_log.h"

#include <algorithm>
#include <deque>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "collections/v1/cluster.pb.h"
#include "common/status_macros.h"
#include "common/time_conversion.h"
#include "storage/append_checks.h"
#include "storage/jetstream_replica.h"

namespace collections::storage {
namespace {

using collections::v1::Event;

constexpr char kTransactionSubject[] = "_transaction";
// How long the applier waits for the next messages before it looks again
// whether it should stop (and how long it pauses after an error).
constexpr absl::Duration kApplierWait = absl::Milliseconds(50);
// Publishes of one append refused for a stale subject sequence before it
// is answered ABORTED though this node's view still agrees with the caller
// (a publish racing appends that every node then refused).
constexpr int kMaxPublishAttempts = 3;

// The message id of an append: its stream, event ids and expected version,
// so a retry of the same append, from any node, carries the same id. The
// expectation is part of it because an append that every node refused as
// it applied it (a transaction moved the stream first) may be sent again
// with the same events and a new expectation: that is a new message, which
// JetStream must not drop as a duplicate of the refused one.
std::string MessageId(absl::string_view stream_id,
                      absl::Span<const Event> events,
                      ExpectedVersion expected) {
  return absl::StrCat(stream_id, "/", events.front().event_id(), "/",
                      events.size(), "/", events.back().event_id(), "@",
                      static_cast<int>(expected.kind), ":", expected.version);
}

class ClusterEventLog final : public DurableEventLog {
 public:
  ClusterEventLog(const ClusterLogOptions& options,
                  const EventLogOptions& local_options,
                  std::unique_ptr<ReplicatedLog> local,
                  std::unique_ptr<JetStreamLog> jetstream,
                  std::unique_ptr<JetStreamReplica> replica)
      : options_(options),
        local_options_(local_options),
        wall_clock_(local_options.clock),
        local_(std::move(local)),
        jetstream_(std::move(jetstream)),
        replica_(std::move(replica)),
        applied_(replica_->applied()) {
    applier_ = std::thread([this] { RunApplier(); });
    for (int i = 0; i < std::max(1, options.append_threads); ++i)
      workers_.emplace_back([this] { RunWorker(); });
  }

  ~ClusterEventLog() override {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    for (auto& worker : workers_) worker.join();  // the queue drains first
    applier_.join();
  }

  void AppendAsync(absl::string_view stream_id, ExpectedVersion expected,
                   absl::Span<const Event> events,
                   AppendCallback done) override {
    Enqueue([this, stream = std::string(stream_id), expected,
             copy = std::vector<Event>(events.begin(), events.end()),
             done = std::move(done)]() mutable {
      std::move(done)(DoAppend(stream, expected, copy));
    });
  }

  void AppendTransactionAsync(absl::Span<const StreamAppend> parts,
                              TransactionCallback done) override {
    Enqueue([this, copy = std::vector<StreamAppend>(parts.begin(), parts.end()),
             done = std::move(done)]() mutable {
      std::move(done)(DoTransaction(copy));
    });
  }

  absl::StatusOr<std::vector<RecordedEvent>> ReadStream(
      absl::string_view stream_id, uint64_t from_version,
      ReadDirection direction, size_t limit) override {
    return local_->ReadStream(stream_id, from_version, direction, limit);
  }
  absl::StatusOr<LogReadResult> ReadAll(const LogRead& read) override {
    return local_->ReadAll(read);
  }
  absl::StatusOr<std::optional<StreamHead>> GetStreamHead(
      absl::string_view stream_id) override {
    return local_->GetStreamHead(stream_id);
  }
  absl::StatusOr<std::optional<EventLocation>> FindEvent(
      absl::string_view stream_id, absl::string_view event_id) override {
    return local_->FindEvent(stream_id, event_id);
  }
  uint64_t HeadPosition() const override { return local_->HeadPosition(); }
  uint64_t WaitForPosition(uint64_t position,
                           absl::Time deadline) const override {
    return local_->WaitForPosition(position, deadline);
  }

  // The tree and the administration are this node's copy's.
  absl::StatusOr<Sha256Digest> TreeRoot(uint64_t tree_size) override {
    return local_->TreeRoot(tree_size);
  }
  absl::StatusOr<std::vector<Sha256Digest>> InclusionProof(
      uint64_t position, uint64_t tree_size) override {
    return local_->InclusionProof(position, tree_size);
  }
  absl::StatusOr<std::vector<Sha256Digest>> ConsistencyProof(
      uint64_t old_size, uint64_t new_size) override {
    return local_->ConsistencyProof(old_size, new_size);
  }
  absl::Status SaveTreeHead(uint64_t tree_size,
                            absl::string_view head) override {
    return local_->SaveTreeHead(tree_size, head);
  }
  absl::StatusOr<std::optional<std::string>> ReadTreeHead(
      uint64_t tree_size) override {
    return local_->ReadTreeHead(tree_size);
  }
  absl::StatusOr<std::optional<std::string>> LatestTreeHead() override {
    return local_->LatestTreeHead();
  }
  absl::Status Settle(absl::Duration timeout) override {
    return local_->Settle(timeout);
  }
  absl::Status Checkpoint(const std::string& dir) override {
    return local_->Checkpoint(dir);
  }
  StorageFigures Figures() const override { return local_->Figures(); }

 private:
  void Enqueue(absl::AnyInvocable<void() &&> job) {
    absl::MutexLock lock(&mu_);
    jobs_.push_back(std::move(job));
  }

  void RunWorker() {
    for (;;) {
      absl::AnyInvocable<void() &&> job;
      {
        absl::MutexLock lock(&mu_);
        auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return !jobs_.empty() || stopping_;
        };
        mu_.Await(absl::Condition(&ready));
        if (jobs_.empty()) return;  // stopping, and nothing left
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      std::move(job)();
    }
  }

  // Applies what the cluster appends as it arrives, in batches. Stops
  // once stopping and no append waits for it any more.
  void RunApplier() {
    for (;;) {
      uint64_t wanted;
      {
        absl::MutexLock lock(&mu_);
        if (stopping_ && jobs_.empty() && waiting_ == 0) return;
        wanted = wanted_;
      }
      absl::StatusOr<uint64_t> applied =
          replica_->ApplyNext(wanted, kApplierWait);
      if (!applied.ok()) {
        // JetStream unreachable or a write failed: try again shortly.
        absl::SleepFor(kApplierWait);
        continue;
      }
      absl::MutexLock lock(&mu_);
      applied_ = *applied;
    }
  }

  // Whether this node has applied `sequence` by `deadline`.
  bool WaitApplied(uint64_t sequence, absl::Time deadline) {
    absl::MutexLock lock(&mu_);
    wanted_ = std::max(wanted_, sequence);
    ++waiting_;
    auto done = [this, sequence]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return applied_ >= sequence;
    };
    const bool applied =
        mu_.AwaitWithDeadline(absl::Condition(&done), deadline);
    --waiting_;
    return applied;
  }

  // The original result when every event id of the append is applied;
  // nullopt when none is; FAILED_PRECONDITION for a mix (ClassifyRetry).
  absl::StatusOr<std::optional<AppendResult>> AlreadyApplied(
      absl::string_view stream_id, absl::Span<const Event> events) {
    std::vector<std::optional<EventIdEntry>> found;
    // The ids are looked up one by one while the applier may commit the
    // batch (atomically) in between: a mix seen once is looked up again,
    // and only a mix that stays is one.
    for (int pass = 0; pass < 2; ++pass) {
      found.clear();
      size_t present = 0;
      for (const Event& event : events) {
        COLLECTIONS_ASSIGN_OR_RETURN(
            std::optional<EventLocation> at,
            local_->FindEvent(stream_id, event.event_id()));
        if (at.has_value()) {
          found.push_back(
              EventIdEntry{at->global_position, at->stream_version});
          ++present;
        } else {
          found.push_back(std::nullopt);
        }
      }
      if (present == 0 || present == events.size()) break;
    }
    return ClassifyRetry(stream_id, found, [&events](size_t i) {
      return absl::string_view(events[i].event_id());
    });
  }

  absl::Status NotApplied(uint64_t sequence) {
    return absl::UnavailableError(
        absl::StrCat("the append was published (sequence ", sequence,
                     ") but this node has not applied it within ",
                     absl::FormatDuration(options_.apply_timeout),
                     "; retry with the same event ids"));
  }

  // The message body published on `stream_id`'s subject: the append,
  // signed by this node when the cluster signs (cluster_auth.h).
  std::string Seal(absl::string_view stream_id,
                   const collections::v1::ReplicatedAppend& message) const {
    std::string append = message.SerializeAsString();
    if (options_.auth == nullptr) return append;
    collections::v1::SignedAppend sealed;
    sealed.set_signature(options_.auth->Sign(SignedPayload(stream_id, append)));
    sealed.set_node_id(options_.auth->node_id());
    sealed.set_append(std::move(append));
    return sealed.SerializeAsString();
  }

  absl::StatusOr<AppendResult> DoAppend(const std::string& stream_id,
                                        ExpectedVersion expected,
                                        absl::Span<const Event> events) {
    const absl::Time deadline = absl::Now() + options_.apply_timeout;
    COLLECTIONS_RETURN_IF_ERROR(
        ValidateAppend(local_options_, stream_id, expected, events));
    COLLECTIONS_ASSIGN_OR_RETURN(std::optional<AppendResult> retry,
                                 AlreadyApplied(stream_id, events));
    if (retry.has_value()) return *retry;

    collections::v1::ReplicatedAppend message;
    message.set_stream_id(stream_id);
    for (const Event& event : events) *message.add_events() = event;
    *message.mutable_recorded_at() = ToTimestamp(wall_clock_->Now());
    message.set_expected_kind(static_cast<uint32_t>(expected.kind));
    message.set_expected_version(expected.version);
    const std::string payload = Seal(stream_id, message);
    const std::string id = MessageId(stream_id, events, expected);

    COLLECTIONS_ASSIGN_OR_RETURN(
        SubjectExpectation subject,
        FirstExpectation(stream_id, expected, deadline));
    absl::StatusOr<PublishAck> ack;
    for (int attempt = 1;; ++attempt) {
      // The appending call's trace goes on to NATS (every event of one
      // append carries the same traceparent).
      ack = jetstream_->Publish(stream_id, payload, id, subject,
                                events.front().traceparent());
      if (ack.ok()) break;
      std::optional<uint64_t> actual =
          JetStreamLog::ActualLastSequence(ack.status());
      if (!actual.has_value()) return ack.status();
      // Another append got there first, or this node's view was behind:
      // decide again once this node has applied what JetStream named.
      if (!WaitApplied(*actual, deadline)) return NotApplied(*actual);
      COLLECTIONS_ASSIGN_OR_RETURN(retry, AlreadyApplied(stream_id, events));
      if (retry.has_value()) return *retry;
      COLLECTIONS_RETURN_IF_ERROR(CheckLocally(stream_id, expected));
      if (attempt == kMaxPublishAttempts) return ack.status();
      subject = SubjectExpectation::LastAt(*actual);
    }
    if (!WaitApplied(ack->sequence, deadline)) return NotApplied(ack->sequence);
    COLLECTIONS_ASSIGN_OR_RETURN(retry, AlreadyApplied(stream_id, events));
    if (!retry.has_value()) {
      // Every node refused it as it applied it: a transaction moved the
      // stream first (ABORTED), or its event ids are taken.
      COLLECTIONS_RETURN_IF_ERROR(CheckLocally(stream_id, expected));
      return absl::FailedPreconditionError(
          absl::StrCat("the append to ", stream_id,
                       " was refused by every node: its event ids are taken"));
    }
    retry->already_appended = ack->duplicate;
    return *retry;
  }

  // What the publish of an append expecting `expected` tells JetStream of
  // the subject's last message. Without a round trip when this node's view
  // agrees with the caller and knows the subject's last sequence (or that
  // the stream has none); JetStream refuses it if that view was behind.
  // Otherwise asks JetStream, waits until this node has applied that far
  // and checks the expectation there (ABORTED naming the actual version).
  absl::StatusOr<SubjectExpectation> FirstExpectation(
      absl::string_view stream_id, ExpectedVersion expected,
      absl::Time deadline) {
    if (expected.kind == ExpectedVersion::Kind::kAny)
      return SubjectExpectation::Any();
    // The known sequence first, the version second: the replica notes a
    // sequence only once the local log has the message.
    const std::optional<uint64_t> known = replica_->LastSequenceOf(stream_id);
    COLLECTIONS_ASSIGN_OR_RETURN(std::optional<StreamHead> head,
                                 local_->GetStreamHead(stream_id));
    const uint64_t version = head.has_value() ? head->version : 0;
    absl::Status local = CheckExpectation(stream_id, expected, version);
    if (local.ok()) {
      if (known.has_value()) return SubjectExpectation::LastAt(*known);
      if (version == 0) return SubjectExpectation::None();
    } else if ((expected.kind == ExpectedVersion::Kind::kNoStream &&
                version > 0) ||
               (expected.kind == ExpectedVersion::Kind::kExact &&
                version > expected.version)) {
      return local;  // versions only grow: the stream is past it everywhere
    }
    COLLECTIONS_ASSIGN_OR_RETURN(uint64_t last,
                                 jetstream_->LastSubjectSequence(stream_id));
    if (!WaitApplied(last, deadline)) return NotApplied(last);
    COLLECTIONS_RETURN_IF_ERROR(CheckLocally(stream_id, expected));
    return last == 0 ? SubjectExpectation::None()
                     : SubjectExpectation::LastAt(last);
  }

  // ABORTED naming the actual version when the local copy of the stream
  // does not meet `expected`.
  absl::Status CheckLocally(absl::string_view stream_id,
                            ExpectedVersion expected) {
    COLLECTIONS_ASSIGN_OR_RETURN(std::optional<StreamHead> head,
                                 local_->GetStreamHead(stream_id));
    return CheckExpectation(stream_id, expected,
                            head.has_value() ? head->version : 0);
  }

  absl::StatusOr<std::vector<AppendResult>> DoTransaction(
      const std::vector<StreamAppend>& parts) {
    const absl::Time deadline = absl::Now() + options_.apply_timeout;
    COLLECTIONS_RETURN_IF_ERROR(ValidateTransaction(local_options_, parts));
    collections::v1::ReplicatedAppend message;
    message.set_stream_id(kTransactionSubject);
    std::string id = "tx";
    for (const StreamAppend& part : parts) {
      auto* out = message.add_parts();
      out->set_stream_id(part.stream_id);
      out->set_expected_kind(static_cast<uint32_t>(part.expected.kind));
      out->set_expected_version(part.expected.version);
      for (const Event& event : part.events) *out->add_events() = event;
      absl::StrAppend(&id, "|",
                      MessageId(part.stream_id, part.events, part.expected));
    }
    *message.mutable_recorded_at() = ToTimestamp(wall_clock_->Now());
    COLLECTIONS_ASSIGN_OR_RETURN(
        std::optional<std::vector<AppendResult>> applied, Applied(parts));
    if (applied.has_value()) return *applied;
    COLLECTIONS_ASSIGN_OR_RETURN(
        PublishAck ack, jetstream_->Publish(kTransactionSubject,
                                            Seal(kTransactionSubject, message),
                                            id, SubjectExpectation::Any()));
    if (!WaitApplied(ack.sequence, deadline)) return NotApplied(ack.sequence);
    COLLECTIONS_ASSIGN_OR_RETURN(applied, Applied(parts));
    if (applied.has_value()) {
      for (AppendResult& result : *applied)
        result.already_appended = ack.duplicate;
      return *applied;
    }
    // Every node refused it: say why, as the local log would have.
    for (size_t i = 0; i < parts.size(); ++i) {
      absl::Status holds = CheckLocally(parts[i].stream_id, parts[i].expected);
      if (!holds.ok()) {
        return TransactionPartError(i, parts[i].stream_id, holds);
      }
    }
    return absl::FailedPreconditionError(
        "the transaction was refused by every node: event ids are taken");
  }

  // Every part's original result when all are applied; nullopt when not.
  absl::StatusOr<std::optional<std::vector<AppendResult>>> Applied(
      const std::vector<StreamAppend>& parts) {
    std::vector<AppendResult> results;
    for (size_t i = 0; i < parts.size(); ++i) {
      absl::StatusOr<std::optional<AppendResult>> result =
          AlreadyApplied(parts[i].stream_id, parts[i].events);
      if (!result.ok()) {
        return TransactionPartError(i, parts[i].stream_id, result.status());
      }
      if (!result->has_value()) return std::nullopt;
      results.push_back(**result);
    }
    return results;
  }

  const ClusterLogOptions options_;
  const EventLogOptions local_options_;
  const Clock* const wall_clock_;
  // Declared in this order so the replica goes before the logs it uses.
  std::unique_ptr<ReplicatedLog> local_;
  std::unique_ptr<JetStreamLog> jetstream_;
  std::unique_ptr<JetStreamReplica> replica_;

  absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void() &&>> jobs_ ABSL_GUARDED_BY(mu_);
  uint64_t applied_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t wanted_ ABSL_GUARDED_BY(mu_) = 0;
  int waiting_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread applier_;
  std::vector<std::thread> workers_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<DurableEventLog>> OpenClusterEventLog(
    const ClusterLogOptions& options, const EventLogOptions& local_options,
    absl::string_view dir) {
  EventLogOptions local = local_options;
  // The copy is not synced append by append: what makes an append durable
  // is JetStream's replication, acknowledged before anyone is answered. A
  // copy that loses its newest writes to a power cut keeps its cursor with
  // them (the same batch) and applies them again.
  local.sync = false;
  // What an append may hold is decided once, by the publishing node, with
  // the limits of `local_options`; every copy applies what JetStream
  // ordered, so nodes configured with other limits still hold the same log.
  local.max_event_bytes = size_t{64} << 20;  // NATS's largest max_payload
  local.max_events_per_append = size_t{1} << 20;
  local.max_stream_id_bytes = std::max<size_t>(local.max_stream_id_bytes, 1024);
  local.max_event_id_bytes = std::max<size_t>(local.max_event_id_bytes, 1024);
  COLLECTIONS_ASSIGN_OR_RETURN(std::unique_ptr<ReplicatedLog> log,
                               OpenRocksDbReplicatedLog(local, dir));
  const absl::Time give_up = absl::Now() + options.connect_timeout;
  absl::StatusOr<std::unique_ptr<JetStreamLog>> connected;
  for (;;) {
    connected = JetStreamLog::Connect(options.jetstream);
    if (connected.ok() ||
        connected.status().code() != absl::StatusCode::kUnavailable ||
        absl::Now() >= give_up) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(500));
  }
  COLLECTIONS_ASSIGN_OR_RETURN(std::unique_ptr<JetStreamLog> jetstream,
                               std::move(connected));
  if (options.auth != nullptr) {
    // A node whose own messages every replica would reject must not serve.
    const std::string probe = SignedPayload("_probe", "");
    const absl::Status own = options.auth->Verify(
        options.auth->node_id(), probe, options.auth->Sign(probe));
    if (!own.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("cluster node ", options.auth->node_id(),
                       ": its key is not among the cluster's node keys (",
                       own.message(), ")"));
    }
  }
  COLLECTIONS_ASSIGN_OR_RETURN(
      std::unique_ptr<JetStreamReplica> replica,
      JetStreamReplica::Open(jetstream.get(), log.get(), options.auth,
                             options.on_rejected));
  COLLECTIONS_RETURN_IF_ERROR(replica->CatchUp().status());
  return std::unique_ptr<DurableEventLog>(
      new ClusterEventLog(options, local_options, std::move(log),
                          std::move(jetstream), std::move(replica)));
}

}  // namespace collections::storage
