// The structured log of a running server: one JSON object per call with
// the method, code, time and the request and correlation ids (the
// command's own, the caller's metadata, or one made and sent back), and
// nothing personal from the request.
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "collections/v1/case_commands.grpc.pb.h"
#include "collections/v1/case_queries.grpc.pb.h"
#include "collections/v1/event_stream.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/observability/json_log.h"
#include "services/observability/trace_context.h"
#include "services/server/collections_server.h"
#include "tests/testing/requests.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace collections {
namespace {

namespace v1 = ::collections::v1;
using ::testing::HasSubstr;

class RpcLogTest : public ::testing::Test {
 protected:
  void Start(grpc_api::RpcLogPolicy policy) {
    path_ = dir_.Sub("server.log");
    file_ = std::fopen(path_.c_str(), "w");
    ASSERT_NE(file_, nullptr);
    log_ = std::make_unique<observability::JsonLog>(file_);
    server::ServerOptions options =
        testing::TestServerOptions(dir_.Sub("data"));
    options.json_log = log_.get();
    options.rpc_log = policy;
    auto running = testing::StartTestServer(options);
    ASSERT_TRUE(running.ok()) << running.status();
    server_ = std::move(running->server);
    commands_ = v1::CaseCommands::NewStub(running->channel);
    queries_ = v1::CaseQueries::NewStub(running->channel);
    stream_ = v1::EventStream::NewStub(running->channel);
  }
  void TearDown() override {
    server_.reset();
    if (file_ != nullptr) std::fclose(file_);
  }

  // The log's lines so far.
  std::vector<std::string> Lines() {
    std::fflush(file_);
    std::ifstream in(path_);
    std::stringstream text;
    text << in.rdbuf();
    std::vector<std::string> lines =
        absl::StrSplit(text.str(), '\n', absl::SkipEmpty());
    return lines;
  }
  // The one line mentioning `needle`; fails the test when not exactly one.
  std::string LineWith(const std::string& needle) {
    std::string found;
    int count = 0;
    for (const std::string& line : Lines()) {
      if (absl::StrContains(line, needle)) {
        found = line;
        ++count;
      }
    }
    EXPECT_EQ(count, 1) << needle;
    return found;
  }

