// The EventLog contract (storage/event_log.h), one behavioural suite run
// against every implementation of the core:
//   RocksDb   the RocksDB log on a real database in a fresh temp dir;
//   InMemory  the in-memory log (storage/in_memory_event_log.h);
//   Cluster   the cluster log of one node on a real three-server NATS
//             JetStream cluster (skipped where nats-server is not installed,
//             and under ThreadSanitizer: libnats is not instrumented).
// Positions and versions without gaps, every expected-version kind, retries
// and partial retries, transactions, stream and log reads, event lookup,
// waiting for a position, AppendAsync's callback, racing appenders. What is
// particular to one log (reopening, group commit, the calling thread of a
// callback, several cluster nodes) stays in that log's own tests.
//
// Nothing here sleeps and then asserts: tests wait on conditions.
#include <algorithm>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/cluster_event_log.h"
#include "storage/event_log.h"
#include "storage/in_memory_event_log.h"
#include "storage/rocksdb_event_log.h"
#include "tests/testing/events.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace collections::storage {
namespace {

using ::collections::testing::MakeCallLogged;
using ::collections::testing::MakeCalls;
using ::collections::testing::MakePayment;
using ::collections::testing::NatsCluster;
using ::collections::testing::StatusIs;
using ::collections::v1::Event;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

const absl::Time kStart = absl::FromUnixSeconds(1795000000);

enum class LogKind { kRocksDb, kInMemory, kCluster };

std::string NameOf(LogKind kind) {
  switch (kind) {
    case LogKind::kRocksDb:
      return "RocksDb";
    case LogKind::kInMemory:
      return "InMemory";
    case LogKind::kCluster:
      return "Cluster";
  }
  return "Unknown";
}

// Test names and CTest's listing show the log by name.
void PrintTo(LogKind kind, std::ostream* os) { *os << NameOf(kind); }

class EventLogContractTest : public ::testing::TestWithParam<LogKind> {
 protected:
  EventLogContractTest() : clock_(kStart) {}

  void SetUp() override {
    switch (GetParam()) {
      case LogKind::kRocksDb: {
        EventLogOptions options;
        options.clock = &clock_;
        ASSERT_OK_AND_ASSIGN(log_,
                             OpenRocksDbEventLog(options, dir_.Sub("log")));
        break;
      }
      case LogKind::kInMemory: {
        InMemoryEventLogOptions options;
        options.clock = &clock_;
        log_ = std::make_unique<InMemoryEventLog>(options);
        break;
      }
      case LogKind::kCluster: {
#if defined(__SANITIZE_THREAD__)
        // Debian's libnats is not built for ThreadSanitizer, which would
        // report its own threads' accesses; the address-sanitized run and
        // cluster_test cover the cluster log.
        GTEST_SKIP() << "the cluster log is not run under ThreadSanitizer";
#endif
        const absl::Status available = NatsCluster::Available();
        if (!available.ok()) GTEST_SKIP() << available.message();
        ASSERT_OK_AND_ASSIGN(cluster_, NatsCluster::Start(dir_.Sub("nats")));
        ClusterLogOptions options;
        options.jetstream.servers = cluster_->Urls();
        options.jetstream.publish_timeout = absl::Seconds(2);
        options.apply_timeout = absl::Seconds(10);
        EventLogOptions local;
        local.clock = &clock_;  // the publisher's recorded_at
        local.min_free_disk_bytes = 0;
        auto open = [&] {
          return OpenClusterEventLog(options, local, dir_.Sub("node"));
        };
        ASSERT_OK_AND_ASSIGN(log_,
                             collections::testing::UntilClusterReady(open));
        break;
      }
    }
  }

  EventLog& log() { return *log_; }

  static std::vector<uint64_t> Versions(
      const std::vector<RecordedEvent>& events) {
    std::vector<uint64_t> versions;
    for (const auto& e : events) versions.push_back(e.event.stream_version());
    return versions;
  }

  uint64_t VersionOf(const std::string& stream) {
    absl::StatusOr<std::optional<StreamHead>> head =
        log().GetStreamHead(stream);
    EXPECT_OK(head);
    return head.ok() && head->has_value() ? (*head)->version : 0;
  }

