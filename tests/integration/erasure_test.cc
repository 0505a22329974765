// Crypto-shredding on the real server: personal data never reaches disk in
// plaintext; a forget request within retention is deferred with its basis
// and date; when retention ends the key is destroyed, every read path shows
// the person as erased, the key's bytes are gone from the key store, and
// the log, its proofs and the offline verifier still hold.
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "collections/v1/audit.grpc.pb.h"
#include "collections/v1/case_commands.grpc.pb.h"
#include "collections/v1/case_queries.grpc.pb.h"
#include "collections/v1/event_stream.grpc.pb.h"
#include "collections/v1/operations.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/audit/ed25519_keys.h"
#include "services/audit/evidence_bundle.h"
#include "services/audit/log_verification.h"
#include "services/domain/case_state.h"
#include "storage/log_integrity.h"
#include "storage/rocksdb_key_store.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/requests.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace collections {
namespace {

namespace v1 = ::collections::v1;
using ::testing::HasSubstr;

constexpr char kName[] = "Zoe Geheimnaam-4711";
constexpr char kNote[] = "debtor said: new job at Bakkerij 9823";

absl::Time Day(int year, int month, int day) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, 10, 0, 0),
                         absl::UTCTimeZone());
}

class ErasureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server::ServerOptions options =
        testing::TestServerOptions(dir_.Sub("data"));
    options.clock = &clock_;
    auto running = testing::StartTestServer(options);
    ASSERT_TRUE(running.ok()) << running.status();
    server_ = std::move(running->server);
    commands_ = v1::CaseCommands::NewStub(running->channel);
    queries_ = v1::CaseQueries::NewStub(running->channel);
    stream_ = v1::EventStream::NewStub(running->channel);
    operations_ = v1::Operations::NewStub(running->channel);
    audit_ = v1::Audit::NewStub(running->channel);
  }

  template <typename Request>
  Request Command(absl::Time at) {
    Request request;
    request.mutable_context()->set_request_id(absl::StrCat("r", ++step_));
    *request.mutable_context()->mutable_occurred_at() = ToTimestamp(at);
    return request;
  }

  void OpenCaseWithPersonalData() {
    v1::OpenCaseRequest open = testing::OpenBusinessCase("c-1", "d-1");
    *open.mutable_context()->mutable_occurred_at() =
        ToTimestamp(Day(2026, 1, 5));
    open.mutable_case_()->set_debtor_name(kName);
    ASSERT_TRUE(Run(&v1::CaseCommands::Stub::OpenCase, open).ok());
    grpc::Status logged = LogCall(Day(2026, 1, 6), kNote);
    ASSERT_TRUE(logged.ok()) << logged.error_message();
  }

  // An inbound conversation on c-1, with notes.
  grpc::Status LogCall(absl::Time at, const std::string& notes) {
    auto calls = Command<v1::LogCallsRequest>(at);
    calls.set_case_id("c-1");
    v1::CallLogged* call = calls.add_calls();
    call->set_direction(v1::CALL_DIRECTION_INBOUND);
    call->set_contact_point_id("phone-1");
    call->set_outcome(v1::CALL_OUTCOME_CONVERSATION);
    call->set_time_zone("Europe/Amsterdam");
    call->set_zone_source(v1::ZONE_SOURCE_DEBTOR_RECORD);
    call->set_notes(notes);
    return Run(&v1::CaseCommands::Stub::LogCalls, calls);
  }

  template <typename Request>
  grpc::Status Run(grpc::Status (v1::CaseCommands::Stub::*method)(
                       grpc::ClientContext*, const Request&,
                       v1::CommandResult*),
                   const Request& request) {
    grpc::ClientContext context;
    v1::CommandResult result;
    grpc::Status status = ((*commands_).*method)(&context, request, &result);
    if (status.ok()) last_position_ = result.last_position();
    return status;
  }

  v1::ReadStreamResponse CaseEvents() {
    grpc::ClientContext context;
    v1::ReadStreamRequest read;
    read.set_stream_id("case-c-1");
    v1::ReadStreamResponse events;
    EXPECT_TRUE(stream_->ReadStream(&context, read, &events).ok());
    return events;
  }

  // The case's name and the call's notes as EventStream shows them.
  std::pair<std::string, std::string> Shown() {
    const v1::ReadStreamResponse events = CaseEvents();
    std::string name, notes;
    for (const auto& event : events.events()) {
      if (event.payload().has_case_opened())
        name = event.payload().case_opened().debtor_name();
      if (event.payload().has_call_logged())
        notes = event.payload().call_logged().notes();
    }
    return {name, notes};
  }

  std::string TimelineNotes() {
    v1::GetDebtorTimelineRequest request;
    request.set_debtor_id("d-1");
    request.set_include_events(true);
    request.set_min_position(last_position_);
    v1::GetDebtorTimelineResponse page;
    grpc::ClientContext context;
    EXPECT_TRUE(queries_->GetDebtorTimeline(&context, request, &page).ok());
    for (const auto& entry : page.entries()) {
      if (entry.event().payload().has_call_logged())
        return entry.event().payload().call_logged().notes();
    }
    return "(none)";
  }

  v1::ForgetDebtorResponse Forget(const std::string& reference,
                                  grpc::Status* status) {
    v1::ForgetDebtorRequest request;
    request.set_debtor_id("d-1");
    request.set_request_reference(reference);
    v1::ForgetDebtorResponse response;
    grpc::ClientContext context;
    *status = operations_->ForgetDebtor(&context, request, &response);
    return response;
  }

  FakeClock clock_{Day(2026, 3, 1)};
  testing::TempDir dir_;
  std::unique_ptr<server::CollectionsServer> server_;
  std::unique_ptr<v1::CaseCommands::Stub> commands_;
  std::unique_ptr<v1::CaseQueries::Stub> queries_;
  std::unique_ptr<v1::EventStream::Stub> stream_;
  std::unique_ptr<v1::Operations::Stub> operations_;
  std::unique_ptr<v1::Audit::Stub> audit_;
  int step_ = 0;
  uint64_t last_position_ = 0;
};

