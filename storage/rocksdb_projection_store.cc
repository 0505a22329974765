#include "storage/rocksdb_projection_store.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/write_batch_with_index.h"
#include "storage/rocksdb_figures.h"
#include "storage/rocksdb_memory.h"
#include "storage/rocksdb_settle.h"
#include "storage/rocksdb_status.h"
#include "storage/rocksdb_write_faults.h"

namespace collections::storage {
namespace {

rocksdb::Slice ToSlice(absl::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

std::string CheckpointKey(absl::string_view projection) {
  return absl::StrCat("c", projection);
}

// 'd' <projection> 0x00: every data key of the projection starts with it.
std::string DataPrefix(absl::string_view projection) {
  std::string prefix = absl::StrCat("d", projection);
  prefix.push_back('\0');
  return prefix;
}

std::string EncodeU64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  return out;
}

absl::StatusOr<uint64_t> DecodeU64(absl::string_view bytes) {
  if (bytes.size() != 8) {
    return absl::DataLossError(absl::StrCat("a projection checkpoint is ",
                                            bytes.size(), " bytes, not 8"));
  }
  uint64_t value = 0;
  for (char c : bytes) value = (value << 8) | static_cast<unsigned char>(c);
  return value;
}

// The prefix bloom filters index: 'd' <projection> 0x00 <a>/<b>/ — the user
// key up to its second '/' (a debtor's timeline "t/<debtor>/", a creditor's
// cases "creditor/<id>/"). Keys with fewer than two '/' have no prefix and
// are found by whole-key filters and total-order scans.
class TwoSegmentPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "collections.TwoSegmentPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), PrefixLength(key));
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return PrefixLength(key) > 0;
  }
  // 0 when the key has no such prefix.
  static size_t PrefixLength(const rocksdb::Slice& key) {
    const absl::string_view view(key.data(), key.size());
    const size_t separator = view.find('\0');
    if (view.empty() || view[0] != 'd' || separator == absl::string_view::npos)
      return 0;
    const size_t first = view.find('/', separator + 1);
    if (first == absl::string_view::npos) return 0;
    const size_t second = view.find('/', first + 1);
    return second == absl::string_view::npos ? 0 : second + 1;
  }
};

class RocksDbProjectionWrite final : public ProjectionWrite {
 public:
  RocksDbProjectionWrite(rocksdb::DB* db, std::string projection, bool indexed)
      : db_(db),
        projection_(std::move(projection)),
        prefix_(DataPrefix(projection_)),
        indexed_(indexed),
        batch_(rocksdb::BytewiseComparator(), 0, /*overwrite_key=*/true) {}

  absl::StatusOr<std::optional<std::string>> Get(
      absl::string_view key) override {
    std::string value;
    rocksdb::Status status =
        batch_.GetFromBatchAndDB(db_, rocksdb::ReadOptions(),
                                 ToSlice(absl::StrCat(prefix_, key)), &value);
    if (status.IsNotFound()) return std::nullopt;
    COLLECTIONS_RETURN_IF_ERROR(
        FromRocksDbStatus(status, "reading projection state"));
    return value;
  }
  void Put(absl::string_view key, absl::string_view value) override {
    key_.assign(prefix_).append(key.data(), key.size());
    (indexed_ ? batch_.Put(ToSlice(key_), ToSlice(value))
              : plain_.Put(ToSlice(key_), ToSlice(value)))
        .PermitUncheckedError();
  }
  void Delete(absl::string_view key) override {
    key_.assign(prefix_).append(key.data(), key.size());
    (indexed_ ? batch_.Delete(ToSlice(key_)) : plain_.Delete(ToSlice(key_)))
        .PermitUncheckedError();
  }
  size_t pending_bytes() const override {
    return indexed_ ? const_cast<rocksdb::WriteBatchWithIndex&>(batch_)
                          .GetWriteBatch()
                          ->GetDataSize()
                    : plain_.GetDataSize();
  }
  // The batch to commit (the checkpoint is added to it).
  rocksdb::WriteBatch* batch() {
    return indexed_ ? batch_.GetWriteBatch() : &plain_;
  }
  void Clear() {
    batch_.Clear();
    plain_.Clear();
  }