  // Declared so that the log goes first, then the cluster, the clock and
  // the directory they use.
  collections::testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<NatsCluster> cluster_;
  std::unique_ptr<EventLog> log_;
};

INSTANTIATE_TEST_SUITE_P(
    AllLogs, EventLogContractTest,
    ::testing::Values(LogKind::kRocksDb, LogKind::kInMemory, LogKind::kCluster),
    [](const ::testing::TestParamInfo<LogKind>& param_info) {
      return NameOf(param_info.param);
    });

// ------------------------------------------------- positions and versions

TEST_P(EventLogContractTest,
       AppendToNewStreamAssignsPositionsVersionsAndServerTime) {
  ASSERT_OK_AND_ASSIGN(
      AppendResult result,
      log().Append("case-1", ExpectedVersion::NoStream(), MakeCalls("a", 3)));
  EXPECT_EQ(result.first_position, 1u);
  EXPECT_EQ(result.last_position, 3u);
  EXPECT_EQ(result.stream_version, 3u);
  EXPECT_FALSE(result.already_appended);
  EXPECT_EQ(log().HeadPosition(), 3u);

  ASSERT_OK_AND_ASSIGN(
      auto events, log().ReadStream("case-1", 1, ReadDirection::kForward, 10));
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

TEST_P(EventLogContractTest, AppendsToSeveralStreamsInterleaveGlobalPositions) {
  ASSERT_OK(log().Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 2)));
  ASSERT_OK(log().Append("case-2", ExpectedVersion::Any(), MakeCalls("b", 1)));
  ASSERT_OK_AND_ASSIGN(
      AppendResult third,
      log().Append("case-1", ExpectedVersion::Any(), MakeCalls("c", 1)));
  EXPECT_EQ(third.first_position, 4u);
  EXPECT_EQ(third.stream_version, 3u);
  ASSERT_OK_AND_ASSIGN(auto head, log().GetStreamHead("case-2"));
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->version, 1u);
  EXPECT_EQ(head->last_position, 3u);
}

// -------------------------------------------------------- expected versions

struct ExpectationCase {
  std::string name;
  ExpectedVersion expected;
  uint64_t stream_version_before;  // 0 = stream absent
  bool accepted;
};

TEST_P(EventLogContractTest,
       EveryExpectedVersionFormAgainstAbsentAndExistingStreams) {
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
          log().Append(stream, ExpectedVersion::Any(),
                       MakeCalls(stream + "-seed", c.stream_version_before)));
    }
    const uint64_t head_before = log().HeadPosition();
    absl::StatusOr<AppendResult> result =
        log().Append(stream, c.expected, MakeCalls(stream + "-new", 2));
    if (c.accepted) {
      ASSERT_OK(result);
      EXPECT_EQ(result->stream_version, c.stream_version_before + 2);
    } else {
      EXPECT_THAT(result,
                  StatusIs(absl::StatusCode::kAborted,
                           HasSubstr(absl::StrCat("actual version is ",
                                                  c.stream_version_before))));
      EXPECT_EQ(log().HeadPosition(), head_before);  // nothing written
    }
  }
}

