// RecentEvents (services/projections/recent_events.h) on a real RocksDB log:
// what it answers equals the log's own reads; runners at the same position
// share one decoded record; reads before the window go to the log; and
// projection runners following through it build exactly what runners
// reading the log build.
#include "services/projections/recent_events.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/projections/projection_runner.h"
#include "storage/rocksdb_event_log.h"
#include "storage/rocksdb_projection_store.h"
#include "tests/services/projections/counting_projection.h"
#include "tests/testing/events.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"

namespace collections::projections {
namespace {

class RecentEventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = storage::OpenRocksDbEventLog(storage::EventLogOptions{},
                                            dir_.Sub("log"));
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
  }
  void AppendCalls(const std::string& stream, int count) {
    static std::atomic<int> batch{0};
    auto events = testing::MakeCalls(absl::StrCat("b", ++batch, "-"), count);
    ASSERT_TRUE(
        log_->Append(stream, storage::ExpectedVersion::Any(), events).ok());
  }
  // The log's own read of the same range, as stored records.
  std::vector<std::string> LogRecords(uint64_t from, size_t max) {
    storage::LogRead read;
    read.from_position = from;
    read.max_events = max;
    auto result = log_->ReadAll(read);
    EXPECT_TRUE(result.ok());
    std::vector<std::string> records;
    for (const auto& event : result->events) records.push_back(event.record);
    return records;
  }
  // Everything the log holds, as records to feed (what the log's own feed
  // would hand over).
  std::vector<SharedEvent> EveryEventShared() {
    storage::LogRead all;
    all.max_events = 1000;
    auto stored = log_->ReadAll(all);
    EXPECT_TRUE(stored.ok()) << stored.status();
    std::vector<SharedEvent> shared;
    if (!stored.ok()) return shared;
    for (auto& event : stored->events) {
      shared.push_back(
          std::make_shared<const storage::RecordedEvent>(std::move(event)));
    }
    return shared;
  }
  // Three runners following the log through `recent` while `write` appends
  // 1,000 events build exactly what one runner reading the log alone
  // builds.
  void RunnersBuildWhatTheLogHolds(RecentEvents& recent,
                                   const std::function<void()>& write) {
    auto store =
        storage::OpenRocksDbProjectionStore({}, dir_.Sub("projections"));
    ASSERT_TRUE(store.ok()) << store.status();
    FakeClock clock{absl::FromUnixSeconds(1795000000)};
    ProjectionRunner::Options shared;
    shared.recent = &recent;
    shared.events_per_commit = 50;
    std::vector<std::unique_ptr<CountingProjection>> projections;
    std::vector<std::unique_ptr<ProjectionRunner>> runners;
    for (int i = 1; i <= 3; ++i) {
      projections.push_back(std::make_unique<CountingProjection>(i));
      runners.push_back(std::make_unique<ProjectionRunner>(
          log_.get(), store->get(), projections.back().get(),
          absl::StrCat("counting@", i), &clock, shared));
      runners.back()->Start();
    }
    write();
    const uint64_t head = log_->HeadPosition();
    ASSERT_EQ(head, 1000u);
    for (auto& runner : runners) {
      EXPECT_EQ(runner->WaitUntil(head, absl::Now() + absl::Seconds(60)), head);
      runner->Stop();
    }
    CountingProjection alone(99);
    ProjectionRunner reference(log_.get(), store->get(), &alone, "counting@99",
                               &clock);
    ASSERT_TRUE(reference.CatchUp().ok());
    auto expected = (*store)->Scan("counting@99", "", "", 1000);
    ASSERT_TRUE(expected.ok());
    ASSERT_FALSE(expected->empty());
    for (int i = 1; i <= 3; ++i) {
      auto built = (*store)->Scan(absl::StrCat("counting@", i), "", "", 1000);
      ASSERT_TRUE(built.ok());
      EXPECT_EQ(*built, *expected) << "runner " << i;
    }
  }
  static std::vector<std::string> Records(const RecentEvents::Read& read) {
    std::vector<std::string> records;
    for (const SharedEvent& event : read.events)
      records.push_back(event->record);
    return records;
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::EventLog> log_;
};

TEST_F(RecentEventsTest, AnswersWhatTheLogHoldsAndSharesEachDecodedRecord) {
  AppendCalls("case-a", 30);
  RecentEvents recent(log_.get(), /*capacity=*/100);
  auto first = recent.ReadFrom(1, 20);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->next_position, 21u);
  EXPECT_EQ(Records(*first), LogRecords(1, 20));
  // A second reader of the same positions gets the very same records (one
  // decode), not copies.
  auto second = recent.ReadFrom(5, 10);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->events.size(), 10u);
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(second->events[i].get(), first->events[4 + i].get()) << i;
  }
  EXPECT_EQ(second->next_position, 15u);
  // The window answers only what it holds: a read at its end reads on from
  // the log, and then finds the log's end.
  auto rest = recent.ReadFrom(21, 100);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(Records(*rest), LogRecords(21, 100));
  EXPECT_EQ(rest->next_position, 31u);
  auto nothing = recent.ReadFrom(31, 100);
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->events.empty());
  EXPECT_EQ(nothing->next_position, 31u);
  // New events after the window extend it.
  AppendCalls("case-b", 5);
  auto more = recent.ReadFrom(31, 100);
  ASSERT_TRUE(more.ok());
  EXPECT_EQ(Records(*more), LogRecords(31, 100));
}

