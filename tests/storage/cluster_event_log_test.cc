// Cluster mode's event log: two nodes on one three-server NATS JetStream
// cluster (real processes on loopback), each with its own RocksDB copy.
// Appends through either node behave as in single-node mode: positions,
// expected versions (ABORTED naming the actual version, across nodes),
// retries on the other node, transactions; both copies stay identical;
// appends go on with a NATS server down and a minority refuses.
#include "storage/cluster_event_log.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/events.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/temp_dir.h"

namespace collections::storage {
namespace {

using ::collections::testing::MakeCalls;
using ::collections::testing::NatsCluster;

class ClusterEventLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::Status available = NatsCluster::Available();
    if (!available.ok()) GTEST_SKIP() << available.message();
    auto cluster = NatsCluster::Start(dir_.Sub("nats"));
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    options_.jetstream.servers = cluster_->Urls();
    options_.jetstream.publish_timeout = absl::Seconds(2);
    options_.apply_timeout = absl::Seconds(10);
    a_ = Open("a");
    b_ = Open("b");
  }

  std::unique_ptr<DurableEventLog> Open(const std::string& node,
                                        EventLogOptions local = {}) {
    local.min_free_disk_bytes = 0;
    std::filesystem::create_directories(dir_.Sub(node));
    auto log = collections::testing::UntilClusterReady([&] {
      return OpenClusterEventLog(options_, local, dir_.Sub(node + "/data"));
    });
    if (!log.ok()) {
      ADD_FAILURE() << log.status();
      return nullptr;
    }
    return *std::move(log);
  }

  // Waits until `log` has applied `position` (another node's append).
  void Sees(EventLog& log, uint64_t position) {
    EXPECT_GE(log.WaitForPosition(position, absl::Now() + absl::Seconds(10)),
              position);
  }

  collections::testing::TempDir dir_;
  std::unique_ptr<NatsCluster> cluster_;
  ClusterLogOptions options_;
  std::unique_ptr<DurableEventLog> a_;
  std::unique_ptr<DurableEventLog> b_;
};

TEST_F(ClusterEventLogTest, AppendsOnEitherNodeBehaveAsSingleNode) {
  auto opened =
      a_->Append("case-1", ExpectedVersion::NoStream(), MakeCalls("open", 2));
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->first_position, 1u);
  EXPECT_EQ(opened->last_position, 2u);
  EXPECT_EQ(opened->stream_version, 2u);
  // Read-your-writes on the node that appended.
  EXPECT_EQ(a_->HeadPosition(), 2u);

  // Node b, not caught up yet, expects no stream: refused with the actual
  // version, not applied twice.
  auto stale =
      b_->Append("case-1", ExpectedVersion::NoStream(), MakeCalls("other", 1));
  ASSERT_EQ(stale.status().code(), absl::StatusCode::kAborted)
      << stale.status();
  EXPECT_NE(stale.status().message().find("2"), absl::string_view::npos)
      << stale.status();
  auto next =
      b_->Append("case-1", ExpectedVersion::Exact(2), MakeCalls("call", 1));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->first_position, 3u);
  EXPECT_EQ(next->stream_version, 3u);

  // A client retrying a's append on b gets the original result.
  auto retry =
      b_->Append("case-1", ExpectedVersion::NoStream(), MakeCalls("open", 2));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->already_appended);
  EXPECT_EQ(retry->first_position, 1u);

  // A transaction across streams, and one whose expectation is stale.
  std::vector<StreamAppend> parts = {
      {"case-2", ExpectedVersion::NoStream(), MakeCalls("t2", 1)},
      {"case-1", ExpectedVersion::Exact(3), MakeCalls("t1", 1)}};
  auto transaction = a_->AppendTransaction(parts);
  ASSERT_TRUE(transaction.ok()) << transaction.status();
  EXPECT_EQ((*transaction)[0].first_position, 4u);
  EXPECT_EQ((*transaction)[1].stream_version, 4u);
  parts[0] = {"case-3", ExpectedVersion::NoStream(), MakeCalls("t3", 1)};
  parts[1] = {"case-1", ExpectedVersion::Exact(3), MakeCalls("t4", 1)};
  EXPECT_EQ(b_->AppendTransaction(parts).status().code(),
            absl::StatusCode::kAborted);
  // Every node refused it as it applied it. Sent again with the same
  // events and the right expectation, it is a new message, not a duplicate
  // of the refused one, and lands.
  parts[1].expected = ExpectedVersion::Exact(4);
  auto corrected = b_->AppendTransaction(parts);
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  EXPECT_FALSE((*corrected)[1].already_appended);
  EXPECT_EQ((*corrected)[1].stream_version, 5u);

  // Both copies: the same records and roots.
  Sees(*a_, 7);
  Sees(*b_, 7);
  ASSERT_EQ(a_->HeadPosition(), 7u);
  ASSERT_EQ(b_->HeadPosition(), 7u);
  for (uint64_t size = 1; size <= 7; ++size) {
    auto root_a = a_->TreeRoot(size);
    auto root_b = b_->TreeRoot(size);
    ASSERT_TRUE(root_a.ok() && root_b.ok());
    EXPECT_EQ(*root_a, *root_b) << size;
  }
}

