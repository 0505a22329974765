// ReplicatedLog: a DurableEventLog that also takes writes another log decided:
// the cluster's JetStream log (deploy/CLUSTER.md), applied by a node's
// replica (jetstream_replica.h). Writes come in the source's order, many to
// one group commit, each with the recorded_at its publisher gave it, and
// with a cursor (how far the source has been applied) written in the same
// RocksDB batch as their events. So the local copy and its cursor never
// disagree, even after a crash of an unsynced log: what survives is a
// prefix of the writes with the cursor that goes with it.
//
// Thread safety: as DurableEventLog. ApplyReplicated must have one caller at a
// time, and the log no other appender (reads, proofs and tree heads go on).
#ifndef COLLECTIONS_STORAGE_REPLICATED_LOG_H_
#define COLLECTIONS_STORAGE_REPLICATED_LOG_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "storage/durable_event_log.h"
#include "storage/event_log.h"
#include "storage/rocksdb_event_log.h"

namespace collections::storage {

// One write of the source log: one part is an append (its expectation
// checked as Append checks it); several are a transaction, all parts or
// none.
struct ReplicatedWrite {
  std::vector<StreamAppend> parts;
  absl::Time recorded_at;  // stored in every event's record
};

// Whether an append's error is a refusal every node decides alike from the
// same log (bad input, a failed expectation, event ids taken), as opposed
// to one of this node's own (I/O, a damaged store).
inline bool IsReplicatedRefusal(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAborted ||
         status.code() == absl::StatusCode::kFailedPrecondition ||
         status.code() == absl::StatusCode::kInvalidArgument;
}

class ReplicatedLog : public DurableEventLog {
 public:
  // Applies `writes` in order, as one group commit, and stores `cursor`
  // with them. Each write is accepted or refused on its own, as Append or
  // AppendTransaction would decide it against the log as of the writes
  // before it: a refused write (bad input, an expectation that no longer
  // holds, event ids taken) and a retry (its event ids applied already)
  // write nothing, the same on every node. Returns how many writes were
  // accepted. UNAVAILABLE when the group could not be written or synced:
  // then nothing of it was, the cursor included; DATA_LOSS as Append.
  virtual absl::StatusOr<size_t> ApplyReplicated(
      absl::Span<const ReplicatedWrite> writes, uint64_t cursor) = 0;

  // The cursor stored by the last ApplyReplicated (0 when none was).
  virtual absl::StatusOr<uint64_t> ReplicatedCursor() = 0;
};

// Opens (or creates) the RocksDB event log in `dir` as a ReplicatedLog.
// Options and errors as OpenRocksDbEventLog.
absl::StatusOr<std::unique_ptr<ReplicatedLog>> OpenRocksDbReplicatedLog(
    const EventLogOptions& options, absl::string_view dir);

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_REPLICATED_LOG_H_
