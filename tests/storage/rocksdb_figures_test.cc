// The storage figures of a real event log and projection store: memtables
// fill with appends, table files appear after a flush, stalls stay zero on
// a quiet database; the log tells its observer about each group commit, and
// what arrives during a sync joins the next group.
#include "storage/rocksdb_figures.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "storage/rocksdb_event_log.h"
#include "storage/rocksdb_projection_store.h"
#include "storage/write_faults.h"
#include "tests/testing/events.h"
#include "tests/testing/temp_dir.h"

namespace collections::storage {
namespace {

using ::collections::testing::MakeCalls;

class RecordingObserver final : public LogObserver {
 public:
  void OnGroupCommit(const GroupCommitReport& report) override {
    absl::MutexLock lock(&mu_);
    reports_.push_back(report);
  }
  std::vector<GroupCommitReport> reports() {
    absl::MutexLock lock(&mu_);
    return reports_;
  }

 private:
  absl::Mutex mu_;
  std::vector<GroupCommitReport> reports_;
};

TEST(RocksDbFiguresTest, LogFiguresFollowAppendsAndFlushes) {
  collections::testing::TempDir dir;
  auto log = OpenRocksDbEventLog({}, dir.Sub("log"));
  ASSERT_TRUE(log.ok()) << log.status();
  const StorageFigures empty = (*log)->Figures();
  EXPECT_EQ(empty.live_sst_bytes, 0u);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE((*log)
                    ->Append(absl::StrCat("case-", i), ExpectedVersion::Any(),
                             MakeCalls(absl::StrCat("e", i), 20, 1000))
                    .ok());
  }
  const StorageFigures written = (*log)->Figures();
  EXPECT_GT(written.memtable_bytes, empty.memtable_bytes);
  ASSERT_TRUE((*log)->Settle(absl::Seconds(30)).ok());
  const StorageFigures settled = (*log)->Figures();
  EXPECT_GT(settled.live_sst_bytes, 0u);  // the padding compresses well
  EXPECT_EQ(settled.running_compactions, 0u);
  EXPECT_EQ(settled.pending_compaction_bytes, 0u);
  EXPECT_FALSE(settled.write_stopped);
  EXPECT_EQ(settled.write_stops, 0u);
  EXPECT_EQ(settled.delayed_write_rate, 0u);
}

TEST(RocksDbFiguresTest, ProjectionStoreReportsItsFigures) {
  collections::testing::TempDir dir;
  auto store = OpenRocksDbProjectionStore({}, dir.Sub("projections"));
  ASSERT_TRUE(store.ok());
  const uint64_t before = (*store)->Figures().memtable_bytes;
  auto write = (*store)->BeginWrite("p");
  ASSERT_TRUE(write.ok());
  for (int i = 0; i < 1000; ++i)
    (*write)->Put(absl::StrCat("key-", i), std::string(100, 'v'));
  ASSERT_TRUE((*store)->Commit(**write, 1).ok());
  EXPECT_GT((*store)->Figures().memtable_bytes, before);
}

// A log in a temporary directory whose group commits are recorded and whose
// disk can be made to fail or slow down.
class ObservedLogTest : public ::testing::Test {
 protected:
  ObservedLogTest() {
    options_.observer = &observer_;
    options_.write_faults = &faults_;
  }
  absl::StatusOr<std::unique_ptr<DurableEventLog>> Open() {
    return OpenRocksDbEventLog(options_, dir_.Sub("log"));
  }

  collections::testing::TempDir dir_;
  RecordingObserver observer_;
  WriteFaults faults_;
  EventLogOptions options_;
};

TEST_F(ObservedLogTest, ObserverHearsOfEveryGroupCommit) {
  {
    auto log = Open();
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE(
        (*log)
            ->Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 3))
            .ok());
    ASSERT_TRUE(
        (*log)
            ->Append("case-2", ExpectedVersion::Any(), MakeCalls("b", 2))
            .ok());
    // A stale expected version is refused inside an acknowledged group.
    EXPECT_FALSE(
        (*log)
            ->Append("case-1", ExpectedVersion::Exact(1), MakeCalls("c", 1))
            .ok());
    // No room on the disk: the whole group is refused.
    faults_.SimulateFreeBytes(0);
    EXPECT_FALSE(
        (*log)
            ->Append("case-3", ExpectedVersion::Any(), MakeCalls("d", 4))
            .ok());
  }
  const std::vector<GroupCommitReport> reports = observer_.reports();
  size_t appends = 0, events = 0, synced = 0, acknowledged = 0;
  for (const GroupCommitReport& report : reports) {
    appends += report.appends;
    events += report.events;
    if (report.wal_sync > absl::ZeroDuration()) ++synced;
    if (report.acknowledged) ++acknowledged;
  }
  EXPECT_EQ(appends, 4u);
  EXPECT_EQ(events, 10u);
  EXPECT_GE(synced, 1u);
  EXPECT_EQ(acknowledged, reports.size() - 1);
  ASSERT_FALSE(reports.empty());
  EXPECT_FALSE(reports.back().acknowledged);
  EXPECT_EQ(reports.back().events, 4u);
}

// Group commit: the committer writes a group only after the one before was
// synced and answered; what arrives meanwhile joins the next group. So
// every group has a WAL sync of its own, and the syncs run one after
// another: with each sync made to take at least 20 ms, a burst of appends
// from many threads cannot be written in more groups than 20 ms periods
// fit in the time it took (plus the first). Writing each arrival as its
// own group while a sync ran (an earlier design) wrote several groups per
// sync.
TEST_F(ObservedLogTest, WhatArrivesDuringASyncJoinsTheNextGroup) {
  auto log = Open();
  ASSERT_TRUE(log.ok());
  constexpr auto kSync = std::chrono::milliseconds(20);
  faults_.SlowSyncs(kSync, kSync);
  constexpr int kWriters = 16, kAppendsEach = 5;
  const absl::Time start = absl::Now();
  std::vector<std::thread> writers;
  std::atomic<int> acknowledged{0};
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kAppendsEach; ++i) {
        if ((*log)
                ->Append(absl::StrCat("case-", w), ExpectedVersion::Any(),
                         MakeCalls(absl::StrCat("w", w, "-", i), 1))
                .ok())
          ++acknowledged;
      }
    });
  }
  for (auto& writer : writers) writer.join();
  const absl::Duration took = absl::Now() - start;
  faults_.SlowSyncs(std::chrono::milliseconds(0), std::chrono::milliseconds(0));
  EXPECT_EQ(acknowledged.load(), kWriters * kAppendsEach);
  const std::vector<GroupCommitReport> reports = observer_.reports();
  size_t appends = 0;
  for (const GroupCommitReport& report : reports) appends += report.appends;
  EXPECT_EQ(appends, static_cast<size_t>(kWriters * kAppendsEach));
  const double sync_periods =
      absl::ToDoubleMilliseconds(took) / static_cast<double>(kSync.count());
  EXPECT_LE(static_cast<double>(reports.size()), sync_periods + 1)
      << reports.size() << " groups in " << took;
  // Fewer groups than appends: the burst was grouped at all.
  EXPECT_LT(reports.size(), static_cast<size_t>(kWriters * kAppendsEach));
}

}  // namespace
}  // namespace collections::storage
