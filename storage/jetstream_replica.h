// JetStreamReplica: keeps this node's own event log a copy of the
// cluster's JetStream log (deploy/CLUSTER.md). Each message, a
// ReplicatedAppend (proto/collections/v1/cluster.proto), is applied in
// sequence order as one Append to the local log, so every node assigns the
// same global positions and stream versions; the local log's clock is set
// to the message's recorded_at first, so every node stores byte-identical
// records and computes the same Merkle roots for the same tree sizes.
//
// A message whose events the local log refuses (a transaction whose
// expected versions no longer hold, event ids reused by another append) is
// applied as nothing: every node refuses it alike, and the publisher reads
// the refusal from its own replica.
//
// The last applied sequence is kept in a checkpoint file, written after the
// events (temp file, then rename): after a crash the replica re-applies
// from there, and the messages it had already applied are recognised by
// their event ids and change nothing.
//
// Thread safety: one caller at a time (the node's applier thread). The
// local log must have no other writer.
#ifndef COLLECTIONS_STORAGE_JETSTREAM_REPLICA_H_
#define COLLECTIONS_STORAGE_JETSTREAM_REPLICA_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "storage/clock.h"
#include "storage/event_log.h"
#include "storage/jetstream_log.h"

namespace collections::storage {

class JetStreamReplica {
 public:
  // `local` must use `clock` as its clock (EventLogOptions::clock). All
  // three must outlive the replica. Reads the checkpoint file (missing: 0).
  JetStreamReplica(JetStreamLog* source, EventLog* local, FakeClock* clock,
                   std::string checkpoint_file);

  // Applies every message after the checkpoint up to the source's last
  // sequence, and returns the last sequence applied. Errors: the source's
  // (UNAVAILABLE), DATA_LOSS for a message that is not a ReplicatedAppend,
  // the local log's I/O errors (UNAVAILABLE).
  absl::StatusOr<uint64_t> CatchUp();

  // The last sequence applied (the checkpoint).
  uint64_t applied() const { return applied_; }

 private:
  absl::Status Apply(const JetStreamMessage& message);
  absl::Status SaveCheckpoint();

  JetStreamLog* const source_;
  EventLog* const local_;
  FakeClock* const clock_;
  const std::string checkpoint_file_;
  uint64_t applied_ = 0;
};

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_JETSTREAM_REPLICA_H_