// Threads race to extend one stream, each expecting the version it read.
// Every version is won by exactly one append; the others are ABORTED; the
// stream holds exactly the winners, without a gap.
TEST_P(EventLogContractTest, ConcurrentAppendersOnlyOneWinsEachVersion) {
  constexpr int kThreads = 4;
  constexpr int kAttempts = 15;
  absl::Mutex mu;
  std::map<uint64_t, std::vector<std::string>> winners;  // version → ids
  int aborted = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int a = 0; a < kAttempts; ++a) {
        const uint64_t read = VersionOf("race");
        const std::string id = absl::StrCat("t", t, "a", a);
        absl::StatusOr<AppendResult> result = log().Append(
            "race", ExpectedVersion::Exact(read), {MakeCallLogged(id)});
        absl::MutexLock lock(&mu);
        if (result.ok()) {
          EXPECT_FALSE(result->already_appended);
          EXPECT_EQ(result->stream_version, read + 1) << id;
          winners[result->stream_version].push_back(id);
        } else {
          EXPECT_THAT(result, StatusIs(absl::StatusCode::kAborted)) << id;
          ++aborted;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();

  ASSERT_FALSE(winners.empty());
  EXPECT_EQ(static_cast<int>(winners.size()) + aborted, kThreads * kAttempts);
  for (const auto& [version, ids] : winners) {
    EXPECT_THAT(ids, SizeIs(1)) << "version " << version;
  }
  const uint64_t last = winners.rbegin()->first;
  EXPECT_EQ(last, winners.size());  // versions 1..n, each won once
  EXPECT_EQ(VersionOf("race"), last);
  EXPECT_EQ(log().HeadPosition(), last);
  ASSERT_OK_AND_ASSIGN(
      auto events, log().ReadStream("race", 1, ReadDirection::kForward, 1000));
  ASSERT_THAT(events, SizeIs(last));
  for (const RecordedEvent& e : events) {
    EXPECT_EQ(e.event.global_position(), e.event.stream_version());
    EXPECT_EQ(e.event.event_id(), winners[e.event.stream_version()].front());
  }
}

// ---------------------------------------------------- idempotent event ids

TEST_P(EventLogContractTest,
       RetryWithTheSameEventIdsReturnsTheOriginalResultAndWritesNothing) {
  const std::vector<Event> batch = MakeCalls("r", 3);
  ASSERT_OK_AND_ASSIGN(
      AppendResult original,
      log().Append("case-1", ExpectedVersion::NoStream(), batch));
  ASSERT_OK(
      log().Append("case-1", ExpectedVersion::Any(), MakeCalls("later", 2)));
  const uint64_t head = log().HeadPosition();

  // The retry carries the stale expectation of the original call: it is
  // still answered as the original append, not refused.
  ASSERT_OK_AND_ASSIGN(
      AppendResult retry,
      log().Append("case-1", ExpectedVersion::NoStream(), batch));
  EXPECT_TRUE(retry.already_appended);
  EXPECT_EQ(retry.first_position, original.first_position);
  EXPECT_EQ(retry.last_position, original.last_position);
  EXPECT_EQ(retry.stream_version, original.stream_version);
  EXPECT_EQ(log().HeadPosition(), head);
  ASSERT_OK_AND_ASSIGN(
      auto events, log().ReadStream("case-1", 1, ReadDirection::kForward, 100));
  EXPECT_THAT(events, SizeIs(5));
}

TEST_P(EventLogContractTest, ConcurrentRetriesOfOneBatchAppendItOnce) {
  const std::vector<Event> batch = MakeCalls("same", 4);
  std::vector<std::thread> threads;
  std::vector<absl::StatusOr<AppendResult>> results(
      8, absl::UnknownError("not run"));
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      results[t] = log().Append("case-1", ExpectedVersion::Any(), batch);
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
  EXPECT_EQ(log().HeadPosition(), 4u);
}

TEST_P(EventLogContractTest, PartialRetryIsRefusedAsFailedPrecondition) {
  ASSERT_OK(log().Append("case-1", ExpectedVersion::Any(), MakeCalls("p", 2)));
  std::vector<Event> mixed = MakeCalls("p", 2);
  mixed.push_back(MakeCallLogged("fresh"));
  EXPECT_THAT(
      log().Append("case-1", ExpectedVersion::Any(), mixed),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("p-0, p-1")));
  EXPECT_EQ(log().HeadPosition(), 2u);
}

TEST_P(EventLogContractTest, ReorderedRetryIsRefusedAsFailedPrecondition) {
  ASSERT_OK(log().Append("case-1", ExpectedVersion::Any(), MakeCalls("p", 2)));
  std::vector<Event> swapped = {MakeCallLogged("p-1"), MakeCallLogged("p-0")};
  EXPECT_THAT(log().Append("case-1", ExpectedVersion::Any(), swapped),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("in this order")));
  EXPECT_EQ(log().HeadPosition(), 2u);
}

TEST_P(EventLogContractTest, EventIdsAreScopedToTheirStream) {
  ASSERT_OK(
      log().Append("case-1", ExpectedVersion::Any(), {MakeCallLogged("e")}));
  ASSERT_OK_AND_ASSIGN(
      AppendResult other,
      log().Append("case-2", ExpectedVersion::Any(), {MakeCallLogged("e")}));
  EXPECT_FALSE(other.already_appended);
  EXPECT_EQ(other.first_position, 2u);
}

TEST_P(EventLogContractTest, ARefusedMultiEventAppendWritesNoneOfItsEvents) {
  ASSERT_OK(log().Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 1)));
  std::vector<Event> batch = MakeCalls("b", 100);
  batch[57].clear_type();  // one bad event in the middle
  EXPECT_THAT(
      log().Append("case-1", ExpectedVersion::Any(), batch),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("event 57")));
  EXPECT_THAT(
      log().Append("case-1", ExpectedVersion::Exact(7), MakeCalls("c", 100)),
      StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(log().HeadPosition(), 1u);
  ASSERT_OK_AND_ASSIGN(auto head, log().GetStreamHead("case-1"));
  EXPECT_EQ(head->version, 1u);
  // The ids of refused appends were not recorded: they append normally now.
  ASSERT_OK_AND_ASSIGN(
      AppendResult later,
      log().Append("case-1", ExpectedVersion::Exact(1), MakeCalls("c", 100)));
  EXPECT_FALSE(later.already_appended);
  EXPECT_EQ(later.first_position, 2u);
  EXPECT_EQ(later.last_position, 101u);
}

