#include "storage/jetstream_replica.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "collections/v1/cluster.pb.h"
#include "common/status_macros.h"
#include "common/time_conversion.h"

namespace collections::storage {
namespace {

// How long a replica that knows it is behind waits for its tail before it
// reads directly.
constexpr absl::Duration kStalledTail = absl::Milliseconds(250);
// How often a replica whose tail is quiet asks how far the log goes.
constexpr absl::Duration kProbeInterval = absl::Seconds(1);
// Most messages read one by one while the tail is stalled.
constexpr uint64_t kMaxDirectReads = 64;

// One stream's part of a write, as the message carries it: the expected
// version as on the wire (an unknown kind is refused as the log applies
// it), the events moved out of the message.
StreamAppend PartOf(
    const std::string& stream_id, uint32_t expected_kind,
    uint64_t expected_version,
    google::protobuf::RepeatedPtrField<collections::v1::Event>* events) {
  return StreamAppend{
      stream_id,
      ExpectedVersion{static_cast<ExpectedVersion::Kind>(expected_kind),
                      expected_version},
      std::vector<collections::v1::Event>(
          std::make_move_iterator(events->begin()),
          std::make_move_iterator(events->end()))};
}

// The write a message carries: one append or a transaction, whose
// expected versions every node checks as it applies it. `payload` is the
// serialized ReplicatedAppend.
absl::StatusOr<ReplicatedWrite> WriteOf(const JetStreamMessage& message,
                                        const std::string& payload) {
  collections::v1::ReplicatedAppend append;
  if (!append.ParseFromString(payload) ||
      append.stream_id() != message.stream_id ||
      (append.events().empty() && append.parts().empty())) {
    return absl::DataLossError(
        absl::StrCat("JetStream message ", message.sequence,
                     " is not an append of stream ", message.stream_id));
  }
  ReplicatedWrite write;
  write.recorded_at = ToTime(append.recorded_at());
  if (append.parts().empty()) {
    write.parts.push_back(PartOf(append.stream_id(), append.expected_kind(),
                                 append.expected_version(),
                                 append.mutable_events()));
  }
  for (auto& part : *append.mutable_parts()) {
    write.parts.push_back(PartOf(part.stream_id(), part.expected_kind(),
                                 part.expected_version(),
                                 part.mutable_events()));
  }
  return write;
}

// The serialized ReplicatedAppend a signed message carries, once its
// signature holds; PERMISSION_DENIED saying why it does not.
absl::StatusOr<std::string> VerifiedAppend(const JetStreamMessage& message,
                                           const ClusterMessageAuth& auth) {
  collections::v1::SignedAppend signed_append;
  if (!signed_append.ParseFromString(message.payload) ||
      signed_append.node_id().empty() || signed_append.signature().empty()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "JetStream message ", message.sequence, " is not signed by a node"));
  }
  const absl::Status verified =
      auth.Verify(signed_append.node_id(),
                  SignedPayload(message.stream_id, signed_append.append()),
                  signed_append.signature());
  if (!verified.ok()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "JetStream message ", message.sequence, ": ", verified.message()));
  }
  return std::move(*signed_append.mutable_append());
}

}  // namespace

absl::StatusOr<std::unique_ptr<JetStreamReplica>> JetStreamReplica::Open(
    JetStreamLog* source, ReplicatedLog* local, const ClusterMessageAuth* auth,
    RejectedFn on_rejected) {
  COLLECTIONS_ASSIGN_OR_RETURN(const uint64_t cursor,
                               local->ReplicatedCursor());
  return std::unique_ptr<JetStreamReplica>(new JetStreamReplica(
      source, local, cursor, auth, std::move(on_rejected)));
}

JetStreamReplica::JetStreamReplica(JetStreamLog* source, ReplicatedLog* local,
                                   uint64_t applied,
                                   const ClusterMessageAuth* auth,
                                   RejectedFn on_rejected)
    : source_(source),
      local_(local),
      auth_(auth),
      on_rejected_(std::move(on_rejected)),
      applied_(applied),
      tail_(source->Tail(applied + 1)) {}

