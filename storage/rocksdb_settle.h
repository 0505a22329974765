// Bringing a RocksDB database to rest (memtables written out, no compaction
// pending or running), what LogAdministration::Settle and
// ProjectionStore::Settle do, for benchmarks and operators; and copying one
// online (checkpoints, for backups).
#ifndef COLLECTIONS_STORAGE_ROCKSDB_SETTLE_H_
#define COLLECTIONS_STORAGE_ROCKSDB_SETTLE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "rocksdb/db.h"

namespace collections::storage {

// Flushes `families` (waiting for the flushes) and polls until no flush or
// compaction runs and none of them has a compaction pending, or none has
// run for a second although one is flagged as pending (universal
// compaction's flag can stay set with nothing to merge), for up to
// `timeout`.
// DEADLINE_EXCEEDED naming `what` when compactions outlast it; flush errors
// as FromRocksDbStatus.
absl::Status SettleDatabase(
    rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& families,
    absl::Duration timeout, absl::string_view what);

// A RocksDB checkpoint of `db` in `dir`, which must not exist
// (FAILED_PRECONDITION naming `what` when it does).
absl::Status CheckpointDatabase(rocksdb::DB* db, const std::string& dir,
                                absl::string_view what);

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_ROCKSDB_SETTLE_H_
