// A RocksDB database's memory, bounded by one figure: its block cache holds
// the data blocks, the index and filter blocks (instead of table readers
// holding them outside any limit) and a reservation for every memtable byte
// (a write-buffer manager charged to the cache). What the database holds in
// memory then grows with the budget, not with the data (the whole server:
// 273 MiB resident with 10M events in the log; docs/performance.md, and
// for operators docs/operations.md, "Memory").
// Internal to storage/: used where the event log's and the projection
// store's databases are opened. Both functions only fill in options (no
// shared state, no I/O); the cache and the write-buffer manager are
// shared_ptrs the options, and then the open database, keep alive.
#ifndef COLLECTIONS_STORAGE_ROCKSDB_MEMORY_H_
#define COLLECTIONS_STORAGE_ROCKSDB_MEMORY_H_

#include <cstddef>
#include <memory>

#include "rocksdb/cache.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"

namespace collections::storage {

struct RocksDbMemory {
  // The block cache every column family's table options use.
  std::shared_ptr<rocksdb::Cache> cache;
};

// Makes a cache of `budget_bytes` and sets `db_options` to flush the
// largest memtable once all memtables together reach `memtable_bytes`
// (their bytes are reserved in that cache, evicting blocks). Requires
// memtable_bytes < budget_bytes. Call before opening; give the result to
// ConfigureTableMemory for every column family.
RocksDbMemory ConfigureDatabaseMemory(size_t budget_bytes,
                                      size_t memtable_bytes,
                                      rocksdb::DBOptions* db_options);

// Points `table` at the budget's cache and keeps index and filter blocks
// in it: the top-level ones of level-0 files pinned (every read consults
// them), the rest evictable like data blocks, but evicted last.
void ConfigureTableMemory(const RocksDbMemory& memory,
                          rocksdb::BlockBasedTableOptions* table);

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_ROCKSDB_MEMORY_H_
