// Decide against folded state: each rule refuses what it must (naming the
// rule), lets through what it may, and the decided events fold into the
// state the next command is judged by.
#include "services/domain/case_decisions.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/domain/due_events.h"
#include "services/domain/rule_packs.h"
#include "tests/services/domain/case_under_test.h"
#include "tests/testing/status_matchers.h"

namespace collections::domain {
namespace {

namespace v1 = ::collections::v1;
using ::collections::testing::StatusIs;
using fixtures::CaseUnderTest;
using fixtures::Eur;
using fixtures::HasPayload;
using fixtures::Local;
using ::testing::HasSubstr;

TEST(DecideOpenCaseTest, AnOverdueInvoiceOpensTheCaseOverdue) {
  CaseUnderTest c;
  EXPECT_EQ(c.state_.stage, CaseStage::kOverdue);
  EXPECT_EQ(c.last_.events.size(), 2u);
  EXPECT_EQ(c.state_.time_zone, "Europe/Amsterdam");
  // A consumer purchase price is time-barred after two years.
  EXPECT_EQ(c.state_.invoices[0].limitation_deadline,
            absl::CivilDay(2028, 1, 31));
}

TEST(DecideOpenCaseTest, UnknownPackMismatchedKindAndBadZoneAreInvalid) {
  v1::CaseOpened opened;
  opened.set_rule_pack("fr-consumer");
  opened.set_debtor_kind(v1::DEBTOR_KIND_CONSUMER);
  const CommandInput in = CaseUnderTest::In(Local(absl::CivilDay(2026, 2, 9)));
  EXPECT_THAT(DecideOpenCase(opened, in).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("nl-business, nl-consumer, none, us-regf")));
  opened.set_rule_pack("nl-business");
  EXPECT_THAT(DecideOpenCase(opened, in).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("is for DEBTOR_KIND_BUSINESS debtors")));
  opened.set_rule_pack("none");
  opened.set_time_zone("Mars/Olympus");
  EXPECT_THAT(
      DecideOpenCase(opened, in).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("Mars/Olympus")));
}

TEST(DecideLetterTest, TheLadderMovesUpAndAFinalNoticeNeedsADunningLetter) {
  CaseUnderTest c;
  const absl::Time t = Local(absl::CivilDay(2026, 2, 10));
  EXPECT_THAT(c.Letter(v1::LETTER_LEVEL_FINAL_NOTICE, t),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("LADDER_ORDER")));
  ASSERT_TRUE(c.Letter(v1::LETTER_LEVEL_REMINDER, t).ok());
  EXPECT_EQ(c.state_.stage, CaseStage::kReminded);
  // The pack lets the ladder order be overridden; the override is recorded.
  ASSERT_TRUE(
      c.Letter(v1::LETTER_LEVEL_FINAL_NOTICE, t,
               {{"LADDER_ORDER", "debtor announced leaving the country"}})
          .ok());
  ASSERT_EQ(c.last_.overrides.size(), 1u);
  EXPECT_EQ(c.last_.overrides[0].author(), "collector-7");
  EXPECT_EQ(c.state_.stage, CaseStage::kFinalNotice);
  // A reminder later never lowers the stage.
  ASSERT_TRUE(c.Letter(v1::LETTER_LEVEL_REMINDER, t).ok());
  EXPECT_EQ(c.state_.stage, CaseStage::kFinalNotice);
}

TEST(DecideLetterTest, Art3_317_ALetterInterruptsLimitationFromItsReceipt) {
  // A consumer purchase price (2 years, art. 7:28 BW). Sent Mon 15 Jun
  // 2026, assumed received Wed 17 Jun (2 business days): the new period
  // (art. 3:319) runs to 17 Jun 2028.
  CaseUnderTest c;
  ASSERT_TRUE(
      c.Letter(v1::LETTER_LEVEL_REMINDER, Local(absl::CivilDay(2026, 6, 15)))
          .ok());
  EXPECT_TRUE(HasPayload(c.last_, v1::EventPayload::kLimitationInterrupted));
  EXPECT_EQ(c.state_.invoices[0].limitation_deadline,
            absl::CivilDay(2028, 6, 17));
}