// ------------------------------------------------------------ transactions

StreamAppend Part(const std::string& stream, ExpectedVersion expected,
                  const std::string& prefix, int count) {
  return StreamAppend{stream, expected, MakeCalls(prefix, count)};
}

TEST_P(EventLogContractTest, TransactionPartsLandContiguouslyOrNoneDoes) {
  ASSERT_OK(log().Append("a", ExpectedVersion::Any(), MakeCalls("a0", 2)));
  const std::vector<StreamAppend> parts = {
      Part("a", ExpectedVersion::Exact(2), "t1a", 2),
      Part("b", ExpectedVersion::NoStream(), "t1b", 3),
      Part("c", ExpectedVersion::Any(), "t1c", 1)};
  ASSERT_OK_AND_ASSIGN(std::vector<AppendResult> landed,
                       log().AppendTransaction(parts));
  ASSERT_THAT(landed, SizeIs(3));
  EXPECT_EQ(landed[0].first_position, 3u);
  EXPECT_EQ(landed[0].stream_version, 4u);
  EXPECT_EQ(landed[1].first_position, 5u);
  EXPECT_EQ(landed[1].last_position, 7u);
  EXPECT_EQ(landed[1].stream_version, 3u);
  EXPECT_EQ(landed[2].last_position, 8u);
  for (const AppendResult& result : landed) {
    EXPECT_FALSE(result.already_appended);
  }
  EXPECT_EQ(log().HeadPosition(), 8u);
  ASSERT_OK_AND_ASSIGN(auto b,
                       log().ReadStream("b", 1, ReadDirection::kForward, 10));
  EXPECT_THAT(Versions(b), ElementsAre(1, 2, 3));

  // One stale expectation: nothing of the transaction is written, and the
  // error names the part.
  EXPECT_THAT(
      log().AppendTransaction({Part("a", ExpectedVersion::Exact(4), "t2a", 1),
                               Part("b", ExpectedVersion::Exact(2), "t2b", 1),
                               Part("d", ExpectedVersion::Any(), "t2d", 1)}),
      StatusIs(absl::StatusCode::kAborted,
               ::testing::AllOf(HasSubstr("transaction part 1 (stream b)"),
                                HasSubstr("actual version is 3"))));
  EXPECT_EQ(log().HeadPosition(), 8u);
  EXPECT_EQ(VersionOf("a"), 4u);
  EXPECT_EQ(VersionOf("d"), 0u);
  ASSERT_OK_AND_ASSIGN(auto found, log().FindEvent("a", "t2a-0"));
  EXPECT_FALSE(found.has_value());

  // Bad input in one part: nothing written either.
  std::vector<StreamAppend> bad = {Part("e", ExpectedVersion::Any(), "t3e", 1),
                                   Part("", ExpectedVersion::Any(), "t3", 1)};
  EXPECT_THAT(log().AppendTransaction(bad),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("transaction part 1")));
  EXPECT_THAT(log().AppendTransaction({}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      log().AppendTransaction({Part("f", ExpectedVersion::Any(), "t4", 1),
                               Part("f", ExpectedVersion::Any(), "t5", 1)}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("named by an earlier part")));
  EXPECT_EQ(log().HeadPosition(), 8u);
  EXPECT_EQ(VersionOf("e"), 0u);
  EXPECT_EQ(VersionOf("f"), 0u);
}

