// Bringing a RocksDB database to rest: memtables written out and no
// compaction pending or running. What EventLog::Settle and
// ProjectionStore::Settle do, for benchmarks and operators.
#ifndef COLLECTIONS_STORAGE_ROCKSDB_SETTLE_H_
#define COLLECTIONS_STORAGE_ROCKSDB_SETTLE_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "rocksdb/db.h"

namespace collections::storage {

// Flushes `families` (waiting for the flushes) and polls until none of them
// has a compaction pending and none runs, for up to `timeout`.
// DEADLINE_EXCEEDED naming `what` when compactions outlast it; flush errors
// as FromRocksDbStatus.
absl::Status SettleDatabase(
    rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& families,
    absl::Duration timeout, absl::string_view what);

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_ROCKSDB_SETTLE_H_