TEST_F(ClusterEventLogTest,
       ANodeWithSmallerLimitsStillAppliesWhatOthersAppend) {
  // Node c allows 1 KB events; a allows the default 256 KiB.
  EventLogOptions strict;
  strict.max_event_bytes = 1024;
  std::unique_ptr<DurableEventLog> c = Open("c", strict);
  ASSERT_NE(c, nullptr);
  const auto big = std::vector<collections::v1::Event>{
      collections::testing::MakeCallLogged("big", 4096)};
  EXPECT_EQ(c->Append("case-9", ExpectedVersion::Any(), big).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto appended = a_->Append("case-9", ExpectedVersion::Any(), big);
  ASSERT_TRUE(appended.ok()) << appended.status();
  // c's limit is for what c publishes; its copy holds what a published.
  Sees(*c, appended->last_position);
  auto found = c->FindEvent("case-9", "big");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_TRUE(found->has_value());
  auto root_a = a_->TreeRoot(appended->last_position);
  auto root_c = c->TreeRoot(appended->last_position);
  ASSERT_TRUE(root_a.ok() && root_c.ok());
  EXPECT_EQ(*root_a, *root_c);
}

TEST_F(ClusterEventLogTest, NodesGoOnWithoutOneServerAndAMinorityRefuses) {
  ASSERT_TRUE(
      a_->Append("case-1", ExpectedVersion::Any(), MakeCalls("x", 1)).ok());
  cluster_->Kill(2);
  // Appends through both nodes; a refusal while the cluster settles is
  // retried with the same event ids, as a client would.
  for (int i = 0; i < 20; ++i) {
    EventLog& node = i % 2 == 0 ? *a_ : *b_;
    const auto events = MakeCalls(absl::StrCat("y", i), 1);
    absl::StatusOr<AppendResult> result;
    for (int attempt = 0; attempt < 100; ++attempt) {
      result = node.Append("case-1", ExpectedVersion::Any(), events);
      if (result.ok()) break;
      ASSERT_EQ(result.status().code(), absl::StatusCode::kUnavailable)
          << result.status();
      absl::SleepFor(absl::Milliseconds(100));
    }
    ASSERT_TRUE(result.ok()) << result.status();
  }
  Sees(*a_, 21);
  Sees(*b_, 21);
  EXPECT_EQ(a_->HeadPosition(), 21u);
  EXPECT_EQ(b_->HeadPosition(), 21u);

  // Server 0 alone (1 paused, 2 down) is a minority: UNAVAILABLE.
  cluster_->Pause(1);
  auto refused =
      a_->Append("case-1", ExpectedVersion::Any(), MakeCalls("minority", 1));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable)
      << refused.status();
  cluster_->Resume(1);
}

}  // namespace
}  // namespace collections::storage
