// Settle: the event log and the projection store write everything out and
// return once no background work is pending, and read the same afterwards.
#include <memory>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/rocksdb_event_log.h"
#include "storage/rocksdb_projection_store.h"
#include "tests/testing/events.h"
#include "tests/testing/temp_dir.h"

namespace collections::storage {
namespace {

using ::collections::testing::MakeCalls;

TEST(SettleTest, TheLogAndTheStoreSettleUnchanged) {
  collections::testing::TempDir dir;
  auto log = OpenRocksDbEventLog({}, dir.Sub("log"));
  ASSERT_TRUE(log.ok());
  auto store = OpenRocksDbProjectionStore({}, dir.Sub("projections"));
  ASSERT_TRUE(store.ok());
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE((*log)
                    ->Append(absl::StrCat("case-", i), ExpectedVersion::Any(),
                             MakeCalls(absl::StrCat("s", i), 50))
                    .ok());
    auto write = (*store)->BeginWrite("p");
    ASSERT_TRUE(write.ok());
    (*write)->Put(absl::StrCat("k", i), "v");
    ASSERT_TRUE((*store)->Commit(**write, i + 1).ok());
  }
  EXPECT_TRUE((*log)->Settle(absl::Minutes(1)).ok());
  EXPECT_TRUE((*store)->Settle(absl::Minutes(1)).ok());
  LogRead read;
  read.max_events = 5000;
  auto all = (*log)->ReadAll(read);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->events.size(), 1000u);
  auto checkpoint = (*store)->Checkpoint("p");
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_EQ(*checkpoint, 20u);
  auto value = (*store)->Get("p", "k7");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, "v");
}

}  // namespace
}  // namespace collections::storage