TEST_P(EventLogContractTest, TransactionRetriesAnswerWithTheOriginals) {
  const std::vector<StreamAppend> parts = {
      Part("a", ExpectedVersion::NoStream(), "t1a", 2),
      Part("b", ExpectedVersion::NoStream(), "t1b", 1)};
  ASSERT_OK_AND_ASSIGN(std::vector<AppendResult> original,
                       log().AppendTransaction(parts));
  ASSERT_OK(log().Append("a", ExpectedVersion::Any(), MakeCalls("later", 1)));

  // The whole transaction again, stale expectations and all: the originals.
  ASSERT_OK_AND_ASSIGN(std::vector<AppendResult> again,
                       log().AppendTransaction(parts));
  ASSERT_THAT(again, SizeIs(2));
  for (size_t i = 0; i < again.size(); ++i) {
    EXPECT_TRUE(again[i].already_appended) << i;
    EXPECT_EQ(again[i].first_position, original[i].first_position) << i;
    EXPECT_EQ(again[i].last_position, original[i].last_position) << i;
    EXPECT_EQ(again[i].stream_version, original[i].stream_version) << i;
  }
  EXPECT_EQ(log().HeadPosition(), 4u);

  // Some parts' ids in the log and others not: not a retry, nothing written.
  EXPECT_THAT(
      log().AppendTransaction({Part("a", ExpectedVersion::Any(), "t1a", 2),
                               Part("c", ExpectedVersion::Any(), "t2c", 1)}),
      StatusIs(absl::StatusCode::kFailedPrecondition));
  // One part a partial retry of its own: the same.
  std::vector<Event> mixed = MakeCalls("t1b", 1);
  mixed.push_back(MakeCallLogged("fresh"));
  EXPECT_THAT(
      log().AppendTransaction({StreamAppend{"b", ExpectedVersion::Any(), mixed},
                               Part("c", ExpectedVersion::Any(), "t3c", 1)}),
      StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(log().HeadPosition(), 4u);
  EXPECT_EQ(VersionOf("c"), 0u);
}

// ------------------------------------------------------------------- reads

TEST_P(EventLogContractTest,
       ReadStreamForwardsAndBackwardsFromAVersionWithALimit) {
  ASSERT_OK(log().Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 5)));
  ASSERT_OK(log().Append("case-10", ExpectedVersion::Any(),
                         MakeCalls("x", 2)));  // shares a prefix

  ASSERT_OK_AND_ASSIGN(
      auto forward, log().ReadStream("case-1", 2, ReadDirection::kForward, 2));
  EXPECT_THAT(Versions(forward), ElementsAre(2, 3));
  ASSERT_OK_AND_ASSIGN(
      auto to_end, log().ReadStream("case-1", 4, ReadDirection::kForward, 100));
  EXPECT_THAT(Versions(to_end), ElementsAre(4, 5));
  ASSERT_OK_AND_ASSIGN(
      auto backward,
      log().ReadStream("case-1", 3, ReadDirection::kBackward, 10));
  EXPECT_THAT(Versions(backward), ElementsAre(3, 2, 1));
  ASSERT_OK_AND_ASSIGN(
      auto newest,
      log().ReadStream("case-1", UINT64_MAX, ReadDirection::kBackward, 2));
  EXPECT_THAT(Versions(newest), ElementsAre(5, 4));
  ASSERT_OK_AND_ASSIGN(
      auto past_end,
      log().ReadStream("case-1", 6, ReadDirection::kForward, 10));
  EXPECT_THAT(past_end, SizeIs(0));
}

// Every start, direction and limit must read the same versions as a plain
// list would, over a stream written by appends of several sizes.
TEST_P(EventLogContractTest,
       StreamReadsAcrossManyAppendsMatchAPlainListOfVersions) {
  const std::vector<int> append_sizes = {3, 1, 4, 1, 5};
  for (size_t i = 0; i < append_sizes.size(); ++i) {
    ASSERT_OK(log().Append("case-1", ExpectedVersion::Any(),
                           MakeCalls(absl::StrCat("a", i), append_sizes[i])));
    ASSERT_OK(log().Append(absl::StrCat("other-", i), ExpectedVersion::Any(),
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
          log().ReadStream("case-1", from, ReadDirection::kForward, limit));
      EXPECT_EQ(Versions(forward), want_forward) << from << "/" << limit;
      ASSERT_OK_AND_ASSIGN(
          auto backward,
          log().ReadStream("case-1", from, ReadDirection::kBackward, limit));
      EXPECT_EQ(Versions(backward), want_backward) << from << "/" << limit;
      for (const auto& e : forward) EXPECT_EQ(e.event.stream_id(), "case-1");
    }
  }
}

