// The RocksDB KeyStore (storage/key_store.h): a database of its own (by
// default <data_dir>/keys), synced writes, no WAL archive, and an Erase
// that flushes, compacts and purges until no file holds the erased value.
#ifndef COLLECTIONS_STORAGE_ROCKSDB_KEY_STORE_H_
#define COLLECTIONS_STORAGE_ROCKSDB_KEY_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "storage/key_store.h"

namespace collections::storage {

// Opens or creates the store in `dir`. FAILED_PRECONDITION when another
// process has it open; UNAVAILABLE for I/O errors.
absl::StatusOr<std::unique_ptr<KeyStore>> OpenRocksDbKeyStore(
    const std::string& dir);

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_ROCKSDB_KEY_STORE_H_
