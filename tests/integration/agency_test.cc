// Agency handoff over gRPC on the real server: a case placed with its
// package (verified offline, rebuilt byte for byte), an agency's delivery,
// return files imported whole or refused whole, recall pending and final,
// and an agency that sees only its own cases.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "collections/v1/agency.grpc.pb.h"
#include "collections/v1/audit.grpc.pb.h"
#include "collections/v1/case_commands.grpc.pb.h"
#include "collections/v1/case_queries.grpc.pb.h"
#include "collections/v1/event_stream.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/agency/package_verification.h"
#include "services/audit/ed25519_keys.h"
#include "services/domain/case_state.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace collections {
namespace {

namespace v1 = ::collections::v1;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAgency[] = "incasso-noord";
constexpr char kOtherAgency[] = "incasso-zuid";

absl::Time At(int month, int day) {
  return absl::FromCivil(absl::CivilSecond(2026, month, day, 10, 0, 0),
                         absl::UTCTimeZone());
}

v1::Money Eur(int64_t minor) {
  v1::Money money;
  money.set_amount_minor(minor);
  money.set_currency("EUR");
  return money;
}

// Calls as `role` (x-actor-role); empty: the default service caller.
void As(grpc::ClientContext* context, const std::string& role) {
  if (role.empty()) return;
  context->AddMetadata("x-actor-id", absl::StrCat(role, "-user"));
  context->AddMetadata("x-actor-role", role);
}

std::string AgencyRole(const std::string& agency) {
  return absl::StrCat("agency:", agency);
}

std::map<std::string, std::string> FilesOf(
    const v1::PlacementPackage& package) {
  std::map<std::string, std::string> files;
  for (const auto& file : package.files()) files[file.name()] = file.content();
  return files;
}

// One JSON line of a return file.
std::string Record(const std::string& case_id, const std::string& report) {
  return absl::StrCat(R"({"record":{"case_id":")", case_id,
                      R"(","context":{"occurred_at":"2026-06-01T10:00:00Z"},)",
                      report, "}}\n");
}

std::string ReturnFile(const std::string& agency,
                       const std::vector<std::string>& records,
                       int64_t payments_total, int reversals) {
  std::string file = absl::StrCat(R"({"header":{"agency_id":")", agency,
                                  R"(","file_id":"R-1"}})", "\n");
  for (const auto& record : records) file += record;
  absl::StrAppend(&file, R"({"trailer":{"record_count":)", records.size(),
                  R"(,"payments_total_minor":)", payments_total,
                  R"(,"reversals_count":)", reversals, "}}\n");
  return file;
}

class AgencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto running =
        testing::StartTestServer(testing::TestServerOptions(dir_.Sub("data")));
    ASSERT_TRUE(running.ok()) << running.status();
    server_ = std::move(running->server);
    commands_ = v1::CaseCommands::NewStub(running->channel);
    queries_ = v1::CaseQueries::NewStub(running->channel);
    agency_ = v1::AgencyHandoff::NewStub(running->channel);
    audit_ = v1::Audit::NewStub(running->channel);
    stream_ = v1::EventStream::NewStub(running->channel);
  }

  template <typename Request>
  Request Command(const std::string& case_id, absl::Time at) {
    Request request;
    request.mutable_context()->set_request_id(absl::StrCat("r", ++step_));
    *request.mutable_context()->mutable_occurred_at() = ToTimestamp(at);
    if constexpr (!std::is_same_v<Request, v1::OpenCaseRequest>) {
      request.set_case_id(case_id);
    }
    return request;
  }

  template <typename Request>
  grpc::Status Run(grpc::Status (v1::CaseCommands::Stub::*method)(
                       grpc::ClientContext*, const Request&,
                       v1::CommandResult*),
                   const Request& request, const std::string& role = "") {
    grpc::ClientContext context;
    As(&context, role);
    v1::CommandResult result;
    grpc::Status status = ((*commands_).*method)(&context, request, &result);
    if (status.ok()) last_position_ = result.last_position();
    return status;
  }

  // A business case walked to its final notice: €1,000.00 principal and
  // €150.00 costs (the scale, art. 6:96 lid 4 BW: 15% of €1,000.00).
  void OpenToFinalNotice(const std::string& case_id) {
    auto open = Command<v1::OpenCaseRequest>(case_id, At(1, 5));
    v1::CaseOpened* opened = open.mutable_case_();
    opened->set_case_id(case_id);
    opened->set_debtor_id(absl::StrCat("d-", case_id));
    opened->set_creditor_id("acme-energy");
    opened->set_debtor_kind(v1::DEBTOR_KIND_BUSINESS);
    opened->set_currency("EUR");
    opened->set_rule_pack("nl-business");
    opened->set_jurisdiction("NL");
    v1::ClaimLine* line = opened->add_claim_lines();
    line->set_invoice_number(absl::StrCat("INV-", case_id));
    *line->mutable_due_date() =
        domain::ToLocalDate(absl::CivilDay(2026, 1, 10));
    *line->mutable_net() = Eur(82645);
    *line->mutable_vat() = Eur(17355);
    *line->mutable_gross() = Eur(100000);
    ASSERT_TRUE(Run(&v1::CaseCommands::Stub::OpenCase, open).ok());
    // Overdue, by the due-time processor.
    v1::ProcessDueEventsRequest due;
    *due.mutable_as_of() = ToTimestamp(At(1, 12));
    due.set_case_id(case_id);
    v1::ProcessDueEventsResponse processed;
    grpc::ClientContext context;
    ASSERT_TRUE(commands_->ProcessDueEvents(&context, due, &processed).ok());
    if (processed.last_position() > 0)
      last_position_ = processed.last_position();
    int month = 2;
    for (v1::LetterLevel level :
         {v1::LETTER_LEVEL_REMINDER, v1::LETTER_LEVEL_DUNNING,
          v1::LETTER_LEVEL_FINAL_NOTICE}) {
      auto request = Command<v1::IssueLetterRequest>(case_id, At(month++, 2));
      v1::LetterIssued* letter = request.mutable_letter();
      letter->set_letter_id(absl::StrCat("L", step_));
      letter->set_level(level);
      letter->set_channel(v1::LETTER_CHANNEL_POST);
      letter->set_template_version("2026.1");
      letter->set_document_sha256(std::string(32, static_cast<char>(step_)));
      *letter->mutable_amount_stated() = Eur(100000);
      grpc::Status status = Run(&v1::CaseCommands::Stub::IssueLetter, request);
      ASSERT_TRUE(status.ok()) << status.error_message();
    }
    // The recovery costs a business debtor owes by the scale.
    grpc::Status costs =
        Run(&v1::CaseCommands::Stub::AssessCollectionCosts,
            Command<v1::AssessCollectionCostsRequest>(case_id, At(4, 20)));
    ASSERT_TRUE(costs.ok()) << costs.error_message();
  }

  v1::HandToAgencyRequest Placement(const std::string& case_id,
                                    const std::string& agency) {
    auto hand = Command<v1::HandToAgencyRequest>(case_id, At(5, 10));
    hand.mutable_placement()->set_agency_id(agency);
    hand.mutable_placement()->set_agency_registration("WKI-2024-0117");
    hand.mutable_placement()->set_placement_type(
        v1::PLACEMENT_TYPE_CONTINGENCY);
    hand.mutable_placement()->set_commission_basis_points(1500);
    return hand;
  }

  v1::PlaceWithAgencyResponse Place(const std::string& case_id,
                                    const std::string& agency) {
    grpc::ClientContext context;
    v1::PlaceWithAgencyResponse response;
    grpc::Status status = agency_->PlaceWithAgency(
        &context, Placement(case_id, agency), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    last_position_ = response.result().last_position();
    return response;
  }

  grpc::Status Package(const std::string& case_id, v1::PlacementPackage* out,
                       const std::string& role = "",
                       const std::string& package_id = "") {
    grpc::ClientContext context;
    As(&context, role);
    v1::GetPlacementPackageRequest request;
    request.set_case_id(case_id);
    request.set_package_id(package_id);
    return agency_->GetPlacementPackage(&context, request, out);
  }

  grpc::Status GetCase(const std::string& case_id, v1::CaseView* out,
                       const std::string& role = "") {
    grpc::ClientContext context;
    As(&context, role);
    v1::GetCaseRequest request;
    request.set_case_id(case_id);
    request.set_min_position(last_position_);
    v1::GetCaseResponse response;
    grpc::Status status = queries_->GetCase(&context, request, &response);
    *out = response.case_();
    return status;
  }

  v1::CaseView Case(const std::string& case_id) {
    v1::CaseView view;
    grpc::Status status = GetCase(case_id, &view);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return view;
  }

  grpc::Status Import(const std::string& content,
                      v1::ImportReturnFileResponse* out,
                      const std::string& role = AgencyRole(kAgency)) {
    grpc::ClientContext context;
    As(&context, role);
    v1::ImportReturnFileRequest request;
    request.set_file_name("returns.jsonl");
    request.set_content(content);
    grpc::Status status = agency_->ImportReturnFile(&context, request, out);
    if (status.ok() && out->last_position() > 0)
      last_position_ = out->last_position();
    return status;
  }

  std::vector<v1::DeliveryPart> Delivery(const std::string& agency,
                                         uint64_t since, uint64_t through,
                                         grpc::Status* status,
                                         const std::string& role = "") {
    grpc::ClientContext context;
    As(&context, role);
    v1::ExportDeliveryRequest request;
    request.set_agency_id(agency);
    request.set_since_position(since);
    request.set_through_position(through);
    auto reader = agency_->ExportDelivery(&context, request);
    std::vector<v1::DeliveryPart> parts;
    v1::DeliveryPart part;
    while (reader->Read(&part)) parts.push_back(part);
    *status = reader->Finish();
    return parts;
  }

  audit::VerifyingKey Key() {
    grpc::ClientContext context;
    As(&context, AgencyRole(kAgency));  // agencies may fetch the key
    v1::PublicKey key;
    EXPECT_TRUE(
        audit_->GetPublicKey(&context, v1::GetPublicKeyRequest(), &key).ok());
    auto verifying = audit::VerifyingKey::FromPem(key.pem());
    EXPECT_TRUE(verifying.ok()) << verifying.status();
    return *std::move(verifying);
  }

  testing::TempDir dir_;
  std::unique_ptr<server::CollectionsServer> server_;
  std::unique_ptr<v1::CaseCommands::Stub> commands_;
  std::unique_ptr<v1::CaseQueries::Stub> queries_;
  std::unique_ptr<v1::AgencyHandoff::Stub> agency_;
  std::unique_ptr<v1::Audit::Stub> audit_;
  std::unique_ptr<v1::EventStream::Stub> stream_;
  int step_ = 0;
  uint64_t last_position_ = 0;
};

