// Many writers at once, then every invariant of the log checked from what is
// stored: no gap, no duplicate, contiguous stream versions, each append's
// events contiguous, every acknowledged event present where it was said to
// be, every leaf and chain hash recomputed — before and after a reopen.
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "storage/rocksdb_event_log.h"
#include "tests/testing/events.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace collections::storage {
namespace {

using ::collections::testing::MakeCalls;

struct Acknowledged {
  std::string stream_id;
  std::vector<std::string> event_ids;
  AppendResult result;
};

constexpr int kThreads = 16;
constexpr int kOpsPerThread = 250;

// One writer: a mix of blind appends to shared hot streams, optimistic
// read-modify-append loops on contended streams, appends to its own stream
// with exact versions, and retries of batches it already appended.
void Writer(EventLog* log, int thread, std::vector<Acknowledged>* acked,
            int* aborted) {
  std::mt19937 rng(thread);
  uint64_t own_version = 0;
  std::vector<std::pair<std::string, std::vector<collections::v1::Event>>> sent;
  for (int op = 0; op < kOpsPerThread; ++op) {
    const std::string prefix = absl::StrCat("t", thread, "-op", op);
    const size_t count = 1 + rng() % 5;
    std::vector<collections::v1::Event> events = MakeCalls(prefix, count, 120);
    std::string stream;
    absl::StatusOr<AppendResult> result;
    switch (rng() % 4) {
      case 0:  // blind append to a hot stream
        stream = absl::StrCat("hot-", rng() % 4);
        result = log->Append(stream, ExpectedVersion::Any(), events);
        break;
      case 1: {  // optimistic concurrency on a contended stream
        stream = absl::StrCat("cas-", rng() % 2);
        for (;;) {
          absl::StatusOr<std::optional<StreamHead>> head =
              log->GetStreamHead(stream);
          ASSERT_OK(head);
          const uint64_t version = head->has_value() ? (*head)->version : 0;
          result = log->Append(stream, ExpectedVersion::Exact(version), events);
          if (result.status().code() != absl::StatusCode::kAborted) break;
          ++*aborted;
        }
        break;
      }
      case 2:  // own stream, exact versions never contended
        stream = absl::StrCat("own-", thread);
        result =
            log->Append(stream, ExpectedVersion::Exact(own_version), events);
        break;
      default:  // a retry of something already acknowledged, else a new stream
        if (!sent.empty()) {
          const auto& [retry_stream, retry_events] = sent[rng() % sent.size()];
          absl::StatusOr<AppendResult> retry =
              log->Append(retry_stream, ExpectedVersion::Any(), retry_events);
          ASSERT_OK(retry);
          ASSERT_TRUE(retry->already_appended);
          continue;
        }
        stream = absl::StrCat("new-", thread, "-", op);
        result = log->Append(stream, ExpectedVersion::NoStream(), events);
        break;
    }
    ASSERT_OK(result);
    ASSERT_FALSE(result->already_appended);
    if (stream == absl::StrCat("own-", thread))
      own_version = result->stream_version;
    Acknowledged ack{stream, {}, *result};
    for (const auto& e : events) ack.event_ids.push_back(e.event_id());
    acked->push_back(std::move(ack));
    sent.emplace_back(stream, std::move(events));
  }
}

void CheckInvariants(EventLog* log, const std::vector<Acknowledged>& acked) {
  // Read the whole log.
  std::vector<RecordedEvent> all;
  LogRead read;
  read.max_events = 5000;
  for (;;) {
    ASSERT_OK_AND_ASSIGN(LogReadResult page, log->ReadAll(read));
    if (page.events.empty()) break;
    for (auto& e : page.events) all.push_back(std::move(e));
    read.from_position = page.next_position;
  }
  ASSERT_EQ(all.size(), log->HeadPosition());

  size_t acked_events = 0;
  for (const auto& ack : acked) acked_events += ack.event_ids.size();
  EXPECT_EQ(all.size(), acked_events)
      << "the log holds events nobody was told about, or lost some";

  std::set<std::pair<std::string, std::string>> ids;
  std::map<std::string, std::pair<uint64_t, Sha256Digest>>
      streams;  // version, chain
  for (size_t i = 0; i < all.size(); ++i) {
    const RecordedEvent& e = all[i];
    ASSERT_EQ(e.event.global_position(), i + 1) << "gap or reorder";
    ASSERT_TRUE(ids.insert({e.event.stream_id(), e.event.event_id()}).second)
        << "duplicate " << e.event.event_id();
    EXPECT_EQ(e.leaf_hash, LeafHash(e.record));
    auto& [version, chain] = streams[e.event.stream_id()];
    ASSERT_EQ(e.event.stream_version(), version + 1)
        << "stream versions not contiguous";
    version = e.event.stream_version();
    chain = ChainHash(chain, e.leaf_hash);
    ASSERT_EQ(e.chain_hash, chain) << "chain broken at position " << i + 1;
  }

  for (const auto& ack : acked) {
    ASSERT_EQ(ack.result.last_position - ack.result.first_position + 1,
              ack.event_ids.size())
        << "an append's events are not contiguous";
    for (size_t k = 0; k < ack.event_ids.size(); ++k) {
      const RecordedEvent& e = all[ack.result.first_position - 1 + k];
      EXPECT_EQ(e.event.event_id(), ack.event_ids[k]);
      EXPECT_EQ(e.event.stream_id(), ack.stream_id);
    }
    EXPECT_EQ(all[ack.result.last_position - 1].event.stream_version(),
              ack.result.stream_version);
  }

  for (const auto& [stream, state] : streams) {
    ASSERT_OK_AND_ASSIGN(std::optional<StreamHead> head,
                         log->GetStreamHead(stream));
    ASSERT_TRUE(head.has_value());
    EXPECT_EQ(head->version, state.first);
    EXPECT_EQ(head->chain_hash, state.second);
  }
}

TEST(EventLogStressTest, ManyConcurrentWritersKeepEveryInvariant) {
  collections::testing::TempDir dir;
  EventLogOptions options;
  options.sync = false;  // the invariants do not depend on fsync; keep CI quick
  std::vector<std::vector<Acknowledged>> acked(kThreads);
  std::vector<int> aborted(kThreads, 0);
  {
    ASSERT_OK_AND_ASSIGN(auto log, OpenRocksDbEventLog(options, dir.path()));
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back(Writer, log.get(), t, &acked[t], &aborted[t]);
    }
    for (auto& thread : threads) thread.join();
  }
  std::vector<Acknowledged> all_acked;
  for (auto& per_thread : acked) {
    for (auto& ack : per_thread) all_acked.push_back(std::move(ack));
  }
  ASSERT_GT(all_acked.size(), kThreads * kOpsPerThread / 2);

  ASSERT_OK_AND_ASSIGN(auto reopened, OpenRocksDbEventLog(options, dir.path()));
  CheckInvariants(reopened.get(), all_acked);
}

TEST(EventLogStressTest, SyncedGroupCommitKeepsEveryInvariant) {
  collections::testing::TempDir dir;
  std::vector<std::vector<Acknowledged>> acked(8);
  std::vector<int> aborted(8, 0);
  ASSERT_OK_AND_ASSIGN(auto log, OpenRocksDbEventLog({}, dir.path()));
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back(Writer, log.get(), t, &acked[t], &aborted[t]);
  for (auto& thread : threads) thread.join();
  std::vector<Acknowledged> all_acked;
  for (auto& per_thread : acked) {
    for (auto& ack : per_thread) all_acked.push_back(std::move(ack));
  }
  CheckInvariants(log.get(), all_acked);
}

}  // namespace
}  // namespace collections::storage
