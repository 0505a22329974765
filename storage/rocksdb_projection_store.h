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