TEST(DecideLetterTest, FourteenDayLetterStatesTheScaleAndATermFromReceipt) {
  CaseUnderTest c;  // principal €1,000.00: costs 15% = €150.00
  // Sent Wednesday 2026-03-04: received Friday 03-06 (2 business days); the
  // 14 days run 03-07..03-20 (a Friday).
  ASSERT_TRUE(
      c.Letter(v1::LETTER_LEVEL_FOURTEEN_DAY, Local(absl::CivilDay(2026, 3, 4)))
          .ok());
  const v1::LetterIssued& issued = c.last_.events[0].letter_issued();
  EXPECT_EQ(issued.costs_stated().amount_minor(), 15000);
  EXPECT_EQ(ToCivilDay(issued.assumed_receipt()), absl::CivilDay(2026, 3, 6));
  EXPECT_EQ(ToCivilDay(issued.term_last_day()), absl::CivilDay(2026, 3, 20));
  EXPECT_EQ(c.state_.stage, CaseStage::kDunned);

  v1::LetterIssued wrong;
  wrong.set_letter_id("L-wrong");
  wrong.set_level(v1::LETTER_LEVEL_FOURTEEN_DAY);
  *wrong.mutable_amount_stated() = Eur(100000);
  *wrong.mutable_costs_stated() = Eur(10000);
  EXPECT_THAT(
      DecideIssueLetter(c.state_, wrong,
                        CaseUnderTest::In(Local(absl::CivilDay(2026, 3, 5))))
          .status(),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("NL_BW_6_96_STATE_COSTS")));
}

TEST(DecideCostsTest, ConsumerCostsOnlyAfterTheFourteenDayTermLapsed) {
  CaseUnderTest c;
  EXPECT_THAT(
      c.Costs(Local(absl::CivilDay(2026, 3, 1))),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("NL_BW_6_96_FOURTEEN_DAY_LETTER: a consumer")));
  ASSERT_TRUE(
      c.Letter(v1::LETTER_LEVEL_FOURTEEN_DAY, Local(absl::CivilDay(2026, 3, 4)))
          .ok());
  // The last day of the term (Friday 03-20): still refused, naming it.
  EXPECT_THAT(c.Costs(Local(absl::CivilDay(2026, 3, 20), 23)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("runs until 2026-03-20")));
  ASSERT_TRUE(c.Costs(Local(absl::CivilDay(2026, 3, 21), 0)).ok());
  EXPECT_EQ(c.state_.owed.costs, 15000);
  EXPECT_THAT(c.Costs(Local(absl::CivilDay(2026, 3, 22))),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("COSTS_ALREADY_ASSESSED")));
}

TEST(DecideCostsTest, Art6_96_4_BusinessDebtorsOweTheScaleOnceOverdue) {
  // €5,000.00: 15% of €2,500 + 10% of €2,500 = €625.00 (above the €40
  // minimum per invoice), without a 14-day letter.
  CaseUnderTest c("nl-business", 500000);
  ASSERT_TRUE(c.Costs(Local(absl::CivilDay(2026, 2, 10))).ok());
  EXPECT_EQ(c.state_.owed.costs, 62500);
  CaseUnderTest none("none");
  EXPECT_THAT(none.Costs(Local(absl::CivilDay(2026, 2, 10))),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("NOT_IN_RULE_PACK")));
}

