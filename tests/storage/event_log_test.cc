// What is particular to the RocksDB event log: what survives reopening (the
// durable event-id index, the log and stream heads), its group commit (what
// is known at once is answered on the calling thread; closing commits what
// is still queued) and opening (locks, formats, options). Its behaviour as
// an EventLog (appends, reads, expected versions, retries, hashes, waits,
// bad input) is the contract suite's, which runs against this log too
// (event_log_contract_test.cc). Each test opens a real database in a fresh
// temp dir.
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/committed_events.h"
#include "storage/rocksdb_event_log.h"
#include "tests/testing/events.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace collections::storage {
namespace {

using ::collections::testing::MakeCalls;
using ::collections::testing::StatusIs;
using ::collections::v1::Event;
using ::testing::HasSubstr;
using ::testing::SizeIs;

const absl::Time kStart = absl::FromUnixSeconds(1795000000);

class EventLogTest : public ::testing::Test {
 protected:
  EventLogTest() : clock_(kStart) { Reopen(); }

  void Reopen() {
    log_.reset();
    EventLogOptions options;
    options.clock = &clock_;
    absl::StatusOr<std::unique_ptr<EventLog>> log =
        OpenRocksDbEventLog(options, dir_.path());
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
  }

  collections::testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<EventLog> log_;
};

TEST_F(EventLogTest, RetryIsRecognisedAfterReopenFromTheDurableIndex) {
  const std::vector<Event> batch = MakeCalls("r", 2);
  ASSERT_OK_AND_ASSIGN(AppendResult original,
                       log_->Append("case-1", ExpectedVersion::Any(), batch));
  Reopen();
  ASSERT_OK_AND_ASSIGN(AppendResult retry,
                       log_->Append("case-1", ExpectedVersion::Any(), batch));
  EXPECT_TRUE(retry.already_appended);
  EXPECT_EQ(retry.last_position, original.last_position);
  EXPECT_EQ(log_->HeadPosition(), 2u);
}

TEST_F(EventLogTest, ReopenRestoresTheLogHeadAndEveryStreamHead) {
  ASSERT_OK(log_->Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 3)));
  ASSERT_OK(log_->Append("case-2", ExpectedVersion::Any(), MakeCalls("b", 2)));
  ASSERT_OK_AND_ASSIGN(auto head_before, log_->GetStreamHead("case-1"));
  Reopen();
  EXPECT_EQ(log_->HeadPosition(), 5u);
  ASSERT_OK_AND_ASSIGN(auto head_after, log_->GetStreamHead("case-1"));
  ASSERT_TRUE(head_after.has_value());
  EXPECT_EQ(head_after->version, head_before->version);
  EXPECT_EQ(head_after->chain_hash, head_before->chain_hash);
  ASSERT_OK_AND_ASSIGN(
      AppendResult next,
      log_->Append("case-1", ExpectedVersion::Exact(3), MakeCalls("c", 1)));
  EXPECT_EQ(next.first_position, 6u);
  EXPECT_EQ(next.stream_version, 4u);
  ASSERT_OK_AND_ASSIGN(
      auto events, log_->ReadStream("case-1", 4, ReadDirection::kForward, 1));
  EXPECT_EQ(events[0].chain_hash,
            ChainHash(head_before->chain_hash, events[0].leaf_hash));
}

// ----------------------------------------------------------- AppendAsync

TEST_F(EventLogTest,
       AsyncAppendAnswersBadInputAndKnownRetriesOnTheCallingThread) {
  ASSERT_OK(log_->Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 1)));
  const std::thread::id caller = std::this_thread::get_id();
  std::thread::id answered_on;
  absl::StatusOr<AppendResult> result;
  auto capture = [&](absl::StatusOr<AppendResult> r) {
    answered_on = std::this_thread::get_id();
    result = std::move(r);
  };
  log_->AppendAsync("", ExpectedVersion::Any(), MakeCalls("b", 1), capture);
  EXPECT_EQ(answered_on, caller);
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kInvalidArgument));

  answered_on = {};
  log_->AppendAsync("case-1", ExpectedVersion::Any(), MakeCalls("a", 1),
                    capture);
  EXPECT_EQ(answered_on, caller);
  ASSERT_OK(result);
  EXPECT_TRUE(result->already_appended);
  EXPECT_EQ(result->last_position, 1u);
}

