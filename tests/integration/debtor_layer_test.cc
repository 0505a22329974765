// The debtor layer through the real server over gRPC (issue 24): facts
// recorded once on the debtor (DebtorCommands) bind every case of that
// debtor — a cease blocks calls on all of them (Reg F 12 CFR 1006.6(c)),
// named in each case's standing with the debtor event; the notices
// 1006.6(c)(1) permits still go out; an insolvency stays them all; the
// debtor's segment picks the treatment path that sets each case's next
// best action in the work queue, and the KPIs split by it; candidate time
// zones each bind the 08:00-21:00 window (1006.6(b)(1)); a consent
// recorded on the debtor lifts the frequency limit only (1006.14(b)(3)).
#include <memory>
#include <string>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "collections/v1/case_commands.grpc.pb.h"
#include "collections/v1/case_queries.grpc.pb.h"
#include "collections/v1/debtor.grpc.pb.h"
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
using DebtorStub = v1::DebtorCommands::Stub;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

using ::collections::testing::Amsterdam;
using ::collections::testing::Money;
using ::collections::testing::NewYork;

class DebtorLayerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server::ServerOptions options =
        testing::TestServerOptions(dir_.Sub("data"));
    options.clock = &clock_;
    auto running = testing::StartTestServer(options);
    ASSERT_TRUE(running.ok()) << running.status();
    server_ = std::move(running->server);
    commands_ = v1::CaseCommands::NewStub(running->channel);
    debtors_ = v1::DebtorCommands::NewStub(running->channel);
    queries_ = v1::CaseQueries::NewStub(running->channel);
  }

  v1::CommandContext Context(absl::Time at) {
    v1::CommandContext context;
    context.set_request_id(absl::StrCat("r", ++step_));
    *context.mutable_occurred_at() = ToTimestamp(at);
    return context;
  }

  template <typename Request>
  Request Command(const std::string& case_id, absl::Time at) {
    Request request;
    *request.mutable_context() = Context(at);
    if constexpr (!std::is_same_v<Request, v1::OpenCaseRequest>) {
      request.set_case_id(case_id);
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
    grpc::Status status = ((*commands_).*method)(&context, request, &result);
    if (status.ok()) last_position_ = result.last_position();
    return status;
  }

  template <typename Request>
  grpc::Status OnDebtor(
      grpc::Status (DebtorStub::*method)(grpc::ClientContext*, const Request&,
                                         v1::DebtorCommandResult*),
      const Request& request, v1::DebtorCommandResult* result = nullptr) {
    grpc::ClientContext context;
    v1::DebtorCommandResult answered;
    grpc::Status status = ((*debtors_).*method)(&context, request, &answered);
    if (status.ok()) last_position_ = answered.last_position();
    if (result != nullptr) *result = answered;
    return status;
  }

  // A US consumer case under Regulation F, due 2026-01-31 (long overdue).
  void OpenRegF(const std::string& case_id, const std::string& debtor_id) {
    auto open = Command<v1::OpenCaseRequest>(case_id, NewYork(2, 2, 9));
    v1::CaseOpened* opened = open.mutable_case_();
    opened->set_case_id(case_id);
    opened->set_debtor_id(debtor_id);
    opened->set_creditor_id("acme-us");
    opened->set_debtor_kind(v1::DEBTOR_KIND_CONSUMER);
    opened->set_currency("USD");
    opened->set_rule_pack("us-regf");
    opened->set_jurisdiction("US");
    opened->set_time_zone("America/New_York");
    v1::ClaimLine* line = opened->add_claim_lines();
    line->set_invoice_number(absl::StrCat("INV-", case_id));
    *line->mutable_due_date() =
        domain::ToLocalDate(absl::CivilDay(2026, 1, 31));
    *line->mutable_gross() = Money(50000, "USD");
    ASSERT_TRUE(Run(&Stub::OpenCase, open).ok());
  }

  // A Dutch consumer case due 2026-03-31, €1,210.00 of which €210.00 VAT.
  void OpenDutch(const std::string& case_id, const std::string& debtor_id) {
    auto open = Command<v1::OpenCaseRequest>(case_id, Amsterdam(3, 1));
    v1::CaseOpened* opened = open.mutable_case_();
    opened->set_case_id(case_id);
    opened->set_debtor_id(debtor_id);
    opened->set_creditor_id("acme-nl");
    opened->set_debtor_kind(v1::DEBTOR_KIND_CONSUMER);
    opened->set_currency("EUR");
    opened->set_rule_pack("nl-consumer");
    opened->set_jurisdiction("NL");
    opened->set_time_zone("Europe/Amsterdam");
    v1::ClaimLine* line = opened->add_claim_lines();
    line->set_invoice_number(absl::StrCat("INV-", case_id));
    *line->mutable_due_date() =
        domain::ToLocalDate(absl::CivilDay(2026, 3, 31));
    *line->mutable_gross() = Money(121000, "EUR");
    *line->mutable_vat() = Money(21000, "EUR");
    ASSERT_TRUE(Run(&Stub::OpenCase, open).ok());
  }

  grpc::Status Call(const std::string& case_id, absl::Time at,
                    std::vector<std::string> candidate_zones = {}) {
    auto request = Command<v1::LogCallsRequest>(case_id, at);
    v1::CallLogged* call = request.add_calls();
    call->set_direction(v1::CALL_DIRECTION_OUTBOUND);
    call->set_contact_point_id("phone-1");
    call->set_outcome(v1::CALL_OUTCOME_NO_ANSWER);
    call->set_time_zone("America/New_York");
    call->set_zone_source(v1::ZONE_SOURCE_DEBTOR_RECORD);
    *call->mutable_placed_at() = ToTimestamp(at);
    for (auto& zone : candidate_zones) call->add_candidate_time_zones(zone);
    return Run(&Stub::LogCalls, request);
  }

  grpc::Status Letter(const std::string& case_id, v1::LetterLevel level,
                      const std::string& letter_id, absl::Time at,
                      int64_t amount, const char* currency) {
    auto request = Command<v1::IssueLetterRequest>(case_id, at);
    v1::LetterIssued* letter = request.mutable_letter();
    letter->set_letter_id(letter_id);
    letter->set_level(level);
    letter->set_channel(v1::LETTER_CHANNEL_POST);
    letter->set_template_version("t1");
    *letter->mutable_amount_stated() = Money(amount, currency);
    return Run(&Stub::IssueLetter, request);
  }

  // Runs the due-time processor as of `as_of` (stages move to overdue).
  void ProcessDue(absl::Time as_of) {
    v1::ProcessDueEventsRequest due;
    *due.mutable_as_of() = ToTimestamp(as_of);
    v1::ProcessDueEventsResponse processed;
    grpc::ClientContext context;
    ASSERT_TRUE(commands_->ProcessDueEvents(&context, due, &processed).ok());
    if (processed.last_position() > last_position_)
      last_position_ = processed.last_position();
  }

  grpc::Status Segment(const std::string& debtor_id, const std::string& name,
                       absl::Time at) {
    v1::AssignSegmentRequest request;
    *request.mutable_context() = Context(at);
    request.set_debtor_id(debtor_id);
    request.mutable_segment()->set_segment(name);
    request.mutable_segment()->set_model_version("scorecard-2026.11");
    return OnDebtor(&DebtorStub::AssignSegment, request);
  }

  v1::CaseStanding Standing(const std::string& case_id, absl::Time as_of) {
    v1::GetCaseStandingRequest request;
    request.set_case_id(case_id);
    *request.mutable_as_of() = ToTimestamp(as_of);
    request.set_min_position(last_position_);
    v1::CaseStanding standing;
    grpc::ClientContext context;
    EXPECT_TRUE(queries_->GetCaseStanding(&context, request, &standing).ok());
    return standing;
  }

  // The case's next-best-action item in the work queue as of `as_of`.
  v1::WorkItem NextBestAction(const std::string& case_id, absl::Time as_of) {
    v1::GetWorkQueueRequest request;
    *request.mutable_as_of() = ToTimestamp(as_of);
    request.add_kinds(v1::WORK_KIND_NEXT_BEST_ACTION);
    request.set_min_position(last_position_);
    v1::GetWorkQueueResponse queue;
    grpc::ClientContext context;
    EXPECT_TRUE(queries_->GetWorkQueue(&context, request, &queue).ok());
    for (const v1::WorkItem& item : queue.items())
      if (item.case_id() == case_id) return item;
    return v1::WorkItem{};
  }

  FakeClock clock_{
      absl::FromCivil(absl::CivilDay(2026, 12, 31), absl::UTCTimeZone())};
  testing::TempDir dir_;
  std::unique_ptr<server::CollectionsServer> server_;
  std::unique_ptr<Stub> commands_;
  std::unique_ptr<DebtorStub> debtors_;
  std::unique_ptr<v1::CaseQueries::Stub> queries_;
  uint64_t last_position_ = 0;
  int step_ = 0;
};