TEST(DecidePaymentTest, AllocatesCostsThenInterestThenPrincipal) {
  CaseUnderTest c("nl-business", 500000);
  ASSERT_TRUE(c.Costs(Local(absl::CivilDay(2026, 2, 10))).ok());
  c.now_ = Local(absl::CivilDay(2026, 3, 3));
  v1::LocalDate up_to = ToLocalDate(absl::CivilDay(2026, 3, 3));
  ASSERT_TRUE(c.Apply(DecideAccrueInterest(
                          c.state_, up_to,
                          CaseUnderTest::In(Local(absl::CivilDay(2026, 3, 3)))))
                  .ok());
  // €5,000 at 10.15% for 2026-02-01..03-02 (30 days): 30 × 500000 × 1015
  // = 15,225,000,000 / 3,650,000 = 4171.2 → €41.71.
  EXPECT_EQ(c.state_.owed.interest, 4171);
  // Paid on 4 Mar: interest is first accrued to that day (one more day:
  // 15,732,500,000 → 4310.3, so €1.39 more), then €678.10 goes to the costs
  // (62500), the interest (4310) and €10.00 of principal (art. 6:44 BW).
  ASSERT_TRUE(c.Pay(67810, Local(absl::CivilDay(2026, 3, 4))).ok());
  ASSERT_TRUE(c.last_.events[0].has_interest_accrued());
  EXPECT_EQ(c.last_.events[0].interest_accrued().amount().amount_minor(), 139);
  const v1::Allocation& allocation =
      c.last_.events[1].payment_received().allocation();
  EXPECT_EQ(allocation.costs().amount_minor(), 62500);
  EXPECT_EQ(allocation.interest().amount_minor(), 4310);
  EXPECT_EQ(allocation.principal().amount_minor(), 1000);
  EXPECT_EQ(c.state_.owed.interest, 0);
  EXPECT_EQ(c.state_.owed.principal, 499000);
  // Reversal puts back exactly what the payment took.
  const PaymentReversal reverse{"P1", "returned"};
  ASSERT_TRUE(c.Apply(DecideReversePayment(
                          c.state_, reverse,
                          CaseUnderTest::In(Local(absl::CivilDay(2026, 3, 5)))))
                  .ok());
  EXPECT_EQ(c.state_.owed.costs, 62500);
  EXPECT_EQ(c.state_.owed.interest, 4310);
  EXPECT_EQ(c.state_.owed.principal, 500000);
  EXPECT_EQ(c.state_.invoices[0].owed.principal, 500000);
  EXPECT_THAT(c.Apply(DecideReversePayment(
                  c.state_, reverse,
                  CaseUnderTest::In(Local(absl::CivilDay(2026, 3, 5))))),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("reversed already")));
}

TEST(DecidePromiseTest, AnActivePromiseSuppressesDunningAndIsRecorded) {
  CaseUnderTest c;
  ASSERT_TRUE(c.Promise(50000, absl::CivilDay(2026, 2, 20),
                        Local(absl::CivilDay(2026, 2, 10)))
                  .ok());
  EXPECT_THAT(
      c.Letter(v1::LETTER_LEVEL_DUNNING, Local(absl::CivilDay(2026, 2, 12))),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("ACTIVE_PROMISE: promise PR1")));
  EXPECT_TRUE(HasPayload(c.last_, v1::EventPayload::kContactSuppressedByRule));
  EXPECT_EQ(c.state_.suppressed_contacts, 1u);
  // Broken once the date and tolerance pass short of the amount.
  EXPECT_TRUE(c.RunDue(Local(absl::CivilDay(2026, 2, 20), 23)).empty());
  const std::vector<DueEvent> due =
      c.RunDue(Local(absl::CivilDay(2026, 2, 21)));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_TRUE(due[0].payload.has_promise_broken());
  EXPECT_EQ(due[0].event_id, "due/promise/PR1");
  EXPECT_EQ(due[0].occurred_at, Local(absl::CivilDay(2026, 2, 21), 0));
  ASSERT_TRUE(
      c.Letter(v1::LETTER_LEVEL_DUNNING, Local(absl::CivilDay(2026, 2, 22)))
          .ok());
}

TEST(DecidePromiseTest, APaymentMeetingThePromiseKeepsIt) {
  CaseUnderTest c;
  ASSERT_TRUE(c.Promise(50000, absl::CivilDay(2026, 2, 20),
                        Local(absl::CivilDay(2026, 2, 10)))
                  .ok());
  ASSERT_TRUE(c.Pay(50000, Local(absl::CivilDay(2026, 2, 19))).ok());
  EXPECT_TRUE(HasPayload(c.last_, v1::EventPayload::kPromiseKept));
  EXPECT_FALSE(c.state_.open_promise.has_value());
  // Counted by the KPI read model: CaseKpiFiguresTest.
}

