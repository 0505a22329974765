// Transactions over several streams: all parts land in one group commit or
// none does, under racing single appends too; retries answer with the
// original; and the tree and chains stay those of the records.
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/merkle.h"
#include "storage/rocksdb_event_log.h"
#include "tests/testing/events.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace collections::storage {
namespace {

using ::collections::testing::MakeCalls;
using ::collections::testing::StatusIs;
using ::testing::HasSubstr;

std::unique_ptr<DurableEventLog> Open(const std::string& dir) {
  auto log = OpenRocksDbEventLog({}, dir);
  EXPECT_TRUE(log.ok()) << log.status();
  return log.ok() ? *std::move(log) : nullptr;
}

StreamAppend Part(const std::string& stream, ExpectedVersion expected,
                  const std::string& prefix, int count) {
  return StreamAppend{stream, expected, MakeCalls(prefix, count)};
}

uint64_t VersionOf(EventLog& log, const std::string& stream) {
  auto head = log.GetStreamHead(stream);
  EXPECT_TRUE(head.ok());
  return head.ok() && head->has_value() ? (*head)->version : 0;
}

TEST(EventLogTransactionTest, AllPartsLandContiguouslyOrNoneDoes) {
  testing::TempDir dir;
  auto log = Open(dir.Sub("log"));
  ASSERT_TRUE(
      log->Append("a", ExpectedVersion::Any(), MakeCalls("a0-", 2)).ok());
  const std::vector<StreamAppend> parts = {
      Part("a", ExpectedVersion::Exact(2), "t1a-", 2),
      Part("b", ExpectedVersion::NoStream(), "t1b-", 3),
      Part("c", ExpectedVersion::Any(), "t1c-", 1)};
  auto landed = log->AppendTransaction(parts);
  ASSERT_TRUE(landed.ok()) << landed.status();
  ASSERT_EQ(landed->size(), 3u);
  EXPECT_EQ((*landed)[0].first_position, 3u);
  EXPECT_EQ((*landed)[0].stream_version, 4u);
  EXPECT_EQ((*landed)[1].first_position, 5u);
  EXPECT_EQ((*landed)[1].last_position, 7u);
  EXPECT_EQ((*landed)[2].last_position, 8u);
  EXPECT_EQ(log->HeadPosition(), 8u);

  // A retry answers with the original and writes nothing.
  auto again = log->AppendTransaction(parts);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE((*again)[1].already_appended);
  EXPECT_EQ((*again)[1].last_position, 7u);
  EXPECT_EQ(log->HeadPosition(), 8u);

  // One stale expectation: nothing of the transaction is written.
  auto stale =
      log->AppendTransaction({Part("a", ExpectedVersion::Exact(4), "t2a-", 1),
                              Part("b", ExpectedVersion::Exact(2), "t2b-", 1),
                              Part("d", ExpectedVersion::Any(), "t2d-", 1)});
  EXPECT_THAT(stale, StatusIs(absl::StatusCode::kAborted,
                              HasSubstr("transaction part 1 (stream b)")));
  EXPECT_EQ(log->HeadPosition(), 8u);
  EXPECT_EQ(VersionOf(*log, "a"), 4u);
  EXPECT_EQ(VersionOf(*log, "d"), 0u);

  // Some parts' ids in the log, others not: not a retry.
  EXPECT_THAT(
      log->AppendTransaction({Part("a", ExpectedVersion::Any(), "t1a-", 2),
                              Part("e", ExpectedVersion::Any(), "t3e-", 1)}),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("not a retry")));
  EXPECT_THAT(log->AppendTransaction({}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      log->AppendTransaction({Part("f", ExpectedVersion::Any(), "t4-", 1),
                              Part("f", ExpectedVersion::Any(), "t5-", 1)}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("named by an earlier part")));
  EXPECT_EQ(log->HeadPosition(), 8u);

  // What landed is there after reopening, in order.
  log.reset();
  log = Open(dir.Sub("log"));
  EXPECT_EQ(log->HeadPosition(), 8u);
  EXPECT_EQ(VersionOf(*log, "b"), 3u);
}

// Threads race transactions over two shared streams (each expecting the
// versions it read) with single appends to the same streams. Every
// transaction that was acknowledged is wholly there; every refused one left
// no trace; and the tree is the records' tree.
TEST(EventLogTransactionTest, RacingTransactionsAreAtomic) {
  testing::TempDir dir;
  auto log = Open(dir.Sub("log"));
  constexpr int kThreads = 4;
  constexpr int kRounds = 40;
  std::atomic<int> landed{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        const std::string id = absl::StrCat("t", t, "r", r, "-");
        if (r % 3 == 0) {
          ASSERT_TRUE(log->Append("x", ExpectedVersion::Any(),
                                  MakeCalls(absl::StrCat(id, "single-"), 1))
                          .ok());
          continue;
        }
        auto result = log->AppendTransaction(
            {Part("x", ExpectedVersion::Exact(VersionOf(*log, "x")),
                  absl::StrCat(id, "x-"), 2),
             Part("y", ExpectedVersion::Exact(VersionOf(*log, "y")),
                  absl::StrCat(id, "y-"), 1)});
        if (result.ok()) {
          ++landed;
        } else {
          ASSERT_EQ(result.status().code(), absl::StatusCode::kAborted)
              << result.status();
          ++refused;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_GT(landed.load(), 0);

  // Per transaction id: its x part and its y part both, or neither.
  std::map<std::string, int> parts_of;
  std::vector<Sha256Digest> leaves;
  LogRead read;
  for (;;) {
    auto page = log->ReadAll(read);
    ASSERT_TRUE(page.ok());
    for (const RecordedEvent& e : page->events) {
      leaves.push_back(LeafHash(e.record));
      const std::string& id = e.event.event_id();
      if (id.find("single") != std::string::npos) continue;
      ++parts_of[id.substr(0, id.find('-'))];
    }
    if (page->next_position > page->head_position) break;
    read.from_position = page->next_position;
  }
  EXPECT_EQ(static_cast<int>(parts_of.size()), landed.load());
  for (const auto& [id, events] : parts_of) EXPECT_EQ(events, 3) << id;
  const int singles = kThreads * ((kRounds + 2) / 3);
  EXPECT_EQ(log->HeadPosition(),
            static_cast<uint64_t>(singles + 3 * landed.load()));
  merkle::Frontier frontier;
  for (const auto& leaf : leaves) {
    frontier.Append(leaf, [](merkle::NodeId, const Sha256Digest&) {});
  }
  auto root = log->TreeRoot(leaves.size());
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(*root, frontier.Root());
}

}  // namespace
}  // namespace collections::storage
