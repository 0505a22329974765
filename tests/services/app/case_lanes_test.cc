// CaseLanes: one case's work one piece after another, in submission order,
// each starting only once the one before it finished (from whatever thread
// it finished on); other cases' work does not wait.
#include "services/app/case_lanes.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace collections::app {
namespace {

TEST(CaseLanesTest, OneCasesWorkRunsInOrderEachAfterTheLastFinished) {
  CaseLanes lanes;
  absl::Mutex mu;
  std::vector<int> started;
  std::vector<std::optional<CaseLanes::Finished>> held(3);
  for (int i = 0; i < 3; ++i) {
    lanes.Run("c-1", [&, i](CaseLanes::Finished finished) {
      absl::MutexLock lock(&mu);
      started.push_back(i);
      held[i].emplace(std::move(finished));
    });
  }
  {
    // The first ran at once, on this thread; the others wait behind it.
    absl::MutexLock lock(&mu);
    EXPECT_THAT(started, ::testing::ElementsAre(0));
  }
  for (int i = 0; i < 3; ++i) {
    std::optional<CaseLanes::Finished> finished;
    {
      absl::MutexLock lock(&mu);
      finished = std::move(held[i]);
    }
    // Finished from another thread, as an append's answer would be.
    std::thread([&finished] { std::move (*finished)(); }).join();
    absl::MutexLock lock(&mu);
    const size_t expected = std::min(i + 2, 3);
    auto next_started = [&started, expected] {
      return started.size() >= expected;
    };
    mu.Await(absl::Condition(&next_started));
    EXPECT_EQ(started.size(), expected);  // exactly one more, not all
  }
  absl::MutexLock lock(&mu);
  EXPECT_THAT(started, ::testing::ElementsAre(0, 1, 2));
}

TEST(CaseLanesTest, OtherCasesDoNotWaitForABusyCase) {
  CaseLanes lanes;
  std::optional<CaseLanes::Finished> busy;
  lanes.Run("c-1", [&](CaseLanes::Finished finished) {
    busy.emplace(std::move(finished));  // c-1 stays busy
  });
  bool other_ran = false;
  lanes.Run("c-2", [&](CaseLanes::Finished finished) {
    other_ran = true;
    std::move(finished)();
  });
  // c-2 was idle: its work ran at once, on this thread.
  EXPECT_TRUE(other_ran);
  std::move (*busy)();
}

TEST(CaseLanesTest, PostedTasksRunOnTheLanesThread) {
  CaseLanes lanes;
  absl::Notification ran;
  std::thread::id where;
  lanes.Post([&] {
    where = std::this_thread::get_id();
    ran.Notify();
  });
  ran.WaitForNotification();
  EXPECT_NE(where, std::this_thread::get_id());
}

TEST(CaseLanesTest, TheDestructorWaitsForWorkInProgress) {
  std::atomic<bool> destroyed{false};
  absl::Notification release;
  std::thread finisher;
  auto lanes = std::make_unique<CaseLanes>();
  lanes->Run("c-1", [&](CaseLanes::Finished finished) {
    finisher = std::thread([&, f = std::move(finished)]() mutable {
      release.WaitForNotification();
      // The lanes are still there: their destructor is waiting for this.
      EXPECT_FALSE(destroyed.load());
      std::move(f)();
    });
  });
  std::thread destroyer([&] {
    lanes.reset();
    destroyed = true;
  });
  release.Notify();
  destroyer.join();
  finisher.join();
  EXPECT_TRUE(destroyed.load());
}

}  // namespace
}  // namespace collections::app