TEST(DecidePlanTest, ScheduleMissesDefaultAndReturnToDunning) {
  CaseUnderTest c;
  ASSERT_TRUE(
      c.Letter(v1::LETTER_LEVEL_DUNNING, Local(absl::CivilDay(2026, 2, 10)))
          .ok());
  PaymentPlanTerms terms;
  terms.plan_id = "PLAN1";
  terms.frequency = v1::PLAN_FREQUENCY_MONTHLY;
  terms.installment_count = 3;
  terms.first_due_date = ToLocalDate(absl::CivilDay(2026, 3, 31));
  terms.misses_allowed = 2;
  c.now_ = Local(absl::CivilDay(2026, 3, 1));
  ASSERT_TRUE(c.Apply(DecideAgreePaymentPlan(c.state_, terms,
                                             CaseUnderTest::In(c.now_)))
                  .ok());
  const auto& plan = c.state_.plan->agreed;
  ASSERT_EQ(plan.installments_size(), 3);
  EXPECT_EQ(plan.installments(0).amount().amount_minor(), 33333);
  EXPECT_EQ(plan.installments(2).amount().amount_minor(), 33334);
  EXPECT_EQ(ToCivilDay(plan.installments(1).due_date()),
            absl::CivilDay(2026, 4, 30));  // 31st clamped
  EXPECT_EQ(c.state_.stage, CaseStage::kArrangement);

  ASSERT_TRUE(c.Pay(33333, Local(absl::CivilDay(2026, 3, 30))).ok());
  EXPECT_TRUE(HasPayload(c.last_, v1::EventPayload::kInstallmentPaid));
  // Installment 2 missed: one miss is allowed.
  std::vector<DueEvent> due = c.RunDue(Local(absl::CivilDay(2026, 5, 1)));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_TRUE(due[0].payload.has_installment_missed());
  EXPECT_TRUE(c.RunDue(Local(absl::CivilDay(2026, 5, 1))).empty());  // again
  EXPECT_EQ(c.state_.stage, CaseStage::kArrangement);
  // Installment 3 missed too: the plan defaults, the case is dunned again.
  due = c.RunDue(Local(absl::CivilDay(2026, 6, 1)));
  ASSERT_EQ(due.size(), 3u);
  EXPECT_TRUE(due[1].payload.has_payment_plan_defaulted());
  EXPECT_EQ(c.state_.stage, CaseStage::kDunned);
  EXPECT_TRUE(c.RunDue(Local(absl::CivilDay(2026, 7, 1))).empty());
}

TEST(DecideContactTest, RegulationFRefusesTheEighthCallAndRecordsIt) {
  CaseUnderTest c("us-regf", 50000, absl::CivilDay(2026, 1, 31));
  absl::TimeZone new_york;
  ASSERT_TRUE(absl::LoadTimeZone("America/New_York", &new_york));
  auto call_at = [&](int day, int hour) {
    v1::CallLogged call;
    call.set_direction(v1::CALL_DIRECTION_OUTBOUND);
    call.set_contact_point_id("phone-1");
    call.set_outcome(v1::CALL_OUTCOME_VOICEMAIL);
    call.set_time_zone("America/New_York");
    call.set_zone_source(v1::ZONE_SOURCE_PHONE_AREA_CODE);
    google::protobuf::RepeatedPtrField<v1::CallLogged> calls;
    *calls.Add() = call;
    const absl::Time at =
        absl::FromCivil(absl::CivilSecond(2026, 3, day, hour, 0, 0), new_york);
    c.now_ = at;
    return c.Apply(DecideLogCalls(c.state_, calls, CaseUnderTest::In(at)));
  };
  for (int day = 2; day <= 8; ++day) ASSERT_TRUE(call_at(day, 10).ok()) << day;
  EXPECT_THAT(call_at(8, 15), StatusIs(absl::StatusCode::kFailedPrecondition,
                                       HasSubstr("REG_F_1006_14_B2_I")));
  EXPECT_TRUE(HasPayload(c.last_, v1::EventPayload::kContactSuppressedByRule));
  EXPECT_TRUE(
      c.last_.events[0].contact_suppressed_by_rule().has_next_allowed_at());
  EXPECT_EQ(c.state_.calls_logged, 7u);
  // 21:00 local is outside the window, whatever the frequency.
  EXPECT_THAT(call_at(20, 21), StatusIs(absl::StatusCode::kFailedPrecondition,
                                        HasSubstr("REG_F_1006_6_B1")));
  ASSERT_TRUE(call_at(20, 20).ok());
}

