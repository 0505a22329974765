// Behaviour of the RocksDB event log: appends, reads, expected versions,
// idempotent retries, atomicity, hashes, reopen and bad input. Each test opens
// a real database in a fresh temp dir.
#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/rocksdb_event_log.h"
#include "tests/testing/events.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/fake_clock.h"

namespace collections::storage {
namespace {

using ::collections::testing::MakeCallLogged;
using ::collections::testing::MakeCalls;
using ::collections::testing::MakePayment;
using ::collections::testing::StatusIs;
using ::collections::v1::Event;
using ::testing::ElementsAre;
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

  std::vector<uint64_t> Versions(const std::vector<RecordedEvent>& events) {
    std::vector<uint64_t> versions;
    for (const auto& e : events) versions.push_back(e.event.stream_version());
    return versions;
  }

  collections::testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<EventLog> log_;
};

TEST_F(EventLogTest, AppendToNewStreamAssignsPositionsVersionsAndServerTime) {
  ASSERT_OK_AND_ASSIGN(
      AppendResult result,
      log_->Append("case-1", ExpectedVersion::NoStream(), MakeCalls("a", 3)));
  EXPECT_EQ(result.first_position, 1u);
  EXPECT_EQ(result.last_position, 3u);
  EXPECT_EQ(result.stream_version, 3u);
  EXPECT_FALSE(result.already_appended);
  EXPECT_EQ(log_->HeadPosition(), 3u);

  ASSERT_OK_AND_ASSIGN(
      auto events, log_->ReadStream("case-1", 1, ReadDirection::kForward, 10));
  ASSERT_THAT(events, SizeIs(3));
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i].event;
    EXPECT_EQ(e.event_id(), absl::StrCat("a-", i));
    EXPECT_EQ(e.stream_id(), "case-1");
    EXPECT_EQ(e.stream_version(), i + 1);
    EXPECT_EQ(e.global_position(), i + 1);
    EXPECT_EQ(e.recorded_at().seconds(), absl::ToUnixSeconds(kStart));
    EXPECT_EQ(e.occurred_at().seconds(),
              1767225600);  // the caller's business time
    EXPECT_EQ(e.type(), "CallLogged");
    EXPECT_TRUE(e.payload().has_call_logged());
  }
}

TEST_F(EventLogTest, AppendsToSeveralStreamsInterleaveGlobalPositions) {
  ASSERT_OK(log_->Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 2)));
  ASSERT_OK(log_->Append("case-2", ExpectedVersion::Any(), MakeCalls("b", 1)));
  ASSERT_OK_AND_ASSIGN(
      AppendResult third,
      log_->Append("case-1", ExpectedVersion::Any(), MakeCalls("c", 1)));
  EXPECT_EQ(third.first_position, 4u);
  EXPECT_EQ(third.stream_version, 3u);
  ASSERT_OK_AND_ASSIGN(auto head, log_->GetStreamHead("case-2"));
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->version, 1u);
  EXPECT_EQ(head->last_position, 3u);
}

TEST_F(EventLogTest, ReadStreamForwardsAndBackwardsFromAVersionWithALimit) {
  ASSERT_OK(log_->Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 5)));
  ASSERT_OK(log_->Append("case-10", ExpectedVersion::Any(),
                         MakeCalls("x", 2)));  // shares a prefix

  ASSERT_OK_AND_ASSIGN(
      auto forward, log_->ReadStream("case-1", 2, ReadDirection::kForward, 2));
  EXPECT_THAT(Versions(forward), ElementsAre(2, 3));
  ASSERT_OK_AND_ASSIGN(
      auto to_end, log_->ReadStream("case-1", 4, ReadDirection::kForward, 100));
  EXPECT_THAT(Versions(to_end), ElementsAre(4, 5));
  ASSERT_OK_AND_ASSIGN(
      auto backward,
      log_->ReadStream("case-1", 3, ReadDirection::kBackward, 10));
  EXPECT_THAT(Versions(backward), ElementsAre(3, 2, 1));
  ASSERT_OK_AND_ASSIGN(
      auto newest,
      log_->ReadStream("case-1", UINT64_MAX, ReadDirection::kBackward, 2));
  EXPECT_THAT(Versions(newest), ElementsAre(5, 4));
  ASSERT_OK_AND_ASSIGN(
      auto past_end,
      log_->ReadStream("case-1", 6, ReadDirection::kForward, 10));
  EXPECT_THAT(past_end, SizeIs(0));
}

