// Rebuild and swap under load: queries never see a missing or smaller
// state, the new generation equals a fresh build, and a restart resumes on
// the generation that was live.
#include "services/projections/managed_projection.h"

#include <atomic>
#include <memory>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/rocksdb_event_log.h"
#include "storage/rocksdb_projection_store.h"
#include "tests/services/projections/counting_projection.h"
#include "tests/testing/events.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace collections::projections {
namespace {

using ::collections::testing::StatusIs;
using ::testing::HasSubstr;

class ManagedProjectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = storage::OpenRocksDbEventLog(storage::EventLogOptions{},
                                            dir_.Sub("log"));
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    auto store =
        storage::OpenRocksDbProjectionStore({}, dir_.Sub("projections"));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  void Append(int batch, int count) {
    auto events = testing::MakeCalls(absl::StrCat("m", batch, "-"), count);
    ASSERT_TRUE(log_->Append(absl::StrCat("case-", batch % 4),
                             storage::ExpectedVersion::Any(), events)
                    .ok());
  }
  std::unique_ptr<ManagedProjection> Managed() {
    ProjectionRunner::Options options;
    options.events_per_commit = 500;
    return std::make_unique<ManagedProjection>(
        log_.get(), store_.get(),
        [] { return std::make_unique<CountingProjection>(); }, &clock_,
        options);
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::EventLog> log_;
  std::unique_ptr<storage::ProjectionStore> store_;
  FakeClock clock_{absl::FromUnixSeconds(1795000000)};
};

TEST_F(ManagedProjectionTest, RebuildSwapsInWithoutStoppingQueries) {
  for (int b = 0; b < 20; ++b) Append(b, 200);
  auto managed = Managed();
  ASSERT_TRUE(managed->Start().ok());
  EXPECT_EQ(managed->keyspace(), "counting@1.1");

  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::atomic<int> anomalies{0};
  std::thread reader([&] {
    uint64_t last = 0;
    while (!done.load()) {
      auto sum = store_->Get(managed->keyspace(), "sum");
      uint64_t value = 0;
      if (!sum.ok() || !sum->has_value() || !absl::SimpleAtoi(**sum, &value) ||
          value < last) {
        ++anomalies;
      }
      last = std::max(last, value);
      ++reads;
    }
  });
  std::thread writer([&] {
    for (int b = 20; b < 60; ++b) Append(b, 100);
  });
  ASSERT_TRUE(managed->StartRebuild().ok());
  EXPECT_THAT(managed->StartRebuild(),  // one at a time
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("is already running")));
  ASSERT_TRUE(managed->WaitForRebuild().ok());
  writer.join();
  const uint64_t head = log_->HeadPosition();
  EXPECT_EQ(managed->WaitUntil(head, absl::Now() + absl::Seconds(10)), head);
  done.store(true);
  reader.join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(anomalies.load(), 0);

  const ManagedProjection::RebuildProgress progress =
      managed->rebuild_progress();
  EXPECT_FALSE(progress.running);
  EXPECT_EQ(progress.swaps, 1u);
  EXPECT_EQ(managed->keyspace(), "counting@1.2");
  auto names = store_->Projections();
  ASSERT_TRUE(names.ok());
  EXPECT_THAT(*names, ::testing::Contains("counting@1.2"));

  // Equal to a fresh build, and a restart resumes on generation 2.
  CountingProjection fresh;
  ProjectionRunner reference(log_.get(), store_.get(), &fresh, "fresh@1",
                             &clock_);
  ASSERT_TRUE(reference.CatchUp().ok());
  managed->Stop();
  auto a = store_->Scan("counting@1.2", "", "", 1000);
  auto b = store_->Scan("fresh@1", "", "", 1000);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  managed.reset();
  auto restarted = Managed();
  ASSERT_TRUE(restarted->Start().ok());
  EXPECT_EQ(restarted->keyspace(), "counting@1.2");
  // The old generation, kept for readers until now, is gone after restart.
  names = store_->Projections();
  ASSERT_TRUE(names.ok());
  EXPECT_THAT(*names, ::testing::Not(::testing::Contains("counting@1.1")));
}

}  // namespace
}  // namespace collections::projections
