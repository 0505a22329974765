// JetStreamReplica: keeps this node's own event log a copy of the
// cluster's JetStream log (deploy/CLUSTER.md). It reads the log in order
// through a JetStreamTail, many messages per round trip, and applies each
// batch of messages (ReplicatedAppend, proto/collections/v1/cluster.proto)
// as one group commit of the local log (ReplicatedLog::ApplyReplicated),
// with the last applied sequence as the cursor in the same batch. Every
// node applies the same messages in the same order with the recorded_at
// their publisher gave them, so every node assigns the same positions and
// stream versions, stores byte-identical records and computes the same
// Merkle roots for the same tree sizes.
//
// Signed messages (cluster_auth.h): given a ClusterMessageAuth, a replica
// applies only messages signed by one of the cluster's nodes. Any other
// message (unsigned, garbage, an unknown node, a wrong signature) is
// applied as nothing, like a refused one, on every node alike; it is
// counted (rejected()) and reported through the callback, and the replica
// goes on. Without one (tests of the transport alone), messages are plain
// ReplicatedAppends and a malformed one is DATA_LOSS.
//
// A message whose events the local log refuses (a transaction whose
// expected versions no longer hold, event ids reused by another append) is
// applied as nothing: every node refuses it alike, and the publisher reads
// the refusal from its own replica. After a restart the replica resumes
// from the local log's cursor; a message applied again (a copy that lost
// its newest writes) is recognised by its event ids and changes nothing.
//
// Thread safety: one caller at a time (the node's applier thread), except
// LastSequenceOf, which any thread may call. The local log must have no
// other appender.
#ifndef COLLECTIONS_STORAGE_JETSTREAM_REPLICA_H_
#define COLLECTIONS_STORAGE_JETSTREAM_REPLICA_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storage/cluster_auth.h"
#include "storage/jetstream_log.h"
#include "storage/replicated_log.h"

namespace collections::storage {

class JetStreamReplica {
 public:
  // Most messages, and bytes of them, applied as one group commit.
  static constexpr size_t kMaxBatchMessages = 512;
  static constexpr size_t kMaxBatchBytes = 4 << 20;

  // Called (on the applier thread) for each message not applied because
  // its signature failed: its sequence and why (PERMISSION_DENIED).
  using RejectedFn = std::function<void(uint64_t, const absl::Status&)>;

  // A replica of `source` into `local`, resuming from the local log's
  // cursor, checking signatures with `auth` when given. `source`, `local`
  // and `auth` must outlive it. Errors: the local log's, reading the
  // cursor.
  static absl::StatusOr<std::unique_ptr<JetStreamReplica>> Open(
      JetStreamLog* source, ReplicatedLog* local,
      const ClusterMessageAuth* auth = nullptr, RejectedFn on_rejected = {});

  // Applies the next messages, waiting up to `wait` for the first, and
  // returns the last sequence applied. `known_last` is a sequence the
  // caller knows the log has (0: none): when the tail brings nothing while
  // the replica is behind it (the tail's server went away, say), the
  // replica reads up to it directly instead and restarts the tail. A tail
  // quiet for a second makes the replica ask the log's last sequence
  // itself, so a stalled tail is noticed without any caller. Errors:
  // the source's (UNAVAILABLE); DATA_LOSS for a message that is not a
  // ReplicatedAppend (the messages before it are applied); the local log's
  // I/O errors (UNAVAILABLE). After an error, call again.
  absl::StatusOr<uint64_t> ApplyNext(uint64_t known_last, absl::Duration wait);

  // Applies every message up to the source's last sequence now, and
  // returns it. Errors as ApplyNext's.
  absl::StatusOr<uint64_t> CatchUp();

  // The last sequence applied (the local log's cursor).
  uint64_t applied() const { return applied_; }

  // The sequence of the last message on `stream_id`'s subject that this
  // replica applied since it was opened, or nullopt when it applied none
  // (or forgot: it keeps at most kMaxKnownSubjects). Written after the
  // local log has the message, so a local read made after this call is at
  // least as new. The one method other threads may call.
  std::optional<uint64_t> LastSequenceOf(absl::string_view stream_id) const;
  static constexpr size_t kMaxKnownSubjects = 100000;

  // Messages applied as nothing because their signature failed, since
  // opened. Any thread.
  uint64_t rejected() const { return rejected_.load(); }

 private:
  JetStreamReplica(JetStreamLog* source, ReplicatedLog* local, uint64_t applied,
                   const ClusterMessageAuth* auth, RejectedFn on_rejected);
  // Applies `messages` (consecutive, after applied_) as one unit; DATA_LOSS
  // after applying those before a malformed one.
  absl::Status Apply(const std::vector<JetStreamMessage>& messages);

  JetStreamLog* const source_;
  ReplicatedLog* const local_;
  const ClusterMessageAuth* const auth_;  // null: messages are not signed
  const RejectedFn on_rejected_;
  std::atomic<uint64_t> rejected_{0};
  uint64_t applied_;
  std::unique_ptr<JetStreamTail> tail_;
  absl::Time next_probe_ = absl::InfinitePast();
  mutable absl::Mutex known_mu_;
  absl::flat_hash_map<std::string, uint64_t> last_sequence_of_
      ABSL_GUARDED_BY(known_mu_);
};

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_JETSTREAM_REPLICA_H_
