// The projection runner over a real event log and a real projection store:
// exactly-once effect across a stop at any event, live following, lag and
// failures that stay visible.
#include "services/projections/projection_runner.h"

#include <memory>
#include <string>

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

class ProjectionRunnerTest : public ::testing::Test {
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
  void AppendCalls(const std::string& stream, int count) {
    static int batch = 0;
    auto events = testing::MakeCalls(absl::StrCat("b", ++batch, "-"), count);
    ASSERT_TRUE(
        log_->Append(stream, storage::ExpectedVersion::Any(), events).ok());
  }
  std::vector<std::pair<std::string, std::string>> State(
      const std::string& keyspace) {
    auto entries = store_->Scan(keyspace, "", "", 100000);
    EXPECT_TRUE(entries.ok());
    return *entries;
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::EventLog> log_;
  std::unique_ptr<storage::ProjectionStore> store_;
  FakeClock clock_{absl::FromUnixSeconds(1795000000)};
};

TEST_F(ProjectionRunnerTest,
       StoppedAtAnyEventItResumesToTheStateOfAFreshBuild) {
  for (int i = 0; i < 5; ++i) AppendCalls(absl::StrCat("case-", i % 3), 500);
  const uint64_t head = log_->HeadPosition();
  ASSERT_EQ(head, 2500u);
  // The reference: one uninterrupted build into its own keyspace.
  CountingProjection fresh(/*version=*/99);
  ProjectionRunner reference(log_.get(), store_.get(), &fresh, "counting@99",
                             &clock_);
  ASSERT_TRUE(reference.CatchUp().ok());
  const auto expected = State("counting@99");
  ASSERT_EQ(expected.size(), 4u);  // three streams and the sum

  ProjectionRunner::Options small;
  small.events_per_commit = 700;  // commits fall between the stops below
  for (uint64_t stop_at : {1u, 2u, 699u, 700u, 701u, 1400u, 2499u, 2500u}) {
    SCOPED_TRACE(stop_at);
    ASSERT_TRUE(store_->Drop("counting@1").ok());
    {
      CountingProjection failing(1, stop_at);
      ProjectionRunner runner(log_.get(), store_.get(), &failing, "counting@1",
                              &clock_, small);
      EXPECT_THAT(
          runner.CatchUp(),
          StatusIs(absl::StatusCode::kInternal,
                   HasSubstr(absl::StrCat(
                       "projection counting@1 failed at position ", stop_at))));
      const ProjectionRunner::Status status = runner.status();
      EXPECT_EQ(status.failed_position, stop_at);
      EXPECT_EQ(status.checkpoint, stop_at - 1);
      EXPECT_NE(status.failure.message().find(
                    absl::StrCat("failed at position ", stop_at)),
                std::string::npos);
    }
    CountingProjection healthy(1);
    ProjectionRunner resumed(log_.get(), store_.get(), &healthy, "counting@1",
                             &clock_, small);
    ASSERT_TRUE(resumed.CatchUp().ok());
    EXPECT_EQ(resumed.status().checkpoint, head);
    EXPECT_EQ(State("counting@1"), expected);
  }
}

TEST_F(ProjectionRunnerTest, FollowsNewCommitsAndReportsItsLag) {
  AppendCalls("case-a", 10);
  CountingProjection projection;
  ProjectionRunner runner(log_.get(), store_.get(), &projection, "counting@1",
                          &clock_);
  // Not started: ten events behind, the oldest recorded a while ago.
  clock_.Set(absl::Now() + absl::Seconds(30));
  ProjectionRunner::Status before = runner.status();
  EXPECT_EQ(before.lag_positions, 10u);
  EXPECT_GE(before.lag, absl::Seconds(29));
  runner.Start();
  AppendCalls("case-b", 5);
  EXPECT_EQ(runner.WaitUntil(15, absl::Now() + absl::Seconds(10)), 15u);
  const ProjectionRunner::Status after = runner.status();
  EXPECT_EQ(after.lag_positions, 0u);
  EXPECT_EQ(after.lag, absl::ZeroDuration());
  EXPECT_TRUE(after.failure.ok());
  runner.Stop();
  auto count = store_->Get("counting@1", "count/case-b");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, "5");
}

TEST_F(ProjectionRunnerTest, AFailureStopsFollowingAndReleasesWaiters) {
  AppendCalls("case-a", 3);
  CountingProjection projection(1, /*fail_at=*/2);
  ProjectionRunner runner(log_.get(), store_.get(), &projection, "counting@1",
                          &clock_);
  runner.Start();
  // The failure releases the waiter.
  EXPECT_EQ(runner.WaitUntil(3, absl::Now() + absl::Seconds(10)), 1u);
  AppendCalls("case-a", 3);  // never applied past the failure
  // Stop joins the runner's thread: whatever it did with the new commits is
  // done when it returns, so the state below is final (no time is assumed).
  runner.Stop();
  const ProjectionRunner::Status status = runner.status();
  EXPECT_EQ(status.checkpoint, 1u);
  EXPECT_EQ(status.failed_position, 2u);
  EXPECT_EQ(status.lag_positions, 5u);
  EXPECT_EQ(status.failure.code(), absl::StatusCode::kInternal);
  // Asked again, it stays at the failed event: a failure is kept, not
  // retried past.
  EXPECT_THAT(
      runner.CatchUp(),
      StatusIs(absl::StatusCode::kInternal,
               HasSubstr("projection counting@1 failed at position 2")));
  EXPECT_EQ(runner.checkpoint(), 1u);
}

}  // namespace
}  // namespace collections::projections
