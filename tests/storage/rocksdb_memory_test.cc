// The memory budget of a RocksDB database (storage/rocksdb_memory.h): what
// it configures, and what it does to a real event log's memtables; a share
// not below the budget is refused by both databases.
#include "storage/rocksdb_memory.h"

#include <algorithm>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "rocksdb/write_buffer_manager.h"
#include "storage/rocksdb_event_log.h"
#include "storage/rocksdb_projection_store.h"
#include "tests/testing/events.h"
#include "tests/testing/temp_dir.h"

namespace collections::storage {
namespace {

using ::collections::testing::MakeCalls;

TEST(RocksDbMemoryTest, OneCacheHoldsBlocksAndTheMemtablesReservation) {
  rocksdb::DBOptions db_options;
  const RocksDbMemory memory =
      ConfigureDatabaseMemory(32 << 20, 8 << 20, &db_options);
  ASSERT_NE(memory.cache, nullptr);
  EXPECT_EQ(memory.cache->GetCapacity(), size_t{32} << 20);
  ASSERT_NE(db_options.write_buffer_manager, nullptr);
  EXPECT_EQ(db_options.write_buffer_manager->buffer_size(), size_t{8} << 20);
  EXPECT_TRUE(db_options.write_buffer_manager->cost_to_cache());

  rocksdb::BlockBasedTableOptions table;
  ConfigureTableMemory(memory, &table);
  EXPECT_EQ(table.block_cache, memory.cache);
  EXPECT_TRUE(table.cache_index_and_filter_blocks);
  EXPECT_EQ(table.index_type,
            rocksdb::BlockBasedTableOptions::IndexType::kTwoLevelIndexSearch);
  EXPECT_TRUE(table.partition_filters);
}

// Through a real event log: the memtables together flush at memtable_bytes
// (not at each column family's 64 MiB write buffer), and their bytes are
// reserved in the block cache, which the figures report.
TEST(RocksDbMemoryTest, LogMemtablesFlushAtTheirShareOfTheMemoryBudget) {
  collections::testing::TempDir dir;
  EventLogOptions options;
  options.memory_bytes = 32 << 20;
  options.memtable_bytes = 8 << 20;
  auto log = OpenRocksDbEventLog(options, dir.Sub("log"));
  ASSERT_TRUE(log.ok()) << log.status();
  uint64_t most_in_memtables = 0;
  for (int i = 0; i < 1200; ++i) {  // 1,200 x 20 events x 1,000 bytes: 24 MB
    ASSERT_TRUE((*log)
                    ->Append(absl::StrCat("case-", i), ExpectedVersion::Any(),
                             MakeCalls(absl::StrCat("e", i), 20, 1000))
                    .ok());
    most_in_memtables =
        std::max(most_in_memtables, (*log)->Figures().memtable_bytes);
  }
  const StorageFigures written = (*log)->Figures();
  // Flushed without being asked: table files exist, and the memtables
  // never held the 24 MB written. Measured: at most 18 MB (the share, an
  // immutable memtable waiting for its flush, and each memtable's fixed
  // arena and bloom filter); without the budget 41 MB and no flush at all.
  EXPECT_GT(written.live_sst_bytes, 0u);
  EXPECT_LE(most_in_memtables, 3 * options.memtable_bytes);
  EXPECT_GT(written.block_cache_bytes, 0u);  // the memtables' reservation
}

TEST(RocksDbMemoryTest, AMemtableShareNotBelowTheBudgetIsRefused) {
  collections::testing::TempDir dir;
  EventLogOptions log_options;
  log_options.memory_bytes = 64 << 20;
  log_options.memtable_bytes = 64 << 20;
  auto log = OpenRocksDbEventLog(log_options, dir.Sub("log"));
  EXPECT_EQ(log.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(log.status().message().find("memtable_bytes"), std::string::npos);
  ProjectionStoreOptions store_options;
  store_options.memtable_bytes = 0;
  auto store = OpenRocksDbProjectionStore(store_options, dir.Sub("p"));
  EXPECT_EQ(store.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace collections::storage
