// One Dutch consumer case driven through the real server over gRPC, from an
// invoice falling due to the agency's final payment, with the balance by
// bucket checked after every step; and the case the server reports equals
// a fold of the events it stored.
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collections/v1/case_commands.grpc.pb.h"
#include "collections/v1/case_queries.grpc.pb.h"
#include "collections/v1/event_stream.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/app/case_queries.h"
#include "services/domain/case_state.h"
#include "services/server/collections_server.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace collections {
namespace {

namespace v1 = ::collections::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::TimeZone Amsterdam() {
  absl::TimeZone zone;
  absl::LoadTimeZone("Europe/Amsterdam", &zone);
  return zone;
}

absl::Time At(int month, int day, int hour = 10) {
  return absl::FromCivil(absl::CivilSecond(2026, month, day, hour, 0, 0),
                         Amsterdam());
}

v1::Money Eur(int64_t minor) {
  v1::Money money;
  money.set_amount_minor(minor);
  money.set_currency("EUR");
  return money;
}

struct Balance {
  int64_t principal, interest, costs;
};

class DutchConsumerCaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Due events are driven below, through ProcessDueEvents.
    server::ServerOptions options =
        testing::TestServerOptions(dir_.Sub("data"));
    options.clock = &clock_;
    auto running = testing::StartTestServer(options);
    ASSERT_TRUE(running.ok()) << running.status();
    server_ = std::move(running->server);
    commands_ = v1::CaseCommands::NewStub(running->channel);
    queries_ = v1::CaseQueries::NewStub(running->channel);
    stream_ = v1::EventStream::NewStub(running->channel);
  }

  template <typename Request>
  Request Command(absl::Time at) {
    Request request;
    request.mutable_context()->set_request_id(absl::StrCat("r", ++step_));
    *request.mutable_context()->mutable_occurred_at() = ToTimestamp(at);
    if constexpr (!std::is_same_v<Request, v1::OpenCaseRequest>) {
      request.set_case_id("c-nl-1");
    }
    return request;
  }

  // Runs a command; returns its status and remembers the last position.
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

  v1::ProcessDueEventsResponse ProcessDue(absl::Time as_of) {
    v1::ProcessDueEventsRequest request;
    *request.mutable_as_of() = ToTimestamp(as_of);
    v1::ProcessDueEventsResponse response;
    grpc::ClientContext context;
    grpc::Status status =
        commands_->ProcessDueEvents(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (response.last_position() > 0) last_position_ = response.last_position();
    return response;
  }

  v1::CaseView Case() {
    v1::GetCaseRequest request;
    request.set_case_id("c-nl-1");
    request.set_min_position(last_position_);
    v1::GetCaseResponse response;
    grpc::ClientContext context;
    grpc::Status status = queries_->GetCase(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.case_();
  }

  v1::CaseStanding Standing(absl::Time as_of) {
    v1::GetCaseStandingRequest request;
    request.set_case_id("c-nl-1");
    *request.mutable_as_of() = ToTimestamp(as_of);
    request.set_min_position(last_position_);
    v1::CaseStanding response;
    grpc::ClientContext context;
    grpc::Status status =
        queries_->GetCaseStanding(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // "allowed", or the rule that blocks `action` at `as_of`.
  std::string Action(absl::Time as_of, const std::string& action) {
    const v1::CaseStanding standing = Standing(as_of);
    for (const auto& availability : standing.actions()) {
      if (availability.action() == action)
        return availability.allowed() ? "allowed" : availability.rule();
    }
    return "absent";
  }

  void ExpectStanding(v1::CaseStage stage, Balance balance) {
    const v1::CaseView view = Case();
    EXPECT_EQ(view.stage(), stage) << v1::CaseStage_Name(view.stage());
    EXPECT_EQ(view.balance().principal().amount_minor(), balance.principal);
    EXPECT_EQ(view.balance().interest().amount_minor(), balance.interest);
    EXPECT_EQ(view.balance().costs().amount_minor(), balance.costs);
    EXPECT_EQ(view.outstanding().amount_minor(),
              balance.principal + balance.interest + balance.costs);
  }

  grpc::Status Letter(v1::LetterLevel level, absl::Time at, int64_t amount) {
    auto request = Command<v1::IssueLetterRequest>(at);
    v1::LetterIssued* letter = request.mutable_letter();
    letter->set_letter_id(absl::StrCat("L", step_));
    letter->set_level(level);
    letter->set_channel(v1::LETTER_CHANNEL_POST);
    letter->set_template_version("2026.1");
    *letter->mutable_amount_stated() = Eur(amount);
    return Run(&v1::CaseCommands::Stub::IssueLetter, request);
  }

  grpc::Status Pay(int64_t amount, absl::Time at) {
    auto request = Command<v1::RecordPaymentRequest>(at);
    v1::PaymentReceived* payment = request.mutable_payment();
    payment->set_payment_id(absl::StrCat("P", step_));
    *payment->mutable_amount() = Eur(amount);
    *payment->mutable_value_date() =
        domain::ToLocalDate(absl::ToCivilDay(at, Amsterdam()));
    payment->set_method(v1::PAYMENT_METHOD_BANK_TRANSFER);
    return Run(&v1::CaseCommands::Stub::RecordPayment, request);
  }

  grpc::Status Call(absl::Time at, v1::CallOutcome outcome) {
    auto request = Command<v1::LogCallsRequest>(at);
    v1::CallLogged* call = request.add_calls();
    call->set_direction(v1::CALL_DIRECTION_OUTBOUND);
    call->set_contact_point_id("phone-1");
    call->set_outcome(outcome);
    call->set_time_zone("Europe/Amsterdam");
    call->set_zone_source(v1::ZONE_SOURCE_DEBTOR_RECORD);
    return Run(&v1::CaseCommands::Stub::LogCalls, request);
  }

  FakeClock clock_{
      absl::FromCivil(absl::CivilDay(2026, 12, 31), absl::UTCTimeZone())};
  testing::TempDir dir_;
  std::unique_ptr<server::CollectionsServer> server_;
  std::unique_ptr<v1::CaseCommands::Stub> commands_;
  std::unique_ptr<v1::CaseQueries::Stub> queries_;
  std::unique_ptr<v1::EventStream::Stub> stream_;
  int step_ = 0;
  uint64_t last_position_ = 0;
};

TEST_F(DutchConsumerCaseTest, FromOverdueInvoiceToAgencyPaymentAndClose) {
  using Stub = v1::CaseCommands::Stub;
  // Opened before the due date: €1,210.00 (VAT €210.00), due Fri 2026-01-30.
  auto open = Command<v1::OpenCaseRequest>(At(1, 20));
  v1::CaseOpened* opened = open.mutable_case_();
  opened->set_case_id("c-nl-1");
  opened->set_debtor_id("d-nl-1");
  opened->set_creditor_id("acme-energy");
  opened->set_debtor_kind(v1::DEBTOR_KIND_CONSUMER);
  opened->set_currency("EUR");
  opened->set_rule_pack("nl-consumer");
  opened->set_jurisdiction("NL");
  v1::ClaimLine* line = opened->add_claim_lines();
  line->set_invoice_number("INV-2026-001");
  *line->mutable_due_date() = domain::ToLocalDate(absl::CivilDay(2026, 1, 30));
  *line->mutable_net() = Eur(100000);
  *line->mutable_vat() = Eur(21000);
  *line->mutable_gross() = Eur(121000);
  line->set_consumer_purchase_price(true);
  ASSERT_TRUE(Run(&Stub::OpenCase, open).ok());
  ExpectStanding(v1::CASE_STAGE_OPEN, {121000, 0, 0});
  EXPECT_EQ(Case().time_zone(), "Europe/Amsterdam");  // the pack's default

  // Invoice overdue: found by the due-time processor, once.
  EXPECT_EQ(ProcessDue(At(1, 31, 9)).events_appended(), 1u);
  EXPECT_EQ(ProcessDue(At(1, 31, 9)).events_appended(), 0u);
  ExpectStanding(v1::CASE_STAGE_OVERDUE, {121000, 0, 0});

  // Call, reminder.
  ASSERT_TRUE(Call(At(2, 2), v1::CALL_OUTCOME_CONVERSATION).ok());
  ASSERT_TRUE(Letter(v1::LETTER_LEVEL_REMINDER, At(2, 3), 121000).ok());
  ExpectStanding(v1::CASE_STAGE_REMINDED, {121000, 0, 0});
  EXPECT_EQ(Case().calls_logged(), 1u);

  // A promise to pay in full by 02-13 (two days' tolerance); it suppresses
  // dunning, and the suppressed letter is on record.
  auto promise = Command<v1::RecordPromiseRequest>(At(2, 4));
  promise.mutable_promise()->set_promise_id("PR1");
  *promise.mutable_promise()->mutable_amount() = Eur(121000);
  *promise.mutable_promise()->mutable_promised_date() =
      domain::ToLocalDate(absl::CivilDay(2026, 2, 13));
  promise.mutable_promise()->set_tolerance_days(2);
  ASSERT_TRUE(Run(&Stub::RecordPromise, promise).ok());
  EXPECT_THAT(Case().holds(), ElementsAre(v1::CASE_HOLD_ACTIVE_PROMISE));
  EXPECT_EQ(Action(At(2, 9), "letter:DUNNING"), "ACTIVE_PROMISE");
  EXPECT_EQ(Action(At(2, 9), "letter:REMINDER"), "allowed");
  EXPECT_EQ(Standing(At(2, 9)).days_past_due(), 10u);  // due 01-30
  grpc::Status suppressed = Letter(v1::LETTER_LEVEL_DUNNING, At(2, 10), 121000);
  EXPECT_EQ(suppressed.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(suppressed.error_message(), HasSubstr("ACTIVE_PROMISE"));

  // Part paid; the promise is broken when its tolerance runs out.
  ASSERT_TRUE(Pay(20000, At(2, 12)).ok());
  ExpectStanding(v1::CASE_STAGE_REMINDED, {101000, 0, 0});
  EXPECT_EQ(ProcessDue(At(2, 16)).events_appended(), 1u);
  EXPECT_TRUE(Case().holds().empty());

  // Dunning letter, then the 14-day letter (sent Wed 02-18, received Fri
  // 02-20, last day Fri 03-06) stating the scale's costs: 15% of €1,010.00.
  ASSERT_TRUE(Letter(v1::LETTER_LEVEL_DUNNING, At(2, 17), 101000).ok());
  ASSERT_TRUE(Letter(v1::LETTER_LEVEL_FOURTEEN_DAY, At(2, 18), 101000).ok());
  ExpectStanding(v1::CASE_STAGE_DUNNED, {101000, 0, 0});

  // Costs: refused on the term's last day, assessed once it has lapsed.
  auto costs = Command<v1::AssessCollectionCostsRequest>(At(3, 6));
  grpc::Status early = Run(&Stub::AssessCollectionCosts, costs);
  EXPECT_EQ(early.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(early.error_message(),
              HasSubstr("NL_BW_6_96_FOURTEEN_DAY_LETTER"));
  EXPECT_EQ(Action(At(3, 6, 20), "assess_costs"),
            "NL_BW_6_96_FOURTEEN_DAY_LETTER");
  EXPECT_EQ(Action(At(3, 7, 9), "assess_costs"), "allowed");
  EXPECT_EQ(ProcessDue(At(3, 7, 12)).events_appended(), 1u);  // term lapsed
  ASSERT_TRUE(Run(&Stub::AssessCollectionCosts,
                  Command<v1::AssessCollectionCostsRequest>(At(3, 9)))
                  .ok());
  ExpectStanding(v1::CASE_STAGE_DUNNED, {101000, 0, 15150});

  // Statutory consumer interest (art. 6:119 BW, 4% since 2026-01-01) from
  // the default date 01-31 on the principal outstanding each day: 12 days
  // on €1,210.00 until the part-payment of 02-12, 25 days on €1,010.00:
  // 12 × 121000 × 400 + 25 × 101000 × 400 = 1,590,800,000 / 3,650,000 =
  // 435.8 → €4.36.
  auto interest = Command<v1::AccrueInterestRequest>(At(3, 9));
  *interest.mutable_up_to() = domain::ToLocalDate(absl::CivilDay(2026, 3, 9));
  ASSERT_TRUE(Run(&Stub::AccrueInterest, interest).ok());
  ExpectStanding(v1::CASE_STAGE_DUNNED, {101000, 436, 15150});

  // A plan over the whole balance (€1,165.86): 4 monthly installments of
  // €291.46, the remainder on the last.
  auto plan = Command<v1::AgreePaymentPlanRequest>(At(3, 10));
  v1::PaymentPlanTerms* terms = plan.mutable_terms();
  terms->set_plan_id("PLAN1");
  terms->set_frequency(v1::PLAN_FREQUENCY_MONTHLY);
  terms->set_installment_count(4);
  *terms->mutable_first_due_date() =
      domain::ToLocalDate(absl::CivilDay(2026, 3, 31));
  terms->set_misses_allowed(1);
  ASSERT_TRUE(Run(&Stub::AgreePaymentPlan, plan).ok());
  v1::CaseView view = Case();
  EXPECT_EQ(view.stage(), v1::CASE_STAGE_ARRANGEMENT);
  ASSERT_EQ(view.installments_size(), 4);
  EXPECT_EQ(view.installments(0).amount().amount_minor(), 29146);
  EXPECT_EQ(view.installments(1).due_date().day(), 30);  // 04-30

  // The first installment: interest first runs on to the value date
  // (22 days × 101000 × 400 = 888,800,000; total 2,479,600,000 → €6.79),
  // then the costs (151.50), the interest (6.79) and €133.17 of principal
  // (art. 6:44 BW).
  ASSERT_TRUE(Pay(29146, At(3, 31)).ok());
  ExpectStanding(v1::CASE_STAGE_ARRANGEMENT, {87683, 0, 0});
  EXPECT_EQ(Case().installments(0).paid().amount_minor(), 29146);
  const v1::CaseStanding in_plan = Standing(At(4, 1));
  EXPECT_EQ(in_plan.next_installment().number(), 2u);
  EXPECT_EQ(in_plan.vat_relief_date().year(), 2027);
  EXPECT_EQ(Action(At(4, 1), "letter:FINAL_NOTICE"), "PLAN_ACTIVE");

  // The work queue shows the second installment once it is due.
  {
    v1::GetWorkQueueRequest queue;
    *queue.mutable_as_of() = ToTimestamp(At(5, 1));
    queue.set_min_position(last_position_);
    v1::GetWorkQueueResponse work;
    grpc::ClientContext context;
    ASSERT_TRUE(queries_->GetWorkQueue(&context, queue, &work).ok());
    ASSERT_EQ(work.items_size(), 1);
    EXPECT_EQ(work.items(0).kind(), v1::WORK_KIND_INSTALLMENT_DUE);
    EXPECT_EQ(work.items(0).reference(), "PLAN1/2");
    EXPECT_EQ(work.items(0).amount().amount_minor(), 29146);
  }

  // The second is missed: the plan defaults and the case is dunned again.
  EXPECT_EQ(ProcessDue(At(5, 1)).events_appended(), 3u);
  ExpectStanding(v1::CASE_STAGE_DUNNED, {87683, 0, 0});
  EXPECT_TRUE(Case().installments(1).missed());

  // Final notice, then the agency (registered under the Wki).
  ASSERT_TRUE(Letter(v1::LETTER_LEVEL_FINAL_NOTICE, At(5, 4), 87683).ok());
  ExpectStanding(v1::CASE_STAGE_FINAL_NOTICE, {87683, 0, 0});
  auto hand = Command<v1::HandToAgencyRequest>(At(5, 20));
  hand.mutable_placement()->set_agency_id("incasso-noord");
  hand.mutable_placement()->set_agency_registration("WKI-2024-0117");
  hand.mutable_placement()->set_placement_type(v1::PLACEMENT_TYPE_CONTINGENCY);
  hand.mutable_placement()->set_commission_basis_points(1500);
  ASSERT_TRUE(Run(&Stub::HandToAgency, hand).ok());
  ExpectStanding(v1::CASE_STAGE_PLACED, {87683, 0, 0});
  EXPECT_THAT(Case().holds(), ElementsAre(v1::CASE_HOLD_PLACED_WITH_AGENCY));
  EXPECT_EQ(Action(At(5, 21), "call"), "PLACED_WITH_AGENCY");
  EXPECT_FALSE(Standing(At(5, 21)).has_next_allowed_contact());
  grpc::Status in_house = Call(At(5, 21), v1::CALL_OUTCOME_NO_ANSWER);
  EXPECT_EQ(in_house.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(in_house.error_message(), HasSubstr("PLACED_WITH_AGENCY"));

  // The agency collects the rest.
  auto paid = Command<v1::RecordAgencyReportRequest>(At(6, 15));
  v1::AgencyPaymentReported* payment = paid.mutable_payment();
  payment->set_agency_id("incasso-noord");
  payment->set_payment_id("AP1");
  *payment->mutable_amount() = Eur(87683);
  *payment->mutable_value_date() =
      domain::ToLocalDate(absl::CivilDay(2026, 6, 15));
  ASSERT_TRUE(Run(&Stub::RecordAgencyReport, paid).ok());
  ExpectStanding(v1::CASE_STAGE_PLACED, {0, 0, 0});

  auto close = Command<v1::CloseCaseRequest>(At(6, 20));
  close.mutable_closure()->set_reason(v1::CLOSURE_REASON_PAID);
  ASSERT_TRUE(Run(&Stub::CloseCase, close).ok());
  view = Case();
  EXPECT_EQ(view.stage(), v1::CASE_STAGE_CLOSED);
  EXPECT_EQ(view.paid().amount_minor(), 20000 + 29146 + 87683);
  EXPECT_EQ(view.costs_assessed().amount_minor(), 15150);
  EXPECT_EQ(view.interest_accrued().amount_minor(), 436 + 243);
  EXPECT_EQ(ProcessDue(At(12, 30)).events_appended(), 0u);  // closed

  // The creditor's portfolio: nothing open; one broken promise, one
  // defaulted plan, the agency recovered all it was given.
  {
    v1::GetPortfolioKpisRequest request;
    request.set_creditor_id("acme-energy");
    *request.mutable_as_of() = ToTimestamp(At(6, 30));
    request.set_min_position(last_position_);
    v1::PortfolioKpis kpis;
    grpc::ClientContext context;
    ASSERT_TRUE(queries_->GetPortfolioKpis(&context, request, &kpis).ok());
    EXPECT_EQ(kpis.open_cases(), 0u);
    EXPECT_EQ(kpis.promises_broken(), 1u);
    EXPECT_EQ(kpis.plan_default_rate_permille(), 1000u);
    ASSERT_EQ(kpis.agencies_size(), 1);
    EXPECT_EQ(kpis.agencies(0).recovered().amount_minor(), 87683);
    EXPECT_EQ(kpis.agencies(0).recovery_rate_permille(), 1000u);
  }

  // The case the server reports is the fold of the events it stored.
  v1::ReadStreamRequest read;
  read.set_stream_id("case-c-nl-1");
  read.set_limit(1000);
  v1::ReadStreamResponse events;
  grpc::ClientContext context;
  ASSERT_TRUE(stream_->ReadStream(&context, read, &events).ok());
  domain::CaseState folded;
  int suppressed_contacts = 0;
  for (const auto& event : events.events()) {
    domain::Evolve(folded, event);
    suppressed_contacts += event.payload().has_contact_suppressed_by_rule();
  }
  EXPECT_EQ(suppressed_contacts, 2);  // the dunning letter and the call

  // The debtor's timeline tells the story in words.
  v1::GetDebtorTimelineRequest timeline;
  timeline.set_debtor_id("d-nl-1");
  timeline.set_page_size(1000);
  timeline.set_min_position(last_position_);
  v1::GetDebtorTimelineResponse entries;
  grpc::ClientContext timeline_context;
  ASSERT_TRUE(
      queries_->GetDebtorTimeline(&timeline_context, timeline, &entries).ok());
  // Filtered: the letters of the case, and what happened in May.
  v1::GetDebtorTimelineRequest letters = timeline;
  letters.set_case_id("c-nl-1");
  letters.add_event_types("LetterIssued");
  v1::GetDebtorTimelineResponse letter_entries;
  grpc::ClientContext letters_context;
  ASSERT_TRUE(
      queries_->GetDebtorTimeline(&letters_context, letters, &letter_entries)
          .ok());
  EXPECT_EQ(letter_entries.entries_size(), 4);  // the suppressed one is not
  v1::GetDebtorTimelineRequest may = timeline;
  *may.mutable_from() = ToTimestamp(At(5, 1, 0));
  *may.mutable_to() = ToTimestamp(At(6, 1, 0));
  v1::GetDebtorTimelineResponse may_entries;
  grpc::ClientContext may_context;
  ASSERT_TRUE(
      queries_->GetDebtorTimeline(&may_context, may, &may_entries).ok());
  for (const auto& entry : may_entries.entries()) {
    EXPECT_GE(entry.occurred_at().seconds(), absl::ToUnixSeconds(At(5, 1, 0)));
    EXPECT_LT(entry.occurred_at().seconds(), absl::ToUnixSeconds(At(6, 1, 0)));
  }
  EXPECT_GE(may_entries.entries_size(), 6);  // miss, default, notice, handoff…

  std::vector<std::string> summaries;
  for (const auto& entry : entries.entries())
    summaries.push_back(entry.summary());
  EXPECT_EQ(entries.entries_size(), events.events_size());
  EXPECT_THAT(summaries, ::testing::IsSupersetOf(
                             {"Promise PR1 broken, short EUR 1010.00",
                              "Collection costs of EUR 151.50 assessed "
                              "(nl-bik-2012) on INV-2026-001 EUR 151.50",
                              "Interest of EUR 4.36 accrued to 2026-03-09 on "
                              "INV-2026-001 EUR 4.36 (art. 6:119 BW)",
                              "Limitation interrupted until 2028-02-12 by "
                              "acknowledgement (P6) on 2026-02-12 for "
                              "INV-2026-001",
                              "Installment 2 due 2026-04-30 missed",
                              "Contact by phone suppressed: PLACED_WITH_AGENCY",
                              "Agency incasso-noord collected EUR 876.83"}));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      app::ToCaseView(folded), view))
      << app::ToCaseView(folded).DebugString() << "\nvs\n"
      << view.DebugString();
}

}  // namespace
}  // namespace collections
