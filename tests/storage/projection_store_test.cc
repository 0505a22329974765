// The projection store on a real RocksDB directory: atomic state plus
// checkpoint, isolated keyspaces per projection version, durable across a
// reopen, and nothing of a write that was never committed.
#include "storage/projection_store.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/rocksdb_projection_store.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace collections::storage {
namespace {

using ::collections::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Pair;

class ProjectionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    auto store = OpenRocksDbProjectionStore({}, dir_.Sub("projections"));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  std::unique_ptr<ProjectionWrite> Begin(const std::string& projection) {
    auto write = store_->BeginWrite(projection);
    EXPECT_TRUE(write.ok()) << write.status();
    return *std::move(write);
  }

  testing::TempDir dir_;
  std::unique_ptr<ProjectionStore> store_;
};

TEST_F(ProjectionStoreTest,
       AWriteSeesItsOwnChangesAndCommitsThemWithItsCheckpoint) {
  auto write = Begin("standing@1");
  write->Put("case/c1", "v1");
  ASSERT_OK_AND_ASSIGN(auto pending, write->Get("case/c1"));
  EXPECT_EQ(pending, "v1");
  ASSERT_OK_AND_ASSIGN(auto committed, store_->Get("standing@1", "case/c1"));
  EXPECT_FALSE(committed.has_value());  // not before the commit
  EXPECT_GT(write->pending_bytes(), 0u);
  ASSERT_TRUE(store_->Commit(*write, 7).ok());
  ASSERT_OK_AND_ASSIGN(committed, store_->Get("standing@1", "case/c1"));
  EXPECT_EQ(committed, "v1");
  ASSERT_OK_AND_ASSIGN(uint64_t checkpoint, store_->Checkpoint("standing@1"));
  EXPECT_EQ(checkpoint, 7u);

  // The same write object goes on with a fresh batch.
  write->Delete("case/c1");
  ASSERT_TRUE(store_->Commit(*write, 9).ok());
  ASSERT_OK_AND_ASSIGN(committed, store_->Get("standing@1", "case/c1"));
  EXPECT_FALSE(committed.has_value());
  EXPECT_THAT(store_->Commit(*write, 8),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(ProjectionStoreTest, ASnapshotKeepsReadingTheStateItWasTakenAt) {
  auto write = Begin("timeline@2");
  write->Put("index", "chunks: 1");
  write->Put("chunk/1", "a b c");
  ASSERT_TRUE(store_->Commit(*write, 1).ok());
  ASSERT_OK_AND_ASSIGN(auto snapshot, store_->Snapshot("timeline@2"));
  // A later commit moves part of chunk 1 into a new chunk 2.
  write = Begin("timeline@2");
  write->Put("index", "chunks: 1 2");
  write->Put("chunk/1", "a");
  write->Put("chunk/2", "b c");
  ASSERT_TRUE(store_->Commit(*write, 2).ok());
  ASSERT_OK_AND_ASSIGN(auto index, snapshot->Get("index"));
  ASSERT_OK_AND_ASSIGN(auto chunk, snapshot->Get("chunk/1"));
  ASSERT_OK_AND_ASSIGN(auto moved, snapshot->Get("chunk/2"));
  EXPECT_EQ(index, "chunks: 1");
  EXPECT_EQ(chunk, "a b c");  // not "a": the snapshot never mixes commits
  EXPECT_EQ(moved, std::nullopt);
  ASSERT_OK_AND_ASSIGN(auto fresh, store_->Snapshot("timeline@2"));
  ASSERT_OK_AND_ASSIGN(chunk, fresh->Get("chunk/1"));
  EXPECT_EQ(chunk, "a");
  EXPECT_FALSE(store_->Snapshot("bad name!").ok());
}

TEST_F(ProjectionStoreTest, ScanFollowsKeyOrderWithinOneProjectionOnly) {
  auto a = Begin("timeline@1");
  for (const char* key : {"d1/003", "d1/001", "d1/002", "d2/001"})
    a->Put(key, key);
  ASSERT_TRUE(store_->Commit(*a, 4).ok());
  auto b = Begin("timeline@2");
  b->Put("d1/000", "other version");
  ASSERT_TRUE(store_->Commit(*b, 1).ok());

  ASSERT_OK_AND_ASSIGN(auto page, store_->Scan("timeline@1", "d1/", "", 2));
  EXPECT_THAT(page,
              ElementsAre(Pair("d1/001", "d1/001"), Pair("d1/002", "d1/002")));
  ASSERT_OK_AND_ASSIGN(page, store_->Scan("timeline@1", "d1/", "d1/002", 10));
  EXPECT_THAT(page, ElementsAre(Pair("d1/003", "d1/003")));
  ASSERT_OK_AND_ASSIGN(auto names, store_->Projections());
  EXPECT_THAT(names, ElementsAre("timeline@1", "timeline@2"));

  ASSERT_TRUE(store_->Drop("timeline@1").ok());
  ASSERT_OK_AND_ASSIGN(page, store_->Scan("timeline@1", "", "", 10));
  EXPECT_TRUE(page.empty());
  ASSERT_OK_AND_ASSIGN(page, store_->Scan("timeline@2", "", "", 10));
  EXPECT_EQ(page.size(), 1u);
  ASSERT_OK_AND_ASSIGN(uint64_t dropped, store_->Checkpoint("timeline@1"));
  EXPECT_EQ(dropped, 0u);
}

TEST_F(ProjectionStoreTest,
       CommittedStateSurvivesAReopenAndUncommittedDoesNot) {
  auto write = Begin("kpi@1");
  write->Put("k", "committed");
  ASSERT_TRUE(store_->Commit(*write, 3).ok());
  write->Put("k", "never committed");
  write.reset();
  Reopen();
  ASSERT_OK_AND_ASSIGN(auto value, store_->Get("kpi@1", "k"));
  EXPECT_EQ(value, "committed");
  ASSERT_OK_AND_ASSIGN(uint64_t checkpoint, store_->Checkpoint("kpi@1"));
  EXPECT_EQ(checkpoint, 3u);
}

TEST_F(ProjectionStoreTest, BadNamesAreRefused) {
  EXPECT_THAT(store_->BeginWrite("").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->Get("a b", "k").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  auto second = OpenRocksDbProjectionStore({}, dir_.Sub("projections"));
  EXPECT_THAT(second.status(), StatusIs(absl::StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace collections::storage
