// Online backup while appends go on, then restore: the copy verifies with
// the data-directory verifier, holds every event acknowledged before the
// backup, and a server started on a copy of it (given the master key)
// serves it, personal data included.
#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "collections/v1/audit.grpc.pb.h"
#include "collections/v1/case_commands.grpc.pb.h"
#include "collections/v1/event_stream.grpc.pb.h"
#include "collections/v1/operations.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/audit/ed25519_keys.h"
#include "services/audit/log_verification.h"
#include "services/domain/case_state.h"
#include "storage/log_integrity.h"
#include "tests/testing/requests.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace collections {
namespace {

namespace v1 = ::collections::v1;

v1::OpenCaseRequest Open(int n) {
  v1::OpenCaseRequest open =
      testing::OpenBusinessCase(absl::StrCat("c-", n), absl::StrCat("d-", n));
  open.mutable_case_()->set_debtor_name(absl::StrCat("Debtor Number ", n));
  return open;
}

TEST(BackupTest, OnlineBackupVerifiesAndRestores) {
  testing::TempDir dir;
  server::ServerOptions options = testing::TestServerOptions(dir.Sub("data"));
  auto running = testing::StartTestServer(options);
  ASSERT_TRUE(running.ok()) << running.status();
  auto commands = v1::CaseCommands::NewStub(running->channel);
  auto operations = v1::Operations::NewStub(running->channel);
  auto audit = v1::Audit::NewStub(running->channel);

  // A writer appends all through the backup.
  std::atomic<bool> stop{false};
  absl::Mutex mu;
  int opened = 0;             // under mu: the last case opened
  uint64_t acknowledged = 0;  // under mu: its position
  std::thread writer([&] {
    for (int n = 1; !stop.load(); ++n) {
      grpc::ClientContext context;
      v1::CommandResult result;
      if (commands->OpenCase(&context, Open(n), &result).ok()) {
        absl::MutexLock lock(&mu);
        opened = n;
        acknowledged = result.last_position();
      }
    }
  });
  // Waits until case `n` is opened (false if not within a minute).
  auto opened_up_to = [&](int n) {
    absl::MutexLock lock(&mu);
    auto reached = [&opened, n] { return opened >= n; };
    return mu.AwaitWithDeadline(absl::Condition(&reached),
                                absl::Now() + absl::Seconds(60));
  };
  EXPECT_TRUE(opened_up_to(20));
  uint64_t before;
  {
    absl::MutexLock lock(&mu);
    before = acknowledged;
  }
  v1::CreateBackupRequest request;
  request.set_directory(dir.Sub("backup"));
  v1::CreateBackupResponse response;
  {
    grpc::ClientContext context;
    grpc::Status status =
        operations->CreateBackup(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  int during;
  {
    absl::MutexLock lock(&mu);
    during = opened;
  }
  EXPECT_TRUE(opened_up_to(during + 20));
  stop = true;
  writer.join();
  EXPECT_GE(response.signed_tree_size(), before);

  // Refusals: an existing directory, a relative one.
  {
    grpc::ClientContext context;
    EXPECT_EQ(
        operations->CreateBackup(&context, request, &response).error_code(),
        grpc::StatusCode::FAILED_PRECONDITION);
    grpc::ClientContext relative;
    v1::CreateBackupRequest bad;
    bad.set_directory("backup");
    EXPECT_EQ(operations->CreateBackup(&relative, bad, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  std::string pem;
  {
    grpc::ClientContext context;
    v1::PublicKey key;
    ASSERT_TRUE(
        audit->GetPublicKey(&context, v1::GetPublicKeyRequest(), &key).ok());
    pem = key.pem();
  }
  running->server->Shutdown();
  running->server.reset();

  // The copy verifies off line, and holds what was acknowledged before.
  auto integrity = storage::CheckLogIntegrity(dir.Sub("backup"));
  ASSERT_TRUE(integrity.ok()) << integrity.status();
  auto key = audit::VerifyingKey::FromPem(pem);
  ASSERT_TRUE(key.ok());
  const audit::VerificationReport judged =
      audit::JudgeLogIntegrity(*integrity, *key);
  EXPECT_TRUE(judged.ok()) << judged.failures.front();

  // Restore: a copy of the backup is a data directory; given the master
  // key, its personal data reads as before.
  std::filesystem::copy(dir.Sub("backup"), dir.Sub("restored"),
                        std::filesystem::copy_options::recursive);
  server::ServerOptions restored =
      testing::TestServerOptions(dir.Sub("restored"));
  restored.master_key_file = dir.Sub("data/master.key");
  auto again = testing::StartTestServer(restored);
  ASSERT_TRUE(again.ok()) << again.status();
  auto stream = v1::EventStream::NewStub(again->channel);
  grpc::ClientContext context;
  v1::ReadLogRequest read;
  read.set_limit(1000);
  v1::ReadLogResponse log;
  ASSERT_TRUE(stream->ReadLog(&context, read, &log).ok());
  ASSERT_GE(static_cast<uint64_t>(log.events_size()), before);
  EXPECT_EQ(log.events(0).payload().case_opened().debtor_name(),
            "Debtor Number 1");
}

}  // namespace
}  // namespace collections
