// The plaintext health port (--health_listen, issue 29 point 7) on the real
// server: it answers grpc.health.v1.Health as the main port does, for the
// server and for queries, and nothing else — no data, no command.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collections/v1/case_queries.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace collections {
namespace {

// grpc.health.v1.Health/Check for `service`, called generically (no health
// proto is generated here); the status and, when OK, whether SERVING.
grpc::Status Check(const std::shared_ptr<grpc::Channel>& channel,
                   const std::string& service, bool* serving) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
  grpc::GenericStub stub(channel);
  std::string encoded;  // HealthCheckRequest{service}: field 1
  if (!service.empty()) {
    encoded =
        absl::StrCat("\x0a", std::string(1, char(service.size())), service);
  }
  grpc::Slice slice(encoded);
  grpc::ByteBuffer request(&slice, 1), response;
  grpc::CompletionQueue cq;
  grpc::Status status;
  auto call = stub.PrepareUnaryCall(&context, "/grpc.health.v1.Health/Check",
                                    request, &cq);
  call->StartCall();
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag;
  bool ok;
  cq.Next(&tag, &ok);
  if (!status.ok()) return status;
  std::vector<grpc::Slice> slices;
  response.Dump(&slices);
  // HealthCheckResponse{status = SERVING(1)} encodes as 08 01.
  *serving =
      !slices.empty() && slices[0].size() >= 2 && slices[0].begin()[1] == 1;
  return status;
}

TEST(HealthPortTest, AnswersHealthAloneInPlaintext) {
  testing::TempDir dir;
  server::ServerOptions options = testing::TestServerOptions(dir.Sub("data"));
  options.health_listen_address = "127.0.0.1:0";
  auto running = testing::StartTestServer(options);
  ASSERT_TRUE(running.ok()) << running.status();
  const int port = running->server->health_port();
  ASSERT_GT(port, 0);
  ASSERT_NE(port, running->server->port());
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                     grpc::InsecureChannelCredentials());
  for (const std::string service : {"", "collections.v1.CaseQueries"}) {
    bool serving = false;
    grpc::Status checked = Check(channel, service, &serving);
    ASSERT_TRUE(checked.ok()) << service << ": " << checked.error_message();
    EXPECT_TRUE(serving) << service;
  }
  // No other service is there: a query is UNIMPLEMENTED, not answered.
  auto queries = v1::CaseQueries::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
  v1::GetCaseRequest request;
  request.set_case_id("c-1");
  v1::GetCaseResponse response;
  EXPECT_EQ(queries->GetCase(&context, request, &response).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);

  // Shut down, the port says so or is gone.
  running->server->Shutdown();
  bool serving = true;
  grpc::Status after = Check(channel, "", &serving);
  EXPECT_TRUE(!after.ok() || !serving);
}

TEST(HealthPortTest, AnAddressInUseFailsTheStart) {
  testing::TempDir dir;
  server::ServerOptions first = testing::TestServerOptions(dir.Sub("a"));
  first.health_listen_address = "127.0.0.1:0";
  auto running = testing::StartTestServer(first);
  ASSERT_TRUE(running.ok()) << running.status();
  server::ServerOptions second = testing::TestServerOptions(dir.Sub("b"));
  second.health_listen_address =
      absl::StrCat("127.0.0.1:", running->server->health_port());
  auto refused = testing::StartTestServer(second);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("health"), std::string::npos)
      << refused.status();
}

}  // namespace
}  // namespace collections