// The stream index holds one run per append; every start, direction and
// limit must read the same versions as a plain list would.
TEST_F(EventLogTest, StreamReadsAcrossManyAppendsMatchAPlainListOfVersions) {
  const std::vector<int> append_sizes = {3, 1, 4, 1, 5};
  for (size_t i = 0; i < append_sizes.size(); ++i) {
    ASSERT_OK(log_->Append("case-1", ExpectedVersion::Any(),
                           MakeCalls(absl::StrCat("a", i), append_sizes[i])));
    ASSERT_OK(log_->Append(absl::StrCat("other-", i), ExpectedVersion::Any(),
                           MakeCalls("o", 2)));  // interleaves positions
  }
  const uint64_t total = 14;
  for (uint64_t from = 0; from <= total + 1; ++from) {
    for (size_t limit = 1; limit <= total + 1; ++limit) {
      std::vector<uint64_t> want_forward, want_backward;
      for (uint64_t v = std::max<uint64_t>(from, 1);
           v <= total && want_forward.size() < limit; ++v)
        want_forward.push_back(v);
      for (uint64_t v = std::min(from, total);
           v >= 1 && want_backward.size() < limit; --v)
        want_backward.push_back(v);
      ASSERT_OK_AND_ASSIGN(
          auto forward,
          log_->ReadStream("case-1", from, ReadDirection::kForward, limit));
      EXPECT_EQ(Versions(forward), want_forward) << from << "/" << limit;
      ASSERT_OK_AND_ASSIGN(
          auto backward,
          log_->ReadStream("case-1", from, ReadDirection::kBackward, limit));
      EXPECT_EQ(Versions(backward), want_backward) << from << "/" << limit;
      for (const auto& e : forward) EXPECT_EQ(e.event.stream_id(), "case-1");
    }
  }
}

TEST_F(EventLogTest, ReadOfAMissingStreamIsEmptyAndItsHeadIsAbsent) {
  ASSERT_OK(log_->Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 1)));
  ASSERT_OK_AND_ASSIGN(
      auto events, log_->ReadStream("case-2", 1, ReadDirection::kForward, 10));
  EXPECT_THAT(events, SizeIs(0));
  ASSERT_OK_AND_ASSIGN(auto head, log_->GetStreamHead("case-2"));
  EXPECT_FALSE(head.has_value());
}

TEST_F(EventLogTest, ReadAllPagesThroughTheLogInPositionOrder) {
  ASSERT_OK(log_->Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 3)));
  ASSERT_OK(log_->Append("case-2", ExpectedVersion::Any(), MakeCalls("b", 3)));
  LogRead read;
  read.from_position = 2;
  read.max_events = 3;
  ASSERT_OK_AND_ASSIGN(LogReadResult page, log_->ReadAll(read));
  ASSERT_THAT(page.events, SizeIs(3));
  EXPECT_EQ(page.events[0].event.global_position(), 2u);
  EXPECT_EQ(page.events[2].event.global_position(), 4u);
  EXPECT_EQ(page.next_position, 5u);
  EXPECT_EQ(page.head_position, 6u);

  read.from_position = page.next_position;
  ASSERT_OK_AND_ASSIGN(LogReadResult rest, log_->ReadAll(read));
  ASSERT_THAT(rest.events, SizeIs(2));
  EXPECT_EQ(rest.next_position, 7u);

  read.from_position = 7;
  ASSERT_OK_AND_ASSIGN(LogReadResult beyond, log_->ReadAll(read));
  EXPECT_THAT(beyond.events, SizeIs(0));
  EXPECT_EQ(beyond.next_position, 7u);
}

