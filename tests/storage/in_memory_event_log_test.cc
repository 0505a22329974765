// What is particular to the in-memory log; its behaviour as an EventLog is
// the contract suite's (event_log_contract_test.cc). Its records and hashes
// are byte for byte those the RocksDB log stores for the same appends, and
// every append is answered on the calling thread.
#include "storage/in_memory_event_log.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/rocksdb_event_log.h"
#include "tests/testing/events.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace collections::storage {
namespace {

using ::collections::testing::MakeCalls;
using ::collections::testing::MakePayment;
using ::collections::testing::StatusIs;
using ::testing::SizeIs;

// The same appends and transaction, at the same time, on both logs.
void AppendTheSame(EventLog& log) {
  ASSERT_OK(
      log.Append("case-1", ExpectedVersion::NoStream(), MakeCalls("a", 3)));
  ASSERT_OK(
      log.Append("debtor-9", ExpectedVersion::Any(), {MakePayment("p", 1250)}));
  ASSERT_OK(log.AppendTransaction(
      {StreamAppend{"case-1", ExpectedVersion::Exact(3), MakeCalls("b", 2)},
       StreamAppend{"case-2", ExpectedVersion::NoStream(),
                    MakeCalls("c", 1)}}));
}

TEST(InMemoryEventLogTest, RecordsAndHashesAreTheRocksDbLogs) {
  FakeClock clock(absl::FromUnixSeconds(1795000000));
  collections::testing::TempDir dir;
  EventLogOptions rocksdb_options;
  rocksdb_options.clock = &clock;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DurableEventLog> rocksdb,
                       OpenRocksDbEventLog(rocksdb_options, dir.Sub("log")));
  InMemoryEventLogOptions memory_options;
  memory_options.clock = &clock;
  InMemoryEventLog memory(memory_options);
  AppendTheSame(*rocksdb);
  AppendTheSame(memory);

  ASSERT_OK_AND_ASSIGN(LogReadResult stored, rocksdb->ReadAll(LogRead()));
  ASSERT_OK_AND_ASSIGN(LogReadResult held, memory.ReadAll(LogRead()));
  ASSERT_THAT(held.events, SizeIs(7));
  ASSERT_THAT(stored.events, SizeIs(held.events.size()));
  for (size_t i = 0; i < held.events.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(held.events[i].record, stored.events[i].record);
    EXPECT_EQ(held.events[i].leaf_hash, stored.events[i].leaf_hash);
    EXPECT_EQ(held.events[i].chain_hash, stored.events[i].chain_hash);
    EXPECT_EQ(held.events[i].event.SerializeAsString(),
              stored.events[i].event.SerializeAsString());
  }
  for (const char* stream : {"case-1", "case-2", "debtor-9"}) {
    SCOPED_TRACE(stream);
    ASSERT_OK_AND_ASSIGN(auto stored_head, rocksdb->GetStreamHead(stream));
    ASSERT_OK_AND_ASSIGN(auto held_head, memory.GetStreamHead(stream));
    ASSERT_TRUE(stored_head.has_value() && held_head.has_value());
    EXPECT_EQ(held_head->version, stored_head->version);
    EXPECT_EQ(held_head->last_position, stored_head->last_position);
    EXPECT_EQ(held_head->chain_hash, stored_head->chain_hash);
  }
}

TEST(InMemoryEventLogTest, EveryAppendIsAnsweredOnTheCallingThread) {
  InMemoryEventLog log;
  const std::thread::id caller = std::this_thread::get_id();
  std::vector<std::thread::id> answered_on;
  log.AppendAsync("case-1", ExpectedVersion::Any(), MakeCalls("a", 1),
                  [&](absl::StatusOr<AppendResult> result) {
                    EXPECT_OK(result);
                    // The lock is released: reading from `done` is fine.
                    EXPECT_EQ(log.HeadPosition(), 1u);
                    answered_on.push_back(std::this_thread::get_id());
                  });
  log.AppendAsync("", ExpectedVersion::Any(), MakeCalls("b", 1),
                  [&](absl::StatusOr<AppendResult> result) {
                    EXPECT_THAT(result,
                                StatusIs(absl::StatusCode::kInvalidArgument));
                    answered_on.push_back(std::this_thread::get_id());
                  });
  log.AppendTransactionAsync(
      {StreamAppend{"case-2", ExpectedVersion::Any(), MakeCalls("c", 1)}},
      [&](absl::StatusOr<std::vector<AppendResult>> result) {
        EXPECT_OK(result);
        answered_on.push_back(std::this_thread::get_id());
      });
  ASSERT_THAT(answered_on, SizeIs(3));  // before AppendAsync returned
  for (const std::thread::id& thread : answered_on) EXPECT_EQ(thread, caller);
}

TEST(InMemoryEventLogTest, TheLimitsAreTheOptions) {
  InMemoryEventLogOptions options;
  options.max_events_per_append = 2;
  options.max_stream_id_bytes = 8;
  InMemoryEventLog log(options);
  EXPECT_THAT(log.Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 3)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("the limit is 2")));
  EXPECT_THAT(log.ReadStream("case-1234", 1, ReadDirection::kForward, 1),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("the limit is 8")));
  EXPECT_OK(log.Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 2)));
}

}  // namespace
}  // namespace collections::storage
