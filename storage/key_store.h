// KeyStore: the small store that keeps debtors' data keys (wrapped by the
// master key) apart from the event log, so that erasing a key erases it
// from disk while the log stays untouched. The RocksDB implementation is
// opened with storage/rocksdb_key_store.h.
//
// Guarantees: Put is durable when it returns. Erase removes a key from
// every file of the store before it returns: the deletion is flushed, the
// files that held the value are compacted away and deleted, and no WAL
// keeps it.
//
// Thread safety: all methods may be called concurrently.
#ifndef COLLECTIONS_STORAGE_KEY_STORE_H_
#define COLLECTIONS_STORAGE_KEY_STORE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace collections::storage {

class KeyStore {
 public:
  virtual ~KeyStore() = default;
  virtual absl::StatusOr<std::optional<std::string>> Get(
      absl::string_view key) = 0;
  virtual absl::Status Put(absl::string_view key, absl::string_view value) = 0;
  // Stores `value` under `key` unless the key holds a value already, as
  // one atomic step against every other writer (in cluster mode, every
  // node's); returns what the key holds afterwards: `value`, or the value
  // another writer stored first. Durable when it returns.
  virtual absl::StatusOr<std::string> PutIfAbsent(absl::string_view key,
                                                  absl::string_view value) = 0;
  virtual absl::Status Erase(absl::string_view key) = 0;
  // How many erasures this store has seen: its own and, where it is shared
  // (cluster mode), other nodes'. A cache of values read from the store
  // must be dropped whenever this changes. Any thread.
  virtual uint64_t erasures_seen() const = 0;
  // Every entry whose key starts with `prefix`, in key order.
  virtual absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Scan(
      absl::string_view prefix) = 0;
  // An online, consistent copy of the store in `dir` (which must not
  // exist), as LogAdministration::Checkpoint.
  virtual absl::Status Checkpoint(const std::string& dir) = 0;
};

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_KEY_STORE_H_