  const std::string& projection() const { return projection_; }

 private:
  rocksdb::DB* const db_;
  const std::string projection_;
  const std::string prefix_;
  const bool indexed_;
  rocksdb::WriteBatchWithIndex batch_;  // when indexed
  rocksdb::WriteBatch plain_;           // when not
  std::string key_;                     // scratch for the prefixed key
};

class RocksDbProjectionSnapshot final : public ProjectionSnapshot {
 public:
  RocksDbProjectionSnapshot(rocksdb::DB* db, absl::string_view projection)
      : db_(db), snapshot_(db), prefix_(DataPrefix(projection)) {
    read_options_.snapshot = snapshot_.snapshot();
  }
  absl::StatusOr<std::optional<std::string>> Get(
      absl::string_view key) override {
    std::string value;
    rocksdb::Status status =
        db_->Get(read_options_, ToSlice(absl::StrCat(prefix_, key)), &value);
    if (status.IsNotFound()) return std::nullopt;
    COLLECTIONS_RETURN_IF_ERROR(
        FromRocksDbStatus(status, "reading projection state"));
    return value;
  }

 private:
  rocksdb::DB* const db_;
  rocksdb::ManagedSnapshot snapshot_;
  const std::string prefix_;
  rocksdb::ReadOptions read_options_;
};

class RocksDbProjectionStore final : public ProjectionStore {
 public:
  RocksDbProjectionStore(const ProjectionStoreOptions& options,
                         std::unique_ptr<rocksdb::Env> fault_env,
                         std::unique_ptr<rocksdb::DB> db)
      : fault_env_(std::move(fault_env)), db_(std::move(db)) {
    write_options_.sync = options.sync;
    write_options_.disableWAL = !options.sync && !options.write_ahead_log;
  }
  ~RocksDbProjectionStore() override { db_->Close().PermitUncheckedError(); }

  absl::StatusOr<std::unique_ptr<ProjectionWrite>> BeginWrite(
      absl::string_view projection, bool indexed) override {
    COLLECTIONS_RETURN_IF_ERROR(ValidateProjectionName(projection));
    return std::unique_ptr<ProjectionWrite>(new RocksDbProjectionWrite(
        db_.get(), std::string(projection), indexed));
  }

  absl::Status Commit(ProjectionWrite& write, uint64_t checkpoint) override {
    auto& rocks = static_cast<RocksDbProjectionWrite&>(write);
    // One committer per projection at a time keeps "never backwards" exact.
    absl::MutexLock lock(&commit_mu_);
    COLLECTIONS_ASSIGN_OR_RETURN(uint64_t current,
                                 Checkpoint(rocks.projection()));
    if (checkpoint < current) {
      return absl::FailedPreconditionError(absl::StrCat(
          "projection ", rocks.projection(), " is at position ", current,
          "; a commit at ", checkpoint, " would move it back"));
    }
    rocks.batch()
        ->Put(ToSlice(CheckpointKey(rocks.projection())),
              ToSlice(EncodeU64(checkpoint)))
        .PermitUncheckedError();
    rocksdb::Status status = db_->Write(write_options_, rocks.batch());
    rocks.Clear();
    return FromRocksDbStatus(status, "committing projection state");
  }

  absl::StatusOr<std::optional<std::string>> Get(
      absl::string_view projection, absl::string_view key) override {
    COLLECTIONS_RETURN_IF_ERROR(ValidateProjectionName(projection));
    std::string value;
    rocksdb::Status status =
        db_->Get(rocksdb::ReadOptions(),
                 ToSlice(absl::StrCat(DataPrefix(projection), key)), &value);
    if (status.IsNotFound()) return std::nullopt;
    COLLECTIONS_RETURN_IF_ERROR(
        FromRocksDbStatus(status, "reading projection state"));
    return value;
  }

