// The RocksDB ProjectionStore: one database per directory, keys
//   'c' <projection>                  → checkpoint, u64 big-endian
//   'd' <projection> 0x00 <key>       → value
// Writes are WriteBatchWithIndex batches (reads see their own pending
// changes); a commit writes the batch plus the checkpoint as one batch.
#ifndef COLLECTIONS_STORAGE_ROCKSDB_PROJECTION_STORE_H_
#define COLLECTIONS_STORAGE_ROCKSDB_PROJECTION_STORE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/projection_store.h"
#include "storage/write_faults.h"

namespace collections::storage {

struct ProjectionStoreOptions {
  bool sync = false;  // see projection_store.h: the log is the record
  // Whether commits also go through a write-ahead log (always, with sync).
  // Off by default: a commit then lives in the memtable until a flush
  // writes it to a table file, and a crash (a killed process as much as a
  // power loss) takes the store back to its last flush. That is a state it
  // passed through: the store is one column family, whose memtables flush
  // in order, and every commit carries its checkpoint, so the runners
  // resume from there and re-apply the lost events from the log, each
  // once. A clean close flushes. The WAL's copy, checksum and write() of
  // every commit cost 2-3% of the server's CPU under load
  // (docs/performance.md). A write error then shows at the next flush
  // (Settle, or a full memtable) instead of at the commit, and every commit
  // after it answers UNAVAILABLE until the store is reopened.
  bool write_ahead_log = false;
  // What RocksDB holds in memory for the store (storage/rocksdb_memory.h):
  // a block cache of memory_bytes holding blocks and a reservation for the
  // memtables, which flush once they reach memtable_bytes. Defaults
  // 128 MiB and 64 MiB.
  size_t memory_bytes = size_t{128} << 20;
  size_t memtable_bytes = size_t{64} << 20;
  // Prefix bloom filters on "<segment>/<segment>/" key prefixes, for scans
  // within one debtor's timeline or one creditor's cases. Off by default:
  // measured slower for this workload (projection_bench).
  bool prefix_filters = false;
  // Fault tests only: writes fail while this switch is on (write_faults.h).
  // Null in production. Must outlive the store.
  WriteFaults* write_faults = nullptr;
};

// Opens or creates the store in `dir`. FAILED_PRECONDITION when another
// process has it open; UNAVAILABLE for I/O errors.
absl::StatusOr<std::unique_ptr<ProjectionStore>> OpenRocksDbProjectionStore(
    const ProjectionStoreOptions& options, absl::string_view dir);

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_ROCKSDB_PROJECTION_STORE_H_