TEST_F(EventLogTest, ReadAllFiltersByTypeAndStreamPrefixAndStillAdvances) {
  ASSERT_OK(
      log_->Append("case-1", ExpectedVersion::Any(), {MakeCallLogged("c1")}));
  ASSERT_OK(
      log_->Append("case-1", ExpectedVersion::Any(), {MakePayment("p1", 500)}));
  ASSERT_OK(log_->Append("debtor-1", ExpectedVersion::Any(),
                         {MakePayment("p2", 700)}));
  ASSERT_OK(
      log_->Append("case-2", ExpectedVersion::Any(), {MakeCallLogged("c2")}));

  LogRead read;
  read.filter.event_types = {"PaymentReceived"};
  read.filter.stream_prefix = "case-";
  ASSERT_OK_AND_ASSIGN(LogReadResult result, log_->ReadAll(read));
  ASSERT_THAT(result.events, SizeIs(1));
  EXPECT_EQ(result.events[0].event.event_id(), "p1");
  EXPECT_EQ(result.next_position, 5u);  // moved past the filtered-out tail

  read.filter.event_types.clear();
  read.filter.stream_prefix = "debtor-";
  ASSERT_OK_AND_ASSIGN(LogReadResult debtors, log_->ReadAll(read));
  ASSERT_THAT(debtors.events, SizeIs(1));
  EXPECT_EQ(debtors.events[0].event.stream_id(), "debtor-1");
}

TEST_F(EventLogTest, ReadAllStopsAfterMaxScannedAndSaysWhereToContinue) {
  ASSERT_OK(log_->Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 10)));
  LogRead read;
  read.max_scanned = 4;
  read.filter.event_types = {"PaymentReceived"};  // matches nothing
  ASSERT_OK_AND_ASSIGN(LogReadResult result, log_->ReadAll(read));
  EXPECT_THAT(result.events, SizeIs(0));
  EXPECT_EQ(result.next_position, 5u);
}

struct ExpectationCase {
  std::string name;
  ExpectedVersion expected;
  uint64_t stream_version_before;  // 0 = stream absent
  bool accepted;
};

TEST_F(EventLogTest, EveryExpectedVersionFormAgainstAbsentAndExistingStreams) {
  const std::vector<ExpectationCase> cases = {
      {"any on absent", ExpectedVersion::Any(), 0, true},
      {"any on existing", ExpectedVersion::Any(), 2, true},
      {"no stream on absent", ExpectedVersion::NoStream(), 0, true},
      {"no stream on existing", ExpectedVersion::NoStream(), 2, false},
      {"stream exists on absent", ExpectedVersion::StreamExists(), 0, false},
      {"stream exists on existing", ExpectedVersion::StreamExists(), 2, true},
      {"exact matching", ExpectedVersion::Exact(2), 2, true},
      {"exact behind", ExpectedVersion::Exact(1), 2, false},
      {"exact ahead", ExpectedVersion::Exact(3), 2, false},
      {"exact 0 on absent", ExpectedVersion::Exact(0), 0, true},
      {"exact 0 on existing", ExpectedVersion::Exact(0), 2, false},
  };
  int n = 0;
  for (const ExpectationCase& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string stream = absl::StrCat("case-", n++);
    if (c.stream_version_before > 0) {
      ASSERT_OK(
          log_->Append(stream, ExpectedVersion::Any(),
                       MakeCalls(stream + "-seed", c.stream_version_before)));
    }
    const uint64_t head_before = log_->HeadPosition();
    absl::StatusOr<AppendResult> result =
        log_->Append(stream, c.expected, MakeCalls(stream + "-new", 2));
    if (c.accepted) {
      ASSERT_OK(result);
      EXPECT_EQ(result->stream_version, c.stream_version_before + 2);
    } else {
      EXPECT_THAT(result,
                  StatusIs(absl::StatusCode::kAborted,
                           HasSubstr(absl::StrCat("actual version is ",
                                                  c.stream_version_before))));
      EXPECT_EQ(log_->HeadPosition(), head_before);  // nothing written
    }
  }
}

