// The cluster mode's transport on a real three-server NATS JetStream
// cluster on loopback: expected versions as per-subject sequences, retries
// de-duplicated by message id, appends going on with one server down, and a
// minority that refuses (UNAVAILABLE) rather than diverges.
#include "storage/jetstream_log.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/temp_dir.h"

namespace collections::storage {
namespace {

using ::collections::testing::NatsCluster;

TEST(JetStreamSubjectTest, StreamIdsRoundTripThroughSubjectTokens) {
  for (const std::string id :
       {"case-1", "c.0001.2", "debtor>*", "100%", "a%2Eb"}) {
    const std::string token = JetStreamLog::SubjectToken(id);
    EXPECT_EQ(token.find_first_of(".*>"), std::string::npos) << token;
    EXPECT_EQ(JetStreamLog::StreamIdOf(token), id);
  }
  EXPECT_EQ(JetStreamLog::StreamIdOf("bad%2"), std::nullopt);
  EXPECT_EQ(JetStreamLog::StreamIdOf("bad%zz"), std::nullopt);
  EXPECT_EQ(JetStreamLog::StreamIdOf(""), std::nullopt);
}

class JetStreamLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::Status available = NatsCluster::Available();
    if (!available.ok()) GTEST_SKIP() << available.message();
    auto cluster = NatsCluster::Start(dir_.Sub("nats"));
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    options_.servers = cluster_->Urls();
    options_.publish_timeout = absl::Seconds(2);
    auto log = collections::testing::UntilClusterReady(
        [this] { return JetStreamLog::Connect(options_); });
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
  }

  absl::StatusOr<PublishAck> Append(const std::string& stream,
                                    const std::string& id,
                                    SubjectExpectation expected) {
    return log_->Publish(stream, "events of " + id, id, expected);
  }

