#include "storage/rocksdb_key_store.h"

#include <atomic>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/status_macros.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "storage/rocksdb_settle.h"
#include "storage/rocksdb_status.h"

namespace collections::storage {
namespace {

rocksdb::Slice ToSlice(absl::string_view s) { return {s.data(), s.size()}; }

class RocksDbKeyStore final : public KeyStore {
 public:
  explicit RocksDbKeyStore(std::unique_ptr<rocksdb::DB> db)
      : db_(std::move(db)) {
    sync_.sync = true;
  }
  ~RocksDbKeyStore() override { db_->Close().PermitUncheckedError(); }

  absl::StatusOr<std::optional<std::string>> Get(
      absl::string_view key) override {
    std::string value;
    rocksdb::Status status = db_->Get({}, ToSlice(key), &value);
    if (status.IsNotFound()) return std::nullopt;
    COLLECTIONS_RETURN_IF_ERROR(FromRocksDbStatus(status, "reading a key"));
    return value;
  }

  absl::Status Put(absl::string_view key, absl::string_view value) override {
    return FromRocksDbStatus(db_->Put(sync_, ToSlice(key), ToSlice(value)),
                             "writing a key");
  }

  absl::StatusOr<std::string> PutIfAbsent(absl::string_view key,
                                          absl::string_view value) override {
    absl::MutexLock lock(&create_mu_);  // the read and the write as one
    COLLECTIONS_ASSIGN_OR_RETURN(std::optional<std::string> existing, Get(key));
    if (existing.has_value()) return *std::move(existing);
    COLLECTIONS_RETURN_IF_ERROR(Put(key, value));
    return std::string(value);
  }

  uint64_t erasures_seen() const override { return erasures_.load(); }

  absl::Status Erase(absl::string_view key) override {
    // One erase at a time: the purge below must see every file of it.
    absl::MutexLock lock(&erase_mu_);
    erasures_.fetch_add(1);
    COLLECTIONS_RETURN_IF_ERROR(
        FromRocksDbStatus(db_->Delete(sync_, ToSlice(key)), "erasing a key"));
    // The value may sit in the memtable (and its WAL) or in any SST: flush
    // the deletion, then rewrite every file so that only files without the
    // value remain; the obsolete ones and old WALs are deleted by the purge.
    COLLECTIONS_RETURN_IF_ERROR(FromRocksDbStatus(
        db_->Flush(rocksdb::FlushOptions()), "flushing the key store"));
    rocksdb::CompactRangeOptions compact;
    compact.bottommost_level_compaction =
        rocksdb::BottommostLevelCompaction::kForce;
    COLLECTIONS_RETURN_IF_ERROR(
        FromRocksDbStatus(db_->CompactRange(compact, nullptr, nullptr),
                          "compacting the key store"));
    COLLECTIONS_RETURN_IF_ERROR(FromRocksDbStatus(db_->DisableFileDeletions(),
                                                  "pausing file deletions"));
    return FromRocksDbStatus(db_->EnableFileDeletions(/*force=*/true),
                             "purging obsolete key store files");
  }

  absl::Status Checkpoint(const std::string& dir) override {
    return CheckpointDatabase(db_.get(), dir, "the key store");
  }

  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Scan(
      absl::string_view prefix) override {
    std::vector<std::pair<std::string, std::string>> entries;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
    for (it->Seek(ToSlice(prefix)); it->Valid(); it->Next()) {
      const absl::string_view key(it->key().data(), it->key().size());
      if (!absl::StartsWith(key, prefix)) break;
      entries.emplace_back(std::string(key), it->value().ToString());
    }
    COLLECTIONS_RETURN_IF_ERROR(
        FromRocksDbStatus(it->status(), "scanning the key store"));
    return entries;
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::WriteOptions sync_;
  absl::Mutex erase_mu_;
  absl::Mutex create_mu_;
  std::atomic<uint64_t> erasures_{0};
};

}  // namespace

absl::StatusOr<std::unique_ptr<KeyStore>> OpenRocksDbKeyStore(
    const std::string& dir) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.paranoid_checks = true;
  // No archived WALs, no recycled ones: an erased key lives on in none.
  options.WAL_ttl_seconds = 0;
  options.WAL_size_limit_MB = 0;
  options.recycle_log_file_num = 0;
  options.keep_log_file_num = 2;
  rocksdb::DB* db = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, dir, &db);
  if (status.IsIOError() && absl::StrContains(status.ToString(), "lock")) {
    return absl::FailedPreconditionError(
        absl::StrCat("the key store ", dir, " is in use by another process"));
  }
  COLLECTIONS_RETURN_IF_ERROR(
      FromRocksDbStatus(status, absl::StrCat("opening the key store ", dir)));
  return std::unique_ptr<KeyStore>(
      new RocksDbKeyStore(std::unique_ptr<rocksdb::DB>(db)));
}

}  // namespace collections::storage
