// Personal data on the real server (issue 25, "Done when"):
//   - every personal field written through the API is in no file under the
//     data directory (WAL, tables, projections, key store), before or after
//     ForgetDebtor; after it no query, export or stream reveals it, also
//     after restoring a backup taken before the erasure;
//   - a placement package carries the debtor's name and contact points
//     sealed to the agency's registered key: opened with that key they show,
//     with any other key and on disk they do not; the disclosure is an event
//     in the debtor's audit trail; after erasure the package says so.
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "collections/v1/agency.grpc.pb.h"
#include "collections/v1/audit.grpc.pb.h"
#include "collections/v1/case_commands.grpc.pb.h"
#include "collections/v1/case_queries.grpc.pb.h"
#include "collections/v1/debtor.grpc.pb.h"
#include "collections/v1/event_stream.grpc.pb.h"
#include "collections/v1/operations.grpc.pb.h"
#include "common/time_conversion.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/agency/package_verification.h"
#include "services/agency/personal_file.h"
#include "services/audit/ed25519_keys.h"
#include "services/domain/case_state.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"
#include "tests/testing/x25519_keys.h"

namespace collections {
namespace {

namespace v1 = ::collections::v1;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

// Every personal value below starts with this marker, so one search finds
// any of them in any file.
constexpr char kMarker[] = "Zq7";
// A value that is not personal: stored in the clear (the search's positive
// control: it proves the search can see what the files hold).
constexpr char kControl[] = "INV-Ctrl9";
constexpr char kAgency[] = "incasso-noord";

absl::Time Day(int year, int month, int day) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, 10, 0, 0),
                         absl::UTCTimeZone());
}

v1::Money Eur(int64_t minor) {
  v1::Money money;
  money.set_amount_minor(minor);
  money.set_currency("EUR");
  return money;
}

// The files under `dir` whose bytes contain `needle`.
std::vector<std::string> FilesContaining(const std::string& dir,
                                         const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    if (bytes.str().find(needle) != std::string::npos)
      found.push_back(entry.path().string());
  }
  return found;
}

using KeyPair = testing::KeyPairPem;
KeyPair NewAgencyKey() { return testing::NewKeyPair("X25519"); }

class PersonalDataTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(testing::TestServerOptions(dir_.Sub("data"))); }

  void Start(server::ServerOptions options) {
    options.clock = &clock_;
    auto running = testing::StartTestServer(options);
    ASSERT_TRUE(running.ok()) << running.status();
    server_ = std::move(running->server);
    commands_ = v1::CaseCommands::NewStub(running->channel);
    debtors_ = v1::DebtorCommands::NewStub(running->channel);
    queries_ = v1::CaseQueries::NewStub(running->channel);
    stream_ = v1::EventStream::NewStub(running->channel);
    operations_ = v1::Operations::NewStub(running->channel);
    audit_ = v1::Audit::NewStub(running->channel);
    agency_ = v1::AgencyHandoff::NewStub(running->channel);
  }

  void Stop() {
    server_->Shutdown();
    server_.reset();
  }

  v1::CommandContext Context(absl::Time at) {
    v1::CommandContext context;
    context.set_request_id(absl::StrCat("r", ++step_));
    *context.mutable_occurred_at() = ToTimestamp(at);
    return context;
  }

  template <typename Stub, typename Request, typename Response>
  void Ok(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                       Response*),
          Stub* stub, const Request& request) {
    grpc::ClientContext context;
    Response response;
    grpc::Status status = (stub->*method)(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // Debtor d-1 with the debtor layer's personal fields.
  void RegisterDebtor() {
    v1::RegisterDebtorRequest registered;
    *registered.mutable_context() = Context(Day(2026, 1, 2));
    v1::DebtorRegistered* debtor = registered.mutable_debtor();
    debtor->set_debtor_id("d-1");
    debtor->set_kind(v1::DEBTOR_KIND_BUSINESS);
    debtor->set_jurisdiction("NL");
    debtor->set_time_zone("Europe/Amsterdam");
    debtor->set_vat_id("NL-Zq7Vat-B01");
    debtor->set_coc_number("Zq7Coc-6666");
    Ok(&v1::DebtorCommands::Stub::RegisterDebtor, debtors_.get(), registered);
    for (const auto& [id, kind, value] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"phone-1", "phone", "+31 6 Zq7Phone"},
             {"email-1", "email", "Zq7Mail@bakkerij.example"},
             {"post-1", "postal", "Zq7Street 9, 1011 AB Amsterdam"}}) {
      v1::AddContactPointRequest add;
      *add.mutable_context() = Context(Day(2026, 1, 2));
      add.set_debtor_id("d-1");
      add.mutable_contact_point()->set_contact_point_id(id);
      add.mutable_contact_point()->set_kind(kind);
      add.mutable_contact_point()->set_value(value);
      add.mutable_contact_point()->set_source("contract");
      Ok(&v1::DebtorCommands::Stub::AddContactPoint, debtors_.get(), add);
    }
  }

  // Business case `case_id` of d-1, €1,000.00 due 2026-01-10, overdue.
  void OpenCase(const std::string& case_id, const std::string& invoice) {
    v1::OpenCaseRequest open;
    *open.mutable_context() = Context(Day(2026, 1, 5));
    v1::CaseOpened* opened = open.mutable_case_();
    opened->set_case_id(case_id);
    opened->set_debtor_id("d-1");
    opened->set_debtor_name("Zq7Name Bakkerij de Vries");
    opened->set_creditor_id("acme-energy");
    opened->set_debtor_kind(v1::DEBTOR_KIND_BUSINESS);
    opened->set_currency("EUR");
    opened->set_rule_pack("nl-business");
    opened->set_jurisdiction("NL");
    v1::ClaimLine* line = opened->add_claim_lines();
    line->set_invoice_number(invoice);
    *line->mutable_due_date() =
        domain::ToLocalDate(absl::CivilDay(2026, 1, 10));
    *line->mutable_net() = Eur(82645);
    *line->mutable_vat() = Eur(17355);
    *line->mutable_gross() = Eur(100000);
    Ok(&v1::CaseCommands::Stub::OpenCase, commands_.get(), open);
    v1::ProcessDueEventsRequest due;
    *due.mutable_as_of() = ToTimestamp(Day(2026, 1, 12));
    due.set_case_id(case_id);
    Ok(&v1::CaseCommands::Stub::ProcessDueEvents, commands_.get(), due);
  }

  grpc::Status Letter(const std::string& case_id, v1::LetterLevel level,
                      absl::Time at, const std::string& override_reason = "") {
    v1::IssueLetterRequest request;
    *request.mutable_context() = Context(at);
    if (!override_reason.empty()) {
      v1::RuleOverride* override_ = request.mutable_context()->add_overrides();
      override_->set_rule("LADDER_ORDER");
      override_->set_reason(override_reason);
    }
    request.set_case_id(case_id);
    v1::LetterIssued* letter = request.mutable_letter();
    letter->set_letter_id(absl::StrCat("L", step_));
    letter->set_level(level);
    letter->set_channel(v1::LETTER_CHANNEL_POST);
    letter->set_template_version("2026.1");
    letter->set_document_sha256(std::string(32, static_cast<char>(step_)));
    *letter->mutable_amount_stated() = Eur(100000);
    grpc::ClientContext context;
    v1::CommandResult result;
    return commands_->IssueLetter(&context, request, &result);
  }

  v1::ForgetDebtorResponse Forget() {
    v1::ForgetDebtorRequest request;
    request.set_debtor_id("d-1");
    request.set_request_reference("GDPR-2034-1");
    v1::ForgetDebtorResponse response;
    grpc::ClientContext context;
    grpc::Status status =
        operations_->ForgetDebtor(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // Everything the server shows of d-1 and its case c-1 through queries,
  // streams and the audit trail, as one text.
  std::string EverythingShown() {
    std::string shown;
    auto add = [&shown](const google::protobuf::Message& message) {
      absl::StrAppend(&shown, message.DebugString(), "\n");
    };
    for (const char* stream_id : {"case-c-1", "debtor-d-1"}) {
      grpc::ClientContext context;
      v1::ReadStreamRequest read;
      read.set_stream_id(stream_id);
      v1::ReadStreamResponse events;
      EXPECT_TRUE(stream_->ReadStream(&context, read, &events).ok());
      add(events);
    }
    {
      grpc::ClientContext context;
      v1::ReadLogRequest read;
      read.set_limit(1000);
      v1::ReadLogResponse log;
      EXPECT_TRUE(stream_->ReadLog(&context, read, &log).ok());
      EXPECT_GT(log.events_size(), 5);
      add(log);
    }
    {
      grpc::ClientContext context;
      v1::GetDebtorTimelineRequest request;
      request.set_debtor_id("d-1");
      request.set_include_events(true);
      v1::GetDebtorTimelineResponse page;
      EXPECT_TRUE(queries_->GetDebtorTimeline(&context, request, &page).ok());
      add(page);
    }
    {
      grpc::ClientContext context;
      v1::GetCaseRequest request;
      request.set_case_id("c-1");
      v1::GetCaseResponse response;
      EXPECT_TRUE(queries_->GetCase(&context, request, &response).ok());
      add(response);
    }
    {
      grpc::ClientContext context;
      v1::GetDebtorRequest request;
      request.set_debtor_id("d-1");
      v1::DebtorProfile profile;
      EXPECT_TRUE(queries_->GetDebtor(&context, request, &profile).ok());
      add(profile);
    }
    {
      grpc::ClientContext context;
      v1::ListAuditTrailRequest request;
      request.set_debtor_id("d-1");
      v1::ListAuditTrailResponse trail;
      EXPECT_TRUE(audit_->ListAuditTrail(&context, request, &trail).ok());
      add(trail);
    }
    return shown;
  }

  FakeClock clock_{Day(2026, 6, 1)};
  testing::TempDir dir_;
  std::unique_ptr<server::CollectionsServer> server_;
  std::unique_ptr<v1::CaseCommands::Stub> commands_;
  std::unique_ptr<v1::DebtorCommands::Stub> debtors_;
  std::unique_ptr<v1::CaseQueries::Stub> queries_;
  std::unique_ptr<v1::EventStream::Stub> stream_;
  std::unique_ptr<v1::Operations::Stub> operations_;
  std::unique_ptr<v1::Audit::Stub> audit_;
  std::unique_ptr<v1::AgencyHandoff::Stub> agency_;
  int step_ = 0;
};

TEST_F(PersonalDataTest, PersonalFieldsReachNoFileAndErasureHoldsEverywhere) {
  RegisterDebtor();
  {
    v1::RestrictCommunicationRequest restrict;
    *restrict.mutable_context() = Context(Day(2026, 1, 3));
    restrict.set_debtor_id("d-1");
    restrict.mutable_restriction()->set_scope("text");
    restrict.mutable_restriction()->set_reason("Zq7Reason: asked in a letter");
    Ok(&v1::DebtorCommands::Stub::RestrictCommunication, debtors_.get(),
       restrict);
  }
  OpenCase("c-1", kControl);
  {
    v1::LogCallsRequest calls;
    *calls.mutable_context() = Context(Day(2026, 1, 13));
    calls.set_case_id("c-1");
    v1::CallLogged* call = calls.add_calls();
    call->set_direction(v1::CALL_DIRECTION_INBOUND);
    call->set_contact_point_id("phone-1");
    call->set_outcome(v1::CALL_OUTCOME_CONVERSATION);
    call->set_time_zone("Europe/Amsterdam");
    call->set_zone_source(v1::ZONE_SOURCE_DEBTOR_RECORD);
    call->set_notes("Zq7Notes: new job at the bakery");
    Ok(&v1::CaseCommands::Stub::LogCalls, commands_.get(), calls);
  }
  // A final notice before any dunning letter: the ladder's order
  // overridden, with a reason that names a person (the envelope's free
  // text).
  grpc::Status final_notice =
      Letter("c-1", v1::LETTER_LEVEL_FINAL_NOTICE, Day(2026, 2, 2),
             "Zq7Override: Mr de Vries asked for the formal letter");
  ASSERT_TRUE(final_notice.ok()) << final_notice.error_message();
  {
    v1::RecordPaymentRequest payment;
    *payment.mutable_context() = Context(Day(2026, 2, 10));
    payment.set_case_id("c-1");
    payment.mutable_payment()->set_payment_id("P-1");
    *payment.mutable_payment()->mutable_amount() = Eur(10000);
    *payment.mutable_payment()->mutable_value_date() =
        domain::ToLocalDate(absl::CivilDay(2026, 2, 10));
    payment.mutable_payment()->set_method(v1::PAYMENT_METHOD_BANK_TRANSFER);
    payment.mutable_payment()->set_reference("NL91Zq7IBAN0417164300");
    Ok(&v1::CaseCommands::Stub::RecordPayment, commands_.get(), payment);
    v1::RaiseDisputeRequest dispute;
    *dispute.mutable_context() = Context(Day(2026, 2, 11));
    dispute.set_case_id("c-1");
    dispute.mutable_dispute()->set_dispute_id("D-1");
    dispute.mutable_dispute()->set_reason("Zq7Dispute: the oven was broken");
    Ok(&v1::CaseCommands::Stub::RaiseDispute, commands_.get(), dispute);
    v1::PlaceHoldRequest hold;
    *hold.mutable_context() = Context(Day(2026, 2, 12));
    hold.set_case_id("c-1");
    hold.mutable_hold()->set_hold(v1::CASE_HOLD_LAWYER_REPRESENTED);
    hold.mutable_hold()->set_reason("Zq7HoldReason");
    hold.mutable_hold()->set_reference("Zq7Hold: mr. P. Jansen");
    Ok(&v1::CaseCommands::Stub::PlaceHold, commands_.get(), hold);
    v1::NoticeRepresentationRequest lawyer;
    *lawyer.mutable_context() = Context(Day(2026, 2, 13));
    lawyer.set_debtor_id("d-1");
    lawyer.mutable_representation()->set_representative("mr. Zq7Lawyer");
    lawyer.mutable_representation()->set_kind("lawyer");
    Ok(&v1::DebtorCommands::Stub::NoticeRepresentation, debtors_.get(), lawyer);
    v1::NoticeDeceasedRequest deceased;
    *deceased.mutable_context() = Context(Day(2026, 2, 14));
    deceased.set_debtor_id("d-1");
    *deceased.mutable_deceased()->mutable_date_of_death() =
        domain::ToLocalDate(absl::CivilDay(1961, 7, 19));
    Ok(&v1::DebtorCommands::Stub::NoticeDeceased, debtors_.get(), deceased);
  }
  // Readable while the debtor is known.
  const std::string before = EverythingShown();
  EXPECT_THAT(before, HasSubstr("Zq7Name Bakkerij de Vries"));
  EXPECT_THAT(before, HasSubstr("Zq7Override"));
  EXPECT_THAT(before, HasSubstr("NL91Zq7IBAN0417164300"));
  // On disk: none of it, while the control value is there.
  EXPECT_THAT(before, HasSubstr("1961-07-19"));
  EXPECT_THAT(FilesContaining(dir_.Sub("data"), kMarker), ::testing::IsEmpty());
  EXPECT_THAT(FilesContaining(dir_.Sub("data"), "1961-07-19"),
              ::testing::IsEmpty());
  EXPECT_THAT(FilesContaining(dir_.Sub("data"), kControl),
              Not(::testing::IsEmpty()));

  {
    v1::CreateBackupRequest request;
    request.set_directory(dir_.Sub("backup"));
    v1::CreateBackupResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(operations_->CreateBackup(&context, request, &response).ok());
  }
  EXPECT_THAT(FilesContaining(dir_.Sub("backup"), kMarker),
              ::testing::IsEmpty());

  clock_.Set(Day(2034, 1, 1));
  EXPECT_EQ(Forget().outcome(), v1::ForgetDebtorResponse::OUTCOME_DESTROYED);
  const std::string after = EverythingShown();
  EXPECT_THAT(after, Not(HasSubstr(kMarker)));
  EXPECT_THAT(after, Not(HasSubstr("1961-07-19")));
  EXPECT_THAT(after, HasSubstr("[erased]"));
  EXPECT_THAT(FilesContaining(dir_.Sub("data"), kMarker), ::testing::IsEmpty());

  // Restored from the backup taken before the erasure: still erased.
  Stop();
  std::filesystem::copy(dir_.Sub("backup"), dir_.Sub("restored"),
                        std::filesystem::copy_options::recursive);
  server::ServerOptions restored =
      testing::TestServerOptions(dir_.Sub("restored"));
  restored.master_key_file = dir_.Sub("data/master.key");
  restored.signing_key_file = dir_.Sub("data/audit_signing_key.pem");
  Start(restored);
  const std::string restored_shown = EverythingShown();
  EXPECT_THAT(restored_shown, Not(HasSubstr(kMarker)));
  EXPECT_THAT(restored_shown, HasSubstr("[erased]"));
  EXPECT_THAT(FilesContaining(dir_.Sub("restored"), kMarker),
              ::testing::IsEmpty());
}

TEST_F(PersonalDataTest, APackageCarriesPersonalDataSealedToTheAgencyAlone) {
  const KeyPair agency_key = NewAgencyKey();
  const KeyPair other_key = NewAgencyKey();
  // Registering: X25519 only, by an operator.
  {
    v1::RegisterAgencyKeyRequest request;
    request.set_agency_id(kAgency);
    request.set_request_id("key-1");
    request.set_public_key_pem("-----BEGIN PUBLIC KEY-----\nnope\n");
    v1::RegisterAgencyKeyResponse response;
    grpc::ClientContext bad;
    EXPECT_EQ(agency_->RegisterAgencyKey(&bad, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
    request.set_public_key_pem(agency_key.public_pem);
    grpc::ClientContext collector;
    collector.AddMetadata("x-actor-role", "collector");
    EXPECT_EQ(
        agency_->RegisterAgencyKey(&collector, request, &response).error_code(),
        grpc::StatusCode::PERMISSION_DENIED);
    grpc::ClientContext admin;
    ASSERT_TRUE(agency_->RegisterAgencyKey(&admin, request, &response).ok());
    EXPECT_EQ(response.fingerprint().size(), 64u);
  }
  RegisterDebtor();
  OpenCase("c-1", "INV-1");
  int month = 2;
  for (v1::LetterLevel level :
       {v1::LETTER_LEVEL_REMINDER, v1::LETTER_LEVEL_DUNNING,
        v1::LETTER_LEVEL_FINAL_NOTICE}) {
    grpc::Status issued = Letter("c-1", level, Day(2026, month++, 2));
    ASSERT_TRUE(issued.ok()) << issued.error_message();
  }
  v1::HandToAgencyRequest hand;
  *hand.mutable_context() = Context(Day(2026, 5, 10));
  hand.set_case_id("c-1");
  hand.mutable_placement()->set_agency_id(kAgency);
  hand.mutable_placement()->set_agency_registration("WKI-2024-0117");
  hand.mutable_placement()->set_placement_type(v1::PLACEMENT_TYPE_CONTINGENCY);
  hand.mutable_placement()->set_commission_basis_points(1500);
  {
    v1::PlaceWithAgencyResponse placed;
    grpc::ClientContext context;
    grpc::Status status = agency_->PlaceWithAgency(&context, hand, &placed);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  auto fetch = [this](v1::PlacementPackage* package) {
    v1::GetPlacementPackageRequest request;
    request.set_case_id("c-1");
    grpc::ClientContext context;
    context.AddMetadata("x-actor-id", kAgency);
    context.AddMetadata("x-actor-role", absl::StrCat("agency:", kAgency));
    return agency_->GetPlacementPackage(&context, request, package);
  };
  v1::PlacementPackage package;
  ASSERT_TRUE(fetch(&package).ok());
  std::map<std::string, std::string> files;
  for (const auto& file : package.files()) files[file.name()] = file.content();
  ASSERT_TRUE(files.count(agency::kPersonalFile));
  EXPECT_THAT(files.at("debtor.jsonl"), HasSubstr(agency::kPersonalSealed));
  // On disk and in transit: none of it.
  EXPECT_THAT(package.SerializeAsString(), Not(HasSubstr(kMarker)));
  EXPECT_THAT(FilesContaining(dir_.Sub("data"), kMarker), ::testing::IsEmpty());

  // Opened with the agency's key: the name and the contact points.
  auto opened = agency::OpenPersonalFile(files.at(agency::kPersonalFile),
                                         agency_key.private_pem);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->name(), "Zq7Name Bakkerij de Vries");
  std::vector<std::string> values;
  for (const auto& point : opened->contact_points())
    values.push_back(point.value());
  EXPECT_THAT(values, Contains("+31 6 Zq7Phone"));
  EXPECT_THAT(values, Contains("Zq7Mail@bakkerij.example"));
  EXPECT_THAT(values, Contains("Zq7Street 9, 1011 AB Amsterdam"));
  // With any other key: nothing.
  EXPECT_EQ(agency::OpenPersonalFile(files.at(agency::kPersonalFile),
                                     other_key.private_pem)
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
  // Checked offline without opening it.
  auto key = [this] {
    grpc::ClientContext context;
    v1::PublicKey pem;
    EXPECT_TRUE(
        audit_->GetPublicKey(&context, v1::GetPublicKeyRequest(), &pem).ok());
    return *audit::VerifyingKey::FromPem(pem.pem());
  }();
  const audit::VerificationReport report =
      agency::VerifyPlacementPackage(files, key);
  EXPECT_TRUE(report.ok()) << absl::StrJoin(report.failures, "\n");
  EXPECT_THAT(absl::StrJoin(report.holds, "\n"),
              HasSubstr("personal.sealed.json: sealed to agency"));

  // The record of processing: in the debtor's audit trail, with categories.
  {
    grpc::ClientContext context;
    v1::ReadStreamRequest read;
    read.set_stream_id("case-c-1");
    v1::ReadStreamResponse events;
    ASSERT_TRUE(stream_->ReadStream(&context, read, &events).ok());
    const v1::PersonalDataDisclosed* disclosed = nullptr;
    for (const auto& event : events.events()) {
      if (event.payload().has_personal_data_disclosed())
        disclosed = &event.payload().personal_data_disclosed();
    }
    ASSERT_NE(disclosed, nullptr);
    EXPECT_EQ(disclosed->recipient(), kAgency);
    EXPECT_THAT(disclosed->categories(),
                ::testing::ElementsAre("name", "phone", "email", "postal"));
    EXPECT_THAT(disclosed->basis(), HasSubstr("GDPR art. 6(1)"));
    grpc::ClientContext trail_context;
    v1::ListAuditTrailRequest trail_request;
    trail_request.set_debtor_id("d-1");
    v1::ListAuditTrailResponse trail;
    ASSERT_TRUE(
        audit_->ListAuditTrail(&trail_context, trail_request, &trail).ok());
    std::vector<std::string> types;
    for (const auto& entry : trail.entries())
      types.push_back(entry.event_type());
    EXPECT_THAT(types, Contains("PersonalDataDisclosed"));
  }

  // After erasure the package carries no personal data and says so.
  clock_.Set(Day(2034, 1, 1));
  EXPECT_EQ(Forget().outcome(), v1::ForgetDebtorResponse::OUTCOME_DESTROYED);
  v1::PlacementPackage after;
  grpc::Status refetched = fetch(&after);
  ASSERT_TRUE(refetched.ok()) << refetched.error_message();
  std::map<std::string, std::string> after_files;
  for (const auto& file : after.files())
    after_files[file.name()] = file.content();
  EXPECT_FALSE(after_files.count(agency::kPersonalFile));
  EXPECT_THAT(after_files.at("debtor.jsonl"),
              HasSubstr("erased (GDPR art. 17)"));
  EXPECT_TRUE(agency::VerifyPlacementPackage(after_files, key).ok());
}

}  // namespace
}  // namespace collections