TEST_F(ErasureTest, DeferredWithinRetentionThenErasedWhileProofsHold) {
  OpenCaseWithPersonalData();
  EXPECT_EQ(Shown(), std::make_pair(std::string(kName), std::string(kNote)));
  EXPECT_EQ(TimelineNotes(), kNote);
  // Sealed before hashing: the plaintext is in no file of the server's.
  EXPECT_FALSE(testing::AnyFileHolds(dir_.Sub("data"), kName));
  EXPECT_FALSE(testing::AnyFileHolds(dir_.Sub("data"), kNote));
  EXPECT_TRUE(
      testing::AnyFileHolds(dir_.Sub("data"), "case-c-1"));  // the probe works

  // The debtor's wrapped data key, as the key store holds it (read with the
  // server stopped: the store is the server's while it runs).
  std::string wrapped_key;
  {
    server_->Shutdown();
    server_.reset();
    auto store = storage::OpenRocksDbKeyStore(dir_.Sub("data/keys"));
    ASSERT_TRUE(store.ok()) << store.status();
    auto entry = (*store)->Get("k/d-1");
    ASSERT_TRUE(entry.ok() && entry->has_value());
    wrapped_key = **entry;
  }
  SetUp();  // the same data directory, served again
  EXPECT_TRUE(testing::AnyFileHolds(dir_.Sub("data/keys"), wrapped_key));

  // Within the 7-year fiscal retention: deferred, still readable.
  grpc::Status status;
  v1::ForgetDebtorResponse deferred = Forget("GDPR-1", &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(deferred.outcome(), v1::ForgetDebtorResponse::OUTCOME_DEFERRED);
  EXPECT_THAT(deferred.basis(), HasSubstr("7 years"));
  EXPECT_EQ(absl::ToCivilDay(ToTime(deferred.until()), absl::UTCTimeZone()),
            absl::CivilDay(2033, 1, 6));  // the call, plus seven years
  EXPECT_EQ(Shown().second, kNote);

  // The period ends: the due-time run destroys the key.
  clock_.Set(Day(2033, 1, 7));
  {
    v1::ProcessDueEventsRequest due;
    v1::ProcessDueEventsResponse processed;
    grpc::ClientContext context;
    status = commands_->ProcessDueEvents(&context, due, &processed);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_EQ(Shown(),
            std::make_pair(std::string("[erased]"), std::string("[erased]")));
  EXPECT_EQ(TimelineNotes(), "[erased]");
  {
    // The log read (and subscriptions, which read the same way) too.
    grpc::ClientContext context;
    v1::ReadLogRequest read;
    v1::ReadLogResponse log;
    ASSERT_TRUE(stream_->ReadLog(&context, read, &log).ok());
    int erased = 0;
    for (const auto& event : log.events()) {
      if (event.payload().has_call_logged()) {
        EXPECT_EQ(event.payload().call_logged().notes(), "[erased]");
        ++erased;
      }
    }
    EXPECT_EQ(erased, 1);
  }
  // The debtor's stream tells what happened, and asking again destroys
  // nothing more.
  {
    grpc::ClientContext context;
    v1::ReadStreamRequest read;
    read.set_stream_id("debtor-d-1");
    v1::ReadStreamResponse events;
    ASSERT_TRUE(stream_->ReadStream(&context, read, &events).ok());
    std::vector<std::string> types;
    for (const auto& event : events.events()) types.push_back(event.type());
    EXPECT_THAT(types,
                ::testing::ElementsAre("ErasureRequested", "ErasureDeferred",
                                       "SubjectKeyDestroyed"));
    EXPECT_EQ(events.events(2).payload().subject_key_destroyed().key_id(),
              "d-1#1");
  }
  v1::ForgetDebtorResponse again = Forget("GDPR-2", &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(again.outcome(), v1::ForgetDebtorResponse::OUTCOME_DESTROYED);
  EXPECT_EQ(again.key_id(), "");  // none was left

  // The case's evidence bundle still verifies.
  {
    grpc::ClientContext key_context;
    v1::PublicKey pem;
    ASSERT_TRUE(
        audit_->GetPublicKey(&key_context, v1::GetPublicKeyRequest(), &pem)
            .ok());
    auto key = audit::VerifyingKey::FromPem(pem.pem());
    ASSERT_TRUE(key.ok());
    v1::GetEvidenceBundleRequest request;
    request.set_case_id("c-1");
    v1::EvidenceBundle bundle;
    grpc::ClientContext context;
    ASSERT_TRUE(audit_->GetEvidenceBundle(&context, request, &bundle).ok());
    const audit::VerificationReport report =
        audit::VerifyEvidenceBundle(bundle, *key);
    EXPECT_TRUE(report.ok()) << report.failures.front();
  }

  // Off line: the key is in no file of the key store, and the data
  // directory still verifies against its signed heads.
  const std::string pem = [&] {
    grpc::ClientContext context;
    v1::PublicKey key;
    audit_->GetPublicKey(&context, v1::GetPublicKeyRequest(), &key);
    return key.pem();
  }();
  server_->Shutdown();
  server_.reset();
  EXPECT_FALSE(testing::AnyFileHolds(dir_.Sub("data/keys"), wrapped_key));
  {
    auto store = storage::OpenRocksDbKeyStore(dir_.Sub("data/keys"));
    ASSERT_TRUE(store.ok()) << store.status();
    auto entry = (*store)->Get("k/d-1");
    ASSERT_TRUE(entry.ok());
    EXPECT_FALSE(entry->has_value());
  }
  auto integrity = storage::CheckLogIntegrity(dir_.Sub("data"));
  ASSERT_TRUE(integrity.ok()) << integrity.status();
  auto key = audit::VerifyingKey::FromPem(pem);
  ASSERT_TRUE(key.ok());
  const audit::VerificationReport judged =
      audit::JudgeLogIntegrity(*integrity, *key);
  EXPECT_TRUE(judged.ok()) << judged.failures.front();
}

TEST_F(ErasureTest, AfterRetentionTheKeyIsDestroyedAtOnce) {
  OpenCaseWithPersonalData();
  clock_.Set(Day(2034, 1, 1));
  grpc::Status status;
  v1::ForgetDebtorResponse forgotten = Forget("GDPR-9", &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(forgotten.outcome(), v1::ForgetDebtorResponse::OUTCOME_DESTROYED);
  EXPECT_EQ(forgotten.key_id(), "d-1#1");
  EXPECT_EQ(Shown(),
            std::make_pair(std::string("[erased]"), std::string("[erased]")));
  // The same request again changes nothing.
  Forget("GDPR-9", &status);
  EXPECT_TRUE(status.ok()) << status.error_message();

  // A new note for the same debtor gets a new key; the old ones stay erased.
  ASSERT_TRUE(LogCall(Day(2034, 1, 2), "called back").ok());
  const v1::ReadStreamResponse events = CaseEvents();
  std::vector<std::string> notes;
  for (const auto& event : events.events()) {
    if (event.payload().has_call_logged())
      notes.push_back(event.payload().call_logged().notes());
  }
  EXPECT_THAT(notes, ::testing::ElementsAre("[erased]", "called back"));
}

// GDPR art. 17 with backups (issue 25): a backup taken before the erasure
// holds the debtor's wrapped key; the erasure ledger (kept with the master
// key, never in a backup) destroys it again when a restored server starts,
// records that in the debtor's stream, and a new key never reuses the old
// key's id. The backup holds no signing key either.
TEST_F(ErasureTest, ErasureSurvivesRestoringABackupTakenBeforeIt) {
  OpenCaseWithPersonalData();
  {
    v1::CreateBackupRequest request;
    request.set_directory(dir_.Sub("backup"));
    v1::CreateBackupResponse response;
    grpc::ClientContext context;
    grpc::Status backed_up =
        operations_->CreateBackup(&context, request, &response);
    ASSERT_TRUE(backed_up.ok()) << backed_up.error_message();
  }
  EXPECT_FALSE(
      std::filesystem::exists(dir_.Sub("backup") + "/audit_signing_key.pem"));
  EXPECT_FALSE(
      std::filesystem::exists(dir_.Sub("backup") + "/master.key.erasures"));
  clock_.Set(Day(2034, 1, 1));
  grpc::Status status;
  ASSERT_EQ(Forget("GDPR-11", &status).outcome(),
            v1::ForgetDebtorResponse::OUTCOME_DESTROYED);
  ASSERT_TRUE(status.ok()) << status.error_message();
  server_->Shutdown();
  server_.reset();

  // Restore: a copy of the backup, started as the original was (its master
  // key, and so its ledger).
  std::filesystem::copy(dir_.Sub("backup"), dir_.Sub("restored"),
                        std::filesystem::copy_options::recursive);
  server::ServerOptions restored =
      testing::TestServerOptions(dir_.Sub("restored"));
  restored.clock = &clock_;
  restored.master_key_file = dir_.Sub("data/master.key");
  restored.signing_key_file = dir_.Sub("data/audit_signing_key.pem");
  auto running = testing::StartTestServer(restored);
  ASSERT_TRUE(running.ok()) << running.status();
  server_ = std::move(running->server);
  stream_ = v1::EventStream::NewStub(running->channel);
  commands_ = v1::CaseCommands::NewStub(running->channel);
  queries_ = v1::CaseQueries::NewStub(running->channel);
  EXPECT_EQ(Shown(),
            std::make_pair(std::string("[erased]"), std::string("[erased]")));
  // The restored log says why.
  {
    grpc::ClientContext context;
    v1::ReadStreamRequest read;
    read.set_stream_id("debtor-d-1");
    v1::ReadStreamResponse events;
    ASSERT_TRUE(stream_->ReadStream(&context, read, &events).ok());
    ASSERT_GT(events.events_size(), 0);
    const v1::Event& last = events.events(events.events_size() - 1);
    EXPECT_EQ(last.payload().subject_key_destroyed().key_id(), "d-1#1");
    EXPECT_EQ(last.correlation_id(), "erasure-ledger");
  }
  // New personal data gets a new key (generation 2), readable.
  ASSERT_TRUE(LogCall(Day(2034, 1, 2), "called back").ok());
  const v1::ReadStreamResponse events = CaseEvents();
  std::vector<std::string> notes;
  for (const auto& event : events.events()) {
    if (event.payload().has_call_logged())
      notes.push_back(event.payload().call_logged().notes());
  }
  EXPECT_THAT(notes, ::testing::ElementsAre("[erased]", "called back"));
  server_->Shutdown();
  server_.reset();

  // Started again: the ledger leaves the new key alone.
  auto again = testing::StartTestServer(restored);
  ASSERT_TRUE(again.ok()) << again.status();
  server_ = std::move(again->server);
  stream_ = v1::EventStream::NewStub(again->channel);
  const v1::ReadStreamResponse reread = CaseEvents();
  notes.clear();
  for (const auto& event : reread.events()) {
    if (event.payload().has_call_logged())
      notes.push_back(event.payload().call_logged().notes());
  }
  EXPECT_THAT(notes, ::testing::ElementsAre("[erased]", "called back"));
}

}  // namespace
}  // namespace collections
