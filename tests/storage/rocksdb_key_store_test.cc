// The key store's Erase leaves the erased value in no file of the store:
// not in a memtable's WAL, not in an SST, not in an old file.
#include "storage/rocksdb_key_store.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace collections::storage {
namespace {

TEST(KeyStoreTest, EraseLeavesTheValueInNoFile) {
  testing::TempDir dir;
  const std::string secret = "wrapped-key-bytes-5f1c9a";
  {
    auto store = OpenRocksDbKeyStore(dir.Sub("keys"));
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->Put("k/d-1", secret).ok());
    ASSERT_TRUE((*store)->Put("k/d-2", "other").ok());
    EXPECT_TRUE(testing::AnyFileHolds(dir.Sub("keys"), secret));  // in the WAL
  }
  {
    // Reopened: the value went from the WAL into an SST.
    auto store = OpenRocksDbKeyStore(dir.Sub("keys"));
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->Put("k/d-3", secret).ok());  // and in the new WAL
    ASSERT_TRUE((*store)->Erase("k/d-1").ok());
    ASSERT_TRUE((*store)->Erase("k/d-3").ok());
    auto gone = (*store)->Get("k/d-1");
    ASSERT_TRUE(gone.ok());
    EXPECT_FALSE(gone->has_value());
    auto kept = (*store)->Get("k/d-2");
    ASSERT_TRUE(kept.ok() && kept->has_value());
    EXPECT_EQ(**kept, "other");
    EXPECT_FALSE(testing::AnyFileHolds(dir.Sub("keys"), secret));
    auto entries = (*store)->Scan("k/");
    ASSERT_TRUE(entries.ok());
    ASSERT_EQ(entries->size(), 1u);
  }
  EXPECT_FALSE(testing::AnyFileHolds(dir.Sub("keys"), secret));
}

}  // namespace
}  // namespace collections::storage
