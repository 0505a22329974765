#include "storage/rocksdb_log_tree.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "storage/key_encoding.h"
#include "storage/merkle.h"
#include "storage/rocksdb_status.h"

namespace collections::storage {
namespace {

// A node missing below an acknowledged size means the stored tree is
// damaged.
absl::Status TreeDamage(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kNotFound) return status;
  return absl::DataLossError(absl::StrCat(
      "the event log's Merkle tree is damaged: ", status.message()));
}

template <typename T>
absl::StatusOr<T> OrDamage(absl::StatusOr<T> result) {
  if (!result.ok()) return TreeDamage(result.status());
  return result;
}

}  // namespace

absl::StatusOr<Sha256Digest> RocksDbLogTree::Root(uint64_t tree_size) const {
  return OrDamage(merkle::RootHash(
      [this](merkle::NodeId id) { return ReadMerkleNode(database_, id); },
      tree_size));
}

absl::StatusOr<std::vector<Sha256Digest>> RocksDbLogTree::InclusionProof(
    uint64_t position, uint64_t tree_size) const {
  if (position == 0 || position > tree_size) {
    return absl::InvalidArgumentError(absl::StrCat("position ", position,
                                                   " is not in the tree of ",
                                                   tree_size, " events"));
  }
  return OrDamage(merkle::InclusionProof(
      [this](merkle::NodeId id) { return ReadMerkleNode(database_, id); },
      position - 1, tree_size));
}

absl::StatusOr<std::vector<Sha256Digest>> RocksDbLogTree::ConsistencyProof(
    uint64_t old_size, uint64_t new_size) const {
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("the old tree size ", old_size,
                     " is larger than the new one, ", new_size));
  }
  return OrDamage(merkle::ConsistencyProof(
      [this](merkle::NodeId id) { return ReadMerkleNode(database_, id); },
      old_size, new_size));
}

absl::Status RocksDbLogTree::SaveHead(uint64_t tree_size,
                                      absl::string_view head, bool sync) const {
  rocksdb::WriteOptions write_options;
  write_options.sync = sync;
  return FromRocksDbStatus(
      database_.db->Put(write_options, database_.cf(ColumnFamily::kTreeHeads),
                        EncodeTreeHeadKey(tree_size), ToSlice(head)),
      "saving a signed tree head");
}

absl::StatusOr<std::optional<std::string>> RocksDbLogTree::ReadHead(
    uint64_t tree_size) const {
  std::string value;
  rocksdb::Status status = database_.db->Get(
      rocksdb::ReadOptions(), database_.cf(ColumnFamily::kTreeHeads),
      EncodeTreeHeadKey(tree_size), &value);
  if (status.IsNotFound()) return std::nullopt;
  COLLECTIONS_RETURN_IF_ERROR(
      FromRocksDbStatus(status, "reading a signed tree head"));
  return value;
}

absl::StatusOr<std::optional<std::string>> RocksDbLogTree::LatestHead() const {
  std::unique_ptr<rocksdb::Iterator> it(database_.db->NewIterator(
      rocksdb::ReadOptions(), database_.cf(ColumnFamily::kTreeHeads)));
  it->SeekToLast();
  COLLECTIONS_RETURN_IF_ERROR(
      FromRocksDbStatus(it->status(), "reading the latest tree head"));
  if (!it->Valid()) return std::nullopt;
  return it->value().ToString();
}

}  // namespace collections::storage