TEST_F(AgencyTest, PackageVerifiesOfflineAndRebuildsByteForByte) {
  OpenToFinalNotice("c-1");
  const v1::PlaceWithAgencyResponse placed = Place("c-1", kAgency);
  EXPECT_EQ(placed.package_id(), "PKG-c-1-1");
  EXPECT_EQ(placed.manifest_sha256_hex().size(), 64u);
  EXPECT_GT(placed.package_tree_size(), 0u);
  const v1::CaseView view = Case("c-1");
  EXPECT_EQ(view.stage(), v1::CASE_STAGE_PLACED);
  EXPECT_EQ(view.agency_id(), kAgency);

  v1::PlacementPackage package, again;
  ASSERT_TRUE(Package("c-1", &package).ok());
  EXPECT_EQ(package.manifest_sha256_hex(), placed.manifest_sha256_hex());
  EXPECT_EQ(package.balance().total_minor(), 100000 + 15000);
  // Later events on the case do not change the placement's package.
  auto update = Command<v1::RecordAgencyReportRequest>("c-1", At(5, 20));
  update.mutable_update()->set_agency_id(kAgency);
  update.mutable_update()->set_status("TRACING");
  ASSERT_TRUE(Run(&v1::CaseCommands::Stub::RecordAgencyReport, update).ok());
  ASSERT_TRUE(Package("c-1", &again).ok());
  EXPECT_EQ(again.SerializeAsString(), package.SerializeAsString());

  const std::map<std::string, std::string> files = FilesOf(package);
  for (const char* name :
       {"manifest.json", "debtor.jsonl", "claim_lines.csv", "balance.csv",
        "history.jsonl", "history.csv", "letters.csv", "documents.csv",
        "evidence_bundle.binpb"}) {
    EXPECT_TRUE(files.count(name)) << name;
  }
  EXPECT_THAT(files.at("manifest.json"), HasSubstr(placed.package_id()));
  EXPECT_THAT(files.at("documents.csv"), HasSubstr("letter,L2,"));
  EXPECT_THAT(files.at("letters.csv"), HasSubstr("FINAL_NOTICE"));
  EXPECT_THAT(files.at("balance.csv"), HasSubstr("costs,15000,EUR"));

  const audit::VerifyingKey key = Key();
  const audit::VerificationReport report =
      agency::VerifyPlacementPackage(files, key);
  EXPECT_TRUE(report.ok()) << report.failures.front();

  // Any change to a file is found, by name.
  std::map<std::string, std::string> tampered = files;
  tampered["balance.csv"] =
      absl::StrReplaceAll(files.at("balance.csv"), {{"15000", "1500"}});
  const audit::VerificationReport refused =
      agency::VerifyPlacementPackage(tampered, key);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.failures.front(), HasSubstr("balance.csv"));
}

