// The event log of cluster mode (deploy/CLUSTER.md): a DurableEventLog
// (storage/durable_event_log.h) whose appends go through the cluster's
// JetStream log and whose reads, waits, tree (proofs, signed heads) and
// administration are served by this node's own RocksDB log, which a replica
// (jetstream_replica.h) keeps a copy of the JetStream log.
//
// An append:
//   1. is checked as the local log would (ValidateAppend), and answered at
//      once when its event ids are applied already (a retry);
//   2. with an expected version, is checked against the local copy and
//      published expecting the subject's last sequence as the local
//      replica knows it, so a race with another node is refused by
//      JetStream, not applied twice. When the local copy disagrees with
//      the caller (it may lag) or does not know the subject, the node asks
//      JetStream for the subject's last sequence and decides once it has
//      applied that far. A publish refused for a stale sequence is decided
//      the same way: ABORTED naming the actual version, or published again;
//   3. is published as one message (all its events: atomic), its message
//      id derived from the stream and its event ids (retries de-duplicate),
//      its expected version in it: every node checks it again as it applies
//      the message, so a transaction that moved the stream in between
//      (another subject) refuses it on every node alike;
//   4. is answered once the local copy has applied it: the positions and
//      version every node assigned it. Read-your-writes holds on this node.
// A transaction is one message whose parts' expectations every node checks
// as it applies it.
//
// The local copy is written unsynced: JetStream's replication makes an
// append durable before it is answered, and a copy that loses its newest
// writes to a power cut applies them again from its cursor.
//
// Errors as EventLog's; UNAVAILABLE also when JetStream has no majority or
// the local copy does not apply the message within apply_timeout (the
// append may still land: retry with the same event ids).
//
// Thread safety: as DurableEventLog. Appends wait on a pool of threads of their
// own, never on the caller's.
#ifndef COLLECTIONS_STORAGE_CLUSTER_EVENT_LOG_H_
#define COLLECTIONS_STORAGE_CLUSTER_EVENT_LOG_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "storage/cluster_auth.h"
#include "storage/durable_event_log.h"
#include "storage/jetstream_log.h"
#include "storage/jetstream_replica.h"
#include "storage/rocksdb_event_log.h"

namespace collections::storage {

struct ClusterLogOptions {
  JetStreamOptions jetstream;
  // How long an append waits for this node to apply its own message.
  absl::Duration apply_timeout = absl::Seconds(10);
  // Threads that publish and wait for appends.
  int append_threads = 32;
  // How long opening keeps trying to reach JetStream and its stream (a
  // cluster electing leaders, just after a server was lost or the stream
  // was made, answers UNAVAILABLE for a few seconds).
  absl::Duration connect_timeout = absl::Seconds(30);
  // Signs what this node publishes and checks what its replica applies
  // (cluster_auth.h). Null: unsigned messages (tests of the transport
  // alone; the server always sets it). Must outlive the log.
  const ClusterMessageAuth* auth = nullptr;
  // Told of each message the replica did not apply because its signature
  // failed (on the applier thread; keep it quick).
  JetStreamReplica::RejectedFn on_rejected;
};

// Opens this node's local log in `dir` (records carry their publisher's
// recorded_at; `local_options.sync` is ignored, see above; its size limits
// bind what this node publishes, not what its copy applies) and connects to
// JetStream; catches up before returning. Errors: the local log's open errors,
// JetStream's UNAVAILABLE; FAILED_PRECONDITION when `auth` does not accept
// this node's own signature (its key is not among the cluster's).
absl::StatusOr<std::unique_ptr<DurableEventLog>> OpenClusterEventLog(
    const ClusterLogOptions& options, const EventLogOptions& local_options,
    absl::string_view dir);

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_CLUSTER_EVENT_LOG_H_
