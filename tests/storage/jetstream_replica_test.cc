// Two nodes' event logs fed from one JetStream log (a real three-server
// cluster): the same positions, byte-identical records and the same Merkle
// roots; a node that was down catches up from its cursor, and one whose
// copy lost its newest writes applies them again without duplicating
// anything.
#include "storage/jetstream_replica.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "collections/v1/cluster.pb.h"
#include "gtest/gtest.h"
#include "storage/replicated_log.h"
#include "tests/testing/events.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/temp_dir.h"

namespace collections::storage {
namespace {

using ::collections::testing::NatsCluster;

// One collectionsd node's storage: its own log and its replica. The log's
// clock is one no message uses: every record carries its publisher's time.
struct Node {
  Node(JetStreamLog* source, const std::string& dir)
      : clock(absl::UnixEpoch()) {
    std::filesystem::create_directories(dir);
    EventLogOptions options;
    options.clock = &clock;
    options.sync = false;
    options.min_free_disk_bytes = 0;
    auto opened = OpenRocksDbReplicatedLog(options, dir + "/data");
    if (!opened.ok()) {
      ADD_FAILURE() << opened.status();
      return;
    }
    log = *std::move(opened);
    auto replicating = JetStreamReplica::Open(source, log.get());
    if (!replicating.ok()) {
      ADD_FAILURE() << replicating.status();
      return;
    }
    replica = *std::move(replicating);
  }
  FakeClock clock;
  std::unique_ptr<ReplicatedLog> log;
  std::unique_ptr<JetStreamReplica> replica;
};

class JetStreamReplicaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::Status available = NatsCluster::Available();
    if (!available.ok()) GTEST_SKIP() << available.message();
    auto cluster = NatsCluster::Start(dir_.Sub("nats"));
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    JetStreamOptions options;
    options.servers = cluster_->Urls();
    auto log = collections::testing::UntilClusterReady(
        [&options] { return JetStreamLog::Connect(options); });
    ASSERT_TRUE(log.ok()) << log.status();
    source_ = *std::move(log);
  }

  // Publishes `count` appends of 1..3 events over five cases, as a node
  // would: recorded_at set once, the message id from the event ids.
  void Publish(const std::string& prefix, int count) {
    for (int i = 0; i < count; ++i) {
      collections::v1::ReplicatedAppend append;
      append.set_stream_id(absl::StrCat("case-", i % 5));
      for (const auto& event : collections::testing::MakeCalls(
               absl::StrCat(prefix, "-", i), 1 + i % 3))
        *append.add_events() = event;
      append.mutable_recorded_at()->set_seconds(1795000000 + i);
      append.mutable_recorded_at()->set_nanos(i * 1000);
      auto ack = source_->Publish(
          append.stream_id(), append.SerializeAsString(),
          append.events(0).event_id(), SubjectExpectation::Any());
      ASSERT_TRUE(ack.ok()) << ack.status();
    }
  }

  // Both logs hold the same records at the same positions, and the same
  // root at every tenth tree size.
  void ExpectIdentical(DurableEventLog& a, DurableEventLog& b) {
    ASSERT_EQ(a.HeadPosition(), b.HeadPosition());
    LogRead read;
    read.max_events = 100000;
    auto left = a.ReadAll(read);
    auto right = b.ReadAll(read);
    ASSERT_TRUE(left.ok() && right.ok());
    ASSERT_EQ(left->events.size(), right->events.size());
    for (size_t i = 0; i < left->events.size(); ++i) {
      ASSERT_EQ(left->events[i].record, right->events[i].record) << i;
    }
    for (uint64_t size = 1; size <= a.HeadPosition(); size += 10) {
      auto root_a = a.TreeRoot(size);
      auto root_b = b.TreeRoot(size);
      ASSERT_TRUE(root_a.ok() && root_b.ok());
      EXPECT_EQ(*root_a, *root_b) << "tree size " << size;
    }
  }

  collections::testing::TempDir dir_;
  std::unique_ptr<NatsCluster> cluster_;
  std::unique_ptr<JetStreamLog> source_;
};

TEST_F(JetStreamReplicaTest, NodesBuildIdenticalLogsAndCatchUpFromCursors) {
  Publish("a", 40);
  Node one(source_.get(), dir_.Sub("one"));
  Node two(source_.get(), dir_.Sub("two"));
  auto applied = one.replica->CatchUp();
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*applied, 40u);
  ASSERT_TRUE(two.replica->CatchUp().ok());
  // 40 appends of 1, 2 or 3 events: 14 + 13 x 2 + 13 x 3 = 79 events.
  EXPECT_EQ(one.log->HeadPosition(), 79u);
  ExpectIdentical(*one.log, *two.log);

  // Every record carries its publisher's recorded_at, not the node's clock.
  auto first = one.log->ReadStream("case-0", 1, ReadDirection::kForward, 1);
  ASSERT_TRUE(first.ok() && !first->empty());
  EXPECT_EQ(first->front().event.recorded_at().seconds(), 1795000000);

  // Node two goes down; the cluster goes on; two comes back and resumes
  // from its cursor.
  two.replica.reset();
  two.log.reset();
  Publish("b", 25);
  ASSERT_TRUE(one.replica->CatchUp().ok());
  Node back(source_.get(), dir_.Sub("two"));
  EXPECT_EQ(back.replica->applied(), 40u);
  ASSERT_TRUE(back.replica->CatchUp().ok());
  EXPECT_EQ(back.replica->applied(), 65u);
  ExpectIdentical(*one.log, *back.log);
}