TEST_F(AgencyTest, DeliveryCarriesPlacementsRecallsAndPaymentNotices) {
  OpenToFinalNotice("c-1");
  OpenToFinalNotice("c-2");
  const uint64_t before = last_position_;
  Place("c-1", kAgency);
  Place("c-2", kOtherAgency);
  // The debtor pays the creditor directly: the agency must hear of it.
  auto pay = Command<v1::RecordPaymentRequest>("c-1", At(5, 25));
  pay.mutable_payment()->set_payment_id("P-direct");
  *pay.mutable_payment()->mutable_amount() = Eur(30000);
  *pay.mutable_payment()->mutable_value_date() =
      domain::ToLocalDate(absl::CivilDay(2026, 5, 25));
  pay.mutable_payment()->set_method(v1::PAYMENT_METHOD_BANK_TRANSFER);
  grpc::Status paid = Run(&v1::CaseCommands::Stub::RecordPayment, pay);
  ASSERT_TRUE(paid.ok()) << paid.error_message();
  auto recall = Command<v1::RecallFromAgencyRequest>("c-1", At(6, 1));
  recall.mutable_recall()->set_agency_id(kAgency);
  recall.mutable_recall()->set_reason("debtor in payment talks in-house");
  ASSERT_TRUE(Run(&v1::CaseCommands::Stub::RecallFromAgency, recall).ok());

  grpc::Status status;
  const std::vector<v1::DeliveryPart> parts =
      Delivery(kAgency, before, last_position_, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(parts.size(), 5u);  // header, placement, payment, recall, trailer
  EXPECT_EQ(parts[0].header().since_position(), before);
  EXPECT_EQ(parts[1].placement().package().case_id(), "c-1");
  EXPECT_EQ(parts[2].payment_notice().payment_id(), "P-direct");
  EXPECT_EQ(parts[2].payment_notice().amount().amount_minor(), 30000);
  EXPECT_EQ(parts[3].recall().case_id(), "c-1");
  EXPECT_FALSE(parts[3].recall().final());
  const v1::DeliveryTrailer& trailer = parts[4].trailer();
  EXPECT_EQ(trailer.placements(), 1u);
  EXPECT_EQ(trailer.payment_notices(), 1u);
  EXPECT_EQ(trailer.recalls(), 1u);
  EXPECT_EQ(trailer.records(), 3u);
  ASSERT_EQ(trailer.payment_total_size(), 1);
  EXPECT_EQ(trailer.payment_total(0).amount_minor(), 30000);
  ASSERT_EQ(trailer.placed_balance_size(), 1);
  EXPECT_EQ(trailer.placed_balance(0).amount_minor(), 115000);
  EXPECT_EQ(trailer.through_position(), last_position_);

  // The same range twice: the same delivery, byte for byte.
  const std::vector<v1::DeliveryPart> twice =
      Delivery(kAgency, before, last_position_, &status);
  ASSERT_EQ(twice.size(), parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    EXPECT_EQ(twice[i].SerializeAsString(), parts[i].SerializeAsString());
  }
  // The other agency's delivery holds only its own placement.
  const std::vector<v1::DeliveryPart> other =
      Delivery(kOtherAgency, before, last_position_, &status);
  ASSERT_EQ(other.size(), 3u);
  EXPECT_EQ(other[1].placement().package().case_id(), "c-2");

  Delivery(kAgency, 0, last_position_ + 100, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::OUT_OF_RANGE);
}

TEST_F(AgencyTest, ReturnFileIsAppliedWholeOrRefusedWhole) {
  OpenToFinalNotice("c-1");
  OpenToFinalNotice("c-2");
  Place("c-1", kAgency);
  Place("c-2", kAgency);
  const uint64_t version_1 = Case("c-1").version();
  const uint64_t version_2 = Case("c-2").version();

  const std::string ack_1 = Record(
      "c-1",
      R"("acknowledged":{"agency_id":"incasso-noord","package_id":"PKG-c-1-1",)"
      R"("balance_acknowledged":{"amount_minor":"115000","currency":"EUR"}})");
  // The agency says 1,030.00 where the case holds 1,150.00: flagged.
  const std::string ack_2 = Record(
      "c-2",
      R"("acknowledged":{"agency_id":"incasso-noord","package_id":"PKG-c-2-1",)"
      R"("balance_acknowledged":{"amount_minor":"103000","currency":"EUR"}})");
  // €500.00 on c-1, the agency's own split: €150.00 costs, €350.00
  // principal.
  const std::string pay_1 = Record(
      "c-1",
      R"("payment":{"agency_id":"incasso-noord","payment_id":"AP-1",)"
      R"("amount":{"amount_minor":"50000","currency":"EUR"},)"
      R"("value_date":{"year":2026,"month":5,"day":30},)"
      R"("allocation":{"costs":{"amount_minor":"15000","currency":"EUR"},)"
      R"("principal":{"amount_minor":"35000","currency":"EUR"}}})");
  const std::string pay_2 = Record(
      "c-2", R"("payment":{"agency_id":"incasso-noord","payment_id":"AP-2",)"
             R"("amount":{"amount_minor":"20000","currency":"EUR"},)"
             R"("value_date":{"year":2026,"month":5,"day":30}})");
  const std::string reverse_2 = Record(
      "c-2",
      R"("payment_reversed":{"agency_id":"incasso-noord","payment_id":"AP-2",)"
      R"("reason":"direct debit returned"})");
  const std::string file = ReturnFile(
      kAgency, {ack_1, ack_2, pay_1, pay_2, reverse_2}, 50000 + 20000, 1);

  v1::ImportReturnFileResponse response;
  // A short file (cut before its trailer) and a tampered one (an amount
  // changed, the trailer not): refused whole, naming the line.
  const std::string short_file = file.substr(0, file.rfind("{\"trailer\""));
  grpc::Status status = Import(short_file, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("trailer is missing"));
  const std::string tampered = absl::StrReplaceAll(
      file, {{R"("amount_minor":"20000")", R"("amount_minor":"2000")"}});
  status = Import(tampered, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("line 7"));
  EXPECT_THAT(status.error_message(), HasSubstr("payments add up to 52000"));
  // A record no rule allows (a reversal of an unknown payment) on line 3:
  // the valid records before it are not applied either.
  const std::string refused_file = ReturnFile(
      kAgency,
      {ack_1,
       Record("c-1", R"("payment_reversed":{"agency_id":"incasso-noord",)"
                     R"("payment_id":"AP-404","reason":"chargeback"})")},
      0, 1);
  status = Import(refused_file, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), HasSubstr("line 3 (case c-1)"));
  EXPECT_THAT(status.error_message(), HasSubstr("nothing applied"));
  // Another agency's file, or another agency importing this one.
  status = Import(file, &response, AgencyRole(kOtherAgency));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Case("c-1").version(), version_1);
  EXPECT_EQ(Case("c-2").version(), version_2);

  status = Import(file, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.already_imported());
  EXPECT_EQ(response.records(), 5u);
  EXPECT_EQ(response.cases(), 2u);
  ASSERT_EQ(response.reconciliation_flags_size(), 1);
  EXPECT_THAT(response.reconciliation_flags(0), HasSubstr("case c-2"));

  v1::CaseView one = Case("c-1");
  EXPECT_EQ(one.balance().costs().amount_minor(), 0);
  EXPECT_EQ(one.balance().principal().amount_minor(), 100000 - 35000);
  EXPECT_FALSE(one.reconciliation_required());
  v1::CaseView two = Case("c-2");
  EXPECT_EQ(two.outstanding().amount_minor(), 115000);  // paid, reversed
  EXPECT_TRUE(two.reconciliation_required());
  EXPECT_EQ(two.agency_balance().amount_minor(), 103000);

  // The same file again changes nothing.
  const uint64_t applied_1 = one.version();
  status = Import(file, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(response.already_imported());
  EXPECT_EQ(Case("c-1").version(), applied_1);

  // Close-and-return in a second file: back in-house at the stage it left.
  const std::string returned =
      ReturnFile(kAgency,
                 {Record("c-1", R"("returned":{"agency_id":"incasso-noord",)"
                                R"("reason":"debtor untraceable"})")},
                 0, 0);
  status = Import(returned, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  one = Case("c-1");
  EXPECT_EQ(one.stage(), v1::CASE_STAGE_FINAL_NOTICE);
  EXPECT_TRUE(one.agency_id().empty());

  // The debtor's timeline tells the story in words.
  v1::GetDebtorTimelineRequest timeline;
  timeline.set_debtor_id("d-c-1");
  timeline.set_min_position(last_position_);
  v1::GetDebtorTimelineResponse page;
  grpc::ClientContext context;
  ASSERT_TRUE(queries_->GetDebtorTimeline(&context, timeline, &page).ok());
  std::string summaries;
  for (const auto& entry : page.entries())
    absl::StrAppend(&summaries, entry.summary(), "\n");
  EXPECT_THAT(summaries, HasSubstr("acknowledged a balance of EUR 1150.00"));
  EXPECT_THAT(summaries, HasSubstr("collected EUR 500.00"));
  EXPECT_THAT(summaries, HasSubstr("Returned by agency incasso-noord"));
}

TEST_F(AgencyTest, RecallPendingThenFinalBringsTheCaseBackInHouse) {
  OpenToFinalNotice("c-1");
  Place("c-1", kAgency);
  auto call = Command<v1::LogCallsRequest>("c-1", At(6, 2));
  v1::CallLogged* logged = call.add_calls();
  logged->set_direction(v1::CALL_DIRECTION_OUTBOUND);
  logged->set_contact_point_id("phone-1");
  logged->set_outcome(v1::CALL_OUTCOME_NO_ANSWER);
  logged->set_time_zone("Europe/Amsterdam");
  logged->set_zone_source(v1::ZONE_SOURCE_DEBTOR_RECORD);
  grpc::Status refused = Run(&v1::CaseCommands::Stub::LogCalls, call);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  auto recall = Command<v1::RecallFromAgencyRequest>("c-1", At(6, 1));
  recall.mutable_recall()->set_agency_id(kAgency);
  recall.mutable_recall()->set_reason("creditor takes it back");
  ASSERT_TRUE(Run(&v1::CaseCommands::Stub::RecallFromAgency, recall).ok());
  EXPECT_TRUE(Case("c-1").recall_pending());
  // The agency objects (as itself), and the recall is no longer pending.
  auto objection = Command<v1::RecordAgencyReportRequest>("c-1", At(6, 1));
  objection.mutable_recall_objected()->set_agency_id(kAgency);
  objection.mutable_recall_objected()->set_reason("payment plan agreed");
  ASSERT_TRUE(Run(&v1::CaseCommands::Stub::RecordAgencyReport, objection,
                  AgencyRole(kAgency))
                  .ok());
  EXPECT_FALSE(Case("c-1").recall_pending());
  EXPECT_EQ(Case("c-1").stage(), v1::CASE_STAGE_PLACED);

  auto final_recall = Command<v1::RecallFromAgencyRequest>("c-1", At(6, 2));
  final_recall.mutable_recall()->set_agency_id(kAgency);
  final_recall.mutable_recall()->set_reason("contract ended");
  final_recall.mutable_recall()->set_final(true);
  ASSERT_TRUE(
      Run(&v1::CaseCommands::Stub::RecallFromAgency, final_recall).ok());
  const v1::CaseView view = Case("c-1");
  EXPECT_EQ(view.stage(), v1::CASE_STAGE_FINAL_NOTICE);
  EXPECT_TRUE(view.agency_id().empty());
  EXPECT_TRUE(view.holds().empty());
  // In-house contact is allowed again.
  call.mutable_context()->set_request_id("call-after-recall");
  grpc::Status called = Run(&v1::CaseCommands::Stub::LogCalls, call);
  EXPECT_TRUE(called.ok()) << called.error_message();

  // Placed with a second agency: its package carries none of the first
  // agency's placement, terms, objection or recalls (issue 25), and still
  // verifies offline, the first agency's events withheld by leaf hash.
  Place("c-1", kOtherAgency);
  v1::PlacementPackage second;
  ASSERT_TRUE(Package("c-1", &second, AgencyRole(kOtherAgency)).ok());
  const std::map<std::string, std::string> files = FilesOf(second);
  for (const char* name :
       {"history.jsonl", "history.csv", "evidence_bundle.binpb"}) {
    EXPECT_THAT(files.at(name), Not(HasSubstr(kAgency))) << name << "\n"
                                                         << files.at(name);
  }
  EXPECT_THAT(files.at("manifest.json"), HasSubstr(kOtherAgency));
  const audit::VerificationReport report =
      agency::VerifyPlacementPackage(files, Key());
  EXPECT_TRUE(report.ok()) << report.failures.front();
  EXPECT_THAT(absl::StrJoin(report.holds, "\n"), HasSubstr("withheld"));
}

TEST_F(AgencyTest, AnAgencySeesOnlyItsOwnCases) {
  OpenToFinalNotice("c-1");
  OpenToFinalNotice("c-2");
  OpenToFinalNotice("c-3");  // never placed
  Place("c-1", kAgency);
  Place("c-2", kOtherAgency);
  const std::string mine = AgencyRole(kAgency);

  v1::CaseView view;
  EXPECT_TRUE(GetCase("c-1", &view, mine).ok());
  EXPECT_EQ(view.agency_id(), kAgency);
  for (const char* other : {"c-2", "c-3", "c-404"}) {
    const grpc::Status status = GetCase(other, &view, mine);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << other;
  }
  v1::PlacementPackage package;
  EXPECT_TRUE(Package("c-1", &package, mine).ok());
  EXPECT_EQ(Package("c-2", &package, mine).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status status;
  Delivery(kOtherAgency, 0, 0, &status, mine);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  Delivery(kAgency, 0, 0, &status, mine);
  EXPECT_TRUE(status.ok()) << status.error_message();

  // Reports only on its own cases, as itself.
  auto update = Command<v1::RecordAgencyReportRequest>("c-2", At(6, 1));
  update.mutable_update()->set_agency_id(kOtherAgency);
  update.mutable_update()->set_status("TRACING");
  EXPECT_EQ(Run(&v1::CaseCommands::Stub::RecordAgencyReport, update, mine)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  update.set_case_id("c-1");
  EXPECT_EQ(Run(&v1::CaseCommands::Stub::RecordAgencyReport, update, mine)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);  // posing as the other
  update.mutable_update()->set_agency_id(kAgency);
  EXPECT_TRUE(
      Run(&v1::CaseCommands::Stub::RecordAgencyReport, update, mine).ok());

  // No creditor acts, no portfolio-wide or log reads.
  auto pay = Command<v1::RecordPaymentRequest>("c-1", At(6, 2));
  EXPECT_EQ(Run(&v1::CaseCommands::Stub::RecordPayment, pay, mine).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Unary call `method` of `stub` with `request`, as `role`: its code.
  auto code_as = [](const std::string& role, auto& stub, auto method,
                    const auto& request, auto response) {
    grpc::ClientContext context;
    As(&context, role);
    return ((*stub).*method)(&context, request, &response).error_code();
  };
  v1::ReadStreamRequest read;
  read.set_stream_id("case-c-2");
  v1::GetEvidenceBundleRequest bundle;
  bundle.set_case_id("c-2");
  EXPECT_EQ(code_as(mine, queries_, &v1::CaseQueries::Stub::ListCases,
                    v1::ListCasesRequest(), v1::ListCasesResponse()),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(code_as(mine, stream_, &v1::EventStream::Stub::ReadStream, read,
                    v1::ReadStreamResponse()),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(code_as(mine, audit_, &v1::Audit::Stub::GetEvidenceBundle, bundle,
                    v1::EvidenceBundle()),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(code_as(mine, agency_, &v1::AgencyHandoff::Stub::PlaceWithAgency,
                    Placement("c-3", kAgency), v1::PlaceWithAgencyResponse()),
            grpc::StatusCode::PERMISSION_DENIED);
}

// Issue 25: an agency learns nothing of cases it does not hold — not from a
// return file, not from an earlier placement's package.
TEST_F(AgencyTest, AnAgencyLearnsNothingOfCasesItDoesNotHold) {
  OpenToFinalNotice("c-1");
  OpenToFinalNotice("c-2");
  Place("c-1", kOtherAgency);  // package PKG-c-1-1, the other agency's terms
  auto recall = Command<v1::RecallFromAgencyRequest>("c-1", At(6, 1));
  recall.mutable_recall()->set_agency_id(kOtherAgency);
  recall.mutable_recall()->set_reason("contract ended");
  recall.mutable_recall()->set_final(true);
  ASSERT_TRUE(Run(&v1::CaseCommands::Stub::RecallFromAgency, recall).ok());
  Place("c-1", kAgency);  // PKG-c-1-2
  Place("c-2", kOtherAgency);
  const std::string mine = AgencyRole(kAgency);

  v1::PlacementPackage package;
  EXPECT_TRUE(Package("c-1", &package, mine).ok());
  EXPECT_EQ(package.package_id(), "PKG-c-1-2");
  // The earlier package was built for the other agency; a package that does
  // not exist is refused the same way.
  for (const char* id : {"PKG-c-1-1", "PKG-c-1-9"}) {
    const grpc::Status status = Package("c-1", &package, mine, id);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << id;
    EXPECT_THAT(status.error_message(), Not(HasSubstr(kOtherAgency))) << id;
  }

  // A return file naming another agency's case, or a case that does not
  // exist, gets one answer that names neither the case's agency nor its
  // existence.
  v1::ImportReturnFileResponse response;
  for (const char* case_id : {"c-2", "c-404"}) {
    const std::string file = ReturnFile(
        kAgency,
        {Record(
            case_id,
            R"("update":{"agency_id":"incasso-noord","status":"TRACING"})")},
        0, 0);
    const grpc::Status status = Import(file, &response, mine);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << case_id;
    EXPECT_THAT(status.error_message(),
                HasSubstr(absl::StrCat(
                    "case ", case_id, " is not placed with agency ", kAgency)));
    EXPECT_THAT(status.error_message(), Not(HasSubstr(kOtherAgency)));
  }
}

}  // namespace
}  // namespace collections