TEST_P(EventLogContractTest, ReadOfAMissingStreamIsEmptyAndItsHeadIsAbsent) {
  ASSERT_OK(log().Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 1)));
  ASSERT_OK_AND_ASSIGN(
      auto events, log().ReadStream("case-2", 1, ReadDirection::kForward, 10));
  EXPECT_THAT(events, SizeIs(0));
  ASSERT_OK_AND_ASSIGN(auto head, log().GetStreamHead("case-2"));
  EXPECT_FALSE(head.has_value());
  EXPECT_THAT(log().GetStreamHead(""),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_P(EventLogContractTest, ReadAllPagesThroughTheLogInPositionOrder) {
  ASSERT_OK(log().Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 3)));
  ASSERT_OK(log().Append("case-2", ExpectedVersion::Any(), MakeCalls("b", 3)));
  LogRead read;
  read.from_position = 2;
  read.max_events = 3;
  ASSERT_OK_AND_ASSIGN(LogReadResult page, log().ReadAll(read));
  ASSERT_THAT(page.events, SizeIs(3));
  EXPECT_EQ(page.events[0].event.global_position(), 2u);
  EXPECT_EQ(page.events[2].event.global_position(), 4u);
  EXPECT_EQ(page.next_position, 5u);
  EXPECT_EQ(page.head_position, 6u);

  read.from_position = page.next_position;
  ASSERT_OK_AND_ASSIGN(LogReadResult rest, log().ReadAll(read));
  ASSERT_THAT(rest.events, SizeIs(2));
  EXPECT_EQ(rest.next_position, 7u);

  read.from_position = 7;
  ASSERT_OK_AND_ASSIGN(LogReadResult beyond, log().ReadAll(read));
  EXPECT_THAT(beyond.events, SizeIs(0));
  EXPECT_EQ(beyond.next_position, 7u);
  EXPECT_EQ(beyond.head_position, 6u);
}

TEST_P(EventLogContractTest,
       ReadAllFiltersByTypeAndStreamPrefixAndStillAdvances) {
  ASSERT_OK(
      log().Append("case-1", ExpectedVersion::Any(), {MakeCallLogged("c1")}));
  ASSERT_OK(
      log().Append("case-1", ExpectedVersion::Any(), {MakePayment("p1", 500)}));
  ASSERT_OK(log().Append("debtor-1", ExpectedVersion::Any(),
                         {MakePayment("p2", 700)}));
  ASSERT_OK(
      log().Append("case-2", ExpectedVersion::Any(), {MakeCallLogged("c2")}));

  LogRead read;
  read.filter.event_types = {"PaymentReceived"};
  read.filter.stream_prefix = "case-";
  ASSERT_OK_AND_ASSIGN(LogReadResult result, log().ReadAll(read));
  ASSERT_THAT(result.events, SizeIs(1));
  EXPECT_EQ(result.events[0].event.event_id(), "p1");
  EXPECT_EQ(result.next_position, 5u);  // moved past the filtered-out tail

  read.filter.event_types.clear();
  read.filter.stream_prefix = "debtor-";
  ASSERT_OK_AND_ASSIGN(LogReadResult debtors, log().ReadAll(read));
  ASSERT_THAT(debtors.events, SizeIs(1));
  EXPECT_EQ(debtors.events[0].event.stream_id(), "debtor-1");

  read.filter.stream_prefix.clear();
  read.filter.event_types = {"CallLogged", "PaymentReceived"};
  ASSERT_OK_AND_ASSIGN(LogReadResult both, log().ReadAll(read));
  EXPECT_THAT(both.events, SizeIs(4));
}

TEST_P(EventLogContractTest,
       ReadAllStopsAfterMaxScannedAndSaysWhereToContinue) {
  ASSERT_OK(log().Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 10)));
  LogRead read;
  read.max_scanned = 4;
  read.filter.event_types = {"PaymentReceived"};  // matches nothing
  ASSERT_OK_AND_ASSIGN(LogReadResult result, log().ReadAll(read));
  EXPECT_THAT(result.events, SizeIs(0));
  EXPECT_EQ(result.next_position, 5u);
  EXPECT_EQ(result.head_position, 10u);

  // Continued from there, a page of matches stops after max_events.
  read.from_position = result.next_position;
  read.max_scanned = 100;
  read.max_events = 2;
  read.filter.event_types = {"CallLogged"};
  ASSERT_OK_AND_ASSIGN(LogReadResult matched, log().ReadAll(read));
  ASSERT_THAT(matched.events, SizeIs(2));
  EXPECT_EQ(matched.events[0].event.global_position(), 5u);
  EXPECT_EQ(matched.next_position, 7u);
}

