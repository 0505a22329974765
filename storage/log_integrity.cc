#include "storage/log_integrity.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "collections/v1/events.pb.h"
#include "common/status_macros.h"
#include "rocksdb/db.h"
#include "storage/key_encoding.h"
#include "storage/merkle.h"
#include "storage/rocksdb_database.h"
#include "storage/rocksdb_status.h"

namespace collections::storage {
namespace {

// The database opened read-only with whichever column families it has.
struct ReadOnlyLog {
  std::unique_ptr<rocksdb::DB> db;
  absl::flat_hash_map<std::string, rocksdb::ColumnFamilyHandle*> families;

  ~ReadOnlyLog() {
    if (db == nullptr) return;
    for (auto& [name, handle] : families)
      db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  rocksdb::ColumnFamilyHandle* cf(ColumnFamily family) const {
    auto it = families.find(ColumnFamilyName(family));
    return it == families.end() ? nullptr : it->second;
  }
};

absl::Status OpenReadOnly(absl::string_view dir, ReadOnlyLog* log) {
  const std::string path(dir);
  std::vector<std::string> names;
  rocksdb::Status listed =
      rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names);
  if (!listed.ok()) {
    return absl::NotFoundError(
        absl::StrCat("no event log in ", path, ": ", listed.ToString()));
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names)
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  COLLECTIONS_RETURN_IF_ERROR(FromRocksDbStatus(
      rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), path, descriptors,
                                   &handles, &db),
      absl::StrCat("opening ", path, " read-only")));
  log->db.reset(db);
  for (size_t i = 0; i < handles.size(); ++i)
    log->families[names[i]] = handles[i];
  if (log->cf(ColumnFamily::kEvents) == nullptr) {
    return absl::NotFoundError(absl::StrCat(path, " holds no event log"));
  }
  return absl::OkStatus();
}

struct StreamProgress {
  uint64_t version = 0;
  Sha256Digest chain{};
};

class Checker {
 public:
  explicit Checker(const ReadOnlyLog& log) : log_(log) {}

  absl::StatusOr<LogIntegrity> Run() {
    COLLECTIONS_RETURN_IF_ERROR(ReadHeads());
    std::unique_ptr<rocksdb::Iterator> it(log_.db->NewIterator(
        rocksdb::ReadOptions(), log_.cf(ColumnFamily::kEvents)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      absl::StatusOr<uint64_t> position = DecodePositionKey(View(it->key()));
      if (!position.ok()) {
        Problem(absl::StrCat("an events key is malformed: ",
                             position.status().message()));
        continue;
      }
      Check(*position, View(it->value()));
    }
    COLLECTIONS_RETURN_IF_ERROR(
        FromRocksDbStatus(it->status(), "reading the events"));
    result_.streams = streams_.size();
    for (const auto& [size, head] : result_.tree_heads) {
      if (size > result_.events) {
        Problem(absl::StrCat("a tree head is kept for size ", size,
                             " but the log holds ", result_.events,
                             " events: events at the end were removed"));
      }
    }
    return std::move(result_);
  }

 private:
  absl::Status ReadHeads() {
    rocksdb::ColumnFamilyHandle* heads = log_.cf(ColumnFamily::kTreeHeads);
    if (heads == nullptr) return absl::OkStatus();
    std::unique_ptr<rocksdb::Iterator> it(
        log_.db->NewIterator(rocksdb::ReadOptions(), heads));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      absl::StatusOr<uint64_t> size = DecodePositionKey(View(it->key()));
      if (size.ok()) result_.tree_heads[*size] = it->value().ToString();
    }
    if (result_.tree_heads.count(0) > 0) {
      result_.recomputed_roots[0] = merkle::EmptyRoot();
    }
    return FromRocksDbStatus(it->status(), "reading the tree heads");
  }

  void Problem(std::string what) {
    if (result_.problems.size() < kMaxIntegrityProblems)
      result_.problems.push_back(std::move(what));
  }