TEST_F(DebtorLayerTest,
       RegF_1006_6_c_ACeaseRecordedOnceOnTheDebtorBlocksCallsOnAllItsCases) {
  OpenRegF("c1", "d1");
  OpenRegF("c2", "d1");
  ProcessDue(NewYork(2, 3, 9));
  ASSERT_TRUE(Call("c1", NewYork(3, 2, 10)).ok());
  ASSERT_TRUE(Call("c2", NewYork(3, 2, 11)).ok());

  // The debtor writes: stop contacting me. Recorded once, on the debtor.
  v1::RestrictCommunicationRequest cease;
  *cease.mutable_context() = Context(NewYork(3, 3, 9));
  cease.mutable_context()->set_request_id("cease-letter");
  cease.set_debtor_id("d1");
  cease.mutable_restriction()->set_scope("all");
  cease.mutable_restriction()->set_reason("letter of 2026-03-02");
  cease.mutable_restriction()->set_in_writing(true);
  ASSERT_TRUE(OnDebtor(&DebtorStub::RestrictCommunication, cease).ok());

  for (const char* case_id : {"c1", "c2"}) {
    SCOPED_TRACE(case_id);
    grpc::Status call = Call(case_id, NewYork(3, 4, 10));
    EXPECT_EQ(call.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_THAT(call.error_message(), HasSubstr("REG_F_1006_6_C_CEASE"));
    EXPECT_THAT(call.error_message(), HasSubstr("cease-letter/0"));
    // Each case's standing names the rule and the debtor event.
    const v1::CaseStanding standing = Standing(case_id, NewYork(3, 4, 12));
    ASSERT_GE(standing.debtor_bindings_size(), 1);
    EXPECT_EQ(standing.debtor_bindings(0).rule(), "REG_F_1006_6_C_CEASE");
    EXPECT_EQ(standing.debtor_bindings(0).fact().event_id(), "cease-letter/0");
    EXPECT_TRUE(standing.debtor_bindings(0).fact().in_writing());
    EXPECT_THAT(standing.case_().holds(),
                ::testing::Contains(v1::CASE_HOLD_CEASE_COMMUNICATION));
    EXPECT_EQ(standing.actions(0).action(), "call");
    EXPECT_EQ(standing.actions(0).rule(), "REG_F_1006_6_C_CEASE");
    EXPECT_EQ(standing.next_best_action().action(),
              "send_termination_or_remedy_notice");
  }
  // After a written cease only the permitted notices go out (1006.6(c)(1)).
  grpc::Status dunning = Letter("c1", v1::LETTER_LEVEL_DUNNING, "L1",
                                NewYork(3, 5, 10), 50000, "USD");
  EXPECT_THAT(dunning.error_message(), HasSubstr("REG_F_1006_6_C_CEASE"));
  EXPECT_TRUE(Letter("c1", v1::LETTER_LEVEL_TERMINATION_NOTICE, "L2",
                     NewYork(3, 5, 10), 50000, "USD")
                  .ok());
  EXPECT_TRUE(Letter("c2", v1::LETTER_LEVEL_REMEDY_NOTICE, "L3",
                     NewYork(3, 5, 10), 50000, "USD")
                  .ok());

  // GetDebtor shows the restriction and both cases.
  v1::GetDebtorRequest get;
  get.set_debtor_id("d1");
  get.set_min_position(last_position_);
  v1::DebtorProfile profile;
  grpc::ClientContext context;
  ASSERT_TRUE(debtors_->GetDebtor(&context, get, &profile).ok());
  EXPECT_THAT(profile.case_ids(), UnorderedElementsAre("c1", "c2"));
  ASSERT_EQ(profile.restrictions_size(), 1);
  EXPECT_EQ(profile.restrictions(0).kind(), "all");

  // The debtor's timeline shows the cease as a fact on the debtor.
  v1::GetDebtorTimelineRequest timeline;
  timeline.set_debtor_id("d1");
  timeline.set_min_position(last_position_);
  timeline.add_event_types("CommunicationRestricted");
  v1::GetDebtorTimelineResponse entries;
  grpc::ClientContext timeline_context;
  ASSERT_TRUE(
      queries_->GetDebtorTimeline(&timeline_context, timeline, &entries).ok());
  ASSERT_EQ(entries.entries_size(), 1);
  EXPECT_EQ(entries.entries(0).case_id(), "");
  EXPECT_EQ(entries.entries(0).summary(),
            "Communication restricted (all, in writing)");

  // Lifted, calls are allowed again on both.
  v1::LiftCommunicationRestrictionRequest lift;
  *lift.mutable_context() = Context(NewYork(3, 9, 9));
  lift.set_debtor_id("d1");
  lift.mutable_lift()->set_scope("all");
  ASSERT_TRUE(OnDebtor(&DebtorStub::LiftCommunicationRestriction, lift).ok());
  EXPECT_TRUE(Call("c1", NewYork(3, 9, 10)).ok());
  EXPECT_TRUE(Call("c2", NewYork(3, 9, 11)).ok());
}

TEST_F(DebtorLayerTest, InsolvencyAndChannelRestrictionsBindEveryCase) {
  OpenRegF("c1", "d2");
  OpenRegF("c2", "d2");
  ProcessDue(NewYork(2, 3, 9));
  // No calls: e-mail and post still go.
  v1::RestrictCommunicationRequest phone;
  *phone.mutable_context() = Context(NewYork(3, 2, 9));
  phone.set_debtor_id("d2");
  phone.mutable_restriction()->set_scope("phone");
  ASSERT_TRUE(OnDebtor(&DebtorStub::RestrictCommunication, phone).ok());
  grpc::Status call = Call("c2", NewYork(3, 2, 10));
  EXPECT_THAT(call.error_message(), HasSubstr("DEBTOR_CHANNEL_RESTRICTED"));
  EXPECT_TRUE(Letter("c2", v1::LETTER_LEVEL_VALIDATION_NOTICE, "V1",
                     NewYork(3, 2, 10), 50000, "USD")
                  .ok());

  v1::NoticeInsolvencyRequest insolvency;
  *insolvency.mutable_context() = Context(NewYork(3, 3, 9));
  insolvency.mutable_context()->set_request_id("ch7");
  insolvency.set_debtor_id("d2");
  insolvency.mutable_insolvency()->set_kind("chapter7");
  insolvency.mutable_insolvency()->set_reference("Bankr. S.D.N.Y. 26-10234");
  *insolvency.mutable_insolvency()->mutable_since() =
      domain::ToLocalDate(absl::CivilDay(2026, 3, 1));
  ASSERT_TRUE(OnDebtor(&DebtorStub::NoticeInsolvency, insolvency).ok());
  for (const char* case_id : {"c1", "c2"}) {
    SCOPED_TRACE(case_id);
    grpc::Status letter = Letter(case_id, v1::LETTER_LEVEL_REMINDER, "L-ins",
                                 NewYork(3, 4, 10), 50000, "USD");
    EXPECT_THAT(letter.error_message(), HasSubstr("INSOLVENCY_STAY"));
    EXPECT_THAT(letter.error_message(), HasSubstr("ch7/0"));
    const v1::CaseStanding standing = Standing(case_id, NewYork(3, 4, 12));
    EXPECT_THAT(standing.case_().holds(),
                ::testing::Contains(v1::CASE_HOLD_INSOLVENCY));
    EXPECT_EQ(standing.next_best_action().action(),
              "file_claim_with_administrator");
  }
}

TEST_F(DebtorLayerTest, ASegmentChangesTheNextBestActionInTheWorkQueue) {
  OpenDutch("c1", "d3");
  OpenDutch("c2", "d4");
  // Both overdue from 1 April (the due-time processor moves the stage).
  ProcessDue(Amsterdam(4, 2));
  // No segment: the ladder's next step, a reminder.
  v1::WorkItem before = NextBestAction("c1", Amsterdam(4, 3));
  EXPECT_EQ(before.action(), "letter:REMINDER");
  EXPECT_EQ(before.treatment_path(), "default:ladder");

  // Can pay but won't: no courtesy reminder; the 14-day letter at once.
  ASSERT_TRUE(Segment("d3", "can_pay_wont", Amsterdam(4, 3)).ok());
  v1::WorkItem fast = NextBestAction("c1", Amsterdam(4, 4));
  EXPECT_EQ(fast.action(), "letter:FOURTEEN_DAY");
  EXPECT_EQ(fast.treatment_path(), "can_pay_wont:fast-escalation");
  EXPECT_EQ(fast.segment(), "can_pay_wont");
  EXPECT_THAT(fast.description(), HasSubstr("can pay but won't"));
  // The other debtor's case is untouched.
  EXPECT_EQ(NextBestAction("c2", Amsterdam(4, 4)).action(), "letter:REMINDER");

  // Wants to but can't: a payment plan, and escalation on hardship hold.
  ASSERT_TRUE(Segment("d4", "wants_cant", Amsterdam(4, 4)).ok());
  EXPECT_EQ(NextBestAction("c2", Amsterdam(4, 5)).action(),
            "offer_payment_plan");
  const v1::CaseStanding held = Standing("c2", Amsterdam(4, 5));
  EXPECT_EQ(held.case_().segment(), "wants_cant");
  EXPECT_EQ(held.case_().treatment_path(), "wants_cant:plan-and-hardship");

  // Neither: stop and write off.
  ASSERT_TRUE(Segment("d3", "neither", Amsterdam(4, 6)).ok());
  v1::WorkItem stop = NextBestAction("c1", Amsterdam(4, 7));
  EXPECT_EQ(stop.action(), "write_off");
  EXPECT_EQ(stop.treatment_path(), "neither:stop-and-write-off");

  // KPIs split by segment.
  v1::GetPortfolioKpisRequest kpis_request;
  kpis_request.set_creditor_id("acme-nl");
  *kpis_request.mutable_as_of() = ToTimestamp(Amsterdam(4, 7));
  kpis_request.set_min_position(last_position_);
  v1::PortfolioKpis kpis;
  grpc::ClientContext context;
  ASSERT_TRUE(queries_->GetPortfolioKpis(&context, kpis_request, &kpis).ok());
  ASSERT_EQ(kpis.by_segment_size(), 2);
  EXPECT_EQ(kpis.by_segment(0).segment(), "neither");
  EXPECT_EQ(kpis.by_segment(0).open_cases(), 1u);
  EXPECT_EQ(kpis.by_segment(0).outstanding().amount_minor(), 121000);
  EXPECT_EQ(kpis.by_segment(1).segment(), "wants_cant");
}

TEST_F(DebtorLayerTest, WantsButCantHoldsTheFinalNoticeAndTheAgency) {
  OpenDutch("c1", "d5");
  ProcessDue(Amsterdam(4, 2));
  ASSERT_TRUE(Letter("c1", v1::LETTER_LEVEL_REMINDER, "L1", Amsterdam(4, 2),
                     121000, "EUR")
                  .ok());
  ASSERT_TRUE(Letter("c1", v1::LETTER_LEVEL_DUNNING, "L2", Amsterdam(4, 20),
                     121000, "EUR")
                  .ok());
  ASSERT_TRUE(Segment("d5", "wants_cant", Amsterdam(4, 21)).ok());
  grpc::Status final_notice = Letter("c1", v1::LETTER_LEVEL_FINAL_NOTICE, "L3",
                                     Amsterdam(5, 10), 121000, "EUR");
  EXPECT_EQ(final_notice.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(final_notice.error_message(),
              HasSubstr("TREATMENT_HARDSHIP_HOLD"));
  // Overridable with a reason.
  auto overridden = Command<v1::IssueLetterRequest>("c1", Amsterdam(5, 11));
  v1::RuleOverride* by = overridden.mutable_context()->add_overrides();
  by->set_rule("TREATMENT_HARDSHIP_HOLD");
  by->set_reason("plan offered twice, refused");
  v1::LetterIssued* letter = overridden.mutable_letter();
  letter->set_letter_id("L4");
  letter->set_level(v1::LETTER_LEVEL_FINAL_NOTICE);
  letter->set_channel(v1::LETTER_CHANNEL_POST);
  letter->set_template_version("t1");
  *letter->mutable_amount_stated() = Money(121000, "EUR");
  EXPECT_TRUE(Run(&Stub::IssueLetter, overridden).ok());
}

TEST_F(DebtorLayerTest, RegF_1006_6_b_1_TheWindowHoldsInEveryCandidateZone) {
  OpenRegF("c1", "d6");
  // 08:30 in New York is 05:30 in Los Angeles: inconvenient there.
  grpc::Status west = Call("c1", NewYork(3, 2, 8, 30), {"America/Los_Angeles"});
  EXPECT_EQ(west.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(west.error_message(), HasSubstr("REG_F_1006_6_B1"));
  EXPECT_THAT(west.error_message(), HasSubstr("America/Los_Angeles"));
  // 11:30 in New York is 08:30 in Los Angeles: inside both windows.
  EXPECT_TRUE(Call("c1", NewYork(3, 2, 11, 30), {"America/Los_Angeles"}).ok());
  grpc::Status bad = Call("c1", NewYork(3, 2, 12), {"Mars/Olympus"});
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // The zone recorded on the debtor binds every call too.
  v1::RegisterDebtorRequest registered;
  *registered.mutable_context() = Context(NewYork(3, 3, 9));
  registered.mutable_debtor()->set_debtor_id("d6");
  registered.mutable_debtor()->set_kind(v1::DEBTOR_KIND_CONSUMER);
  registered.mutable_debtor()->set_jurisdiction("US-CA");
  registered.mutable_debtor()->set_time_zone("America/Los_Angeles");
  ASSERT_TRUE(OnDebtor(&DebtorStub::RegisterDebtor, registered).ok());
  grpc::Status early = Call("c1", NewYork(3, 4, 9));  // 06:00 in LA
  EXPECT_THAT(early.error_message(), HasSubstr("REG_F_1006_6_B1"));
}

TEST_F(DebtorLayerTest, RegF_1006_14_b_3_ConsentOnTheDebtorLiftsTheFrequency) {
  OpenRegF("c1", "d7");
  for (int day = 2; day <= 8; ++day)
    ASSERT_TRUE(Call("c1", NewYork(3, day, 10)).ok()) << day;
  EXPECT_THAT(Call("c1", NewYork(3, 8, 15)).error_message(),
              HasSubstr("REG_F_1006_14_B2_I"));
  v1::RecordConsentRequest consent;
  *consent.mutable_context() = Context(NewYork(3, 8, 16));
  consent.set_debtor_id("d7");
  *consent.mutable_consent()->mutable_given_at() =
      ToTimestamp(NewYork(3, 8, 16));
  *consent.mutable_consent()->mutable_until() = ToTimestamp(NewYork(3, 10, 16));
  ASSERT_TRUE(OnDebtor(&DebtorStub::RecordConsent, consent).ok());
  EXPECT_TRUE(Call("c1", NewYork(3, 8, 17)).ok());
  // Never the window.
  EXPECT_THAT(Call("c1", NewYork(3, 9, 7)).error_message(),
              HasSubstr("REG_F_1006_6_B1"));
  // At most 7 days.
  *consent.mutable_context() = Context(NewYork(3, 9, 16));
  *consent.mutable_consent()->mutable_until() = ToTimestamp(NewYork(3, 16, 17));
  EXPECT_EQ(OnDebtor(&DebtorStub::RecordConsent, consent).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(DebtorLayerTest, DebtorCommandsAnswerBadInputWithAClearStatus) {
  v1::RegisterDebtorRequest registered;
  *registered.mutable_context() = Context(NewYork(3, 3, 9));
  registered.mutable_context()->set_request_id("reg-1");
  registered.mutable_debtor()->set_debtor_id("d8");
  registered.mutable_debtor()->set_kind(v1::DEBTOR_KIND_CONSUMER);
  v1::DebtorCommandResult first;
  ASSERT_TRUE(OnDebtor(&DebtorStub::RegisterDebtor, registered, &first).ok());
  EXPECT_EQ(first.debtor_version(), 1u);
  // A retry is answered with the first result.
  v1::DebtorCommandResult retried;
  ASSERT_TRUE(OnDebtor(&DebtorStub::RegisterDebtor, registered, &retried).ok());
  EXPECT_TRUE(retried.already_applied());
  EXPECT_EQ(retried.last_position(), first.last_position());
  // A second registration is not.
  registered.mutable_context()->set_request_id("reg-2");
  EXPECT_EQ(OnDebtor(&DebtorStub::RegisterDebtor, registered).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);

  v1::RestrictCommunicationRequest restrict;
  *restrict.mutable_context() = Context(NewYork(3, 4, 9));
  restrict.set_debtor_id("d8");
  restrict.mutable_restriction()->set_scope("pigeon");
  grpc::Status scope = OnDebtor(&DebtorStub::RestrictCommunication, restrict);
  EXPECT_EQ(scope.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(scope.error_message(), HasSubstr("restriction.scope"));
  restrict.mutable_restriction()->set_scope("email");
  restrict.mutable_context()->set_expected_version(0);  // stale: it is at 1
  EXPECT_EQ(OnDebtor(&DebtorStub::RestrictCommunication, restrict).error_code(),
            grpc::StatusCode::ABORTED);

  v1::LiftCommunicationRestrictionRequest lift;
  *lift.mutable_context() = Context(NewYork(3, 4, 9));
  lift.set_debtor_id("d8");
  lift.mutable_lift()->set_scope("phone");
  grpc::Status lifted =
      OnDebtor(&DebtorStub::LiftCommunicationRestriction, lift);
  EXPECT_EQ(lifted.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(lifted.error_message(), HasSubstr("DEBTOR_RESTRICTION_STATE"));

  v1::InvalidateContactPointRequest invalid;
  *invalid.mutable_context() = Context(NewYork(3, 4, 9));
  invalid.set_debtor_id("d8");
  invalid.mutable_invalidation()->set_contact_point_id("phone-9");
  EXPECT_EQ(OnDebtor(&DebtorStub::InvalidateContactPoint, invalid).error_code(),
            grpc::StatusCode::NOT_FOUND);

  v1::GetDebtorRequest unknown;
  unknown.set_debtor_id("nobody");
  v1::DebtorProfile profile;
  grpc::ClientContext context;
  EXPECT_EQ(queries_->GetDebtor(&context, unknown, &profile).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(DebtorLayerTest,
       RegF_1006_26_b_NoFinalNoticeOnADebtTimeBarredInItsState) {
  // New York: 3 years for consumer credit (CPLR 214-i). Due 30 Jun 2022,
  // time-barred from 1 Jul 2025.
  auto open = Command<v1::OpenCaseRequest>("ny1", NewYork(6, 1, 9));
  v1::CaseOpened* opened = open.mutable_case_();
  opened->set_case_id("ny1");
  opened->set_debtor_id("d9");
  opened->set_creditor_id("acme-us");
  opened->set_debtor_kind(v1::DEBTOR_KIND_CONSUMER);
  opened->set_currency("USD");
  opened->set_rule_pack("us-regf");
  opened->set_jurisdiction("US-NY");
  opened->set_time_zone("America/New_York");
  v1::ClaimLine* line = opened->add_claim_lines();
  line->set_invoice_number("INV-2022");
  *line->mutable_due_date() = domain::ToLocalDate(absl::CivilDay(2022, 6, 30));
  *line->mutable_gross() = Money(80000, "USD");
  ASSERT_TRUE(Run(&Stub::OpenCase, open).ok());
  ASSERT_TRUE(Letter("ny1", v1::LETTER_LEVEL_VALIDATION_NOTICE, "V",
                     NewYork(6, 1, 10), 80000, "USD")
                  .ok());
  ASSERT_TRUE(Letter("ny1", v1::LETTER_LEVEL_REMINDER, "R", NewYork(6, 2, 10),
                     80000, "USD")
                  .ok());
  ASSERT_TRUE(Letter("ny1", v1::LETTER_LEVEL_DUNNING, "D", NewYork(6, 3, 10),
                     80000, "USD")
                  .ok());
  grpc::Status final_notice = Letter("ny1", v1::LETTER_LEVEL_FINAL_NOTICE, "F",
                                     NewYork(6, 4, 10), 80000, "USD");
  EXPECT_EQ(final_notice.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(final_notice.error_message(), HasSubstr("TIME_BARRED"));
  EXPECT_THAT(final_notice.error_message(), HasSubstr("2025-07-01"));

  // A state the table does not list is refused, not guessed.
  auto unknown = Command<v1::OpenCaseRequest>("zz1", NewYork(6, 1, 9));
  *unknown.mutable_case_() = *opened;
  unknown.mutable_case_()->set_case_id("zz1");
  unknown.mutable_case_()->set_jurisdiction("US-ZZ");
  grpc::Status refused = Run(&Stub::OpenCase, unknown);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr("US_STATE_LIMITATION_TABLE"));
}

}  // namespace
}  // namespace collections
