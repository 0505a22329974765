// LogObserver: what the event log tells an operator's metrics about its own
// work, and StorageFigures: the storage engine's state an operator watches.
// Both are plain data and an interface, so storage/ stays free of any
// metrics library: the server plugs a Prometheus-backed observer in
// (services/observability/server_metrics.h).
#ifndef COLLECTIONS_STORAGE_LOG_OBSERVER_H_
#define COLLECTIONS_STORAGE_LOG_OBSERVER_H_

#include <cstddef>
#include <cstdint>

#include "absl/time/time.h"

namespace collections::storage {

// One group commit, reported just before its members are answered.
struct GroupCommitReport {
  size_t appends = 0;  // Append calls in the group (a transaction is one)
  size_t events = 0;   // events they carried
  // The WAL sync the group waited for; zero when nothing was synced (sync
  // off, or nothing written).
  absl::Duration wal_sync;
  // True when the group was written and synced, so its answers (a stale
  // expected version's refusal included) are final; false when the whole
  // group was refused (no room on the disk) or its write or sync failed.
  bool acknowledged = false;
};

// Receives reports from the log's committer thread: implementations must be
// quick, never block and never call back into the log. Thread safety: called
// from one thread at a time.
class LogObserver {
 public:
  virtual ~LogObserver() = default;
  virtual void OnGroupCommit(const GroupCommitReport& report) = 0;
};

// The storage engine's figures at one moment (RocksDB properties summed
// over the log's column families).
struct StorageFigures {
  uint64_t pending_compaction_bytes = 0;  // estimated bytes left to compact
  uint64_t memtable_bytes = 0;            // all memtables, active and immutable
  uint64_t live_sst_bytes = 0;            // table files in the current version
  // Memory: bytes held in the block cache (data blocks, and index and
  // filter blocks, which live there; with a memory budget also the
  // memtables' reservations), and table readers' memory outside it.
  uint64_t block_cache_bytes = 0;
  uint64_t table_reader_bytes = 0;
  uint64_t running_compactions = 0;
  uint64_t running_flushes = 0;
  // Writes stalled right now (RocksDB stopped writes), and the delayed
  // write rate in bytes per second (0 when writes are not slowed down).
  bool write_stopped = false;
  uint64_t delayed_write_rate = 0;
  // Since the database opened: how often writes were slowed down or stopped
  // because compaction or flushes fell behind.
  uint64_t write_slowdowns = 0;
  uint64_t write_stops = 0;
};

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_LOG_OBSERVER_H_