  absl::StatusOr<std::unique_ptr<ProjectionSnapshot>> Snapshot(
      absl::string_view projection) override {
    COLLECTIONS_RETURN_IF_ERROR(ValidateProjectionName(projection));
    return std::unique_ptr<ProjectionSnapshot>(
        new RocksDbProjectionSnapshot(db_.get(), projection));
  }

  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Scan(
      absl::string_view projection, absl::string_view prefix,
      absl::string_view start_after, size_t limit) override {
    COLLECTIONS_RETURN_IF_ERROR(ValidateProjectionName(projection));
    const std::string data_prefix = DataPrefix(projection);
    const std::string full_prefix = absl::StrCat(data_prefix, prefix);
    std::vector<std::pair<std::string, std::string>> entries;
    // A scan within one filter prefix may skip files by their prefix bloom
    // filters; any other scan must see the whole key order.
    rocksdb::ReadOptions read_options;
    if (TwoSegmentPrefix::PrefixLength(full_prefix) == full_prefix.size()) {
      read_options.prefix_same_as_start = true;
    } else {
      read_options.total_order_seek = true;
    }
    // The first key past the prefix bounds the scan, so the iterator never
    // reads a block beyond it (often a cache miss) just to find the end.
    std::string upper = full_prefix;
    while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xff)
      upper.pop_back();
    rocksdb::Slice upper_slice;
    if (!upper.empty()) {
      upper.back() = static_cast<char>(upper.back() + 1);
      upper_slice = rocksdb::Slice(upper);
      read_options.iterate_upper_bound = &upper_slice;
    }
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));
    const std::string start = start_after.empty()
                                  ? full_prefix
                                  : absl::StrCat(data_prefix, start_after);
    for (it->Seek(ToSlice(start)); it->Valid() && entries.size() < limit;
         it->Next()) {
      const absl::string_view key(it->key().data(), it->key().size());
      if (!absl::StartsWith(key, full_prefix)) break;
      const absl::string_view user_key = key.substr(data_prefix.size());
      if (!start_after.empty() && user_key == start_after) continue;
      entries.emplace_back(std::string(user_key), it->value().ToString());
    }
    COLLECTIONS_RETURN_IF_ERROR(
        FromRocksDbStatus(it->status(), "scanning projection state"));
    return entries;
  }

  absl::StatusOr<uint64_t> Checkpoint(absl::string_view projection) override {
    std::string value;
    rocksdb::Status status = db_->Get(
        rocksdb::ReadOptions(), ToSlice(CheckpointKey(projection)), &value);
    if (status.IsNotFound()) return 0;
    COLLECTIONS_RETURN_IF_ERROR(
        FromRocksDbStatus(status, "reading a projection checkpoint"));
    return DecodeU64(value);
  }

  absl::Status Drop(absl::string_view projection) override {
    COLLECTIONS_RETURN_IF_ERROR(ValidateProjectionName(projection));
    std::string begin = DataPrefix(projection);
    std::string end = begin;
    end.back() = '\1';  // just past every key with the 0x00 separator
    rocksdb::WriteBatch batch;
    batch.DeleteRange(ToSlice(begin), ToSlice(end)).PermitUncheckedError();
    batch.Delete(ToSlice(CheckpointKey(projection))).PermitUncheckedError();
    absl::MutexLock lock(&commit_mu_);
    return FromRocksDbStatus(db_->Write(write_options_, &batch),
                             "dropping a projection");
  }

  absl::Status Settle(absl::Duration timeout) override {
    return SettleDatabase(db_.get(), {db_->DefaultColumnFamily()}, timeout,
                          "the projection store");
  }

  StorageFigures Figures() const override {
    return ReadStorageFigures(db_.get(), {db_->DefaultColumnFamily()});
  }

  std::string DescribeLayout() override {
    std::string levels;
    db_->GetProperty("rocksdb.levelstats", &levels);
    return levels;
  }

  absl::StatusOr<std::vector<std::string>> Projections() override {
    std::vector<std::string> names;
    rocksdb::ReadOptions read_options;
    read_options.total_order_seek = true;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));
    for (it->Seek("c"); it->Valid() && it->key().starts_with("c"); it->Next()) {
      names.push_back(it->key().ToString().substr(1));
    }
    COLLECTIONS_RETURN_IF_ERROR(
        FromRocksDbStatus(it->status(), "listing projections"));
    return names;
  }

 private:
  std::unique_ptr<rocksdb::Env> fault_env_;  // destroyed after db_
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::WriteOptions write_options_;
  absl::Mutex commit_mu_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ProjectionStore>> OpenRocksDbProjectionStore(
    const ProjectionStoreOptions& options, absl::string_view dir) {
  if (options.memtable_bytes == 0 ||
      options.memtable_bytes >= options.memory_bytes) {
    return absl::InvalidArgumentError(
        "memtable_bytes must be at least 1 and below memory_bytes: the "
        "memtables are reserved inside the memory budget");
  }
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.IncreaseParallelism(2);
  // Reads should cost the same however much the store holds: fewer, fuller
  // levels. Compression stays on: turning it off made 10M-event rebuilds
  // slower, from the extra bytes flushed and compacted, without clearly
  // faster reads (see docs/performance.md's projection benchmark).
  // Universal compaction, reviewed 2026-12-07 and not kept, halved the
  // store's compaction CPU under a long load (tools/bench/
  // sustained_bench.sh, 90 s: 20.7 to 12.2-14.4 s) and sped up rebuilds
  // (projection_bench, 200k/2M events: case standing 104-139k to 167k
  // events/s), but timeline reads slowed with the store's size (the
  // 2M/200k p50 ratio 1.21 to 1.25 and 1.32, over the 1.3 asked).
  db_options.level_compaction_dynamic_level_bytes = true;
  // Blocks outside the block cache are read through the OS page cache
  // without a read() call and a copy each.
  db_options.allow_mmap_reads = true;
  // Up to 64 MiB per memtable and four of them, so a flush never holds up
  // a runner's commit; the memory budget below flushes once they hold
  // memtable_bytes together.
  db_options.write_buffer_size = 64 << 20;
  db_options.max_write_buffer_number = 4;
  const RocksDbMemory memory = ConfigureDatabaseMemory(
      options.memory_bytes, options.memtable_bytes, &db_options);
  rocksdb::BlockBasedTableOptions table;
  ConfigureTableMemory(memory, &table);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.whole_key_filtering = true;
  if (options.prefix_filters) {
    db_options.prefix_extractor = std::make_shared<TwoSegmentPrefix>();
  }
  db_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  std::unique_ptr<rocksdb::Env> fault_env;
  if (options.write_faults != nullptr) {
    fault_env = NewWriteFaultEnv(options.write_faults);
    db_options.env = fault_env.get();
  }
  rocksdb::DB* raw = nullptr;
  const std::string path(dir);
  rocksdb::Status opened = rocksdb::DB::Open(db_options, path, &raw);
  if (!opened.ok()) {
    if (opened.IsIOError() &&
        opened.ToString().find("lock") != std::string::npos) {
      return absl::FailedPreconditionError(
          absl::StrCat("the projection store ", path,
                       " is in use by another process: ", opened.ToString()));
    }
    return FromRocksDbStatus(
        opened, absl::StrCat("opening the projection store in ", path));
  }
  return std::unique_ptr<ProjectionStore>(new RocksDbProjectionStore(
      options, std::move(fault_env), std::unique_ptr<rocksdb::DB>(raw)));
}

}  // namespace collections::storage