  testing::TempDir dir_;
  std::string path_;
  std::FILE* file_ = nullptr;
  std::unique_ptr<observability::JsonLog> log_;
  std::unique_ptr<server::CollectionsServer> server_;
  std::unique_ptr<v1::CaseCommands::Stub> commands_;
  std::unique_ptr<v1::CaseQueries::Stub> queries_;
  std::unique_ptr<v1::EventStream::Stub> stream_;
};

TEST_F(RpcLogTest, CommandIdsAreLoggedAndPersonalDataIsNot) {
  Start(grpc_api::RpcLogPolicy::kAll);
  v1::OpenCaseRequest open = testing::OpenBusinessCase("c-1", "d-1");
  open.mutable_context()->set_request_id("open-req-77");
  open.mutable_context()->set_correlation_id("invoice-batch-9");
  open.mutable_case_()->set_debtor_name("Jantje Geheimnaam");
  grpc::ClientContext context;
  v1::CommandResult result;
  ASSERT_TRUE(commands_->OpenCase(&context, open, &result).ok());
  // The ids come back to the caller too.
  const auto& trailers = context.GetServerTrailingMetadata();
  auto request_id = trailers.find("x-request-id");
  ASSERT_NE(request_id, trailers.end());
  EXPECT_EQ(std::string(request_id->second.data(), request_id->second.size()),
            "open-req-77");

  // The same act again with a claim line in another currency: refused.
  v1::OpenCaseRequest bad = open;
  bad.mutable_context()->set_request_id("open-req-78");
  bad.mutable_case_()->set_case_id("c-2");
  bad.mutable_case_()->mutable_claim_lines(0)->mutable_gross()->set_currency(
      "USD");
  grpc::ClientContext bad_context;
  EXPECT_EQ(commands_->OpenCase(&bad_context, bad, &result).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  const std::string ok_line = LineWith("open-req-77");
  EXPECT_TRUE(absl::StartsWith(ok_line, "{\"ts\":\"")) << ok_line;
  EXPECT_TRUE(absl::EndsWith(ok_line, "}")) << ok_line;
  EXPECT_TRUE(absl::StrContains(ok_line, "\"level\":\"info\""));
  EXPECT_TRUE(absl::StrContains(
      ok_line, "\"method\":\"collections.v1.CaseCommands/OpenCase\""));
  EXPECT_TRUE(absl::StrContains(ok_line, "\"code\":\"OK\""));
  EXPECT_TRUE(
      absl::StrContains(ok_line, "\"correlation_id\":\"invoice-batch-9\""));
  EXPECT_TRUE(absl::StrContains(ok_line, "\"ms\":"));

  const std::string failed_line = LineWith("open-req-78");
  EXPECT_TRUE(absl::StrContains(failed_line, "\"level\":\"warning\""));
  EXPECT_TRUE(absl::StrContains(failed_line, "\"code\":\"INVALID_ARGUMENT\""));
  EXPECT_TRUE(absl::StrContains(failed_line, "\"error\":\""));

  for (const std::string& line : Lines()) {
    EXPECT_FALSE(absl::StrContains(line, "Geheimnaam")) << line;
    EXPECT_FALSE(absl::StrContains(line, "Jantje")) << line;
  }
}

TEST_F(RpcLogTest, CallerMetadataIdsOrAMadeIdSentBack) {
  Start(grpc_api::RpcLogPolicy::kAll);
  {
    grpc::ClientContext context;
    context.AddMetadata("x-request-id", "dialer-5501");
    context.AddMetadata("x-correlation-id", "campaign-12");
    v1::ListCasesRequest request;
    v1::ListCasesResponse response;
    ASSERT_TRUE(queries_->ListCases(&context, request, &response).ok());
  }
  const std::string line = LineWith("dialer-5501");
  EXPECT_TRUE(absl::StrContains(line, "\"correlation_id\":\"campaign-12\""));

  grpc::ClientContext context;
  v1::GetCaseRequest get;
  get.set_case_id("missing");
  v1::GetCaseResponse response;
  EXPECT_EQ(queries_->GetCase(&context, get, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
  const auto& trailers = context.GetServerTrailingMetadata();
  auto made = trailers.find("x-request-id");
  ASSERT_NE(made, trailers.end());
  const std::string made_id(made->second.data(), made->second.size());
  EXPECT_EQ(made_id.size(), 16u);
  const std::string not_found = LineWith(made_id);
  EXPECT_TRUE(absl::StrContains(not_found, "\"code\":\"NOT_FOUND\""));
  // Without a correlation id of its own, the call correlates to itself.
  EXPECT_TRUE(
      absl::StrContains(not_found, "\"correlation_id\":\"" + made_id + "\""));
}

// W3C Trace Context (issue 29 point 2): a traceparent sent in is continued —
// its trace id is in the call's log line, in the traceresponse trailer with
// the server's new span id, and in the events the call appended (as their
// traceparent, and their correlation id when the command stated none).
TEST_F(RpcLogTest, ACallersTraceparentIsContinuedInTheLogAndTheEvents) {
  Start(grpc_api::RpcLogPolicy::kAll);
  const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string caller_span = "00f067aa0ba902b7";
  v1::OpenCaseRequest open = testing::OpenBusinessCase("c-t", "d-t");
  open.mutable_context()->set_request_id("traced-open-1");
  grpc::ClientContext context;
  context.AddMetadata("traceparent",
                      absl::StrCat("00-", trace_id, "-", caller_span, "-01"));
  context.AddMetadata("tracestate", "vendor=abc");
  v1::CommandResult result;
  ASSERT_TRUE(commands_->OpenCase(&context, open, &result).ok());

  const auto& trailers = context.GetServerTrailingMetadata();
  auto response = trailers.find("traceresponse");
  ASSERT_NE(response, trailers.end());
  const std::string traceresponse(response->second.data(),
                                  response->second.size());
  auto parsed = observability::ParseTraceparent(traceresponse);
  ASSERT_TRUE(parsed.has_value()) << traceresponse;
  EXPECT_EQ(parsed->trace_id, trace_id);
  EXPECT_NE(parsed->parent_id, caller_span);  // the server's own span
  EXPECT_EQ(parsed->flags, "01");

  const std::string line = LineWith("traced-open-1");
  EXPECT_TRUE(absl::StrContains(line, "\"trace_id\":\"" + trace_id + "\""))
      << line;
  EXPECT_TRUE(
      absl::StrContains(line, "\"span_id\":\"" + parsed->parent_id + "\""))
      << line;

  // The events carry the call's span as their traceparent.
  v1::ReadLogRequest read;
  read.set_from_position(1);
  grpc::ClientContext read_context;
  v1::ReadLogResponse log;
  ASSERT_TRUE(stream_->ReadLog(&read_context, read, &log).ok());
  ASSERT_GT(log.events_size(), 0);
  for (const v1::Event& event : log.events()) {
    EXPECT_EQ(event.traceparent(), traceresponse);
    EXPECT_EQ(event.correlation_id(), trace_id);
  }
}

TEST_F(RpcLogTest, WithoutATraceparentACallStartsItsOwnTrace) {
  Start(grpc_api::RpcLogPolicy::kAll);
  grpc::ClientContext context;
  context.AddMetadata("x-request-id", "untraced-1");
  // An invalid traceparent (upper-case hex) restarts the trace.
  context.AddMetadata(
      "traceparent", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01");
  v1::ListCasesResponse response;
  ASSERT_TRUE(
      queries_->ListCases(&context, v1::ListCasesRequest(), &response).ok());
  auto sent = context.GetServerTrailingMetadata().find("traceresponse");
  ASSERT_NE(sent, context.GetServerTrailingMetadata().end());
  auto parsed = observability::ParseTraceparent(
      std::string(sent->second.data(), sent->second.size()));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_NE(parsed->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  const std::string line = LineWith("untraced-1");
  EXPECT_TRUE(
      absl::StrContains(line, "\"trace_id\":\"" + parsed->trace_id + "\""))
      << line;
}

TEST_F(RpcLogTest, FailuresPolicyLogsOnlyFailedCalls) {
  Start(grpc_api::RpcLogPolicy::kFailures);
  {
    grpc::ClientContext context;
    v1::ListCasesResponse response;
    ASSERT_TRUE(
        queries_->ListCases(&context, v1::ListCasesRequest(), &response).ok());
  }
  {
    grpc::ClientContext context;
    v1::GetCaseRequest get;
    get.set_case_id("missing");
    v1::GetCaseResponse response;
    const grpc::Status status = queries_->GetCase(&context, get, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_THAT(status.error_message(), HasSubstr("case missing not found"));
  }
  int rpc_lines = 0;
  for (const std::string& line : Lines()) {
    if (!absl::StrContains(line, "\"msg\":\"rpc\"")) continue;
    ++rpc_lines;
    EXPECT_TRUE(absl::StrContains(line, "GetCase")) << line;
  }
  EXPECT_EQ(rpc_lines, 1);
}

}  // namespace
}  // namespace collections
