#include "storage/rocksdb_settle.h"

#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "rocksdb/utilities/checkpoint.h"
#include "storage/rocksdb_status.h"

namespace collections::storage {

absl::Status SettleDatabase(
    rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& families,
    absl::Duration timeout, absl::string_view what) {
  rocksdb::FlushOptions flush;
  flush.wait = true;
  COLLECTIONS_RETURN_IF_ERROR(FromRocksDbStatus(
      db->Flush(flush, families), absl::StrCat("flushing ", what)));
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    uint64_t busy = 0;
    db->GetIntProperty("rocksdb.num-running-compactions", &busy);
    for (rocksdb::ColumnFamilyHandle* family : families) {
      uint64_t pending = 0;
      db->GetIntProperty(family, "rocksdb.compaction-pending", &pending);
      busy += pending;
    }
    if (busy == 0) return absl::OkStatus();
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat(what, ": compactions still running"));
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
}

absl::Status CheckpointDatabase(rocksdb::DB* db, const std::string& dir,
                                absl::string_view what) {
  std::error_code error;
  if (std::filesystem::exists(dir, error)) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot copy ", what, " to ", dir, ": it exists already"));
  }
  rocksdb::Checkpoint* raw = nullptr;
  COLLECTIONS_RETURN_IF_ERROR(FromRocksDbStatus(
      rocksdb::Checkpoint::Create(db, &raw), absl::StrCat("copying ", what)));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  return FromRocksDbStatus(checkpoint->CreateCheckpoint(dir),
                           absl::StrCat("copying ", what, " to ", dir));
}

}  // namespace collections::storage