absl::StatusOr<uint64_t> JetStreamReplica::ApplyNext(uint64_t known_last,
                                                     absl::Duration wait) {
  bool behind = applied_ < known_last;
  absl::StatusOr<std::vector<JetStreamMessage>> tailed =
      tail_->Next(kMaxBatchMessages, kMaxBatchBytes,
                  behind ? std::min(wait, kStalledTail) : wait);
  if (!tailed.ok() && tailed.status().code() == absl::StatusCode::kDataLoss)
    return tailed.status();
  std::vector<JetStreamMessage> messages;
  if (tailed.ok()) messages = *std::move(tailed);
  if (messages.empty() && !behind && absl::Now() >= next_probe_) {
    // A quiet tail may be a stalled one (a consumer lost with its server
    // and not yet re-created): now and then, ask how far the log goes.
    next_probe_ = absl::Now() + kProbeInterval;
    absl::StatusOr<uint64_t> last = source_->LastSequence();
    if (last.ok() && *last > applied_) {
      known_last = *last;
      behind = true;
    }
  }
  if (messages.empty() && behind) {
    // The tail brought nothing though the log has more: read directly, and
    // let the tail start again after what was read.
    const uint64_t last = std::min(known_last, applied_ + kMaxDirectReads);
    for (uint64_t sequence = applied_ + 1; sequence <= last; ++sequence) {
      COLLECTIONS_ASSIGN_OR_RETURN(JetStreamMessage message,
                                   source_->Read(sequence));
      messages.push_back(std::move(message));
    }
    tail_ = source_->Tail(last + 1);
  }
  if (messages.empty()) {
    if (!tailed.ok()) return tailed.status();
    return applied_;
  }
  const absl::Status applied = Apply(messages);
  // A batch not (wholly) applied is read again from the first one missing.
  if (tail_->next_sequence() != applied_ + 1)
    tail_ = source_->Tail(applied_ + 1);
  COLLECTIONS_RETURN_IF_ERROR(applied);
  return applied_;
}

absl::StatusOr<uint64_t> JetStreamReplica::CatchUp() {
  COLLECTIONS_ASSIGN_OR_RETURN(const uint64_t last, source_->LastSequence());
  while (applied_ < last) {
    COLLECTIONS_RETURN_IF_ERROR(ApplyNext(last, absl::Seconds(1)).status());
  }
  return applied_;
}

absl::Status JetStreamReplica::Apply(
    const std::vector<JetStreamMessage>& messages) {
  std::vector<ReplicatedWrite> writes;
  // Messages no node signed: applied as nothing, here as on every node;
  // reported once the cursor has moved past them (a batch that fails to
  // apply is read again, and must not count them twice).
  std::vector<std::pair<uint64_t, absl::Status>> rejected;
  uint64_t cursor = applied_;
  absl::Status malformed;
  for (const JetStreamMessage& message : messages) {
    std::string verified;
    if (auth_ != nullptr) {
      absl::StatusOr<std::string> append = VerifiedAppend(message, *auth_);
      if (!append.ok()) {
        rejected.emplace_back(message.sequence, append.status());
        cursor = message.sequence;
        continue;
      }
      verified = *std::move(append);
    }
    absl::StatusOr<ReplicatedWrite> write =
        WriteOf(message, auth_ != nullptr ? verified : message.payload);
    if (!write.ok()) {
      malformed = write.status();
      break;
    }
    writes.push_back(*std::move(write));
    cursor = message.sequence;
  }
  if (cursor != applied_) {
    COLLECTIONS_RETURN_IF_ERROR(
        local_->ApplyReplicated(writes, cursor).status());
    applied_ = cursor;
    for (const auto& [sequence, why] : rejected) {
      rejected_.fetch_add(1);
      if (on_rejected_) on_rejected_(sequence, why);
    }
    absl::MutexLock lock(&known_mu_);
    if (last_sequence_of_.size() + writes.size() > kMaxKnownSubjects)
      last_sequence_of_.clear();  // crude, but forgetting only costs a look-up
    for (const JetStreamMessage& message : messages) {
      if (message.sequence > cursor) break;
      last_sequence_of_.insert_or_assign(message.stream_id, message.sequence);
    }
  }
  return malformed;
}

std::optional<uint64_t> JetStreamReplica::LastSequenceOf(
    absl::string_view stream_id) const {
  absl::MutexLock lock(&known_mu_);
  auto it = last_sequence_of_.find(stream_id);
  if (it == last_sequence_of_.end()) return std::nullopt;
  return it->second;
}

}  // namespace collections::storage