TEST(DecideHoldsTest, PlacementAndCeaseCommunicationSuppressInHouseContact) {
  CaseUnderTest c;
  v1::HoldPlaced hold;
  hold.set_hold(v1::CASE_HOLD_CEASE_COMMUNICATION);
  hold.set_reason("letter of 2026-02-09");
  const CommandInput in = CaseUnderTest::In(Local(absl::CivilDay(2026, 2, 10)));
  ASSERT_TRUE(c.Apply(DecidePlaceHold(c.state_, hold, in)).ok());
  EXPECT_THAT(
      c.Apply(DecidePlaceHold(c.state_, hold, in)),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("HOLD_STATE")));
  EXPECT_THAT(
      c.Letter(v1::LETTER_LEVEL_REMINDER, Local(absl::CivilDay(2026, 2, 11))),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("REG_F_1006_6_C_CEASE")));
  v1::HoldPlaced dispute_hold;
  dispute_hold.set_hold(v1::CASE_HOLD_DISPUTE);
  EXPECT_THAT(c.Apply(DecidePlaceHold(c.state_, dispute_hold, in)),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(DecidePlacementTest, LegalStepsOnATimeBarredClaimAreRefused) {
  CaseUnderTest c("nl-consumer", 100000, absl::CivilDay(2023, 1, 31),
                  absl::CivilDay(2026, 2, 9));
  v1::HandedToAgency placement;
  placement.set_agency_id("bailiff-1");
  placement.set_agency_registration("WKI-1");
  placement.set_placement_type(v1::PLACEMENT_TYPE_BAILIFF);
  const CommandInput in =
      CaseUnderTest::In(Local(absl::CivilDay(2026, 2, 10)),
                        {{"LADDER_ORDER", "straight to the bailiff"}});
  EXPECT_THAT(c.Apply(DecideHandToAgency(c.state_, placement, in)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("TIME_BARRED: invoice INV-1 is time-barred "
                                 "since 2025-02-01")));
  placement.set_placement_type(v1::PLACEMENT_TYPE_CONTINGENCY);
  placement.clear_agency_registration();
  EXPECT_THAT(c.Apply(DecideHandToAgency(c.state_, placement, in)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("NL_WKI_REGISTRATION")));
}

TEST(DecideCloseTest, PaidNeedsAZeroBalance) {
  CaseUnderTest c;
  v1::CaseClosed closure;
  closure.set_reason(v1::CLOSURE_REASON_PAID);
  EXPECT_THAT(c.Apply(DecideCloseCase(
                  c.state_, closure,
                  CaseUnderTest::In(Local(absl::CivilDay(2026, 2, 10))))),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("BALANCE_OUTSTANDING")));
  ASSERT_TRUE(c.Pay(100000, Local(absl::CivilDay(2026, 2, 11))).ok());
  ASSERT_TRUE(c.Apply(DecideCloseCase(c.state_, closure,
                                      CaseUnderTest::In(
                                          Local(absl::CivilDay(2026, 2, 12)))))
                  .ok());
  EXPECT_EQ(c.state_.stage, CaseStage::kClosed);
  EXPECT_THAT(c.Pay(1, Local(absl::CivilDay(2026, 2, 13))),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("CASE_CLOSED")));
}

TEST(DecideVatReliefTest,
     Wet_OB_29_DueAYearAfterTheDueDateOrEarlierByOverride) {
  CaseUnderTest c;
  v1::VatReliefClaimed claim;
  claim.set_invoice_number("INV-1");
  *claim.mutable_vat() = Eur(17355);
  // Due on 31 Jan 2027: the return for 2027-Q1 (quarterly filer).
  claim.set_return_period("2027-Q1");
  EXPECT_THAT(c.Apply(DecideClaimVatRelief(
                  c.state_, claim,
                  CaseUnderTest::In(Local(absl::CivilDay(2026, 3, 1))))),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("is due from 2027-01-31")));
  std::vector<DueEvent> due = c.RunDue(Local(absl::CivilDay(2027, 1, 31)));
  ASSERT_FALSE(due.empty());
  EXPECT_TRUE(due.back().payload.has_vat_relief_became_due());
  ASSERT_TRUE(c.Apply(DecideClaimVatRelief(
                          c.state_, claim,
                          CaseUnderTest::In(Local(absl::CivilDay(2027, 2, 1)))))
                  .ok());
  // A later recovery makes part of it owed again: €121.00 of €1,000.00
  // gross: 12100 × 17355 / 100000 = 2099.96 → €21.00.
  ASSERT_TRUE(c.Pay(12100, Local(absl::CivilDay(2027, 2, 2))).ok());
  ASSERT_TRUE(HasPayload(c.last_, v1::EventPayload::kVatReliefReversed));
  int64_t reversed = 0;
  for (const auto& event : c.last_.events) {
    if (event.has_vat_relief_reversed())
      reversed += event.vat_relief_reversed().vat().amount_minor();
  }
  EXPECT_EQ(reversed, 2100);
  EXPECT_EQ(c.state_.invoices[0].vat_relief_minor, 17355 - 2100);
}