TEST_F(EventLogTest, ClosingTheLogCommitsEveryAppendStillQueued) {
  constexpr int kAppends = 100;
  std::atomic<int> ok{0};
  for (int i = 0; i < kAppends; ++i) {
    log_->AppendAsync("case-1", ExpectedVersion::Any(),
                      MakeCalls(absl::StrCat("q", i), 1),
                      [&](absl::StatusOr<AppendResult> result) {
                        if (result.ok()) ++ok;
                      });
  }
  log_.reset();  // without waiting for any callback
  EXPECT_EQ(ok.load(), kAppends);
  Reopen();
  EXPECT_EQ(log_->HeadPosition(), kAppends);
  ASSERT_OK_AND_ASSIGN(
      auto events,
      log_->ReadStream("case-1", 1, ReadDirection::kForward, 1000));
  EXPECT_THAT(events, SizeIs(kAppends));
}

// ----------------------------------------------------------- opening

TEST(EventLogOpenTest, ASecondOpenOfTheSameDirectoryIsFailedPrecondition) {
  collections::testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto first, OpenRocksDbEventLog({}, dir.path()));
  EXPECT_THAT(
      OpenRocksDbEventLog({}, dir.path()),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("in use")));
}

TEST(EventLogOpenTest, MissingDatabaseWithoutCreateIsNotFound) {
  collections::testing::TempDir dir;
  EventLogOptions options;
  options.create_if_missing = false;
  EXPECT_THAT(OpenRocksDbEventLog(options, dir.Sub("nothing-here")),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(EventLogOpenTest, ADatabaseOfANewerFormatIsRefused) {
  collections::testing::TempDir dir;
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir.path(), &db).ok());
    std::string newer;
    PutU32(&newer, kFormatVersion + 1);
    ASSERT_TRUE(
        db->Put(rocksdb::WriteOptions(), std::string(kFormatVersionKey), newer)
            .ok());
    delete db;
  }
  EXPECT_THAT(OpenRocksDbEventLog({}, dir.path()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("newer build")));
}

TEST(EventLogOpenTest, ADatabaseWithAnUnknownColumnFamilyIsRefused) {
  collections::testing::TempDir dir;
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir.path(), &db).ok());
    rocksdb::ColumnFamilyHandle* handle = nullptr;
    ASSERT_TRUE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(),
                                       "from_the_future", &handle)
                    .ok());
    ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
    delete db;
  }
  EXPECT_THAT(OpenRocksDbEventLog({}, dir.path()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("from_the_future")));
}

TEST(EventLogOpenTest, UnsyncedAppendsSurviveACleanClose) {
  collections::testing::TempDir dir;
  EventLogOptions options;
  options.sync = false;
  {
    ASSERT_OK_AND_ASSIGN(auto log, OpenRocksDbEventLog(options, dir.path()));
    ASSERT_OK(
        log->Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 10)));
  }
  ASSERT_OK_AND_ASSIGN(auto log, OpenRocksDbEventLog(options, dir.path()));
  EXPECT_EQ(log->HeadPosition(), 10u);
}

