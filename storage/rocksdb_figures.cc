#include "storage/rocksdb_figures.h"

#include <cstdlib>
#include <map>
#include <string>

namespace collections::storage {
namespace {

uint64_t IntProperty(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family,
                     const rocksdb::Slice& name) {
  uint64_t value = 0;
  const bool known = family == nullptr
                         ? db->GetIntProperty(name, &value)
                         : db->GetIntProperty(family, name, &value);
  return known ? value : 0;
}

uint64_t MapValue(const std::map<std::string, std::string>& map,
                  const std::string& key) {
  auto it = map.find(key);
  return it == map.end() ? 0 : std::strtoull(it->second.c_str(), nullptr, 10);
}

}  // namespace

StorageFigures ReadStorageFigures(
    rocksdb::DB* db,
    const std::vector<rocksdb::ColumnFamilyHandle*>& families) {
  StorageFigures figures;
  for (rocksdb::ColumnFamilyHandle* family : families) {
    figures.pending_compaction_bytes += IntProperty(
        db, family, rocksdb::DB::Properties::kEstimatePendingCompactionBytes);
    figures.memtable_bytes +=
        IntProperty(db, family, rocksdb::DB::Properties::kCurSizeAllMemTables);
    figures.live_sst_bytes +=
        IntProperty(db, family, rocksdb::DB::Properties::kLiveSstFilesSize);
    figures.table_reader_bytes += IntProperty(
        db, family, rocksdb::DB::Properties::kEstimateTableReadersMem);
    // "rocksdb.cfstats" as a map carries the column family's stall counts
    // since the open ("io_stalls.total_slowdown", "io_stalls.total_stop").
    std::map<std::string, std::string> stats;
    if (db->GetMapProperty(family, rocksdb::DB::Properties::kCFStats, &stats)) {
      figures.write_slowdowns += MapValue(stats, "io_stalls.total_slowdown");
      figures.write_stops += MapValue(stats, "io_stalls.total_stop");
    }
  }
  // One cache serves every column family: its usage is read once.
  if (!families.empty()) {
    figures.block_cache_bytes = IntProperty(
        db, families.front(), rocksdb::DB::Properties::kBlockCacheUsage);
  }
  figures.running_compactions =
      IntProperty(db, nullptr, rocksdb::DB::Properties::kNumRunningCompactions);
  figures.running_flushes =
      IntProperty(db, nullptr, rocksdb::DB::Properties::kNumRunningFlushes);
  figures.write_stopped =
      IntProperty(db, nullptr, rocksdb::DB::Properties::kIsWriteStopped) != 0;
  figures.delayed_write_rate = IntProperty(
      db, nullptr, rocksdb::DB::Properties::kActualDelayedWriteRate);
  return figures;
}

}  // namespace collections::storage
