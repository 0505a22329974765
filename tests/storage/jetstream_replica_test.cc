// Two nodes' event logs fed from one JetStream log (a real three-server
// cluster): the same positions, byte-identical records and the same Merkle
// roots; a node that was down catches up from its checkpoint, and one that
// lost its checkpoint re-applies without duplicating anything.
#include "storage/jetstream_replica.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collections/v1/cluster.pb.h"
#include "gtest/gtest.h"
#include "storage/rocksdb_event_log.h"
#include "tests/testing/events.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/temp_dir.h"

namespace collections::storage {
namespace {

using ::collections::testing::NatsCluster;

// One collectionsd node's storage: its own log, its clock, its replica.
struct Node {
  Node(JetStreamLog* source, const std::string& dir)
      : clock(absl::UnixEpoch()) {
    std::filesystem::create_directories(dir);
    EventLogOptions options;
    options.clock = &clock;
    options.min_free_disk_bytes = 0;
    auto opened = OpenRocksDbEventLog(options, dir + "/data");
    if (!opened.ok()) {
      ADD_FAILURE() << opened.status();
      return;
    }
    log = *std::move(opened);
    replica = std::make_unique<JetStreamReplica>(source, log.get(), &clock,
                                                 dir + "/checkpoint");
  }
  FakeClock clock;
  std::unique_ptr<EventLog> log;
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
  void ExpectIdentical(EventLog& a, EventLog& b) {
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

TEST_F(JetStreamReplicaTest, NodesBuildIdenticalLogsAndCatchUpFromCheckpoints) {
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

  // Node two goes down; the cluster goes on; two comes back and resumes
  // from its checkpoint.
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

TEST_F(JetStreamReplicaTest, ReapplyingWithoutACheckpointDuplicatesNothing) {
  Publish("a", 20);
  {
    Node node(source_.get(), dir_.Sub("node"));
    ASSERT_TRUE(node.replica->CatchUp().ok());
  }
  // A crash after the events were written but before the checkpoint was:
  // the replica starts over and finds every event applied already.
  std::filesystem::remove(dir_.Sub("node/checkpoint"));
  Node node(source_.get(), dir_.Sub("node"));
  const uint64_t head = node.log->HeadPosition();
  EXPECT_EQ(node.replica->applied(), 0u);
  ASSERT_TRUE(node.replica->CatchUp().ok());
  EXPECT_EQ(node.log->HeadPosition(), head);
  EXPECT_EQ(node.replica->applied(), 20u);
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
