// ReplicatedLog on real RocksDB: writes decided by a source log applied in
// order, each with its own recorded_at, refusals and retries writing
// nothing, and the cursor stored with the writes, surviving a reopen and
// never ahead of them when the write fails.
#include "storage/replicated_log.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/time_conversion.h"
#include "gtest/gtest.h"
#include "storage/write_faults.h"
#include "tests/testing/events.h"
#include "tests/testing/temp_dir.h"

namespace collections::storage {
namespace {

using ::collections::testing::MakeCalls;

ReplicatedWrite Append(const std::string& stream, const std::string& prefix,
                       size_t events, int64_t second) {
  return ReplicatedWrite{
      {StreamAppend{stream, ExpectedVersion::Any(), MakeCalls(prefix, events)}},
      absl::FromUnixSeconds(second)};
}

class ReplicatedLogTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    log_.reset();
    EventLogOptions options;
    options.sync = false;
    options.min_free_disk_bytes = 0;
    options.write_faults = &faults_;
    auto opened = OpenRocksDbReplicatedLog(options, dir_.Sub("log"));
    ASSERT_TRUE(opened.ok()) << opened.status();
    log_ = *std::move(opened);
  }

  uint64_t Cursor() {
    auto cursor = log_->ReplicatedCursor();
    EXPECT_TRUE(cursor.ok()) << cursor.status();
    return cursor.value_or(0);
  }

  collections::testing::TempDir dir_;
  WriteFaults faults_;
  std::unique_ptr<ReplicatedLog> log_;
};

TEST_F(ReplicatedLogTest, AppliesWritesInOrderWithTheirOwnRecordedAt) {
  EXPECT_EQ(Cursor(), 0u);
  std::vector<ReplicatedWrite> writes = {Append("case-1", "a", 2, 1000),
                                         Append("case-2", "b", 1, 2000),
                                         Append("case-1", "c", 3, 3000)};
  auto accepted = log_->ApplyReplicated(writes, 3);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(*accepted, 3u);
  EXPECT_EQ(log_->HeadPosition(), 6u);
  EXPECT_EQ(Cursor(), 3u);

  auto events = log_->ReadStream("case-1", 1, ReadDirection::kForward, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 5u);
  EXPECT_EQ((*events)[0].event.global_position(), 1u);
  EXPECT_EQ(ToTime((*events)[0].event.recorded_at()),
            absl::FromUnixSeconds(1000));
  EXPECT_EQ((*events)[2].event.global_position(), 4u);
  EXPECT_EQ((*events)[2].event.stream_version(), 3u);
  EXPECT_EQ(ToTime((*events)[4].event.recorded_at()),
            absl::FromUnixSeconds(3000));

  Open();  // the cursor is kept with the log
  EXPECT_EQ(Cursor(), 3u);
  EXPECT_EQ(log_->HeadPosition(), 6u);
}

TEST_F(ReplicatedLogTest, RefusedWritesAndRetriesWriteNothing) {
  ASSERT_TRUE(log_->ApplyReplicated({Append("case-1", "a", 2, 1000)}, 1).ok());
  std::vector<ReplicatedWrite> writes;
  // A retry of the first write (re-applied after a restart).
  writes.push_back(Append("case-1", "a", 2, 1000));
  // A transaction whose expectation no longer holds: case-1 is at 2.
  writes.push_back(ReplicatedWrite{
      {StreamAppend{"case-1", ExpectedVersion::Exact(1), MakeCalls("t1", 1)},
       StreamAppend{"case-9", ExpectedVersion::NoStream(), MakeCalls("t9", 1)}},
      absl::FromUnixSeconds(1500)});
  // Bad input: no events.
  writes.push_back(
      ReplicatedWrite{{StreamAppend{"case-3", ExpectedVersion::Any(), {}}},
                      absl::FromUnixSeconds(1600)});
  // A transaction that holds, after all that.
  writes.push_back(ReplicatedWrite{
      {StreamAppend{"case-1", ExpectedVersion::Exact(2), MakeCalls("t2", 1)},
       StreamAppend{"case-8", ExpectedVersion::NoStream(), MakeCalls("t8", 2)}},
      absl::FromUnixSeconds(1700)});
  auto accepted = log_->ApplyReplicated(writes, 5);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(*accepted, 1u);
  EXPECT_EQ(log_->HeadPosition(), 5u);
  EXPECT_EQ(Cursor(), 5u);
  auto refused = log_->GetStreamHead("case-9");
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(refused->has_value());
  auto tx = log_->FindEvent("case-8", "t8-1");
  ASSERT_TRUE(tx.ok() && tx->has_value());
  EXPECT_EQ((*tx)->global_position, 5u);

  // A unit of nothing but refusals still moves the cursor.
  accepted = log_->ApplyReplicated({Append("case-1", "a", 2, 1000)}, 6);
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(*accepted, 0u);
  EXPECT_EQ(Cursor(), 6u);
}

TEST_F(ReplicatedLogTest, RepeatedIdsWithinOneUnitAreAppliedOnce) {
  // The same append twice in one unit (a duplicate the source let through
  // after its de-duplication window): the second is a retry of the first.
  auto accepted = log_->ApplyReplicated(
      {Append("case-1", "a", 2, 1000), Append("case-1", "a", 2, 1001)}, 2);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(*accepted, 1u);
  EXPECT_EQ(log_->HeadPosition(), 2u);
}

TEST_F(ReplicatedLogTest, AFailedWriteKeepsNeitherTheWritesNorTheCursor) {
  ASSERT_TRUE(log_->ApplyReplicated({Append("case-1", "a", 1, 1000)}, 1).ok());
  faults_.FailWrites(true);
  auto failed = log_->ApplyReplicated({Append("case-1", "b", 1, 2000)}, 2);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable)
      << failed.status();
  faults_.FailWrites(false);
  Open();  // a failed write is recovered by reopening, as in single-node mode
  EXPECT_EQ(Cursor(), 1u);
  EXPECT_EQ(log_->HeadPosition(), 1u);
  auto again = log_->ApplyReplicated({Append("case-1", "b", 1, 2000)}, 2);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, 1u);
  EXPECT_EQ(Cursor(), 2u);
}

}  // namespace
}  // namespace collections::storage
