// The RocksDB side of WriteFaults: an Env whose file system refuses writes
// while the switch is on. Internal to storage/.
#ifndef COLLECTIONS_STORAGE_ROCKSDB_WRITE_FAULTS_H_
#define COLLECTIONS_STORAGE_ROCKSDB_WRITE_FAULTS_H_

#include <memory>

#include "rocksdb/env.h"
#include "storage/write_faults.h"

namespace collections::storage {

// An Env over the default one whose files refuse Append, PositionedAppend,
// Flush, Sync, Fsync, RangeSync and creation with IOStatus::NoSpace while
// `faults` fails writes. `faults` must outlive the Env, and the Env the DB
// opened with it.
std::unique_ptr<rocksdb::Env> NewWriteFaultEnv(WriteFaults* faults);

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_ROCKSDB_WRITE_FAULTS_H_