TEST_F(EventLogTest,
       RetryWithTheSameEventIdsReturnsTheOriginalResultAndWritesNothing) {
  const std::vector<Event> batch = MakeCalls("r", 3);
  ASSERT_OK_AND_ASSIGN(
      AppendResult original,
      log_->Append("case-1", ExpectedVersion::NoStream(), batch));
  ASSERT_OK(
      log_->Append("case-1", ExpectedVersion::Any(), MakeCalls("later", 2)));
  const uint64_t head = log_->HeadPosition();

  // The retry carries the stale expectation of the original call: it is
  // still answered as the original append, not refused.
  ASSERT_OK_AND_ASSIGN(
      AppendResult retry,
      log_->Append("case-1", ExpectedVersion::NoStream(), batch));
  EXPECT_TRUE(retry.already_appended);
  EXPECT_EQ(retry.first_position, original.first_position);
  EXPECT_EQ(retry.last_position, original.last_position);
  EXPECT_EQ(retry.stream_version, original.stream_version);
  EXPECT_EQ(log_->HeadPosition(), head);
  ASSERT_OK_AND_ASSIGN(
      auto events, log_->ReadStream("case-1", 1, ReadDirection::kForward, 100));
  EXPECT_THAT(events, SizeIs(5));
}

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

TEST_F(EventLogTest, FindEventLocatesAnAcknowledgedIdInItsStreamOnly) {
  ASSERT_OK(log_->Append("case-0", ExpectedVersion::Any(), MakeCalls("z", 1)));
  const std::vector<Event> batch = MakeCalls("f", 2);
  ASSERT_OK(log_->Append("case-1", ExpectedVersion::Any(), batch));
  ASSERT_OK_AND_ASSIGN(auto found,
                       log_->FindEvent("case-1", batch[1].event_id()));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->stream_version, 2u);
  EXPECT_EQ(found->global_position, 3u);
  ASSERT_OK_AND_ASSIGN(auto elsewhere,
                       log_->FindEvent("case-0", batch[1].event_id()));
  EXPECT_FALSE(elsewhere.has_value());
  EXPECT_THAT(log_->FindEvent("", "x"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(EventLogTest, ConcurrentRetriesOfOneBatchAppendItOnce) {
  const std::vector<Event> batch = MakeCalls("same", 4);
  std::vector<std::thread> threads;
  std::vector<absl::StatusOr<AppendResult>> results(
      8, absl::UnknownError("not run"));
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      results[t] = log_->Append("case-1", ExpectedVersion::Any(), batch);
    });
  }
  for (auto& thread : threads) thread.join();
  int originals = 0;
  for (const auto& result : results) {
    ASSERT_OK(result);
    EXPECT_EQ(result->first_position, 1u);
    EXPECT_EQ(result->last_position, 4u);
    originals += result->already_appended ? 0 : 1;
  }
  EXPECT_EQ(originals, 1);
  EXPECT_EQ(log_->HeadPosition(), 4u);
}

TEST_F(EventLogTest, PartialRetryIsRefusedAsFailedPrecondition) {
  ASSERT_OK(log_->Append("case-1", ExpectedVersion::Any(), MakeCalls("p", 2)));
  std::vector<Event> mixed = MakeCalls("p", 2);
  mixed.push_back(MakeCallLogged("fresh"));
  EXPECT_THAT(
      log_->Append("case-1", ExpectedVersion::Any(), mixed),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("p-0, p-1")));
  EXPECT_EQ(log_->HeadPosition(), 2u);
}

TEST_F(EventLogTest, ReorderedRetryIsRefusedAsFailedPrecondition) {
  ASSERT_OK(log_->Append("case-1", ExpectedVersion::Any(), MakeCalls("p", 2)));
  std::vector<Event> swapped = {MakeCallLogged("p-1"), MakeCallLogged("p-0")};
  EXPECT_THAT(log_->Append("case-1", ExpectedVersion::Any(), swapped),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("in this order")));
}

TEST_F(EventLogTest, EventIdsAreScopedToTheirStream) {
  ASSERT_OK(
      log_->Append("case-1", ExpectedVersion::Any(), {MakeCallLogged("e")}));
  ASSERT_OK_AND_ASSIGN(
      AppendResult other,
      log_->Append("case-2", ExpectedVersion::Any(), {MakeCallLogged("e")}));
  EXPECT_FALSE(other.already_appended);
  EXPECT_EQ(other.first_position, 2u);
}