TEST_P(EventLogContractTest, FindEventLocatesAnAcknowledgedIdInItsStreamOnly) {
  ASSERT_OK(log().Append("case-0", ExpectedVersion::Any(), MakeCalls("z", 1)));
  const std::vector<Event> batch = MakeCalls("f", 2);
  ASSERT_OK(log().Append("case-1", ExpectedVersion::Any(), batch));
  ASSERT_OK_AND_ASSIGN(auto found,
                       log().FindEvent("case-1", batch[1].event_id()));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->stream_version, 2u);
  EXPECT_EQ(found->global_position, 3u);
  ASSERT_OK_AND_ASSIGN(auto elsewhere,
                       log().FindEvent("case-0", batch[1].event_id()));
  EXPECT_FALSE(elsewhere.has_value());
  ASSERT_OK_AND_ASSIGN(auto nowhere, log().FindEvent("case-9", "f-0"));
  EXPECT_FALSE(nowhere.has_value());
  EXPECT_THAT(log().FindEvent("", "x"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_P(EventLogContractTest,
       StoredHashesCoverTheExactRecordAndChainEachStream) {
  ASSERT_OK(log().Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 2)));
  ASSERT_OK(log().Append("case-2", ExpectedVersion::Any(), MakeCalls("b", 1)));
  ASSERT_OK(log().Append("case-1", ExpectedVersion::Any(), MakeCalls("c", 1)));
  ASSERT_OK_AND_ASSIGN(
      auto events, log().ReadStream("case-1", 1, ReadDirection::kForward, 10));
  ASSERT_THAT(events, SizeIs(3));
  Sha256Digest chain{};  // zeros before the first event
  for (const RecordedEvent& e : events) {
    EXPECT_EQ(e.leaf_hash, LeafHash(e.record));
    chain = ChainHash(chain, e.leaf_hash);
    EXPECT_EQ(e.chain_hash, chain);
    Event reparsed;
    ASSERT_TRUE(reparsed.ParseFromString(e.record));
    EXPECT_EQ(reparsed.global_position(), e.event.global_position());
    // The decoded envelope is the record's, every field of it.
    EXPECT_EQ(reparsed.SerializeAsString(), e.event.SerializeAsString());
  }
  ASSERT_OK_AND_ASSIGN(auto head, log().GetStreamHead("case-1"));
  EXPECT_EQ(head->chain_hash, chain);
  EXPECT_EQ(head->last_position, 4u);
}

// --------------------------------------------------------------- bad input

struct BadAppend {
  std::string name;
  std::string stream_id;
  ExpectedVersion expected;
  std::vector<Event> events;
  std::string message;
};

TEST_P(EventLogContractTest, EachKindOfBadInputIsRefusedWithInvalidArgument) {
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
        log().Append(c.stream_id, c.expected, c.events),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)));
  }
  EXPECT_EQ(log().HeadPosition(), 0u);
}

TEST_P(EventLogContractTest, BadReadsAreRefusedWithInvalidArgument) {
  EXPECT_THAT(log().ReadStream("", 1, ReadDirection::kForward, 1),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(log().ReadStream("case-1", 1, ReadDirection::kForward, 0),
              StatusIs(absl::StatusCode::kInvalidArgument));
  LogRead read;
  read.from_position = 0;
  EXPECT_THAT(log().ReadAll(read),
              StatusIs(absl::StatusCode::kInvalidArgument));
  read.from_position = 1;
  read.max_events = 0;
  EXPECT_THAT(log().ReadAll(read),
              StatusIs(absl::StatusCode::kInvalidArgument));
  read.max_events = 1;
  read.max_scanned = 0;
  EXPECT_THAT(log().ReadAll(read),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// --------------------------------------------------------- waiting for a head

TEST_P(EventLogContractTest, WaitForPositionReturnsAtOnceWhenTheHeadIsThere) {
  ASSERT_OK(log().Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 2)));
  // A deadline an hour away: waiting for it would time the test out.
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + absl::Hours(1);
  EXPECT_EQ(log().WaitForPosition(2, deadline), 2u);
  EXPECT_EQ(log().WaitForPosition(1, deadline), 2u);
  EXPECT_EQ(log().WaitForPosition(0, deadline), 2u);
  EXPECT_LT(absl::Now() - start, absl::Minutes(1));
}

TEST_P(EventLogContractTest, WaitForPositionWakesWhenAnAppendReachesIt) {
  uint64_t seen = 0;
  std::thread waiter(
      [&] { seen = log().WaitForPosition(2, absl::Now() + absl::Minutes(1)); });
  ASSERT_OK(log().Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 2)));
  waiter.join();
  EXPECT_GE(seen, 2u);
}

