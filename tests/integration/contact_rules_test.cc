// Contact rules through the real server over gRPC (issue 24): Regulation F
// counts calls placed, excludes only calls that never connected, lets
// consent lift the frequency limit but never the 08:00-21:00 window, and
// applies that window to e-mail; a Dutch pre-due reminder is accepted
// while the invoice is not yet due. Each test names its rule.
#include <memory>
#include <string>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "collections/v1/case_commands.grpc.pb.h"
#include "collections/v1/case_queries.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/domain/case_state.h"
#include "services/server/collections_server.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/requests.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace collections {
namespace {

namespace v1 = ::collections::v1;
using Stub = v1::CaseCommands::Stub;
using ::testing::HasSubstr;

using ::collections::testing::Amsterdam;
using ::collections::testing::Money;
using ::collections::testing::NewYork;

class ContactRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server::ServerOptions options =
        testing::TestServerOptions(dir_.Sub("data"));
    options.clock = &clock_;
    auto running = testing::StartTestServer(options);
    ASSERT_TRUE(running.ok()) << running.status();
    server_ = std::move(running->server);
    commands_ = v1::CaseCommands::NewStub(running->channel);
  }

  template <typename Request>
  Request Command(absl::Time at) {
    Request request;
    request.mutable_context()->set_request_id(absl::StrCat("r", ++step_));
    *request.mutable_context()->mutable_occurred_at() = ToTimestamp(at);
    if constexpr (!std::is_same_v<Request, v1::OpenCaseRequest>) {
      request.set_case_id("c1");
    }
    return request;
  }

  template <typename Request>
  grpc::Status Run(grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                const Request&,
                                                v1::CommandResult*),
                   const Request& request) {
    grpc::ClientContext context;
    v1::CommandResult result;
    return ((*commands_).*method)(&context, request, &result);
  }

  // A US consumer case under Regulation F, due 2026-01-31 (long overdue).
  void OpenRegF() {
    auto open = Command<v1::OpenCaseRequest>(NewYork(2, 2, 9));
    v1::CaseOpened* opened = open.mutable_case_();
    opened->set_case_id("c1");
    opened->set_debtor_id("d1");
    opened->set_creditor_id("acme-us");
    opened->set_debtor_kind(v1::DEBTOR_KIND_CONSUMER);
    opened->set_currency("USD");
    opened->set_rule_pack("us-regf");
    opened->set_jurisdiction("US");
    opened->set_time_zone("America/New_York");
    v1::ClaimLine* line = opened->add_claim_lines();
    line->set_invoice_number("INV-1");
    *line->mutable_due_date() =
        domain::ToLocalDate(absl::CivilDay(2026, 1, 31));
    *line->mutable_gross() = Money(50000, "USD");
    ASSERT_TRUE(Run(&Stub::OpenCase, open).ok());
  }

  grpc::Status Call(absl::Time at, v1::CallOutcome outcome,
                    absl::Time consent_given = absl::InfinitePast()) {
    auto request = Command<v1::LogCallsRequest>(at);
    v1::CallLogged* call = request.add_calls();
    call->set_direction(v1::CALL_DIRECTION_OUTBOUND);
    call->set_contact_point_id("phone-1");
    call->set_outcome(outcome);
    call->set_time_zone("America/New_York");
    call->set_zone_source(v1::ZONE_SOURCE_DEBTOR_RECORD);
    *call->mutable_placed_at() = ToTimestamp(at);
    if (consent_given != absl::InfinitePast()) {
      *call->mutable_consent_given_at() = ToTimestamp(consent_given);
      *call->mutable_consent_until() =
          ToTimestamp(consent_given + absl::Hours(24 * 7));
    }
    return Run(&Stub::LogCalls, request);
  }

  FakeClock clock_{
      absl::FromCivil(absl::CivilDay(2026, 12, 31), absl::UTCTimeZone())};
  testing::TempDir dir_;
  std::unique_ptr<server::CollectionsServer> server_;
  std::unique_ptr<Stub> commands_;
  int step_ = 0;
};