TEST_F(EventLogTest, ARefusedMultiEventAppendWritesNoneOfItsEvents) {
  ASSERT_OK(log_->Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 1)));
  std::vector<Event> batch = MakeCalls("b", 100);
  batch[57].clear_type();  // one bad event in the middle
  EXPECT_THAT(
      log_->Append("case-1", ExpectedVersion::Any(), batch),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("event 57")));
  EXPECT_THAT(
      log_->Append("case-1", ExpectedVersion::Exact(7), MakeCalls("c", 100)),
      StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(log_->HeadPosition(), 1u);
  ASSERT_OK_AND_ASSIGN(auto head, log_->GetStreamHead("case-1"));
  EXPECT_EQ(head->version, 1u);
  // The ids of refused appends were not recorded: they append normally now.
  ASSERT_OK_AND_ASSIGN(
      AppendResult later,
      log_->Append("case-1", ExpectedVersion::Exact(1), MakeCalls("c", 100)));
  EXPECT_FALSE(later.already_appended);
  EXPECT_EQ(later.first_position, 2u);
  EXPECT_EQ(later.last_position, 101u);
}

TEST_F(EventLogTest, StoredHashesCoverTheExactRecordAndChainEachStream) {
  ASSERT_OK(log_->Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 2)));
  ASSERT_OK(log_->Append("case-2", ExpectedVersion::Any(), MakeCalls("b", 1)));
  ASSERT_OK(log_->Append("case-1", ExpectedVersion::Any(), MakeCalls("c", 1)));
  ASSERT_OK_AND_ASSIGN(
      auto events, log_->ReadStream("case-1", 1, ReadDirection::kForward, 10));
  ASSERT_THAT(events, SizeIs(3));
  Sha256Digest chain{};  // zeros before the first event
  for (const RecordedEvent& e : events) {
    EXPECT_EQ(e.leaf_hash, LeafHash(e.record));
    chain = ChainHash(chain, e.leaf_hash);
    EXPECT_EQ(e.chain_hash, chain);
    Event reparsed;
    ASSERT_TRUE(reparsed.ParseFromString(e.record));
    EXPECT_EQ(reparsed.global_position(), e.event.global_position());
  }
  ASSERT_OK_AND_ASSIGN(auto head, log_->GetStreamHead("case-1"));
  EXPECT_EQ(head->chain_hash, chain);
  EXPECT_EQ(head->last_position, 4u);
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

TEST_F(EventLogTest, WaitForPositionWakesWhenAnAppendReachesIt) {
  std::thread writer([&] {
    absl::SleepFor(absl::Milliseconds(50));
    ASSERT_OK(
        log_->Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 2)));
  });
  const uint64_t head =
      log_->WaitForPosition(2, absl::Now() + absl::Seconds(30));
  writer.join();
  EXPECT_GE(head, 2u);
  // Not reached before the deadline: returns the current head.
  EXPECT_EQ(log_->WaitForPosition(3, absl::Now() + absl::Milliseconds(20)), 2u);
}

// ----------------------------------------------------------- bad input

struct BadAppend {
  std::string name;
  std::string stream_id;
  ExpectedVersion expected;
  std::vector<Event> events;
  std::string message;
};

