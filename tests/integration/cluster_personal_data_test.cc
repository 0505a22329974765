// Personal data in cluster mode through the real servers (issue 28, point
// 4): two collectionsd nodes on a real three-server NATS JetStream cluster,
// each with its own node key, sharing the master key. A case with a
// debtor's name and a call's notes, opened through node A, reads the same
// through node B's EventStream; ForgetDebtor on node A (after retention)
// makes the debtor read as erased on node B, and still after node B
// restarts.
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "collections/v1/case_commands.grpc.pb.h"
#include "collections/v1/event_stream.grpc.pb.h"
#include "collections/v1/operations.grpc.pb.h"
#include "common/time_conversion.h"
#include "gtest/gtest.h"
#include "services/audit/cluster_node_keys.h"
#include "services/audit/ed25519_keys.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/requests.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace collections {
namespace {

namespace v1 = ::collections::v1;
using ::collections::testing::NatsCluster;

constexpr char kName[] = "Zoe Clusternaam-5521";
constexpr char kNote[] = "debtor said: paid by the end of the month";
constexpr char kErased[] = "[erased]";

absl::Time Day(int year, int month, int day) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, 10, 0, 0),
                         absl::UTCTimeZone());
}

class ClusterPersonalDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::Status available = NatsCluster::Available();
    if (!available.ok()) GTEST_SKIP() << available.message();
    auto cluster = NatsCluster::Start(dir_.Sub("nats"));
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    // The shared secrets, and each node's own key in the keys file.
    WriteSecret("master.key", std::string(64, 'a') + "\n");
    auto signing = audit::SigningKey::Generate();
    ASSERT_TRUE(signing.ok());
    WriteSecret("signing.pem", signing->PrivatePem());
    std::ofstream keys(dir_.Sub("node-keys"));
    for (const char* node : {"node-a", "node-b"}) {
      auto key = audit::SigningKey::Generate();
      ASSERT_TRUE(key.ok());
      WriteSecret(absl::StrCat(node, ".pem"), key->PrivatePem());
      keys << audit::ClusterNodeKeys::KeyLine(node, key->public_key()) << "\n";
    }
  }

  // A secret file, readable by its owner only (the server insists).
  void WriteSecret(const std::string& name, const std::string& text) {
    std::ofstream(dir_.Sub(name)) << text;
    std::filesystem::permissions(dir_.Sub(name),
                                 std::filesystem::perms::owner_read |
                                     std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::replace);
  }

  server::ServerOptions Options(const std::string& node) {
    server::ServerOptions options = testing::TestServerOptions(dir_.Sub(node));
    options.clock = &clock_;
    options.cluster_servers = cluster_->Urls();
    options.cluster_node_id = node;
    options.cluster_node_key_file = dir_.Sub(node + ".pem");
    options.cluster_node_keys_file = dir_.Sub("node-keys");
    options.master_key_file = dir_.Sub("master.key");
    options.signing_key_file = dir_.Sub("signing.pem");
    return options;
  }

  std::unique_ptr<testing::RunningServer> Start(const std::string& node) {
    auto running = testing::UntilClusterReady(
        [&] { return testing::StartTestServer(Options(node)); });
    EXPECT_TRUE(running.ok()) << running.status();
    if (!running.ok()) return nullptr;
    return std::make_unique<testing::RunningServer>(*std::move(running));
  }

  // The debtor's name and the call's notes as `node`'s EventStream shows
  // them, once it has applied the case's events up to global `position`
  // (it applies another node's appends within moments: polled, 10 s).
  std::pair<std::string, std::string> Shown(testing::RunningServer& node,
                                            uint64_t position) {
    auto stream = v1::EventStream::NewStub(node.channel);
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    v1::ReadStreamResponse events;
    for (;;) {
      grpc::ClientContext context;
      v1::ReadStreamRequest read;
      read.set_stream_id("case-c-1");
      events.Clear();
      EXPECT_TRUE(stream->ReadStream(&context, read, &events).ok());
      if ((events.events_size() > 0 &&
           events.events(events.events_size() - 1).global_position() >=
               position) ||
          absl::Now() > deadline) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    std::string name, notes;
    for (const auto& event : events.events()) {
      if (event.payload().has_case_opened())
        name = event.payload().case_opened().debtor_name();
      if (event.payload().has_call_logged())
        notes = event.payload().call_logged().notes();
    }
    return {name, notes};
  }

  // Polls (up to 10 s) until `node` shows the debtor erased: a node learns
  // of another's erasure from the key store's bucket within moments.
  bool ShowsErased(testing::RunningServer& node, uint64_t position) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    for (;;) {
      if (Shown(node, position) ==
          std::make_pair(std::string(kErased), std::string(kErased))) {
        return true;
      }
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(20));
    }
  }

  FakeClock clock_{Day(2026, 3, 1)};
  testing::TempDir dir_;
  std::unique_ptr<NatsCluster> cluster_;
};

TEST_F(ClusterPersonalDataTest, WrittenOnOneNodeReadOnAnotherAndErasedOnAll) {
  std::unique_ptr<testing::RunningServer> a = Start("node-a");
  std::unique_ptr<testing::RunningServer> b = Start("node-b");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  auto commands = v1::CaseCommands::NewStub(a->channel);

  v1::OpenCaseRequest open = testing::OpenBusinessCase("c-1", "d-1");
  *open.mutable_context()->mutable_occurred_at() = ToTimestamp(Day(2026, 1, 5));
  open.mutable_case_()->set_debtor_name(kName);
  v1::CommandResult result;
  {
    grpc::ClientContext context;
    grpc::Status opened = commands->OpenCase(&context, open, &result);
    ASSERT_TRUE(opened.ok()) << opened.error_message();
  }
  v1::LogCallsRequest calls = testing::NoAnswerCalls("c-1", "call-1", 1);
  calls.mutable_calls(0)->set_outcome(v1::CALL_OUTCOME_CONVERSATION);
  calls.mutable_calls(0)->set_notes(kNote);
  {
    grpc::ClientContext context;
    grpc::Status logged = commands->LogCalls(&context, calls, &result);
    ASSERT_TRUE(logged.ok()) << logged.error_message();
  }
  const uint64_t position = result.last_position();
  EXPECT_EQ(Shown(*b, position),
            std::make_pair(std::string(kName), std::string(kNote)));

  // After retention, forgotten on node a: erased at once, on both nodes.
  clock_.Set(Day(2034, 1, 1));
  auto operations = v1::Operations::NewStub(a->channel);
  v1::ForgetDebtorRequest forget;
  forget.set_debtor_id("d-1");
  forget.set_request_reference("GDPR-28");
  v1::ForgetDebtorResponse forgotten;
  {
    grpc::ClientContext context;
    grpc::Status status =
        operations->ForgetDebtor(&context, forget, &forgotten);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  ASSERT_EQ(forgotten.outcome(), v1::ForgetDebtorResponse::OUTCOME_DESTROYED);
  EXPECT_TRUE(ShowsErased(*a, position));
  EXPECT_TRUE(ShowsErased(*b, position));

  // Node b restarts: still erased.
  b.reset();
  b = Start("node-b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(Shown(*b, position),
            std::make_pair(std::string(kErased), std::string(kErased)));
}

}  // namespace
}  // namespace collections
