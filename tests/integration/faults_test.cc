// The real server under storage faults, called through its gRPC client: a
// nearly full disk and a disk that fails writes answer UNAVAILABLE while
// reads go on and the server stays up; appends resume when space returns
// (or, after failed writes, after a restart) with every retry landing once;
// a damaged write-ahead log stops the server from starting, with DATA_LOSS.
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "collections/v1/case_commands.grpc.pb.h"
#include "collections/v1/event_stream.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/write_faults.h"
#include "tests/testing/requests.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace collections {
namespace {

namespace v1 = ::collections::v1;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

class FaultsTest : public ::testing::Test {
 protected:
  void Start(storage::WriteFaults* faults) {
    server::ServerOptions options =
        testing::TestServerOptions(dir_.Sub("data"));
    options.log.write_faults = faults;
    auto running = testing::StartTestServer(options);
    ASSERT_TRUE(running.ok()) << running.status();
    running_ = std::make_unique<testing::RunningServer>(*std::move(running));
    commands_ = v1::CaseCommands::NewStub(running_->channel);
    stream_ = v1::EventStream::NewStub(running_->channel);
  }
  void Stop() {
    commands_.reset();
    stream_.reset();
    running_.reset();
  }

  grpc::Status OpenCase(const std::string& case_id) {
    grpc::ClientContext context;
    v1::CommandResult result;
    return commands_->OpenCase(
        &context, testing::OpenBusinessCase(case_id, "d-" + case_id), &result);
  }

  grpc::Status LogCalls(const std::string& request_id, int calls,
                        v1::CommandResult* result) {
    grpc::ClientContext context;
    return commands_->LogCalls(
        &context, testing::NoAnswerCalls("c-1", request_id, calls), result);
  }

  // The event ids of case c-1, in version order, checking versions run
  // 1, 2, 3 … on the way.
  std::vector<std::string> CaseEventIds() {
    v1::ReadStreamRequest request;
    request.set_stream_id("case-c-1");
    request.set_from_version(1);
    request.set_limit(1000);
    v1::ReadStreamResponse response;
    grpc::ClientContext context;
    grpc::Status status = stream_->ReadStream(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> ids;
    for (const v1::Event& event : response.events()) {
      EXPECT_EQ(event.stream_version(), ids.size() + 1);
      ids.push_back(event.event_id());
    }
    return ids;
  }

  testing::TempDir dir_;
  storage::WriteFaults faults_;  // outlives the server that writes through it
  std::unique_ptr<testing::RunningServer> running_;
  std::unique_ptr<v1::CaseCommands::Stub> commands_;
  std::unique_ptr<v1::EventStream::Stub> stream_;
};

TEST_F(FaultsTest,
       ANearlyFullDiskAnswersUnavailableAndResumesWhenSpaceReturns) {
  storage::WriteFaults& faults = faults_;
  Start(&faults);
  ASSERT_TRUE(OpenCase("c-1").ok());
  const std::vector<std::string> before = CaseEventIds();

  faults.SimulateFreeBytes(5 << 20);
  v1::CommandResult result;
  grpc::Status refused = LogCalls("r1", 2, &result);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(refused.error_message(), HasSubstr("nearly full"));
  EXPECT_THAT(CaseEventIds(), ElementsAreArray(before));  // reads go on

  faults.SimulateFreeBytes(-1);
  grpc::Status retried = LogCalls("r1", 2, &result);
  ASSERT_TRUE(retried.ok()) << retried.error_message();
  EXPECT_FALSE(result.already_applied());
  ASSERT_TRUE(LogCalls("r1", 2, &result).ok());
  EXPECT_TRUE(result.already_applied());
  std::vector<std::string> expected = before;
  expected.insert(expected.end(), {"r1/0", "r1/1"});
  EXPECT_THAT(CaseEventIds(), ElementsAreArray(expected));
}

TEST_F(FaultsTest, FailingWritesAnswerUnavailableAndARestartRecovers) {
  storage::WriteFaults& faults = faults_;
  Start(&faults);
  ASSERT_TRUE(OpenCase("c-1").ok());
  v1::CommandResult result;
  ASSERT_TRUE(LogCalls("r1", 1, &result).ok());
  const std::vector<std::string> before = CaseEventIds();

  faults.FailWrites(true);
  for (const char* request : {"r2", "r3"}) {
    grpc::Status refused = LogCalls(request, 3, &result);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << request;
    EXPECT_THAT(refused.error_message(), HasSubstr("same event ids"));
  }
  EXPECT_THAT(CaseEventIds(), ElementsAreArray(before));  // nothing partial
  faults.FailWrites(false);

  Stop();
  Start(nullptr);
  ASSERT_TRUE(LogCalls("r2", 3, &result).ok());
  ASSERT_TRUE(LogCalls("r3", 3, &result).ok());
  std::vector<std::string> expected = before;
  expected.insert(expected.end(),
                  {"r2/0", "r2/1", "r2/2", "r3/0", "r3/1", "r3/2"});
  EXPECT_THAT(CaseEventIds(), ElementsAreArray(expected));
}

TEST_F(FaultsTest, ADamagedWriteAheadLogStopsTheServerWithDataLoss) {
  Start(nullptr);
  ASSERT_TRUE(OpenCase("c-1").ok());
  v1::CommandResult result;
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(LogCalls(absl::StrCat("r", i), 5, &result).ok());
  Stop();
  bool damaged = false;
  for (const auto& entry :
       std::filesystem::directory_iterator(dir_.Sub("data"))) {
    if (entry.path().extension() != ".log" || entry.file_size() < 1024)
      continue;
    std::fstream file(entry.path(),
                      std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(entry.file_size() / 2));
    file.write("\xde\xad\xbe\xef", 4);
    damaged = true;
  }
  ASSERT_TRUE(damaged);

  auto restarted =
      testing::StartTestServer(testing::TestServerOptions(dir_.Sub("data")));
  EXPECT_EQ(restarted.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(restarted.status().message(), HasSubstr(".log"));
}

}  // namespace
}  // namespace collections