TEST_F(EventLogTest, EachKindOfBadInputIsRefusedWithInvalidArgument) {
  auto with = [](auto mutate) {
    Event e = MakeCallLogged("x");
    mutate(e);
    return std::vector<Event>{e};
  };
  const std::vector<BadAppend> cases = {
      {"empty stream id", "", ExpectedVersion::Any(), MakeCalls("a", 1),
       "stream id is empty"},
      {"over-long stream id", std::string(129, 's'), ExpectedVersion::Any(),
       MakeCalls("a", 1), "the limit is 128"},
      {"stream id with a space", "case 1", ExpectedVersion::Any(),
       MakeCalls("a", 1), "non-printable"},
      {"stream id with NUL", std::string("case\0x", 6), ExpectedVersion::Any(),
       MakeCalls("a", 1), "non-printable"},
      {"empty batch", "case-1", ExpectedVersion::Any(), {}, "empty batch"},
      {"too many events", "case-1", ExpectedVersion::Any(),
       MakeCalls("a", 1001, 20), "the limit is 1000"},
      {"over-size event",
       "case-1",
       ExpectedVersion::Any(),
       {MakeCallLogged("big", 300 * 1024)},
       "the limit is 262144"},
      {"missing event id", "case-1", ExpectedVersion::Any(),
       with([](Event& e) { e.clear_event_id(); }), "has no event id"},
      {"over-long event id", "case-1", ExpectedVersion::Any(),
       with([](Event& e) { e.set_event_id(std::string(129, 'i')); }),
       "event id is 129 bytes"},
      {"duplicate ids in one call",
       "case-1",
       ExpectedVersion::Any(),
       {MakeCallLogged("d"), MakeCallLogged("d")},
       "appears twice"},
      {"missing type", "case-1", ExpectedVersion::Any(),
       with([](Event& e) { e.clear_type(); }), "has no type"},
      {"stream id set by caller", "case-1", ExpectedVersion::Any(),
       with([](Event& e) { e.set_stream_id("case-1"); }),
       "assigned by the log"},
      {"version set by caller", "case-1", ExpectedVersion::Any(),
       with([](Event& e) { e.set_stream_version(4); }), "assigned by the log"},
      {"position set by caller", "case-1", ExpectedVersion::Any(),
       with([](Event& e) { e.set_global_position(9); }), "assigned by the log"},
      {"recorded_at set by caller", "case-1", ExpectedVersion::Any(),
       with([](Event& e) { e.mutable_recorded_at()->set_seconds(1); }),
       "assigned by the log"},
      {"unknown expected-version kind", "case-1",
       ExpectedVersion{static_cast<ExpectedVersion::Kind>(7), 0},
       MakeCalls("a", 1), "unknown expected-version kind 7"},
  };
  for (const BadAppend& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_THAT(
        log_->Append(c.stream_id, c.expected, c.events),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)));
  }
  EXPECT_EQ(log_->HeadPosition(), 0u);
}

TEST_F(EventLogTest, BadReadsAreRefusedWithInvalidArgument) {
  EXPECT_THAT(log_->ReadStream("", 1, ReadDirection::kForward, 1),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(log_->ReadStream("case-1", 1, ReadDirection::kForward, 0),
              StatusIs(absl::StatusCode::kInvalidArgument));
  LogRead read;
  read.from_position = 0;
  EXPECT_THAT(log_->ReadAll(read),
              StatusIs(absl::StatusCode::kInvalidArgument));
  read.from_position = 1;
  read.max_events = 0;
  EXPECT_THAT(log_->ReadAll(read),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// ----------------------------------------------------------- opening

TEST_F(EventLogTest, AsyncAppendsFromOneThreadAreCommittedWithoutWaitingEach) {
  // 200 appends started from this one thread before any finishes: no thread
  // is held per append, and each callback runs exactly once.
  constexpr int kAppends = 200;
  absl::Mutex mu;
  std::vector<absl::StatusOr<AppendResult>> results(kAppends);
  std::vector<int> calls(kAppends, 0);
  int finished = 0;
  for (int i = 0; i < kAppends; ++i) {
    log_->AppendAsync(absl::StrCat("case-", i % 7), ExpectedVersion::Any(),
                      MakeCalls(absl::StrCat("a", i), 2),
                      [&, i](absl::StatusOr<AppendResult> result) {
                        absl::MutexLock lock(&mu);
                        results[i] = std::move(result);
                        ++calls[i];
                        ++finished;
                      });
  }
  {
    absl::MutexLock lock(&mu);
    auto all_done = [&]() { return finished == kAppends; };
    ASSERT_TRUE(
        mu.AwaitWithTimeout(absl::Condition(&all_done), absl::Seconds(30)));
  }
  std::vector<uint64_t> firsts;
  for (int i = 0; i < kAppends; ++i) {
    EXPECT_EQ(calls[i], 1);
    ASSERT_OK(results[i]);
    EXPECT_EQ(results[i]->last_position, results[i]->first_position + 1);
    firsts.push_back(results[i]->first_position);
  }
  // Together they cover positions 1..400 without a gap or an overlap.
  std::sort(firsts.begin(), firsts.end());
  for (int i = 0; i < kAppends; ++i) EXPECT_EQ(firsts[i], 1 + 2 * i);
  EXPECT_EQ(log_->HeadPosition(), 2 * kAppends);
}

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

}  // namespace
}  // namespace collections::storage
