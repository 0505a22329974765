// The Merkle tree and the kept tree heads of an open event log database:
// roots and proofs folded from stored nodes (storage/merkle.h), heads kept
// by tree size. Internal to storage/: RocksDbEventLog checks that sizes are
// within its acknowledged head and delegates here.
//
// Thread safety: all methods are safe to call concurrently; the database
// must outlive the object.
#ifndef COLLECTIONS_STORAGE_ROCKSDB_LOG_TREE_H_
#define COLLECTIONS_STORAGE_ROCKSDB_LOG_TREE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/sha256.h"
#include "storage/rocksdb_database.h"

namespace collections::storage {

class RocksDbLogTree {
 public:
  explicit RocksDbLogTree(const EventLogDatabase& database)
      : database_(database) {}

  // As LogTree's, for sizes the caller knows are acknowledged. A node
  // missing below them is DATA_LOSS.
  absl::StatusOr<Sha256Digest> Root(uint64_t tree_size) const;
  absl::StatusOr<std::vector<Sha256Digest>> InclusionProof(
      uint64_t position, uint64_t tree_size) const;
  absl::StatusOr<std::vector<Sha256Digest>> ConsistencyProof(
      uint64_t old_size, uint64_t new_size) const;

  absl::Status SaveHead(uint64_t tree_size, absl::string_view head,
                        bool sync) const;
  absl::StatusOr<std::optional<std::string>> ReadHead(uint64_t tree_size) const;
  absl::StatusOr<std::optional<std::string>> LatestHead() const;

 private:
  const EventLogDatabase& database_;
};

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_ROCKSDB_LOG_TREE_H_