TEST_F(ContactRulesTest, RegF_1006_14_b_2_i_TheEighthPlacedCallIsRefused) {
  // Seven calls that rang unanswered, one a day from Mon 2 Mar: each was
  // placed, so each counts. The eighth within those seven days is refused.
  OpenRegF();
  for (int day = 2; day <= 8; ++day) {
    grpc::Status placed = Call(NewYork(3, day, 10), v1::CALL_OUTCOME_NO_ANSWER);
    ASSERT_TRUE(placed.ok()) << day << ": " << placed.error_message();
  }
  grpc::Status eighth = Call(NewYork(3, 8, 15), v1::CALL_OUTCOME_NO_ANSWER);
  EXPECT_EQ(eighth.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(eighth.error_message(), HasSubstr("REG_F_1006_14_B2_I"));
  // Voicemail counts as much: still refused.
  grpc::Status voicemail = Call(NewYork(3, 8, 16), v1::CALL_OUTCOME_VOICEMAIL);
  EXPECT_EQ(voicemail.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(ContactRulesTest, RegF_1006_14_b_3_CallsThatNeverConnectAreNotCounted) {
  // Six unanswered calls and three busy signals: six counted, so a seventh
  // placed call is allowed; an eighth is not.
  OpenRegF();
  for (int day = 2; day <= 7; ++day)
    ASSERT_TRUE(Call(NewYork(3, day, 10), v1::CALL_OUTCOME_NO_ANSWER).ok());
  ASSERT_TRUE(Call(NewYork(3, 7, 11), v1::CALL_OUTCOME_BUSY).ok());
  ASSERT_TRUE(Call(NewYork(3, 7, 12), v1::CALL_OUTCOME_NOT_IN_SERVICE).ok());
  ASSERT_TRUE(Call(NewYork(3, 7, 13), v1::CALL_OUTCOME_NETWORK_FAILURE).ok());
  grpc::Status seventh = Call(NewYork(3, 8, 10), v1::CALL_OUTCOME_NO_ANSWER);
  EXPECT_TRUE(seventh.ok()) << seventh.error_message();
  grpc::Status eighth = Call(NewYork(3, 8, 11), v1::CALL_OUTCOME_NO_ANSWER);
  EXPECT_EQ(eighth.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(ContactRulesTest, RegF_1006_6_b_1_ConsentLiftsTheLimitNotTheWindow) {
  // Seven calls placed; the person then consents (directly, on 8 Mar) to
  // more calls: a call at 10:00 goes through, one at 07:00 does not.
  OpenRegF();
  for (int day = 2; day <= 8; ++day)
    ASSERT_TRUE(Call(NewYork(3, day, 10), v1::CALL_OUTCOME_NO_ANSWER).ok());
  const absl::Time consent = NewYork(3, 8, 12);
  grpc::Status early =
      Call(NewYork(3, 9, 7), v1::CALL_OUTCOME_NO_ANSWER, consent);
  EXPECT_EQ(early.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(early.error_message(), HasSubstr("REG_F_1006_6_B1"));
  grpc::Status in_hours =
      Call(NewYork(3, 9, 10), v1::CALL_OUTCOME_NO_ANSWER, consent);
  EXPECT_TRUE(in_hours.ok()) << in_hours.error_message();
  // Consent lasts at most 7 days.
  auto longer = Command<v1::LogCallsRequest>(NewYork(3, 9, 11));
  v1::CallLogged* call = longer.add_calls();
  call->set_direction(v1::CALL_DIRECTION_OUTBOUND);
  call->set_contact_point_id("phone-1");
  call->set_outcome(v1::CALL_OUTCOME_NO_ANSWER);
  call->set_time_zone("America/New_York");
  call->set_zone_source(v1::ZONE_SOURCE_DEBTOR_RECORD);
  *call->mutable_consent_given_at() = ToTimestamp(consent);
  *call->mutable_consent_until() = ToTimestamp(consent + absl::Hours(24 * 8));
  grpc::Status refused = Run(&Stub::LogCalls, longer);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(), HasSubstr("at most 7 days"))
      << refused.error_message();
}

TEST_F(ContactRulesTest, RegF_1006_6_b_1_AnEmailAt22LocalIsRefused) {
  OpenRegF();
  auto letter = [&](absl::Time at, const std::string& id) {
    auto request = Command<v1::IssueLetterRequest>(at);
    request.mutable_letter()->set_letter_id(id);
    request.mutable_letter()->set_level(v1::LETTER_LEVEL_VALIDATION_NOTICE);
    request.mutable_letter()->set_channel(v1::LETTER_CHANNEL_EMAIL);
    request.mutable_letter()->set_template_version("2026.1");
    *request.mutable_letter()->mutable_amount_stated() = Money(50000, "USD");
    return Run(&Stub::IssueLetter, request);
  };
  grpc::Status late = letter(NewYork(3, 2, 22), "E1");
  EXPECT_EQ(late.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(late.error_message(), HasSubstr("REG_F_1006_6_B1"));
  EXPECT_THAT(late.error_message(), HasSubstr("22:00"));
  grpc::Status in_hours = letter(NewYork(3, 3, 9), "E2");
  EXPECT_TRUE(in_hours.ok()) << in_hours.error_message();
}

TEST_F(ContactRulesTest, APreDueReminderIsAcceptedWhileTheInvoiceIsNotDue) {
  // A Dutch consumer invoice due Tue 31 Mar 2026; a friendly reminder a
  // week before is accepted, a collection reminder is not.
  auto open = Command<v1::OpenCaseRequest>(Amsterdam(3, 2));
  v1::CaseOpened* opened = open.mutable_case_();
  opened->set_case_id("c1");
  opened->set_debtor_id("d1");
  opened->set_creditor_id("acme");
  opened->set_debtor_kind(v1::DEBTOR_KIND_CONSUMER);
  opened->set_currency("EUR");
  opened->set_rule_pack("nl-consumer");
  opened->set_jurisdiction("NL");
  v1::ClaimLine* line = opened->add_claim_lines();
  line->set_invoice_number("INV-1");
  *line->mutable_due_date() = domain::ToLocalDate(absl::CivilDay(2026, 3, 31));
  *line->mutable_gross() = Money(12100, "EUR");
  ASSERT_TRUE(Run(&Stub::OpenCase, open).ok());
  auto letter = [&](v1::LetterLevel level, const std::string& id,
                    absl::Time at) {
    auto request = Command<v1::IssueLetterRequest>(at);
    request.mutable_letter()->set_letter_id(id);
    request.mutable_letter()->set_level(level);
    request.mutable_letter()->set_channel(v1::LETTER_CHANNEL_EMAIL);
    request.mutable_letter()->set_template_version("2026.1");
    *request.mutable_letter()->mutable_amount_stated() = Money(12100, "EUR");
    return Run(&Stub::IssueLetter, request);
  };
  grpc::Status pre_due =
      letter(v1::LETTER_LEVEL_PRE_DUE_REMINDER, "L1", Amsterdam(3, 24));
  EXPECT_TRUE(pre_due.ok()) << pre_due.error_message();
  grpc::Status reminder =
      letter(v1::LETTER_LEVEL_REMINDER, "L2", Amsterdam(3, 24));
  EXPECT_EQ(reminder.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(reminder.error_message(), HasSubstr("NOT_OVERDUE"));
}

}  // namespace
}  // namespace collections