TEST_P(EventLogContractTest, WaitForPositionReturnsTheHeadAtTheDeadline) {
  EXPECT_EQ(log().WaitForPosition(1, absl::Now() + absl::Milliseconds(20)), 0u);
  ASSERT_OK(log().Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 2)));
  // Not reached before the deadline: returns the current head, not earlier.
  const absl::Time deadline = absl::Now() + absl::Milliseconds(50);
  EXPECT_EQ(log().WaitForPosition(3, deadline), 2u);
  EXPECT_GE(absl::Now(), deadline);
  // A deadline already past: the head at once.
  EXPECT_EQ(log().WaitForPosition(3, absl::InfinitePast()), 2u);
}

// ------------------------------------------------------------- AppendAsync

TEST_P(EventLogContractTest,
       AsyncAppendsEachCallDoneOnceAndCoverEveryPosition) {
  // 200 appends started from this one thread: each callback runs exactly
  // once, and together they cover positions 1..400 without a gap.
  constexpr int kAppends = 200;
  absl::Mutex mu;
  std::vector<absl::StatusOr<AppendResult>> results(kAppends);
  std::vector<int> calls(kAppends, 0);
  int finished = 0;
  for (int i = 0; i < kAppends; ++i) {
    log().AppendAsync(absl::StrCat("case-", i % 7), ExpectedVersion::Any(),
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
        mu.AwaitWithTimeout(absl::Condition(&all_done), absl::Seconds(60)));
  }
  std::vector<uint64_t> firsts;
  for (int i = 0; i < kAppends; ++i) {
    EXPECT_EQ(calls[i], 1);
    ASSERT_OK(results[i]);
    EXPECT_EQ(results[i]->last_position, results[i]->first_position + 1);
    firsts.push_back(results[i]->first_position);
  }
  std::sort(firsts.begin(), firsts.end());
  for (int i = 0; i < kAppends; ++i) EXPECT_EQ(firsts[i], 1 + 2 * i);
  EXPECT_EQ(log().HeadPosition(), 2 * kAppends);
}

// Every kind of outcome reaches `done` exactly once: still so after the log
// is closed, when no later call could come.
TEST_P(EventLogContractTest, AsyncAppendsAnswerEveryOutcomeExactlyOnce) {
  ASSERT_OK(log().Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 1)));
  absl::Mutex mu;
  std::map<std::string, int> calls;
  std::map<std::string, absl::Status> outcomes;
  auto record = [&](const std::string& name, const absl::Status& status) {
    absl::MutexLock lock(&mu);
    ++calls[name];
    outcomes[name] = status;
  };
  auto append_done = [&](std::string name) {
    return [&, name](absl::StatusOr<AppendResult> result) {
      record(name, result.status());
    };
  };
  log().AppendAsync("", ExpectedVersion::Any(), MakeCalls("b", 1),
                    append_done("bad input"));
  log().AppendAsync("case-1", ExpectedVersion::NoStream(), MakeCalls("c", 1),
                    append_done("stale"));
  log().AppendAsync("case-1", ExpectedVersion::Any(), MakeCalls("a", 1),
                    append_done("retry"));
  log().AppendAsync("case-2", ExpectedVersion::NoStream(), MakeCalls("d", 1),
                    append_done("new"));
  const std::vector<StreamAppend> parts = {
      Part("case-3", ExpectedVersion::NoStream(), "e", 1),
      Part("case-4", ExpectedVersion::NoStream(), "f", 2)};
  log().AppendTransactionAsync(
      parts, [&](absl::StatusOr<std::vector<AppendResult>> result) {
        record("transaction", result.status());
      });
  log().AppendTransactionAsync(
      {}, [&](absl::StatusOr<std::vector<AppendResult>> result) {
        record("empty transaction", result.status());
      });
  {
    absl::MutexLock lock(&mu);
    auto all_done = [&]() { return calls.size() == 6; };
    ASSERT_TRUE(
        mu.AwaitWithTimeout(absl::Condition(&all_done), absl::Seconds(60)));
  }
  log_.reset();  // joins whatever threads the log has: no call comes later
  for (const auto& [name, count] : calls) EXPECT_EQ(count, 1) << name;
  EXPECT_EQ(outcomes["bad input"].code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(outcomes["stale"].code(), absl::StatusCode::kAborted);
  EXPECT_OK(outcomes["retry"]);
  EXPECT_OK(outcomes["new"]);
  EXPECT_OK(outcomes["transaction"]);
  EXPECT_EQ(outcomes["empty transaction"].code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace collections::storage
