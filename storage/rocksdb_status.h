// The one conversion from rocksdb::Status to absl::Status. RocksDB types stop
// at the storage boundary; everything above sees absl::Status with the
// project's fixed meanings (conventions.md §2).
#ifndef COLLECTIONS_STORAGE_ROCKSDB_STATUS_H_
#define COLLECTIONS_STORAGE_ROCKSDB_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rocksdb/status.h"

namespace collections::storage {

// OK → OK; corruption → DATA_LOSS; I/O, no space, busy, timed out, try again,
// aborted, incomplete → UNAVAILABLE; not found → NOT_FOUND; invalid argument →
// INVALID_ARGUMENT; not supported → FAILED_PRECONDITION; anything else →
// INTERNAL. The message is "<context>: <rocksdb message>".
absl::Status FromRocksDbStatus(const rocksdb::Status& status,
                               absl::string_view context);

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_ROCKSDB_STATUS_H_