  // Publishes until it is acknowledged (a cluster recovering from a lost
  // server answers UNAVAILABLE for a moment), with the same message id.
  PublishAck AppendRetrying(const std::string& stream, const std::string& id) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    for (;;) {
      auto ack = Append(stream, id, SubjectExpectation::Any());
      if (ack.ok()) return *ack;
      EXPECT_EQ(ack.status().code(), absl::StatusCode::kUnavailable)
          << ack.status();
      if (absl::Now() > deadline) {
        ADD_FAILURE() << "no acknowledgement: " << ack.status();
        return {};
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
  }

  collections::testing::TempDir dir_;
  std::unique_ptr<NatsCluster> cluster_;
  JetStreamOptions options_;
  std::unique_ptr<JetStreamLog> log_;
};

TEST_F(JetStreamLogTest, ExpectedSequencesAndRetriesBehaveAsExpectedVersions) {
  auto first = Append("case-1", "open-1", SubjectExpectation::None());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->sequence, 1u);
  EXPECT_FALSE(first->duplicate);
  // Another stream interleaves: sequences are global positions.
  auto other = Append("case-2", "open-2", SubjectExpectation::None());
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(other->sequence, 2u);
  auto second =
      Append("case-1", "call-1", SubjectExpectation::LastAt(first->sequence));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->sequence, 3u);

  // A stale expectation is refused, naming the actual last sequence.
  auto stale =
      Append("case-1", "call-2", SubjectExpectation::LastAt(first->sequence));
  ASSERT_EQ(stale.status().code(), absl::StatusCode::kAborted)
      << stale.status();
  EXPECT_EQ(JetStreamLog::ActualLastSequence(stale.status()), 3u);
  auto exists = Append("case-1", "open-again", SubjectExpectation::None());
  EXPECT_EQ(exists.status().code(), absl::StatusCode::kAborted);

  // A retry (same message id) gets the original sequence and writes
  // nothing: with its first expectation, or with none.
  auto retry =
      Append("case-1", "call-1", SubjectExpectation::LastAt(first->sequence));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->sequence, 3u);
  auto unchecked = Append("case-2", "open-2", SubjectExpectation::Any());
  ASSERT_TRUE(unchecked.ok()) << unchecked.status();
  EXPECT_TRUE(unchecked->duplicate);
  EXPECT_EQ(unchecked->sequence, 2u);
  auto first_retry = Append("case-1", "open-1", SubjectExpectation::None());
  ASSERT_TRUE(first_retry.ok()) << first_retry.status();
  EXPECT_TRUE(first_retry->duplicate);
  EXPECT_EQ(first_retry->sequence, 1u);

  // An older append retried with an expectation that no longer holds is
  // stale like any other (the node finds its events already applied).
  auto third = Append("case-1", "call-3", SubjectExpectation::LastAt(3));
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->sequence, 4u);
  auto old_retry = Append("case-1", "call-1", SubjectExpectation::LastAt(1));
  EXPECT_EQ(old_retry.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(JetStreamLog::ActualLastSequence(old_retry.status()), 4u);
  auto last = log_->LastSequence();
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, 4u);

  auto read = log_->Read(3);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->stream_id, "case-1");
  EXPECT_EQ(read->payload, "events of call-1");
  EXPECT_EQ(log_->Read(5).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(JetStreamLogTest, AppendsGoOnWithOneServerDown) {
  for (int i = 0; i < 10; ++i)
    AppendRetrying("case-1", absl::StrCat("before-", i));
  cluster_->Kill(0);
  for (int i = 0; i < 10; ++i)
    AppendRetrying("case-1", absl::StrCat("after-", i));
  ASSERT_TRUE(cluster_->Restart(0).ok());
  AppendRetrying("case-1", "back");
  auto last = log_->LastSequence();
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(*last, 21u);  // nothing lost, nothing twice
  for (uint64_t sequence = 1; sequence <= 21; ++sequence) {
    auto message = log_->Read(sequence);
    ASSERT_TRUE(message.ok()) << sequence << ": " << message.status();
  }
}

// Reads from `tail` until it has `count` messages or 20 s pass.
std::vector<JetStreamMessage> TailUntil(JetStreamTail& tail, size_t count) {
  std::vector<JetStreamMessage> got;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (got.size() < count && absl::Now() < deadline) {
    auto next = tail.Next(count - got.size(), 1 << 20, absl::Milliseconds(200));
    if (!next.ok()) continue;  // re-subscribes on the next call
    for (auto& message : *next) got.push_back(std::move(message));
  }
  return got;
}

TEST_F(JetStreamLogTest, ATailReadsInOrderFromItsSequenceOnAsMessagesArrive) {
  for (int i = 1; i <= 10; ++i)
    AppendRetrying(absl::StrCat("case-", i % 3), absl::StrCat("m-", i));
  auto tail = log_->Tail(4);
  std::vector<JetStreamMessage> got = TailUntil(*tail, 7);
  ASSERT_EQ(got.size(), 7u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].sequence, 4 + i);
    EXPECT_EQ(got[i].payload, absl::StrCat("events of m-", 4 + i));
    EXPECT_EQ(got[i].stream_id, absl::StrCat("case-", (4 + i) % 3));
  }
  // Nothing more yet: an empty answer after the wait.
  auto idle = tail->Next(10, 1 << 20, absl::Milliseconds(50));
  ASSERT_TRUE(idle.ok()) << idle.status();
  EXPECT_TRUE(idle->empty());
  // What is published next arrives, even with a server gone meanwhile.
  cluster_->Kill(0);
  for (int i = 11; i <= 15; ++i)
    AppendRetrying("case-x", absl::StrCat("m-", i));
  got = TailUntil(*tail, 5);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got.front().sequence, 11u);
  EXPECT_EQ(got.back().sequence, 15u);
  EXPECT_EQ(tail->next_sequence(), 16u);
}

TEST_F(JetStreamLogTest, TheAppendingCallsTraceparentTravelsAsAHeader) {
  // W3C Trace Context over NATS: the header a consumer reads to continue
  // the trace of the call that appended.
  const std::string traceparent =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  auto traced = log_->Publish("case-t", "events of t1", "t1",
                              SubjectExpectation::Any(), traceparent);
  ASSERT_TRUE(traced.ok()) << traced.status();
  auto plain =
      log_->Publish("case-t", "events of t2", "t2", SubjectExpectation::Any());
  ASSERT_TRUE(plain.ok()) << plain.status();
  auto first = log_->Read(traced->sequence);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->traceparent, traceparent);
  auto second = log_->Read(plain->sequence);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->traceparent, "");
}

TEST_F(JetStreamLogTest, AMinorityRefusesInsteadOfDiverging) {
  AppendRetrying("case-1", "first");
  // Only server 0 is left reachable: a minority of one.
  cluster_->Pause(1);
  cluster_->Pause(2);
  auto refused = Append("case-1", "in-the-minority", SubjectExpectation::Any());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable)
      << refused.status();
  cluster_->Resume(1);
  cluster_->Resume(2);
  // Once healed, the refused append may be retried; it lands once.
  const PublishAck retried = AppendRetrying("case-1", "in-the-minority");
  const PublishAck again = AppendRetrying("case-1", "in-the-minority");
  EXPECT_EQ(again.sequence, retried.sequence);
  auto last = log_->LastSequence();
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(*last, 2u);
}

}  // namespace
}  // namespace collections::storage