  void Check(uint64_t position, absl::string_view value) {
    ++result_.events;
    if (position != next_) {
      Problem(absl::StrCat("positions ", next_, "..", position - 1,
                           " are missing: the log has a gap before position ",
                           position));
      tree_broken_ = true;
    }
    next_ = position + 1;
    absl::StatusOr<EventValueView> stored = DecodeEventValue(value);
    if (!stored.ok()) {
      Problem(absl::StrCat("position ", position,
                           ": the stored value is malformed"));
      tree_broken_ = true;
      return;
    }
    const Sha256Digest leaf = LeafHash(stored->record);
    if (leaf != stored->leaf_hash) {
      Problem(absl::StrCat("position ", position,
                           ": the record does not hash to its stored leaf "
                           "hash (it was changed after it was written)"));
    }
    collections::v1::Event event;
    if (!event.ParseFromArray(stored->record.data(),
                              static_cast<int>(stored->record.size()))) {
      Problem(absl::StrCat("position ", position,
                           ": the record does not decode as an event"));
    } else {
      if (event.global_position() != position) {
        Problem(absl::StrCat(
            "position ", position, ": the record there names position ",
            event.global_position(), " (events were moved or swapped)"));
      }
      StreamProgress& stream = streams_[event.stream_id()];
      if (event.stream_version() != stream.version + 1) {
        Problem(absl::StrCat("position ", position, ": ", event.stream_id(),
                             " version ", event.stream_version(),
                             " follows version ", stream.version));
      }
      stream.version = event.stream_version();
      stream.chain = ChainHash(stream.chain, leaf);
      if (stream.chain != stored->chain_hash) {
        Problem(absl::StrCat("position ", position, ": the chain hash of ",
                             event.stream_id(), " v", event.stream_version(),
                             " does not recompute"));
        stream.chain = stored->chain_hash;  // report each break once
      }
    }
    if (tree_broken_) return;
    frontier_.Append(leaf, [&](merkle::NodeId id, const Sha256Digest& hash) {
      CheckNode(id, hash);
    });
    if (result_.tree_heads.count(frontier_.size()) > 0) {
      result_.recomputed_roots[frontier_.size()] = frontier_.Root();
    }
  }

  void CheckNode(merkle::NodeId id, const Sha256Digest& recomputed) {
    rocksdb::ColumnFamilyHandle* nodes = log_.cf(ColumnFamily::kMerkle);
    if (nodes == nullptr) return;  // format 2: no tree stored yet
    if (id.level < kLowestStoredMerkleLevel) return;  // not stored
    std::string value;
    rocksdb::Status status =
        log_.db->Get(rocksdb::ReadOptions(), nodes,
                     EncodeMerkleNodeKey(id.level, id.index), &value);
    const uint64_t first = (id.index << id.level) + 1;
    const uint64_t last = first + (uint64_t{1} << id.level) - 1;
    if (status.IsNotFound()) {
      Problem(absl::StrCat("the tree node over positions ", first, "..", last,
                           " is missing"));
      return;
    }
    if (!status.ok() || AsBytes(recomputed) != value) {
      Problem(absl::StrCat("the stored tree node over positions ", first, "..",
                           last,
                           " differs from the records': an event in that "
                           "range was changed"));
    }
  }

  const ReadOnlyLog& log_;
  LogIntegrity result_;
  uint64_t next_ = 1;
  bool tree_broken_ = false;  // after a gap no root is meaningful
  merkle::Frontier frontier_;
  absl::flat_hash_map<std::string, StreamProgress> streams_;
};

}  // namespace

absl::StatusOr<LogIntegrity> CheckLogIntegrity(absl::string_view dir) {
  ReadOnlyLog log;
  COLLECTIONS_RETURN_IF_ERROR(OpenReadOnly(dir, &log));
  return Checker(log).Run();
}

}  // namespace collections::storage