TEST(DecidePlacementTest, AgencyReportsCheckTheSplitAndFlagABalanceMismatch) {
  CaseUnderTest c;
  v1::HandedToAgency placement;
  placement.set_agency_id("ag-1");
  placement.set_agency_registration("WKI-1");
  placement.set_placement_type(v1::PLACEMENT_TYPE_CONTINGENCY);
  const CommandInput in =
      CaseUnderTest::In(Local(absl::CivilDay(2026, 2, 10)),
                        {{"LADDER_ORDER", "placed early by agreement"}});
  ASSERT_TRUE(c.Apply(DecideHandToAgency(c.state_, placement, in)).ok());
  const int64_t owed = c.state_.owed.total();

  v1::PlacementAcknowledged ack;
  ack.set_agency_id("ag-1");
  *ack.mutable_balance_acknowledged() = Eur(owed - 100);
  ASSERT_TRUE(c.Apply(DecideAgencyReport(c.state_, ack, in)).ok());
  EXPECT_TRUE(c.state_.reconciliation_required);
  EXPECT_EQ(c.state_.agency_balance_minor, owed - 100);
  *ack.mutable_balance_acknowledged() = Eur(owed);
  ASSERT_TRUE(c.Apply(DecideAgencyReport(c.state_, ack, in)).ok());
  EXPECT_FALSE(c.state_.reconciliation_required);

  v1::AgencyPaymentReported paid;
  v1::AgencyPaymentReported* payment = &paid;
  payment->set_agency_id("ag-1");
  payment->set_payment_id("AP-1");
  *payment->mutable_amount() = Eur(5000);
  *payment->mutable_allocation()->mutable_principal() = Eur(4000);
  EXPECT_THAT(c.Apply(DecideAgencyReport(c.state_, paid, in)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("adds up to 4000, not the amount 5000")));
  *payment->mutable_allocation()->mutable_principal() = Eur(3000);
  *payment->mutable_allocation()->mutable_interest() = Eur(2000);
  EXPECT_THAT(c.Apply(DecideAgencyReport(c.state_, paid, in)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("more on a bucket than it holds")));
  payment->mutable_allocation()->clear_interest();
  *payment->mutable_allocation()->mutable_principal() = Eur(5000);
  ASSERT_TRUE(c.Apply(DecideAgencyReport(c.state_, paid, in)).ok());
  EXPECT_EQ(c.state_.owed.total(), owed - 5000);
  // What the agency collected is the KPI read model's:
  // CaseKpiFiguresTest.AgencyPlacementsAndCollectionsAreSummed.

  v1::AgencyPaymentReversed reversal;
  reversal.set_agency_id("ag-1");
  reversal.set_payment_id("AP-1");
  reversal.set_reason("chargeback");
  ASSERT_TRUE(c.Apply(DecideAgencyReport(c.state_, reversal, in)).ok());
  EXPECT_EQ(c.state_.owed.total(), owed);
  EXPECT_THAT(c.Apply(DecideAgencyReport(c.state_, reversal, in)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("reversed already")));

  // A final recall ends the placement at once, even over a pending one.
  v1::RecallRequested recall;
  recall.set_agency_id("ag-1");
  recall.set_reason("review");
  ASSERT_TRUE(c.Apply(DecideRecallFromAgency(c.state_, recall, in)).ok());
  EXPECT_THAT(c.Apply(DecideRecallFromAgency(c.state_, recall, in)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("RECALL_STATE")));
  recall.set_final(true);
  ASSERT_TRUE(c.Apply(DecideRecallFromAgency(c.state_, recall, in)).ok());
  EXPECT_TRUE(c.state_.agency_id.empty());
  EXPECT_FALSE(c.state_.HasHold(v1::CASE_HOLD_PLACED_WITH_AGENCY));
}

}  // namespace
}  // namespace collections::domain