// GetStreamHead answers a stream the committer wrote lately from memory
// (rocksdb_event_log_impl.h, head_cache_): it must be exactly what
// "streams" holds, which a reopened log (nothing cached) reads.
TEST(EventLogOpenTest, StreamHeadsFromMemoryAreTheStoredHeads) {
  collections::testing::TempDir dir;
  const std::vector<std::string> streams = {"case-1", "case-2", "debtor-9"};
  std::vector<StreamHead> before;
  {
    ASSERT_OK_AND_ASSIGN(auto log, OpenRocksDbEventLog({}, dir.path()));
    for (int round = 0; round < 3; ++round) {
      for (size_t i = 0; i < streams.size(); ++i) {
        ASSERT_OK(log->Append(
            streams[i], ExpectedVersion::Any(),
            MakeCalls(absl::StrCat("r", round, "-"), static_cast<int>(i) + 1)));
      }
    }
    for (const std::string& stream : streams) {
      ASSERT_OK_AND_ASSIGN(std::optional<StreamHead> head,
                           log->GetStreamHead(stream));
      ASSERT_TRUE(head.has_value()) << stream;
      before.push_back(*head);
    }
    EXPECT_EQ(before[2].version, 9u);  // 3 rounds of 3 events
    ASSERT_OK_AND_ASSIGN(auto absent, log->GetStreamHead("case-404"));
    EXPECT_FALSE(absent.has_value());
    EXPECT_THAT(log->GetStreamHead(""),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }
  ASSERT_OK_AND_ASSIGN(auto log, OpenRocksDbEventLog({}, dir.path()));
  for (size_t i = 0; i < streams.size(); ++i) {
    ASSERT_OK_AND_ASSIGN(std::optional<StreamHead> stored,
                         log->GetStreamHead(streams[i]));
    ASSERT_TRUE(stored.has_value()) << streams[i];
    EXPECT_EQ(stored->version, before[i].version) << streams[i];
    EXPECT_EQ(stored->last_position, before[i].last_position) << streams[i];
    EXPECT_EQ(stored->chain_hash, before[i].chain_hash) << streams[i];
  }
}

// The committed-events feed (storage/committed_events.h): every durable
// event reaches the sink once, in position order, exactly as ReadAll
// returns it (envelope with the log-assigned fields, record, hashes),
// whether the caller lent its events (Append, transactions) or handed them
// over (AppendTakingAsync); retries feed nothing, and a stopped feed
// nothing more.
class RecordingSink : public CommittedEventsSink {
 public:
  void Committed(std::vector<SharedRecordedEvent> events) override {
    absl::MutexLock lock(&mu_);
    for (auto& event : events) events_.push_back(std::move(event));
  }
  std::vector<SharedRecordedEvent> events() {
    absl::MutexLock lock(&mu_);
    return events_;
  }

 private:
  absl::Mutex mu_;
  std::vector<SharedRecordedEvent> events_;
};

TEST(EventLogFeedTest, FeedsEveryDurableEventAsReadAllReturnsIt) {
  collections::testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto log, OpenRocksDbEventLog({}, dir.path()));
  RecordingSink sink;
  log->FeedCommittedEvents(&sink);
  ASSERT_OK(log->Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 3)));
  absl::Notification taken;
  log->AppendTakingAsync("case-2", ExpectedVersion::NoStream(),
                         MakeCalls("b", 2),
                         [&](absl::StatusOr<AppendResult> result) {
                           EXPECT_TRUE(result.ok()) << result.status();
                           taken.Notify();
                         });
  taken.WaitForNotification();
  std::vector<StreamAppend> parts(2);
  parts[0] = {"case-1", ExpectedVersion::Exact(3), MakeCalls("c", 2)};
  parts[1] = {"debtor-7", ExpectedVersion::Any(), MakeCalls("d", 1)};
  ASSERT_OK(log->AppendTransaction(parts));
  // A retry lands nothing, so feeds nothing.
  ASSERT_OK_AND_ASSIGN(
      AppendResult retry,
      log->Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 3)));
  EXPECT_TRUE(retry.already_appended);

  LogRead read;
  read.max_events = 100;
  ASSERT_OK_AND_ASSIGN(LogReadResult stored, log->ReadAll(read));
  ASSERT_THAT(stored.events, SizeIs(8));
  std::vector<SharedRecordedEvent> fed = sink.events();
  ASSERT_THAT(fed, SizeIs(8));
  for (size_t i = 0; i < fed.size(); ++i) {
    const RecordedEvent& expected = stored.events[i];
    EXPECT_EQ(fed[i]->event.global_position(), i + 1);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
        fed[i]->event, expected.event))
        << i << ": " << fed[i]->event.ShortDebugString() << " vs "
        << expected.event.ShortDebugString();
    EXPECT_EQ(fed[i]->record, expected.record) << i;
    EXPECT_EQ(fed[i]->leaf_hash, expected.leaf_hash) << i;
    EXPECT_EQ(fed[i]->chain_hash, expected.chain_hash) << i;
  }

  log->FeedCommittedEvents(nullptr);
  ASSERT_OK(log->Append("case-3", ExpectedVersion::Any(), MakeCalls("e", 1)));
  EXPECT_THAT(sink.events(), SizeIs(8));
}

}  // namespace
}  // namespace collections::storage
