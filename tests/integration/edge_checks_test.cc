// Checks at the server's edge (issue 25): requests carrying fields this
// server does not know are refused before anything is stored; plaintext
// development mode serves only on loopback and never with an identities
// file; caller-given zone names must be the tz database's.
#include <memory>
#include <string>

#include "collections/v1/case_commands.grpc.pb.h"
#include "collections/v1/event_stream.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/server/collections_server.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/requests.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace collections {
namespace {

namespace v1 = ::collections::v1;
using ::collections::testing::StatusIs;
using ::testing::HasSubstr;

class EdgeChecksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server::ServerOptions options =
        testing::TestServerOptions(dir_.Sub("data"));
    options.clock = &clock_;
    auto running = testing::StartTestServer(options);
    ASSERT_TRUE(running.ok()) << running.status();
    server_ = std::move(running->server);
    channel_ = running->channel;
    commands_ = v1::CaseCommands::NewStub(running->channel);
    stream_ = v1::EventStream::NewStub(running->channel);
  }

  grpc::Status Open(const v1::OpenCaseRequest& request) {
    grpc::ClientContext context;
    v1::CommandResult result;
    return commands_->OpenCase(&context, request, &result);
  }

  FakeClock clock_{absl::FromUnixSeconds(1798000000)};
  testing::TempDir dir_;
  std::unique_ptr<server::CollectionsServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CaseCommands::Stub> commands_;
  std::unique_ptr<v1::EventStream::Stub> stream_;
};

TEST_F(EdgeChecksTest, UnknownFieldsAreRefusedNamingWhereTheyAre) {
  // A newer client's field at the top and deep inside a claim line.
  v1::OpenCaseRequest top = testing::OpenBusinessCase("c1", "d1");
  top.GetReflection()->MutableUnknownFields(&top)->AddVarint(999, 1);
  grpc::Status refused = Open(top);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(),
              HasSubstr("collections.v1.OpenCaseRequest): field number(s) "
                        "999"));

  v1::OpenCaseRequest deep = testing::OpenBusinessCase("c1", "d1");
  v1::ClaimLine* line = deep.mutable_case_()->mutable_claim_lines(0);
  line->GetReflection()->MutableUnknownFields(line)->AddLengthDelimited(
      77, "IBAN NL91ABNA0417164300");
  refused = Open(deep);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(),
              HasSubstr("request.case.claim_lines[0]"));

  // Nothing was stored: the same case opens cleanly afterwards.
  EXPECT_TRUE(Open(testing::OpenBusinessCase("c1", "d1")).ok());
}

TEST_F(EdgeChecksTest, ZoneNamesMustBeTheTzDatabases) {
  for (const char* zone : {"../../../../etc/passwd", "Europe/Atlantis"}) {
    v1::OpenCaseRequest request = testing::OpenBusinessCase("c2", "d2");
    request.mutable_case_()->set_time_zone(zone);
    grpc::Status refused = Open(request);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << zone;
    EXPECT_THAT(refused.error_message(), HasSubstr("case.time_zone")) << zone;
  }
}

TEST_F(EdgeChecksTest, OneCallerHoldsAtMostEightSubscriptions) {
  ASSERT_TRUE(Open(testing::OpenBusinessCase("c1", "d1")).ok());
  struct Open {
    std::unique_ptr<grpc::ClientContext> context;
    std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader;
  };
  auto subscribe = [&](const std::string& caller) {
    Open open{std::make_unique<grpc::ClientContext>(), nullptr};
    open.context->AddMetadata("x-actor-id", caller);
    v1::SubscribeRequest request;  // from the start: the case's events
    open.reader = stream_->Subscribe(open.context.get(), request);
    return open;
  };
  std::vector<Open> held;
  for (int i = 0; i < 8; ++i) {
    held.push_back(subscribe("reader-1"));
    v1::SubscribeResponse first;
    ASSERT_TRUE(held.back().reader->Read(&first)) << i;  // it is open
  }
  Open ninth = subscribe("reader-1");
  v1::SubscribeResponse none;
  EXPECT_FALSE(ninth.reader->Read(&none));
  const grpc::Status refused = ninth.reader->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("reader-1 has 8"));
  // Another caller is not held back.
  Open other = subscribe("reader-2");
  v1::SubscribeResponse first;
  EXPECT_TRUE(other.reader->Read(&first));
  other.context->TryCancel();
  for (Open& open : held) open.context->TryCancel();
}

TEST_F(EdgeChecksTest, ReadLogPagesStopAtTheirByteBudget) {
  ASSERT_TRUE(Open(testing::OpenBusinessCase("c1", "d1")).ok());
  // 200 calls with 8,000 bytes of notes each: about 1.6 MB of events.
  v1::LogCallsRequest calls = testing::NoAnswerCalls("c1", "calls", 200);
  for (v1::CallLogged& call : *calls.mutable_calls())
    call.set_notes(std::string(8000, 'n'));
  grpc::ClientContext log_context;
  v1::CommandResult logged;
  ASSERT_TRUE(commands_->LogCalls(&log_context, calls, &logged).ok());

  uint64_t from = 1;
  uint64_t read = 0;
  int pages = 0;
  for (;;) {
    v1::ReadLogRequest request;
    request.set_from_position(from);
    request.set_limit(1000);
    v1::ReadLogResponse page;
    grpc::ClientContext context;
    ASSERT_TRUE(stream_->ReadLog(&context, request, &page).ok());
    if (page.events_size() == 0) break;
    ++pages;
    // Every event once, in order: the next page starts where this stopped.
    EXPECT_EQ(page.events(0).global_position(), from);
    read += page.events_size();
    from = page.next_position();
    if (from > page.head_position()) break;
  }
  EXPECT_EQ(read, logged.last_position());
  EXPECT_GE(pages, 2);  // 1.6 MB does not fit one 1 MiB page
}

TEST(PlaintextModeTest, ServesOnlyOnLoopbackAndWithoutIdentities) {
  testing::TempDir dir;
  server::ServerOptions options = testing::TestServerOptions(dir.Sub("data"));
  options.listen_address = "0.0.0.0:0";
  EXPECT_THAT(server::CollectionsServer::Start(options).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("only on loopback")));
  options.listen_address = "127.0.0.1:0";
  options.identities_file = dir.Sub("identities");
  EXPECT_THAT(server::CollectionsServer::Start(options).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--identities_file")));
  // A Unix socket is as local as loopback.
  options.identities_file.clear();
  options.listen_address = "unix:" + dir.Sub("collections.sock");
  auto started = server::CollectionsServer::Start(options);
  ASSERT_TRUE(started.ok()) << started.status();
}

}  // namespace
}  // namespace collections
