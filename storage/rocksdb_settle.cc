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
  // Polls of 100 ms in a row with nothing running although a compaction
  // is flagged as pending. Universal compaction flags one whenever its
  // sorted runs reach their trigger, also when its picker then finds
  // nothing worth merging (projection_bench's 10M-event log did not
  // settle in ten minutes); a compaction the picker does choose starts
  // within milliseconds while a background slot is free. A second of
  // nothing running is rest. (RocksDB 7.8 has no WaitForCompact.)
  int idle_polls = 0;
  for (;;) {
    uint64_t running = 0, pending = 0;
    db->GetIntProperty("rocksdb.num-running-compactions", &running);
    uint64_t flushing = 0;
    db->GetIntProperty("rocksdb.num-running-flushes", &flushing);
    running += flushing;
    for (rocksdb::ColumnFamilyHandle* family : families) {
      uint64_t flagged = 0;
      db->GetIntProperty(family, "rocksdb.compaction-pending", &flagged);
      pending += flagged;
    }
    idle_polls = running == 0 ? idle_polls + 1 : 0;
    if (running == 0 && (pending == 0 || idle_polls >= 10))
      return absl::OkStatus();
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
