// ProjectionStore: where read-side projections keep their state and their
// checkpoint (the last log position applied). The state of one projection
// version lives in its own keyspace, named e.g. "case_standing@2", so a
// rebuild can fill a new version beside the live one and the old one can be
// dropped after the swap.
//
// Exactly-once effect: a projection's changes for a run of events and its new
// checkpoint are committed in one atomic write. After a crash the store holds
// some committed prefix of writes, never a write without its checkpoint, so
// the projection resumes from its checkpoint and applies each event's effect
// once. (Projection writes need not be synced: the log is the system of
// record and anything lost is re-derived from it.)
//
// The store is separate from the event log (its own RocksDB database in
// data_dir/projections), so projection writes never compete with the log's
// group commits for its WAL.
//
// Thread safety: all methods are safe to call concurrently. A Write is used by
// one thread.
#ifndef COLLECTIONS_STORAGE_PROJECTION_STORE_H_
#define COLLECTIONS_STORAGE_PROJECTION_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "storage/log_observer.h"

namespace collections::storage {

// Pending changes to one projection's keyspace. Reads see the pending
// changes over the committed state.
class ProjectionWrite {
 public:
  virtual ~ProjectionWrite() = default;
  virtual absl::StatusOr<std::optional<std::string>> Get(
      absl::string_view key) = 0;
  virtual void Put(absl::string_view key, absl::string_view value) = 0;
  virtual void Delete(absl::string_view key) = 0;
  // Bytes of pending changes (to bound a write's size).
  virtual size_t pending_bytes() const = 0;
};

// A consistent view of one projection's committed state as of the moment
// it was taken: reads of keys that depend on each other (an index and what
// it points to) never mix two commits. Holds resources until destroyed:
// take one per query, not per process. Not shared between threads; the
// store must outlive it.
class ProjectionSnapshot {
 public:
  virtual ~ProjectionSnapshot() = default;
  virtual absl::StatusOr<std::optional<std::string>> Get(
      absl::string_view key) = 0;
};

class ProjectionStore {
 public:
  virtual ~ProjectionStore() = default;

  // Starts a write to `projection` (1..100 of [A-Za-z0-9_.@-]; INVALID_ARGUMENT
  // otherwise). A write that is not `indexed` is cheaper per change, but its
  // Get sees only committed state, not its own pending changes.
  virtual absl::StatusOr<std::unique_ptr<ProjectionWrite>> BeginWrite(
      absl::string_view projection, bool indexed = true) = 0;
  // Commits `write` and sets the projection's checkpoint to `checkpoint`,
  // atomically. FAILED_PRECONDITION when `checkpoint` is below the current
  // one (a projection never goes back); UNAVAILABLE on I/O errors.
  virtual absl::Status Commit(ProjectionWrite& write, uint64_t checkpoint) = 0;

  // The committed value of `key`, or nullopt.
  virtual absl::StatusOr<std::optional<std::string>> Get(
      absl::string_view projection, absl::string_view key) = 0;
  // A snapshot of `projection`'s committed state (INVALID_ARGUMENT for a
  // bad name).
  virtual absl::StatusOr<std::unique_ptr<ProjectionSnapshot>> Snapshot(
      absl::string_view projection) = 0;
  // Up to `limit` committed entries whose keys start with `prefix`, in key
  // order, after `start_after` when it is not empty.
  virtual absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Scan(
      absl::string_view projection, absl::string_view prefix,
      absl::string_view start_after, size_t limit) = 0;
  // The projection's checkpoint; 0 when it has never committed.
  virtual absl::StatusOr<uint64_t> Checkpoint(absl::string_view projection) = 0;
  // Removes the projection's keyspace and checkpoint.
  virtual absl::Status Drop(absl::string_view projection) = 0;
  // Every projection with a checkpoint, in name order.
  virtual absl::StatusOr<std::vector<std::string>> Projections() = 0;

  // Writes memtables out and waits (up to `timeout`) until no compaction is
  // pending or running: the steady state benchmarks measure reads in.
  virtual absl::Status Settle(absl::Duration timeout) = 0;

  // The storage engine's figures now (compaction debt, memtables, write
  // stalls), for metrics. Cheap; no I/O.
  virtual StorageFigures Figures() const = 0;

  // A human-readable account of how the store lays out its data (files per
  // level, sizes), for benchmarks and operators; empty when it has none.
  virtual std::string DescribeLayout() { return ""; }
};

// Checks a projection name: 1..100 of [A-Za-z0-9_.@-].
absl::Status ValidateProjectionName(absl::string_view projection);

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_PROJECTION_STORE_H_