TEST_F(RecentEventsTest, ReadsBeforeTheWindowGoToTheLogAndLeaveTheWindow) {
  AppendCalls("case-a", 50);
  RecentEvents recent(log_.get(), /*capacity=*/10);
  ASSERT_TRUE(recent.ReadFrom(1, 50).ok());  // the window keeps 41..50
  auto newest = recent.ReadFrom(45, 100);
  ASSERT_TRUE(newest.ok());
  auto old = recent.ReadFrom(3, 5);  // before the window: from the log
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(Records(*old), LogRecords(3, 5));
  auto again = recent.ReadFrom(45, 100);  // the window is as it was
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->events.size(), newest->events.size());
  for (size_t i = 0; i < again->events.size(); ++i) {
    EXPECT_EQ(again->events[i].get(), newest->events[i].get()) << i;
  }
}

// Fed by the log (storage/committed_events.h), it answers from what it was
// fed: the very records handed over, never read back; and never beyond the
// log's head, even when fed ahead of it.
TEST_F(RecentEventsTest, AnswersFromWhatTheLogFedAndNeverBeyondTheHead) {
  AppendCalls("case-a", 6);
  RecentEvents recent(log_.get(), /*capacity=*/100);
  const std::vector<SharedEvent> fed = EveryEventShared();
  ASSERT_FALSE(fed.empty());
  // Positions 5..6 first: the window starts there; 1..6 then adds nothing
  // before it (known ones skipped, earlier ones are a read from the log).
  recent.Committed({fed[4], fed[5]});
  recent.Committed(fed);
  auto read = recent.ReadFrom(5, 100);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->events.size(), 2u);
  EXPECT_EQ(read->events[0].get(), fed[4].get());
  EXPECT_EQ(read->events[1].get(), fed[5].get());
  EXPECT_EQ(read->next_position, 7u);

  // Fed ahead of the head (position 7, which the log never committed):
  // not handed out.
  auto ahead = std::make_shared<storage::RecordedEvent>(*fed[5]);
  ahead->event.set_global_position(7);
  recent.Committed({ahead});
  auto at_head = recent.ReadFrom(5, 100);
  ASSERT_TRUE(at_head.ok());
  EXPECT_EQ(at_head->events.size(), 2u);
  EXPECT_EQ(at_head->next_position, 7u);
  auto beyond = recent.ReadFrom(7, 100);
  ASSERT_TRUE(beyond.ok());
  EXPECT_TRUE(beyond->events.empty());
  EXPECT_EQ(beyond->next_position, 7u);
}

// The feed (the log's thread) keeps up to twice the capacity, so releasing
// old events is left to readers, which trim it back to the capacity.
TEST_F(RecentEventsTest, ReadersTrimWhatTheFeedAddedBeyondTheCapacity) {
  AppendCalls("case-a", 30);
  RecentEvents recent(log_.get(), /*capacity=*/10);
  const std::vector<SharedEvent> fed = EveryEventShared();
  ASSERT_FALSE(fed.empty());
  recent.Committed(fed);              // keeps 11..30
  EXPECT_EQ(fed[9].use_count(), 1);   // position 10: let go by the feed
  EXPECT_EQ(fed[10].use_count(), 2);  // position 11: still held
  // A read trims to 21..30 first: 11 is then before the window, read from
  // the log, and the window's own records are the fed ones.
  auto early = recent.ReadFrom(11, 1);
  ASSERT_TRUE(early.ok()) << early.status();
  ASSERT_EQ(early->events.size(), 1u);
  EXPECT_NE(early->events[0].get(), fed[10].get());
  EXPECT_EQ(early->events[0]->record, fed[10]->record);
  EXPECT_EQ(fed[10].use_count(), 1);
  auto late = recent.ReadFrom(21, 100);
  ASSERT_TRUE(late.ok());
  ASSERT_EQ(late->events.size(), 10u);
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(late->events[i].get(), fed[20 + i].get()) << i;
  }
}

// The log feeding it while runners follow: every event reaches every
// runner, and what they build equals a runner reading the log alone.
TEST_F(RecentEventsTest, RunnersFollowingAFedWindowBuildWhatTheLogHolds) {
  RecentEvents recent(log_.get(), /*capacity=*/64);
  log_->FeedCommittedEvents(&recent);
  RunnersBuildWhatTheLogHolds(recent, [&] {
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        for (int i = 0; i < 10; ++i) AppendCalls(absl::StrCat("case-", w), 25);
      });
    }
    for (auto& writer : writers) writer.join();
  });
  log_->FeedCommittedEvents(nullptr);
}

// Three runners following a log that grows under them, reading through one
// RecentEvents, build the same state as a runner that reads the log alone.
TEST_F(RecentEventsTest, RunnersSharingItBuildWhatRunnersReadingTheLogBuild) {
  RecentEvents recent(log_.get(), /*capacity=*/64);
  RunnersBuildWhatTheLogHolds(recent, [&] {
    std::thread writer([&] {
      for (int i = 0; i < 40; ++i)
        AppendCalls(absl::StrCat("case-", i % 4), 25);
    });
    writer.join();
  });
}

}  // namespace
}  // namespace collections::projections