TEST_F(JetStreamReplicaTest, ReapplyingFromAnOlderCursorDuplicatesNothing) {
  Publish("a", 20);
  {
    Node node(source_.get(), dir_.Sub("node"));
    ASSERT_TRUE(node.replica->CatchUp().ok());
    // Wind the cursor back, as if the copy had kept messages 6..20 but
    // not the cursor that went with them.
    ASSERT_TRUE(node.log->ApplyReplicated({}, 5).ok());
  }
  Node node(source_.get(), dir_.Sub("node"));
  const uint64_t head = node.log->HeadPosition();
  EXPECT_EQ(node.replica->applied(), 5u);
  ASSERT_TRUE(node.replica->CatchUp().ok());
  EXPECT_EQ(node.log->HeadPosition(), head);
  EXPECT_EQ(node.replica->applied(), 20u);
}

TEST_F(JetStreamReplicaTest, AppliesWhatIsPublishedWhileItTails) {
  Node node(source_.get(), dir_.Sub("node"));
  // Nothing yet: the wait passes and nothing is applied.
  auto applied = node.replica->ApplyNext(0, absl::Milliseconds(20));
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*applied, 0u);
  Publish("a", 30);
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (node.replica->applied() < 30 && absl::Now() < deadline) {
    ASSERT_TRUE(node.replica->ApplyNext(0, absl::Milliseconds(100)).ok());
  }
  EXPECT_EQ(node.replica->applied(), 30u);
  EXPECT_EQ(node.log->HeadPosition(), 60u);  // 10 x (1 + 2 + 3) events
}

TEST_F(JetStreamReplicaTest, ExpectationsAreCheckedAgainAsEveryNodeApplies) {
  // What a publisher sends: one append, with the version it expects.
  auto publish = [this](const std::string& subject,
                        const collections::v1::ReplicatedAppend& append,
                        const std::string& id) {
    auto ack = source_->Publish(subject, append.SerializeAsString(), id,
                                SubjectExpectation::Any());
    ASSERT_TRUE(ack.ok()) << ack.status();
  };
  auto append = [](const std::string& id, ExpectedVersion expected) {
    collections::v1::ReplicatedAppend message;
    message.set_stream_id("case-1");
    *message.add_events() = collections::testing::MakeCallLogged(id);
    message.set_expected_kind(static_cast<uint32_t>(expected.kind));
    message.set_expected_version(expected.version);
    message.mutable_recorded_at()->set_seconds(1795000000);
    return message;
  };
  publish("case-1", append("open", ExpectedVersion::NoStream()), "m1");
  // A transaction moves case-1 to version 2, on a subject of its own, so
  // JetStream's per-subject check cannot see it…
  collections::v1::ReplicatedAppend transaction;
  transaction.set_stream_id("_transaction");
  auto* part = transaction.add_parts();
  part->set_stream_id("case-1");
  part->set_expected_kind(static_cast<uint32_t>(ExpectedVersion::Kind::kExact));
  part->set_expected_version(1);
  *part->add_events() = collections::testing::MakeCallLogged("tx");
  publish("_transaction", transaction, "m2");
  // …but every node sees this append's expectation of version 1 fail.
  publish("case-1", append("late", ExpectedVersion::Exact(1)), "m3");
  publish("case-1", append("next", ExpectedVersion::Exact(2)), "m4");

  Node one(source_.get(), dir_.Sub("one"));
  Node two(source_.get(), dir_.Sub("two"));
  ASSERT_TRUE(one.replica->CatchUp().ok());
  ASSERT_TRUE(two.replica->CatchUp().ok());
  EXPECT_EQ(one.log->HeadPosition(), 3u);
  auto late = one.log->FindEvent("case-1", "late");
  ASSERT_TRUE(late.ok());
  EXPECT_FALSE(late->has_value());
  auto next = one.log->FindEvent("case-1", "next");
  ASSERT_TRUE(next.ok() && next->has_value());
  EXPECT_EQ((*next)->stream_version, 3u);
  ExpectIdentical(*one.log, *two.log);
  // The replica knows each subject's last message, refused ones included.
  EXPECT_EQ(one.replica->LastSequenceOf("case-1"), 4u);
  EXPECT_EQ(one.replica->LastSequenceOf("case-2"), std::nullopt);
}

TEST_F(JetStreamReplicaTest, AMessageThatIsNoAppendIsDataLoss) {
  ASSERT_TRUE(source_
                  ->Publish("case-1", "not a protobuf \xff\xff", "junk-1",
                            SubjectExpectation::Any())
                  .ok());
  Node node(source_.get(), dir_.Sub("node"));
  EXPECT_EQ(node.replica->CatchUp().status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(node.replica->applied(), 0u);
}

}  // namespace
}  // namespace collections::storage
