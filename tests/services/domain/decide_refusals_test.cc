// Every way a Decide function (case_decisions.h) refuses, in tables with
// a row per refusal branch: the state is built by deciding and folding
// earlier acts (CaseUnderTest, tests/services/domain/case_under_test.h),
// the command is judged, and the row states the status code and a
// substring of the message (for FAILED_PRECONDITION the rule's name and
// reason). A suppressed contact must also leave its evidence: the decision
// is OK, carries the refusal, and its only events are
// ContactSuppressedByRule naming the rule. Each table also has rows where
// the same setup is allowed, so each refusal is shown to follow from what
// its row changes (a hold, a date, an id, an agency, an override).
//
// Row names start with the rule (or the status code where no rule
// decides) and, where the code cites one, the legal source.
//
// Inventory. A branch is one refusing exit of a Decide function or of a
// helper it calls (decider.cc: Begin, Require, Suppress,
// InHouseContactBlock, CheckCurrency, CheckNewPaymentId; contact_rules.cc:
// CheckCallAttempt), counted once per rule or field it can name: the
// contact block names six rules, CheckCallAttempt three. "Begin" is
// Decider::Begin: the rule pack unknown or not in force on the act's day,
// and the case closed. DecideLetterOutcome and DecideClaimVatRelief use
// BeginAllowingClosed (the pack check only). Every function but
// DecideOpenCase has one row in BeginRefusesEveryActOnAClosedCaseOrAnUnknown-
// Pack, judged three ways: as given (allowed), closed (CASE_CLOSED, or
// allowed for those two) and under an unknown pack (NOT_IN_RULE_PACK);
// BeginRefusesAnActBeforeItsPackCameIntoForce adds the not-yet-in-force
// variant. Rows that ask for an override the pack does not allow (Require's
// "does not allow overriding it", or a contact block no pack lets be
// overridden) are counted with the refusing rows and add no branch.
//
//   function                     branches         rows in its own table
//                                Begin+own=all    refused  allowed
//   DecideOpenCase                 0 + 3 =  3        4        4
//   DecideLogCalls                 2 +10 = 12       11        6
//   DecideIssueLetter              2 +18 = 20       20       11
//   DecideLetterOutcome            1 + 3 =  4        3        2
//   DecideRecordPromise            2 + 6 =  8        7        2
//   DecideRecordPayment            2 + 3 =  5        5        1
//   DecideReversePayment           2 + 2 =  4        2        1
//   DecideApplyCreditNote          2 + 3 =  5        3        1
//   DecideAgreePaymentPlan         2 + 7 =  9        8        2
//   DecideAssessCollectionCosts    2 + 8 = 10       11        2
//   DecideAccrueInterest           2 + 4 =  6        7        2
//   DecideWriteOff                 2 + 2 =  4        5        1
//   DecideClaimVatRelief           1 + 6 =  7        6        2
//   DecidePlaceHold                2 + 2 =  4        3        1
//   DecideReleaseHold              2 + 2 =  4        2        1
//   DecideRaiseDispute             2 + 3 =  5        3        2
//   DecideResolveDispute           2 + 4 =  6        5        1
//   DecideSendVerification         2 + 2 =  4        2        1
//   DecideHandToAgency             2 + 8 = 10        9        5
//   DecideRecallFromAgency         2 + 3 =  5        3        2
//   DecideAgencyReport             2 +25 = 27       25        8
//   DecideCloseCase                2 + 2 =  4        3        3
//   total                         40+126 = 166     147       61
// plus the 21 Begin rows (40 refusals, 2 allowed on a closed case) and the
// not-yet-in-force row. The invoice ledger (issue 23) added, in
// TheLedgerRefusesPerInvoice and the tables above: a designated invoice not
// on the case (RecordPayment), NL_BW_6_96_COSTS_PER_CLAIM (costs),
// RATE_TABLE_KNOWN_UNTIL (interest), a write-off's invoice and split
// (WriteOff), the VAT share, NL_WET_OB_29_RETURN_PERIOD and the period's
// form and start (ClaimVatRelief), and DecideAddClaimLine (Begin 2, own 2:
// a line that does not check, an invoice number already on the case), with
// its Begin row. Own branches in detail:
//   DecideOpenCase: pack unknown or not in force, debtor kind, time zone.
//   DecideLogCalls: time zone; the six contact blocks (PLACED_WITH_AGENCY,
//     REG_F_1006_6_C_CEASE, LAWYER_REPRESENTED, DEBTOR_DECEASED,
//     INSOLVENCY_STAY, REG_F_1006_38_VERIFICATION); REG_F_1006_14_B2_I,
//     REG_F_1006_14_B2_II, REG_F_1006_6_B1.
//   DecideIssueLetter: currency, letter id, NOT_IN_RULE_PACK (14-day,
//     validation notice), NOT_OVERDUE, PLAN_ACTIVE, LADDER_ORDER, the six
//     contact blocks, ACTIVE_PROMISE, DISPUTE_HOLD, amount above the
//     balance, NL_BW_6_96_STATE_COSTS, NL_BW_6_96_FOURTEEN_DAY_LETTER.
//   DecideLetterOutcome: delivered or undeliverable letter unknown, delivery
//     before sending.
//   DecideRecordPromise: currency, id, date, amount, PLACED_WITH_AGENCY,
//     PROMISE_OPEN.
//   DecideRecordPayment: currency, id, allocation or overpaid stated.
//   DecideReversePayment: reversed already, unknown payment.
//   DecideApplyCreditNote: currency, invoice, amount above the principal.
//   DecideAgreePaymentPlan: PLACED_WITH_AGENCY, PLAN_ACTIVE, currency, total
//     above the collectable, total below the count, first due date missing
//     or past.
//   DecideAssessCollectionCosts: INSOLVENCY_STAY, COSTS_ALREADY_ASSESSED
//     (assessed, zero), NOT_IN_RULE_PACK (no costs, not EUR),
//     NL_BW_6_96_FOURTEEN_DAY_LETTER (none sent, term running), NOT_OVERDUE.
//   DecideAccrueInterest: NOT_IN_RULE_PACK, INSOLVENCY_STAY, up_to in the
//     future, INTEREST_ALREADY_ACCRUED.
//   DecideWriteOff: a bucket above what it holds (one row per bucket),
//     nothing written off.
//   DecideClaimVatRelief: NOT_IN_RULE_PACK, invoice, currency, claimed
//     already, VAT above the invoice's, NL_VAT_RELIEF_ONE_YEAR.
//   DecidePlaceHold / DecideReleaseHold: not a placeable hold, HOLD_STATE.
//   DecideRaiseDispute: id open, currency, invoice.
//   DecideResolveDispute: currency, dropped above the disputed part or the
//     principal, dropped on a rejection, dispute not open.
//   DecideSendVerification: sent already, dispute not open.
//   DecideHandToAgency: PLACED_WITH_AGENCY, INSOLVENCY_STAY,
//     DEBTOR_DECEASED, DISPUTE_HOLD, NL_WKI_REGISTRATION, TIME_BARRED,
//     PLAN_ACTIVE, LADDER_ORDER.
//   DecideRecallFromAgency: NOT_PLACED (not placed, another agency),
//     RECALL_STATE.
//   DecideAgencyReport: NOT_PLACED (not placed, another agency) for each of
//     the seven reports (14); the acknowledged balance's currency; the
//     payment's currency and id, and its stated allocation (a part's
//     currency, a negative part, the sum, a bucket over what it holds); a
//     reversal of a reversed or unknown payment; RECALL_STATE for an
//     objection and for a completion.
//   DecideCloseCase: BALANCE_OUTSTANDING, PLACED_WITH_AGENCY.
// Three FAILED_PRECONDITION refusals that once named no rule (reversed
// already, twice, and the allocation over a bucket) now name
// PAYMENT_ALREADY_REVERSED and ALLOCATION_OVER_BALANCE:
// EveryFailedPreconditionNamesItsRule at the end holds them to it.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/domain/case_decisions.h"
#include "services/domain/case_state.h"
#include "tests/services/domain/case_under_test.h"
#include "tests/testing/status_matchers.h"

namespace collections::domain {
namespace {

namespace v1 = ::collections::v1;
using ::collections::testing::StatusIs;
using fixtures::CaseUnderTest;
using fixtures::Eur;
using fixtures::Local;
using fixtures::MoneyIn;
using fixtures::Overrides;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr absl::StatusCode kInvalidArgument =
    absl::StatusCode::kInvalidArgument;
constexpr absl::StatusCode kFailedPrecondition =
    absl::StatusCode::kFailedPrecondition;
constexpr absl::StatusCode kNotFound = absl::StatusCode::kNotFound;
constexpr absl::StatusCode kAlreadyExists = absl::StatusCode::kAlreadyExists;

// 2026-<month>-<day> <hour>:00 in Amsterdam.
absl::Time At(int month, int day, int hour = 10) {
  return Local(absl::CivilDay(2026, month, day), hour);
}

// 2026-<month>-<day> <hour>:00 in New York (us-regf cases).
absl::Time NewYork(int month, int day, int hour) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone("America/New_York", &zone));
  return absl::FromCivil(absl::CivilSecond(2026, month, day, hour, 0, 0), zone);
}

v1::Money Usd(int64_t minor) { return MoneyIn(minor, "USD"); }

// ---------------------------------------------------------------- commands

// A command as a caller makes it: its business time, the overrides it
// asks for and the Decide function it goes to.
struct Command {
  absl::Time at;
  Overrides overrides;
  std::function<DecisionOr(const CaseState&, const CommandInput&)> decide;

  DecisionOr operator()(const CaseState& state) const {
    return decide(state, CaseUnderTest::In(at, overrides));
  }
};

template <typename T>
using Edit = std::function<void(T&)>;

template <typename T>
void Apply(const Edit<T>& edit, T& message) {
  if (edit) edit(message);
}

// One call to phone-1 that reached voicemail, placed in New York's zone.
Command Call(absl::Time at, Overrides overrides = {},
             Edit<v1::CallLogged> edit = nullptr) {
  v1::CallLogged call;
  call.set_direction(v1::CALL_DIRECTION_OUTBOUND);
  call.set_contact_point_id("phone-1");
  call.set_outcome(v1::CALL_OUTCOME_VOICEMAIL);
  call.set_time_zone("America/New_York");
  call.set_zone_source(v1::ZONE_SOURCE_PHONE_AREA_CODE);
  Apply(edit, call);
  return {at, std::move(overrides),
          [call](const CaseState& state, const CommandInput& in) {
            google::protobuf::RepeatedPtrField<v1::CallLogged> calls;
            *calls.Add() = call;
            return DecideLogCalls(state, calls, in);
          }};
}

// A letter L9 by post stating the collectable balance.
Command IssueLetter(v1::LetterLevel level, absl::Time at,
                    Overrides overrides = {},
                    Edit<v1::LetterIssued> edit = nullptr) {
  return {at, std::move(overrides),
          [level, edit](const CaseState& state, const CommandInput& in) {
            v1::LetterIssued letter;
            letter.set_letter_id("L9");
            letter.set_level(level);
            letter.set_channel(v1::LETTER_CHANNEL_POST);
            *letter.mutable_amount_stated() = Eur(state.collectable_minor());
            Apply(edit, letter);
            return DecideIssueLetter(state, letter, in);
          }};
}

Command Delivered(const std::string& letter_id, absl::CivilDay on,
                  absl::Time at) {
  v1::LetterDelivered delivered;
  delivered.set_letter_id(letter_id);
  *delivered.mutable_delivered_on() = ToLocalDate(on);
  return {at, {}, [delivered](const CaseState& state, const CommandInput& in) {
            return DecideLetterOutcome(state, delivered, in);
          }};
}

Command Undeliverable(const std::string& letter_id, absl::Time at) {
  v1::LetterUndeliverable undeliverable;
  undeliverable.set_letter_id(letter_id);
  undeliverable.set_reason("moved away");
  return {
      at, {}, [undeliverable](const CaseState& state, const CommandInput& in) {
        return DecideLetterOutcome(state, undeliverable, in);
      }};
}

Command Promise(const std::string& id, int64_t amount, absl::CivilDay by,
                absl::Time at, Overrides overrides = {},
                Edit<v1::PromiseMade> edit = nullptr) {
  v1::PromiseMade promise;
  promise.set_promise_id(id);
  *promise.mutable_amount() = Eur(amount);
  *promise.mutable_promised_date() = ToLocalDate(by);
  Apply(edit, promise);
  return {at, std::move(overrides),
          [promise](const CaseState& state, const CommandInput& in) {
            return DecideRecordPromise(state, promise, in);
          }};
}

Command Payment(const std::string& id, int64_t amount, absl::Time at,
                Edit<v1::PaymentReceived> edit = nullptr) {
  v1::PaymentReceived payment;
  payment.set_payment_id(id);
  *payment.mutable_amount() = Eur(amount);
  payment.set_method(v1::PAYMENT_METHOD_BANK_TRANSFER);
  Apply(edit, payment);
  return {at, {}, [payment](const CaseState& state, const CommandInput& in) {
            return DecideRecordPayment(state, payment, in);
          }};
}

Command Reversal(const std::string& payment_id, absl::Time at) {
  return {at, {}, [payment_id](const CaseState& state, const CommandInput& in) {
            return DecideReversePayment(state, {payment_id, "returned"}, in);
          }};
}

Command CreditNote(const std::string& invoice, v1::Money amount,
                   absl::Time at) {
  v1::CreditNoteApplied note;
  note.set_credit_note_number("CN-1");
  note.set_invoice_number(invoice);
  *note.mutable_amount() = amount;
  return {at, {}, [note](const CaseState& state, const CommandInput& in) {
            return DecideApplyCreditNote(state, note, in);
          }};
}

// Plan `id`: three monthly installments of the whole collectable balance.
Command Plan(const std::string& id, absl::CivilDay first_due, absl::Time at,
             Overrides overrides = {}, Edit<PaymentPlanTerms> edit = nullptr) {
  PaymentPlanTerms terms;
  terms.plan_id = id;
  terms.frequency = v1::PLAN_FREQUENCY_MONTHLY;
  terms.installment_count = 3;
  terms.first_due_date = ToLocalDate(first_due);
  Apply(edit, terms);
  return {at, std::move(overrides),
          [terms](const CaseState& state, const CommandInput& in) {
            return DecideAgreePaymentPlan(state, terms, in);
          }};
}

Command AssessCosts(absl::Time at, Overrides overrides = {}) {
  return {at, std::move(overrides),
          [](const CaseState& state, const CommandInput& in) {
            return DecideAssessCollectionCosts(state, in);
          }};
}

Command Accrue(absl::CivilDay up_to, absl::Time at, Overrides overrides = {}) {
  const v1::LocalDate date = ToLocalDate(up_to);
  return {at, std::move(overrides),
          [date](const CaseState& state, const CommandInput& in) {
            return DecideAccrueInterest(state, date, in);
          }};
}

Command WriteOff(absl::Time at, Edit<v1::Allocation> amount) {
  v1::WriteOffApproved write_off;
  write_off.set_reason(v1::WRITE_OFF_REASON_UNECONOMIC);
  write_off.set_approved_by("manager-1");
  Apply(amount, *write_off.mutable_amount());
  return {at, {}, [write_off](const CaseState& state, const CommandInput& in) {
            return DecideWriteOff(state, write_off, in);
          }};
}

Command AddLine(const std::string& number, int64_t gross, absl::CivilDay due,
                absl::Time at, Edit<v1::ClaimLine> edit = nullptr) {
  v1::ClaimLine line;
  line.set_invoice_number(number);
  *line.mutable_due_date() = ToLocalDate(due);
  *line.mutable_gross() = Eur(gross);
  *line.mutable_vat() = Eur(gross * 21 / 121);
  Apply(edit, line);
  return {at, {}, [line](const CaseState& state, const CommandInput& in) {
            return DecideAddClaimLine(state, line, in);
          }};
}

// An empty return period: the server takes the period of the act's day.
Command VatRelief(const std::string& invoice, v1::Money vat, absl::Time at,
                  Overrides overrides = {}, const std::string& period = "") {
  v1::VatReliefClaimed claim;
  claim.set_invoice_number(invoice);
  *claim.mutable_vat() = vat;
  claim.set_return_period(period);
  return {at, std::move(overrides),
          [claim](const CaseState& state, const CommandInput& in) {
            return DecideClaimVatRelief(state, claim, in);
          }};
}

Command PlaceHold(v1::CaseHold hold, absl::Time at) {
  v1::HoldPlaced placed;
  placed.set_hold(hold);
  placed.set_reason("letter of the debtor");
  return {at, {}, [placed](const CaseState& state, const CommandInput& in) {
            return DecidePlaceHold(state, placed, in);
          }};
}

Command ReleaseHold(v1::CaseHold hold, absl::Time at) {
  v1::HoldReleased released;
  released.set_hold(hold);
  released.set_reason("withdrawn");
  return {at, {}, [released](const CaseState& state, const CommandInput& in) {
            return DecideReleaseHold(state, released, in);
          }};
}

// Dispute `id` over `amount` (the whole balance when 0).
Command RaiseDispute(const std::string& id, int64_t amount, absl::Time at,
                     Edit<v1::DisputeRaised> edit = nullptr) {
  v1::DisputeRaised dispute;
  dispute.set_dispute_id(id);
  dispute.set_reason("not delivered");
  if (amount > 0) *dispute.mutable_disputed_amount() = Eur(amount);
  Apply(edit, dispute);
  return {at, {}, [dispute](const CaseState& state, const CommandInput& in) {
            return DecideRaiseDispute(state, dispute, in);
          }};
}

Command ResolveDispute(const std::string& id, v1::DisputeOutcome outcome,
                       v1::Money dropped, absl::Time at) {
  v1::DisputeResolved resolution;
  resolution.set_dispute_id(id);
  resolution.set_outcome(outcome);
  *resolution.mutable_amount_dropped() = dropped;
  return {at, {}, [resolution](const CaseState& state, const CommandInput& in) {
            return DecideResolveDispute(state, resolution, in);
          }};
}

Command SendVerification(const std::string& dispute_id, absl::Time at) {
  v1::VerificationSent verification;
  verification.set_dispute_id(dispute_id);
  return {
      at, {}, [verification](const CaseState& state, const CommandInput& in) {
        return DecideSendVerification(state, verification, in);
      }};
}

// A contingency placement with a registered agency.
Command HandTo(const std::string& agency, absl::Time at,
               Overrides overrides = {},
               Edit<v1::HandedToAgency> edit = nullptr) {
  v1::HandedToAgency placement;
  placement.set_agency_id(agency);
  placement.set_agency_registration("WKI-1");
  placement.set_placement_type(v1::PLACEMENT_TYPE_CONTINGENCY);
  Apply(edit, placement);
  return {at, std::move(overrides),
          [placement](const CaseState& state, const CommandInput& in) {
            return DecideHandToAgency(state, placement, in);
          }};
}

Command Recall(const std::string& agency, bool final, absl::Time at) {
  v1::RecallRequested recall;
  recall.set_agency_id(agency);
  recall.set_reason("review");
  recall.set_final(final);
  return {at, {}, [recall](const CaseState& state, const CommandInput& in) {
            return DecideRecallFromAgency(state, recall, in);
          }};
}

Command Report(AgencyReport report, absl::Time at) {
  return {at, {}, [report](const CaseState& state, const CommandInput& in) {
            return DecideAgencyReport(state, report, in);
          }};
}

Command Close(v1::ClosureReason reason, absl::Time at) {
  v1::CaseClosed closure;
  closure.set_reason(reason);
  return {at, {}, [closure](const CaseState& state, const CommandInput& in) {
            return DecideCloseCase(state, closure, in);
          }};
}

// What an agency reports.
v1::PlacementAcknowledged Acknowledged(const std::string& agency,
                                       v1::Money balance) {
  v1::PlacementAcknowledged acknowledged;
  acknowledged.set_agency_id(agency);
  *acknowledged.mutable_balance_acknowledged() = balance;
  return acknowledged;
}
v1::AgencyPaymentReported AgencyPaid(
    const std::string& agency, const std::string& id, v1::Money amount,
    Edit<v1::Allocation> allocation = nullptr) {
  v1::AgencyPaymentReported reported;
  reported.set_agency_id(agency);
  reported.set_payment_id(id);
  *reported.mutable_amount() = amount;
  if (allocation) allocation(*reported.mutable_allocation());
  return reported;
}
v1::AgencyPaymentReversed AgencyReversed(const std::string& agency,
                                         const std::string& id) {
  v1::AgencyPaymentReversed reversed;
  reversed.set_agency_id(agency);
  reversed.set_payment_id(id);
  reversed.set_reason("chargeback");
  return reversed;
}
v1::AgencyUpdateReceived Update(const std::string& agency) {
  v1::AgencyUpdateReceived update;
  update.set_agency_id(agency);
  update.set_status("IN_PROGRESS");
  return update;
}
v1::RecallObjected Objected(const std::string& agency) {
  v1::RecallObjected objected;
  objected.set_agency_id(agency);
  objected.set_reason("a payment arrangement is running");
  return objected;
}
v1::RecallCompleted Completed(const std::string& agency) {
  v1::RecallCompleted completed;
  completed.set_agency_id(agency);
  return completed;
}
v1::ReturnedByAgency Returned(const std::string& agency) {
  v1::ReturnedByAgency returned;
  returned.set_agency_id(agency);
  returned.set_reason("uncollectable");
  return returned;
}

// ------------------------------------------------------------------ givens

// How a row's case came to be: opened, then earlier acts decided and
// folded (each must be allowed).
using Given = std::function<CaseUnderTest()>;

// nl-consumer (unless `pack`): INV-1 of €1,000.00 due 2026-01-31, opened
// 2026-02-09, so overdue.
Given Overdue(const std::string& pack = "nl-consumer", int64_t gross = 100000) {
  return [pack, gross] { return CaseUnderTest(pack, gross); };
}

// The same, due 2026-03-31: not yet overdue.
Given NotYetDue(const std::string& pack = "nl-consumer") {
  return [pack] {
    return CaseUnderTest(pack, 100000, absl::CivilDay(2026, 3, 31));
  };
}

Given After(Given before, std::vector<Command> acts) {
  return [before, acts] {
    CaseUnderTest c = before();
    for (const Command& act : acts) {
      c.now_ = act.at;
      EXPECT_OK(c.Apply(act(c.state_)));
    }
    return c;
  };
}

// Folds what is due by `at` (missed installments, lapsed terms…).
Given AfterDue(Given before, absl::Time at) {
  return [before, at] {
    CaseUnderTest c = before();
    c.RunDue(at);
    return c;
  };
}

// Placed with agency ag-1 on 2026-02-10, the ladder order overridden.
Given Placed(Given before = Overdue()) {
  return After(before,
               {HandTo("ag-1", At(2, 10),
                       {{"LADDER_ORDER", "placed early by agreement"}})});
}

Given WithHold(v1::CaseHold hold) {
  return After(Overdue(), {PlaceHold(hold, At(2, 10))});
}

// A dunning letter on 02-10 and a final notice on 02-11.
Given AfterFinalNotice(const std::string& pack = "nl-consumer") {
  return After(
      Overdue(pack),
      {IssueLetter(v1::LETTER_LEVEL_DUNNING, At(2, 10), {},
                   [](v1::LetterIssued& l) { l.set_letter_id("L1"); }),
       IssueLetter(v1::LETTER_LEVEL_FINAL_NOTICE, At(2, 11), {},
                   [](v1::LetterIssued& l) { l.set_letter_id("L2"); })});
}

// After a dunning letter, plan PLAN1 agreed on 02-10, first due 03-31.
Given WithPlan(Given before = Overdue()) {
  return After(before,
               {IssueLetter(v1::LETTER_LEVEL_DUNNING, At(2, 10), {},
                            [](v1::LetterIssued& l) { l.set_letter_id("L1"); }),
                Plan("PLAN1", absl::CivilDay(2026, 3, 31), At(2, 10))});
}

// A 14-day letter L1 sent Wednesday 2026-03-04: received 03-06, its term
// runs to Friday 03-20.
Given WithFourteenDayLetter(Given before = Overdue()) {
  return After(
      before,
      {IssueLetter(v1::LETTER_LEVEL_FOURTEEN_DAY, At(3, 4), {},
                   [](v1::LetterIssued& l) { l.set_letter_id("L1"); })});
}

// Folds the closure of the case (as DecideCloseCase records it), whatever
// it holds.
CaseUnderTest Closed(CaseUnderTest c) {
  v1::EventPayload closed;
  closed.mutable_case_closed()->set_reason(v1::CLOSURE_REASON_UNCOLLECTABLE);
  c.Fold(closed, c.now_);
  v1::EventPayload stage;
  stage.mutable_case_stage_changed()->set_from(ToProtoStage(c.state_.stage));
  stage.mutable_case_stage_changed()->set_to(v1::CASE_STAGE_CLOSED);
  c.Fold(stage, c.now_);
  return c;
}

// -------------------------------------------------------------------- rows

struct Row {
  std::string name;
  Given given;
  Command command;
  absl::StatusCode code;   // kOk: the act is allowed
  std::string message;     // refused: a substring of the refusal
  std::string evidence;    // suppressed: the rule the evidence names
  std::string overridden;  // allowed: the override the decision records
};

Row Allowed(std::string name, Given given, Command command,
            std::string overridden = "") {
  return {std::move(name),
          std::move(given),
          std::move(command),
          absl::StatusCode::kOk,
          "",
          "",
          std::move(overridden)};
}
Row Refused(std::string name, Given given, Command command,
            absl::StatusCode code, std::string message) {
  return {std::move(name),
          std::move(given),
          std::move(command),
          code,
          std::move(message),
          "",
          ""};
}
// Refused with evidence: FAILED_PRECONDITION "<rule>: <reason>" and a
// ContactSuppressedByRule event naming `rule`.
Row Suppressed(std::string name, Given given, Command command, std::string rule,
               std::string message) {
  return {std::move(name),
          std::move(given),
          std::move(command),
          kFailedPrecondition,
          std::move(message),
          std::move(rule),
          ""};
}

std::vector<v1::EventPayload::KindCase> Kinds(const Decision& decision) {
  std::vector<v1::EventPayload::KindCase> kinds;
  for (const auto& payload : decision.events)
    kinds.push_back(payload.kind_case());
  return kinds;
}

std::vector<std::string> SuppressedRules(const Decision& decision) {
  std::vector<std::string> rules;
  for (const auto& payload : decision.events) {
    if (payload.has_contact_suppressed_by_rule())
      rules.push_back(payload.contact_suppressed_by_rule().rule());
  }
  return rules;
}

std::vector<std::string> OverriddenRules(const Decision& decision) {
  std::vector<std::string> rules;
  for (const auto& used : decision.overrides) rules.push_back(used.rule());
  return rules;
}

void ExpectOutcome(const Row& row, const DecisionOr& decision) {
  if (!row.evidence.empty()) {
    ASSERT_OK(decision);
    EXPECT_THAT(decision->refusal, StatusIs(row.code, HasSubstr(row.message)));
    EXPECT_THAT(Kinds(*decision),
                Each(v1::EventPayload::kContactSuppressedByRule));
    EXPECT_THAT(SuppressedRules(*decision), ElementsAre(row.evidence));
    return;
  }
  if (row.code != absl::StatusCode::kOk) {
    EXPECT_THAT(decision, StatusIs(row.code, HasSubstr(row.message)));
    return;
  }
  ASSERT_OK(decision);
  EXPECT_OK(decision->refusal);
  EXPECT_THAT(decision->events, ::testing::Not(IsEmpty()));
  EXPECT_THAT(SuppressedRules(*decision), IsEmpty());
  if (row.overridden.empty()) {
    EXPECT_THAT(OverriddenRules(*decision), IsEmpty());
  } else {
    EXPECT_THAT(OverriddenRules(*decision), ElementsAre(row.overridden));
  }
}

void RunTable(const std::vector<Row>& rows) {
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    CaseUnderTest c = row.given();
    ExpectOutcome(row, row.command(c.state_));
  }
}

// ------------------------------------------------------------------ tables

TEST(DecideRefusalsTest, BeginRefusesEveryActOnAClosedCaseOrAnUnknownPack) {
  struct BeginRow {
    std::string name;
    Given given;
    Command command;  // allowed on the case as given
    bool allowed_when_closed;
  };
  const Given letter_sent =
      After(Overdue(),
            {IssueLetter(v1::LETTER_LEVEL_REMINDER, At(2, 10), {},
                         [](v1::LetterIssued& l) { l.set_letter_id("L1"); })});
  const Given paid = After(Overdue(), {Payment("P1", 10000, At(2, 10))});
  const Given disputed =
      After(Overdue(), {RaiseDispute("D1", 30000, At(2, 10))});
  const std::vector<BeginRow> rows = {
      {"DecideLogCalls", Overdue(), Call(At(2, 11)), false},
      {"DecideIssueLetter", Overdue(),
       IssueLetter(v1::LETTER_LEVEL_REMINDER, At(2, 11)), false},
      {"DecideLetterOutcome", letter_sent,
       Delivered("L1", absl::CivilDay(2026, 2, 12), At(2, 12)), true},
      {"DecideRecordPromise", Overdue(),
       Promise("PR1", 50000, absl::CivilDay(2026, 2, 20), At(2, 11)), false},
      {"DecideRecordPayment", Overdue(), Payment("P9", 10000, At(2, 11)),
       false},
      {"DecideReversePayment", paid, Reversal("P1", At(2, 11)), false},
      {"DecideApplyCreditNote", Overdue(),
       CreditNote("INV-1", Eur(10000), At(2, 11)), false},
      {"DecideAgreePaymentPlan", Overdue(),
       Plan("PLAN9", absl::CivilDay(2026, 3, 31), At(2, 11)), false},
      {"DecideAssessCollectionCosts", WithFourteenDayLetter(),
       AssessCosts(At(3, 21)), false},
      {"DecideAccrueInterest", Overdue(),
       Accrue(absl::CivilDay(2026, 3, 3), At(3, 3)), false},
      {"DecideWriteOff", Overdue(),
       WriteOff(At(2, 11),
                [](v1::Allocation& a) { *a.mutable_principal() = Eur(10000); }),
       false},
      {"DecideClaimVatRelief", Overdue(),
       VatRelief("INV-1", Eur(17355), Local(absl::CivilDay(2027, 2, 1))), true},
      {"DecidePlaceHold", Overdue(),
       PlaceHold(v1::CASE_HOLD_LAWYER_REPRESENTED, At(2, 11)), false},
      {"DecideReleaseHold", WithHold(v1::CASE_HOLD_LAWYER_REPRESENTED),
       ReleaseHold(v1::CASE_HOLD_LAWYER_REPRESENTED, At(2, 11)), false},
      {"DecideRaiseDispute", Overdue(), RaiseDispute("D1", 0, At(2, 11)),
       false},
      {"DecideResolveDispute", disputed,
       ResolveDispute("D1", v1::DISPUTE_OUTCOME_UPHELD, Eur(30000), At(2, 11)),
       false},
      {"DecideSendVerification", disputed, SendVerification("D1", At(2, 11)),
       false},
      {"DecideHandToAgency", AfterFinalNotice(), HandTo("ag-1", At(2, 12)),
       false},
      {"DecideRecallFromAgency", Placed(), Recall("ag-1", false, At(2, 11)),
       false},
      {"DecideAgencyReport", Placed(), Report(Update("ag-1"), At(2, 11)),
       false},
      {"DecideCloseCase", Overdue(),
       Close(v1::CLOSURE_REASON_UNCOLLECTABLE, At(2, 11)), false},
      {"DecideAddClaimLine", Overdue(),
       AddLine("INV-2", 50000, absl::CivilDay(2026, 3, 1), At(2, 11)), false},
  };
  for (const BeginRow& row : rows) {
    SCOPED_TRACE(row.name);
    const CaseUnderTest c = row.given();
    {
      SCOPED_TRACE("as given: allowed");
      const DecisionOr decision = row.command(c.state_);
      ASSERT_OK(decision);
      EXPECT_OK(decision->refusal);
    }
    {
      SCOPED_TRACE("closed");
      const CaseUnderTest closed = Closed(c);
      const DecisionOr decision = row.command(closed.state_);
      if (row.allowed_when_closed) {
        ASSERT_OK(decision);
        EXPECT_OK(decision->refusal);
      } else {
        EXPECT_THAT(decision,
                    StatusIs(kFailedPrecondition,
                             HasSubstr("CASE_CLOSED: case c1 is closed "
                                       "(CLOSURE_REASON_UNCOLLECTABLE)")));
      }
    }
    {
      // A stream written by a build that knows a pack this one does not.
      SCOPED_TRACE("NOT_IN_RULE_PACK: unknown pack");
      const CaseState unknown = c.FoldedUnderPack("fr-consumer");
      EXPECT_THAT(row.command(unknown),
                  StatusIs(kFailedPrecondition,
                           HasSubstr("NOT_IN_RULE_PACK: rule pack "
                                     "\"fr-consumer\" is not in force on")));
      // Both at once: the pack is judged first.
      const CaseState closed_unknown = Closed(c).FoldedUnderPack("fr-consumer");
      EXPECT_THAT(row.command(closed_unknown),
                  StatusIs(kFailedPrecondition, HasSubstr("NOT_IN_RULE_PACK")));
    }
  }
}

TEST(DecideRefusalsTest, BeginRefusesAnActBeforeItsPackCameIntoForce) {
  // Regulation F is in force from 2021-11-30: an act dated before it (a
  // back-dated import) finds no pack version to judge it by.
  const CaseUnderTest c = CaseUnderTest("us-regf", 50000);
  const absl::Time before = Local(absl::CivilDay(2021, 11, 29), 12);
  const absl::Time from = Local(absl::CivilDay(2021, 11, 30), 12);
  EXPECT_THAT(PlaceHold(v1::CASE_HOLD_LAWYER_REPRESENTED, before)(c.state_),
              StatusIs(kFailedPrecondition,
                       HasSubstr("NOT_IN_RULE_PACK: rule pack \"us-regf\" is "
                                 "not in force on 2021-11-29")));
  EXPECT_OK(PlaceHold(v1::CASE_HOLD_LAWYER_REPRESENTED, from)(c.state_));
}

TEST(DecideRefusalsTest, OpenCaseRefusesAPackKindOrZoneTheCaseCannotHave) {
  struct OpenRow {
    std::string name;
    Edit<v1::CaseOpened> edit;
    absl::Time at;
    absl::StatusCode code;
    std::string message;
  };
  const absl::Time feb = At(2, 9);
  const std::vector<OpenRow> rows = {
      {"nl_consumer_case_opens", nullptr, feb, absl::StatusCode::kOk, ""},
      {"INVALID_ARGUMENT_unknown_rule_pack",
       [](v1::CaseOpened& o) { o.set_rule_pack("fr-consumer"); }, feb,
       kInvalidArgument,
       "case.rule_pack \"fr-consumer\" is not a rule pack in force on that "
       "day; one of: nl-business, nl-consumer, none, us-regf"},
      {"INVALID_ARGUMENT_REG_F_pack_before_it_came_into_force_2021_11_30",
       [](v1::CaseOpened& o) {
         o.set_rule_pack("us-regf");
         o.set_time_zone("America/New_York");
       },
       Local(absl::CivilDay(2021, 6, 1)), kInvalidArgument,
       "case.rule_pack \"us-regf\" is not a rule pack in force on that day"},
      {"REG_F_pack_opens_once_in_force",
       [](v1::CaseOpened& o) {
         o.set_rule_pack("us-regf");
         o.set_time_zone("America/New_York");
       },
       Local(absl::CivilDay(2021, 12, 1)), absl::StatusCode::kOk, ""},
      {"INVALID_ARGUMENT_consumer_debtor_under_the_business_pack",
       [](v1::CaseOpened& o) { o.set_rule_pack("nl-business"); }, feb,
       kInvalidArgument,
       "rule pack nl-business is for DEBTOR_KIND_BUSINESS debtors, but the "
       "case's debtor is DEBTOR_KIND_CONSUMER"},
      {"pack_none_takes_either_kind",
       [](v1::CaseOpened& o) {
         o.set_rule_pack("none");
         o.set_debtor_kind(v1::DEBTOR_KIND_BUSINESS);
       },
       feb, absl::StatusCode::kOk, ""},
      {"INVALID_ARGUMENT_time_zone_not_in_the_IANA_database",
       [](v1::CaseOpened& o) { o.set_time_zone("Mars/Olympus"); }, feb,
       kInvalidArgument,
       "case.time_zone \"Mars/Olympus\" is not an IANA time zone such as "
       "Europe/Amsterdam"},
      {"no_time_zone_takes_the_pack_default",
       [](v1::CaseOpened& o) { o.clear_time_zone(); }, feb,
       absl::StatusCode::kOk, ""},
  };
  for (const OpenRow& row : rows) {
    SCOPED_TRACE(row.name);
    v1::CaseOpened opened = CaseUnderTest::Opening();
    Apply(row.edit, opened);
    const DecisionOr decision =
        DecideOpenCase(opened, CaseUnderTest::In(row.at));
    if (row.code == absl::StatusCode::kOk) {
      ASSERT_OK(decision);
      ASSERT_FALSE(decision->events.empty());
      EXPECT_TRUE(decision->events[0].has_case_opened());
    } else {
      EXPECT_THAT(decision, StatusIs(row.code, HasSubstr(row.message)));
    }
  }
}

TEST(DecideRefusalsTest, LogCallsSuppressesEachCallAHoldOrContactRuleForbids) {
  const Given regf = Overdue("us-regf", 50000);
  // Seven calls that reached voicemail, 03-02..03-08 at 10:00 New York.
  std::vector<Command> seven_calls;
  for (int day = 2; day <= 8; ++day)
    seven_calls.push_back(Call(NewYork(3, day, 10)));
  const Given seven_in_seven_days = After(regf, seven_calls);
  // A conversation on 03-02, the validation notice sent the same day
  // (1006.34(a)(1)).
  const Given spoke_on_03_02 = After(
      regf,
      {Call(NewYork(3, 2, 10), {},
            [](v1::CallLogged& call) {
              call.set_outcome(v1::CALL_OUTCOME_CONVERSATION);
            }),
       IssueLetter(v1::LETTER_LEVEL_VALIDATION_NOTICE, NewYork(3, 2, 12))});
  const Given spoke_without_notice =
      After(regf, {Call(NewYork(3, 2, 10), {}, [](v1::CallLogged& call) {
              call.set_outcome(v1::CALL_OUTCOME_CONVERSATION);
            })});
  const Given written_dispute = After(
      regf,
      {RaiseDispute("D1", 20000, NewYork(3, 2, 9),
                    [](v1::DisputeRaised& d) { d.set_in_writing(true); })});
  const std::vector<Row> rows = {
      Allowed("call_on_a_case_without_holds_is_logged", Overdue(),
              Call(At(2, 11))),
      Refused(
          "INVALID_ARGUMENT_outbound_call_in_an_unknown_time_zone", Overdue(),
          Call(
              At(2, 11), {},
              [](v1::CallLogged& call) { call.set_time_zone("Mars/Olympus"); }),
          kInvalidArgument,
          "call.time_zone \"Mars/Olympus\" is not an IANA time zone"),
      Allowed("inbound_call_is_logged_whatever_the_holds_and_zone",
              WithHold(v1::CASE_HOLD_CEASE_COMMUNICATION),
              Call(At(2, 11), {},
                   [](v1::CallLogged& call) {
                     call.set_direction(v1::CALL_DIRECTION_INBOUND);
                     call.set_time_zone("Mars/Olympus");
                   })),
      Suppressed("PLACED_WITH_AGENCY_no_in_house_call_while_placed", Placed(),
                 Call(At(2, 11)), "PLACED_WITH_AGENCY",
                 "PLACED_WITH_AGENCY: the case is placed with agency ag-1"),
      Suppressed("REG_F_1006_6_C_CEASE_debtor_asked_that_communication_cease",
                 WithHold(v1::CASE_HOLD_CEASE_COMMUNICATION), Call(At(2, 11)),
                 "REG_F_1006_6_C_CEASE",
                 "REG_F_1006_6_C_CEASE: the debtor asked in writing that "
                 "communication cease"),
      Suppressed("REG_F_1006_6_C_CEASE_no_pack_lets_it_be_overridden",
                 WithHold(v1::CASE_HOLD_CEASE_COMMUNICATION),
                 Call(At(2, 11), {{"REG_F_1006_6_C_CEASE", "urgent"}}),
                 "REG_F_1006_6_C_CEASE", "REG_F_1006_6_C_CEASE: the debtor"),
      Suppressed("LAWYER_REPRESENTED_contact_the_lawyer",
                 WithHold(v1::CASE_HOLD_LAWYER_REPRESENTED), Call(At(2, 11)),
                 "LAWYER_REPRESENTED",
                 "LAWYER_REPRESENTED: the debtor is represented by a lawyer"),
      Suppressed("DEBTOR_DECEASED_contact_the_estate",
                 WithHold(v1::CASE_HOLD_DECEASED), Call(At(2, 11)),
                 "DEBTOR_DECEASED", "DEBTOR_DECEASED: the debtor is deceased"),
      Suppressed("INSOLVENCY_STAY_collection_is_stayed",
                 WithHold(v1::CASE_HOLD_INSOLVENCY), Call(At(2, 11)),
                 "INSOLVENCY_STAY", "INSOLVENCY_STAY: the debtor is insolvent"),
      Suppressed("REG_F_1006_38_VERIFICATION_written_dispute_not_verified",
                 written_dispute, Call(NewYork(3, 2, 10)),
                 "REG_F_1006_38_VERIFICATION",
                 "REG_F_1006_38_VERIFICATION: dispute D1 was raised in "
                 "writing: collection stops until verification is sent"),
      Allowed(
          "REG_F_1006_38_VERIFICATION_call_allowed_once_verified",
          After(written_dispute, {SendVerification("D1", NewYork(3, 2, 9))}),
          Call(NewYork(3, 2, 10))),
      Suppressed("REG_F_1006_14_B2_I_eighth_call_in_seven_days",
                 seven_in_seven_days, Call(NewYork(3, 8, 15)),
                 "REG_F_1006_14_B2_I",
                 "REG_F_1006_14_B2_I: 7 calls were placed in the 7 days up to "
                 "today; the limit is 7"),
      Allowed("REG_F_1006_14_B3_call_with_consent_is_not_limited",
              seven_in_seven_days,
              Call(NewYork(3, 8, 15), {},
                   [](v1::CallLogged& call) {
                     *call.mutable_consent_until() =
                         ToTimestamp(NewYork(3, 9, 0));
                   })),
      Suppressed("REG_F_1006_14_B2_II_seven_quiet_days_after_a_conversation",
                 spoke_on_03_02, Call(NewYork(3, 5, 10)), "REG_F_1006_14_B2_II",
                 "REG_F_1006_14_B2_II: a telephone conversation took place on "
                 "2026-03-02; no call for 7 days"),
      Allowed("REG_F_1006_14_B2_II_call_allowed_on_the_eighth_day",
              spoke_on_03_02, Call(NewYork(3, 9, 10))),
      Suppressed("REG_F_1006_6_B1_no_call_from_21_00_local_time", regf,
                 Call(NewYork(3, 2, 21)), "REG_F_1006_6_B1",
                 "REG_F_1006_6_B1: 2026-03-02 21:00 EST is outside "
                 "08:00-21:00 at the person's local time"),
      // 1006.34(a)(1): 5 days after the initial communication (03-02) the
      // validation notice is overdue: collection stops until it is sent.
      Suppressed("REG_F_1006_34_A1_VALIDATION_notice_overdue_blocks_calls",
                 spoke_without_notice, Call(NewYork(3, 9, 10)),
                 "REG_F_1006_34_A1_VALIDATION",
                 "REG_F_1006_34_A1_VALIDATION: the validation notice was due "
                 "by 2026-03-07"),
      // The window is not a presumption: no override opens it, and a
      // consumer's consent to more calls does not either (domain.md §3).
      Suppressed("REG_F_1006_6_B1_no_override_opens_the_window", regf,
                 Call(NewYork(3, 2, 21),
                      {{"REG_F_1006_6_B1", "debtor asked to be called late"}}),
                 "REG_F_1006_6_B1",
                 "REG_F_1006_6_B1: 2026-03-02 21:00 EST is outside "
                 "08:00-21:00 at the person's local time"),
      Suppressed("REG_F_1006_6_B1_consent_does_not_open_07_00", regf,
                 Call(NewYork(3, 2, 7), {},
                      [](v1::CallLogged& call) {
                        *call.mutable_consent_until() =
                            ToTimestamp(NewYork(3, 5, 0));
                      }),
                 "REG_F_1006_6_B1",
                 "REG_F_1006_6_B1: 2026-03-02 07:00 EST is outside "
                 "08:00-21:00 at the person's local time"),
      Refused("INVALID_ARGUMENT_REG_F_1006_14_B3_consent_beyond_7_days", regf,
              Call(NewYork(3, 2, 10), {},
                   [](v1::CallLogged& call) {
                     *call.mutable_consent_until() =
                         ToTimestamp(NewYork(3, 10, 0));
                   }),
              kInvalidArgument, "consent to more calls lasts at most 7 days"),
  };
  RunTable(rows);
}

TEST(DecideRefusalsTest, IssueLetterRefusesWhatTheLadderHoldsAndTermsForbid) {
  const v1::LetterLevel reminder = v1::LETTER_LEVEL_REMINDER;
  const Given regf_written_dispute = After(
      Overdue("us-regf", 50000),
      {RaiseDispute("D1", 20000, NewYork(3, 2, 9),
                    [](v1::DisputeRaised& d) { d.set_in_writing(true); })});
  const Given promised =
      After(Overdue(),
            {Promise("PR1", 50000, absl::CivilDay(2026, 2, 20), At(2, 10))});
  const Given disputed_300 =
      After(Overdue(), {RaiseDispute("D1", 30000, At(2, 10))});
  auto states = [](int64_t amount) {
    return [amount](v1::LetterIssued& l) {
      *l.mutable_amount_stated() = Eur(amount);
    };
  };
  auto costs = [](int64_t amount) {
    return [amount](v1::LetterIssued& l) {
      *l.mutable_costs_stated() = Eur(amount);
    };
  };
  auto deadline = [](int day) {
    return [day](v1::LetterIssued& l) {
      *l.mutable_deadline() = ToLocalDate(absl::CivilDay(2026, 3, day));
    };
  };
  const std::vector<Row> rows = {
      Allowed("reminder_on_an_overdue_case_is_issued", Overdue(),
              IssueLetter(reminder, At(2, 11))),
      Refused("INVALID_ARGUMENT_amount_in_another_currency", Overdue(),
              IssueLetter(reminder, At(2, 11), {},
                          [](v1::LetterIssued& l) {
                            *l.mutable_amount_stated() = Usd(100000);
                          }),
              kInvalidArgument,
              "letter.amount_stated is in USD but the case is in EUR"),
      Refused("ALREADY_EXISTS_letter_id_used_before",
              After(Overdue(), {IssueLetter(reminder, At(2, 10))}),
              IssueLetter(reminder, At(2, 11)), kAlreadyExists,
              "letter L9 was issued before; use a new id"),
      Refused("NOT_IN_RULE_PACK_BW_6_96_fourteen_day_letter_is_for_consumers",
              Overdue("nl-business"),
              IssueLetter(v1::LETTER_LEVEL_FOURTEEN_DAY, At(2, 11)),
              kFailedPrecondition,
              "NOT_IN_RULE_PACK: the 14-day letter belongs to Dutch consumer "
              "cases; this case's pack is nl-business"),
      Refused("NOT_IN_RULE_PACK_REG_F_1006_34_validation_notice_is_reg_f_only",
              Overdue(),
              IssueLetter(v1::LETTER_LEVEL_VALIDATION_NOTICE, At(2, 11)),
              kFailedPrecondition,
              "NOT_IN_RULE_PACK: validation notices belong to Regulation F "
              "cases; this case's pack is nl-consumer"),
      Allowed("REG_F_1006_34_validation_notice_before_anything_is_overdue",
              NotYetDue("us-regf"),
              IssueLetter(v1::LETTER_LEVEL_VALIDATION_NOTICE, At(2, 11))),
      Refused("NOT_OVERDUE_collection_letter_before_the_due_date", NotYetDue(),
              IssueLetter(reminder, At(2, 11)), kFailedPrecondition,
              "NOT_OVERDUE: no invoice of the case is overdue yet: a "
              "collection letter would be premature"),
      Refused("NOT_OVERDUE_no_pack_lets_it_be_overridden", NotYetDue(),
              IssueLetter(reminder, At(2, 11), {{"NOT_OVERDUE", "asked"}}),
              kFailedPrecondition,
              "NOT_OVERDUE: no invoice of the case is overdue yet: a "
              "collection letter would be premature (rule pack "
              "nl-consumer@2024-10-01 does not allow overriding it)"),
      Refused("PLAN_ACTIVE_final_notice_while_a_plan_runs", WithPlan(),
              IssueLetter(v1::LETTER_LEVEL_FINAL_NOTICE, At(2, 11)),
              kFailedPrecondition,
              "PLAN_ACTIVE: payment plan PLAN1 is running: a final notice "
              "needs it defaulted"),
      Refused("PLAN_ACTIVE_override_is_not_allowed", WithPlan(),
              IssueLetter(v1::LETTER_LEVEL_FINAL_NOTICE, At(2, 11),
                          {{"PLAN_ACTIVE", "asked"}}),
              kFailedPrecondition,
              "needs it defaulted (rule pack nl-consumer@2024-10-01 does not "
              "allow overriding it)"),
      Allowed("PLAN_ACTIVE_final_notice_once_the_plan_defaulted",
              AfterDue(WithPlan(), At(4, 1, 12)),
              IssueLetter(v1::LETTER_LEVEL_FINAL_NOTICE, At(4, 2))),
      Refused("LADDER_ORDER_final_notice_before_a_dunning_letter", Overdue(),
              IssueLetter(v1::LETTER_LEVEL_FINAL_NOTICE, At(2, 11)),
              kFailedPrecondition,
              "LADDER_ORDER: a final notice follows a dunning or 14-day "
              "letter"),
      Allowed("LADDER_ORDER_override_is_recorded", Overdue(),
              IssueLetter(v1::LETTER_LEVEL_FINAL_NOTICE, At(2, 11),
                          {{"LADDER_ORDER", "leaving the country"}}),
              "LADDER_ORDER"),
      Allowed(
          "LADDER_ORDER_final_notice_after_dunning",
          After(Overdue(), {IssueLetter(v1::LETTER_LEVEL_DUNNING, At(2, 10), {},
                                        [](v1::LetterIssued& l) {
                                          l.set_letter_id("L1");
                                        })}),
          IssueLetter(v1::LETTER_LEVEL_FINAL_NOTICE, At(2, 11))),
      Suppressed("PLACED_WITH_AGENCY_no_in_house_letter_while_placed", Placed(),
                 IssueLetter(reminder, At(2, 11)), "PLACED_WITH_AGENCY",
                 "PLACED_WITH_AGENCY: the case is placed with agency ag-1"),
      Suppressed("REG_F_1006_6_C_CEASE_letter_after_cease_request",
                 WithHold(v1::CASE_HOLD_CEASE_COMMUNICATION),
                 IssueLetter(reminder, At(2, 11)), "REG_F_1006_6_C_CEASE",
                 "REG_F_1006_6_C_CEASE: the debtor asked in writing"),
      Suppressed("LAWYER_REPRESENTED_letter_to_a_represented_debtor",
                 WithHold(v1::CASE_HOLD_LAWYER_REPRESENTED),
                 IssueLetter(reminder, At(2, 11)), "LAWYER_REPRESENTED",
                 "LAWYER_REPRESENTED: the debtor is represented by a lawyer"),
      Suppressed("DEBTOR_DECEASED_letter_to_a_deceased_debtor",
                 WithHold(v1::CASE_HOLD_DECEASED),
                 IssueLetter(reminder, At(2, 11)), "DEBTOR_DECEASED",
                 "DEBTOR_DECEASED: the debtor is deceased"),
      Suppressed("INSOLVENCY_STAY_letter_to_an_insolvent_debtor",
                 WithHold(v1::CASE_HOLD_INSOLVENCY),
                 IssueLetter(reminder, At(2, 11)), "INSOLVENCY_STAY",
                 "INSOLVENCY_STAY: the debtor is insolvent"),
      Suppressed("REG_F_1006_38_VERIFICATION_letter_before_verification",
                 regf_written_dispute, IssueLetter(reminder, NewYork(3, 2, 10)),
                 "REG_F_1006_38_VERIFICATION",
                 "REG_F_1006_38_VERIFICATION: dispute D1 was raised in "
                 "writing"),
      Allowed("REG_F_1006_38_VERIFICATION_letter_once_verified",
              After(regf_written_dispute,
                    {SendVerification("D1", NewYork(3, 2, 9))}),
              IssueLetter(reminder, NewYork(3, 2, 10))),
      Suppressed("ACTIVE_PROMISE_dunning_while_a_promise_is_open", promised,
                 IssueLetter(v1::LETTER_LEVEL_DUNNING, At(2, 11)),
                 "ACTIVE_PROMISE",
                 "ACTIVE_PROMISE: promise PR1 to pay by 2026-02-20 suppresses "
                 "dunning until it is kept or broken"),
      Allowed("ACTIVE_PROMISE_a_reminder_does_not_escalate", promised,
              IssueLetter(reminder, At(2, 11))),
      Allowed("ACTIVE_PROMISE_override_is_recorded", promised,
              IssueLetter(v1::LETTER_LEVEL_DUNNING, At(2, 11),
                          {{"ACTIVE_PROMISE", "debtor asked for it"}}),
              "ACTIVE_PROMISE"),
      Refused("DISPUTE_HOLD_letter_claims_the_disputed_part", disputed_300,
              IssueLetter(reminder, At(2, 11), {}, states(100000)),
              kFailedPrecondition,
              "DISPUTE_HOLD: the letter states 100000 but only 70000 is "
              "undisputed; the disputed part is on hold"),
      Allowed("DISPUTE_HOLD_letter_claims_the_undisputed_part", disputed_300,
              IssueLetter(reminder, At(2, 11), {}, states(70000))),
      Refused("INVALID_ARGUMENT_amount_above_the_balance", Overdue(),
              IssueLetter(reminder, At(2, 11), {}, states(100001)),
              kInvalidArgument,
              "letter.amount_stated 100001 is above the balance of 100000"),
      Refused("NL_BW_6_96_STATE_COSTS_lid_6_letter_misstates_the_scale",
              Overdue(),
              IssueLetter(v1::LETTER_LEVEL_FOURTEEN_DAY, At(3, 4), {},
                          costs(10000)),
              kFailedPrecondition,
              "NL_BW_6_96_STATE_COSTS: the 14-day letter must state the "
              "collection costs of 15000 (scale over a principal of "
              "100000), not 10000"),
      Allowed("NL_BW_6_96_STATE_COSTS_letter_states_the_scale", Overdue(),
              IssueLetter(v1::LETTER_LEVEL_FOURTEEN_DAY, At(3, 4), {},
                          costs(15000))),
      Refused("NL_BW_6_96_FOURTEEN_DAY_LETTER_deadline_before_the_term_ends",
              Overdue(),
              IssueLetter(v1::LETTER_LEVEL_FOURTEEN_DAY, At(3, 4), {},
                          deadline(19)),
              kFailedPrecondition,
              "NL_BW_6_96_FOURTEEN_DAY_LETTER: the 14-day letter's deadline "
              "2026-03-19 is before the lawful last day 2026-03-20 (14 days "
              "from the day after receipt on 2026-03-06)"),
      Allowed("NL_BW_6_96_FOURTEEN_DAY_LETTER_deadline_on_the_last_day",
              Overdue(),
              IssueLetter(v1::LETTER_LEVEL_FOURTEEN_DAY, At(3, 4), {},
                          deadline(20))),
  };
  RunTable(rows);
}

TEST(DecideRefusalsTest, LetterOutcomeNeedsAnIssuedLetterAndAPossibleDate) {
  const Given sent_02_10 =
      After(Overdue(),
            {IssueLetter(v1::LETTER_LEVEL_REMINDER, At(2, 10), {},
                         [](v1::LetterIssued& l) { l.set_letter_id("L1"); })});
  const std::vector<Row> rows = {
      Allowed("delivery_of_an_issued_letter_is_recorded", sent_02_10,
              Delivered("L1", absl::CivilDay(2026, 2, 12), At(2, 12))),
      Refused("NOT_FOUND_delivery_of_a_letter_never_issued", sent_02_10,
              Delivered("L2", absl::CivilDay(2026, 2, 12), At(2, 12)),
              kNotFound, "letter L2 was not issued"),
      Refused("INVALID_ARGUMENT_delivered_before_it_was_sent", sent_02_10,
              Delivered("L1", absl::CivilDay(2026, 2, 9), At(2, 12)),
              kInvalidArgument,
              "delivered_on 2026-02-09 is before the letter was sent on "
              "2026-02-10"),
      Allowed("undeliverable_issued_letter_is_recorded", sent_02_10,
              Undeliverable("L1", At(2, 12))),
      Refused("NOT_FOUND_undeliverable_letter_never_issued", sent_02_10,
              Undeliverable("L2", At(2, 12)), kNotFound,
              "letter L2 was not issued"),
  };
  RunTable(rows);
}

TEST(DecideRefusalsTest, RecordPromiseRefusesABadOrSecondPromise) {
  const absl::CivilDay feb20(2026, 2, 20);
  const Given promised =
      After(Overdue(), {Promise("PR1", 50000, feb20, At(2, 10))});
  const Given kept = After(promised, {Payment("P1", 50000, At(2, 10))});
  const std::vector<Row> rows = {
      Allowed("promise_is_recorded", Overdue(),
              Promise("PR9", 50000, feb20, At(2, 11))),
      Refused(
          "INVALID_ARGUMENT_amount_in_another_currency", Overdue(),
          Promise("PR9", 50000, feb20, At(2, 11), {},
                  [](v1::PromiseMade& p) { *p.mutable_amount() = Usd(50000); }),
          kInvalidArgument, "promise.amount is in USD but the case is in EUR"),
      Refused("ALREADY_EXISTS_id_of_a_kept_promise", kept,
              Promise("PR1", 50000, feb20, At(2, 11)), kAlreadyExists,
              "promise PR1 was recorded before; use a new id"),
      Refused("INVALID_ARGUMENT_promised_date_before_the_promise", Overdue(),
              Promise("PR9", 50000, absl::CivilDay(2026, 2, 9), At(2, 10)),
              kInvalidArgument,
              "promise.promised_date 2026-02-09 is before the day the promise "
              "was made, 2026-02-10"),
      Refused("INVALID_ARGUMENT_amount_above_the_balance", Overdue(),
              Promise("PR9", 100001, feb20, At(2, 11)), kInvalidArgument,
              "promise.amount 100001 is above the balance of 100000"),
      Refused("PLACED_WITH_AGENCY_the_agency_takes_promises", Placed(),
              Promise("PR9", 50000, feb20, At(2, 11)), kFailedPrecondition,
              "PLACED_WITH_AGENCY: the case is with an agency: the agency "
              "takes promises"),
      Refused("PLACED_WITH_AGENCY_override_is_not_allowed", Placed(),
              Promise("PR9", 50000, feb20, At(2, 11),
                      {{"PLACED_WITH_AGENCY", "asked"}}),
              kFailedPrecondition,
              "the agency takes promises (rule pack nl-consumer@2024-10-01 "
              "does not allow overriding it)"),
      Refused("PROMISE_OPEN_second_promise_while_one_is_open", promised,
              Promise("PR9", 50000, feb20, At(2, 11)), kFailedPrecondition,
              "PROMISE_OPEN: promise PR1 is still open; override to replace "
              "it"),
      Allowed("PROMISE_OPEN_override_replaces_the_open_promise", promised,
              Promise("PR9", 50000, feb20, At(2, 11),
                      {{"PROMISE_OPEN", "new arrangement"}}),
              "PROMISE_OPEN"),
  };
  RunTable(rows);
}

TEST(DecideRefusalsTest, RecordPaymentRefusesAForeignDuplicateOrPresplitOne) {
  const Given paid = After(Overdue(), {Payment("P1", 10000, At(2, 10))});
  const std::vector<Row> rows = {
      Allowed("payment_is_recorded", paid, Payment("P9", 10000, At(2, 11))),
      Refused(
          "INVALID_ARGUMENT_amount_in_another_currency", Overdue(),
          Payment(
              "P9", 10000, At(2, 11),
              [](v1::PaymentReceived& p) { *p.mutable_amount() = Usd(10000); }),
          kInvalidArgument, "payment.amount is in USD but the case is in EUR"),
      Refused("ALREADY_EXISTS_payment_id_recorded_before", paid,
              Payment("P1", 10000, At(2, 11)), kAlreadyExists,
              "payment P1 is already recorded on this case"),
      Refused("ALREADY_EXISTS_payment_id_of_a_reversed_payment",
              After(paid, {Reversal("P1", At(2, 10))}),
              Payment("P1", 10000, At(2, 11)), kAlreadyExists,
              "payment P1 is already recorded on this case"),
      Refused("INVALID_ARGUMENT_allocation_stated_by_the_caller", Overdue(),
              Payment("P9", 10000, At(2, 11),
                      [](v1::PaymentReceived& p) {
                        *p.mutable_allocation()->mutable_principal() =
                            Eur(10000);
                      }),
              kInvalidArgument,
              "payment.allocation, payment.invoice_allocations and "
              "payment.overpaid are computed by the "
              "server"),
      Refused("INVALID_ARGUMENT_overpaid_stated_by_the_caller", Overdue(),
              Payment("P9", 10000, At(2, 11),
                      [](v1::PaymentReceived& p) {
                        *p.mutable_overpaid() = Eur(0);
                      }),
              kInvalidArgument,
              "payment.allocation, payment.invoice_allocations and "
              "payment.overpaid are computed by the "
              "server"),
  };
  RunTable(rows);
}

TEST(DecideRefusalsTest, ReversePaymentNeedsARecordedUnreversedPayment) {
  const Given paid = After(Overdue(), {Payment("P1", 10000, At(2, 10))});
  const std::vector<Row> rows = {
      Allowed("recorded_payment_is_reversed", paid, Reversal("P1", At(2, 11))),
      Refused("PAYMENT_ALREADY_REVERSED_payment_reversed_already",
              After(paid, {Reversal("P1", At(2, 10))}),
              Reversal("P1", At(2, 11)), kFailedPrecondition,
              "payment P1 was reversed already"),
      Refused("NOT_FOUND_payment_never_recorded", paid,
              Reversal("P9", At(2, 11)), kNotFound,
              "payment P9 is not recorded on this case"),
  };
  RunTable(rows);
}

TEST(DecideRefusalsTest, ApplyCreditNoteNeedsTheCaseCurrencyInvoiceAndRoom) {
  const std::vector<Row> rows = {
      Allowed("credit_note_on_a_claim_line_is_applied", Overdue(),
              CreditNote("INV-1", Eur(10000), At(2, 11))),
      Refused("INVALID_ARGUMENT_amount_in_another_currency", Overdue(),
              CreditNote("INV-1", Usd(10000), At(2, 11)), kInvalidArgument,
              "credit_note.amount is in USD but the case is in EUR"),
      Refused("INVALID_ARGUMENT_invoice_not_on_the_case", Overdue(),
              CreditNote("INV-9", Eur(10000), At(2, 11)), kInvalidArgument,
              "credit_note.invoice_number INV-9 is not a claim line of this "
              "case"),
      Refused("INVALID_ARGUMENT_amount_above_the_principal", Overdue(),
              CreditNote("INV-1", Eur(100001), At(2, 11)), kInvalidArgument,
              "credit_note.amount 100001 is above the principal owed on "
              "invoice INV-1, 100000"),
  };
  RunTable(rows);
}

TEST(DecideRefusalsTest, AgreePaymentPlanRefusesPlacedRunningOrBadTerms) {
  const absl::CivilDay mar31(2026, 3, 31);
  auto total = [](v1::Money money) {
    return [money](PaymentPlanTerms& t) { t.total = money; };
  };
  const std::vector<Row> rows = {
      Allowed("plan_is_agreed", Overdue(), Plan("PLAN9", mar31, At(2, 11))),
      Refused("PLACED_WITH_AGENCY_the_agency_agrees_plans", Placed(),
              Plan("PLAN9", mar31, At(2, 11)), kFailedPrecondition,
              "PLACED_WITH_AGENCY: the case is with an agency: the agency "
              "agrees plans"),
      Refused("PLAN_ACTIVE_second_plan_while_one_runs", WithPlan(),
              Plan("PLAN9", mar31, At(2, 11)), kFailedPrecondition,
              "PLAN_ACTIVE: a payment plan is already running"),
      Refused("PLAN_ACTIVE_override_is_not_allowed", WithPlan(),
              Plan("PLAN9", mar31, At(2, 11), {{"PLAN_ACTIVE", "asked"}}),
              kFailedPrecondition,
              "PLAN_ACTIVE: a payment plan is already running (rule pack "
              "nl-consumer@2024-10-01 does not allow overriding it)"),
      Allowed("PLAN_ACTIVE_new_plan_once_the_last_defaulted",
              AfterDue(WithPlan(), At(4, 1, 12)),
              Plan("PLAN9", absl::CivilDay(2026, 4, 30), At(4, 2))),
      Refused("INVALID_ARGUMENT_total_in_another_currency", Overdue(),
              Plan("PLAN9", mar31, At(2, 11), {}, total(Usd(90000))),
              kInvalidArgument, "terms.total is in USD but the case is in EUR"),
      Refused("INVALID_ARGUMENT_total_above_the_collectable_balance", Overdue(),
              Plan("PLAN9", mar31, At(2, 11), {}, total(Eur(100001))),
              kInvalidArgument,
              "the plan's total 100001 is above the collectable balance of "
              "100000"),
      Refused("INVALID_ARGUMENT_total_smaller_than_the_installments", Overdue(),
              Plan("PLAN9", mar31, At(2, 11), {}, total(Eur(2))),
              kInvalidArgument,
              "a total of 2 cannot be split into 3 installments"),
      Refused("INVALID_ARGUMENT_no_first_due_date", Overdue(),
              Plan("PLAN9", mar31, At(2, 11), {},
                   [](PaymentPlanTerms& t) { t.first_due_date.reset(); }),
              kInvalidArgument, "terms.first_due_date is required"),
      Refused("INVALID_ARGUMENT_first_due_date_before_the_agreement", Overdue(),
              Plan("PLAN9", absl::CivilDay(2026, 2, 9), At(2, 10)),
              kInvalidArgument,
              "terms.first_due_date 2026-02-09 is before the day of the "
              "agreement, 2026-02-10"),
  };
  RunTable(rows);
}

TEST(DecideRefusalsTest, AssessCostsOnlyWhenThePackAndTheTermsAllowThem) {
  const Given lapsed = WithFourteenDayLetter();
  v1::CaseOpened usd = CaseUnderTest::Opening("nl-business");
  usd.set_currency("USD");
  *usd.mutable_claim_lines(0)->mutable_gross() = Usd(100000);
  *usd.mutable_claim_lines(0)->mutable_vat() = Usd(17355);
  const Given business_in_usd = [usd] {
    return CaseUnderTest(usd, absl::CivilDay(2026, 2, 9));
  };
  const std::vector<Row> rows = {
      Allowed("consumer_costs_after_the_fourteen_day_term", lapsed,
              AssessCosts(At(3, 21, 0))),
      Refused("INSOLVENCY_STAY_no_costs_on_an_insolvent_debtor",
              After(lapsed, {PlaceHold(v1::CASE_HOLD_INSOLVENCY, At(3, 5))}),
              AssessCosts(At(3, 21)), kFailedPrecondition,
              "INSOLVENCY_STAY: the debtor is insolvent: no costs may be "
              "added"),
      Refused("INSOLVENCY_STAY_override_is_not_allowed",
              After(lapsed, {PlaceHold(v1::CASE_HOLD_INSOLVENCY, At(3, 5))}),
              AssessCosts(At(3, 21), {{"INSOLVENCY_STAY", "asked"}}),
              kFailedPrecondition,
              "no costs may be added (rule pack nl-consumer@2024-10-01 does "
              "not allow overriding it)"),
      Refused("COSTS_ALREADY_ASSESSED_costs_are_owed_once_per_claim",
              After(lapsed, {AssessCosts(At(3, 21))}), AssessCosts(At(3, 22)),
              kFailedPrecondition,
              "COSTS_ALREADY_ASSESSED: collection costs of 15000 were "
              "assessed already"),
      Refused("NOT_IN_RULE_PACK_pack_none_has_no_collection_costs",
              Overdue("none"), AssessCosts(At(3, 21)), kFailedPrecondition,
              "NOT_IN_RULE_PACK: rule pack none has no statutory collection "
              "costs"),
      Refused("NOT_IN_RULE_PACK_reg_f_has_no_collection_costs",
              Overdue("us-regf"), AssessCosts(At(3, 21)), kFailedPrecondition,
              "NOT_IN_RULE_PACK: rule pack us-regf has no statutory "
              "collection costs"),
      Refused("NL_BW_6_96_FOURTEEN_DAY_LETTER_no_letter_was_sent", Overdue(),
              AssessCosts(At(3, 21)), kFailedPrecondition,
              "NL_BW_6_96_FOURTEEN_DAY_LETTER: a consumer owes collection "
              "costs only after a 14-day letter stating them has lapsed; "
              "none was sent"),
      Refused("NL_BW_6_96_FOURTEEN_DAY_LETTER_costs_before_the_term_lapsed",
              lapsed, AssessCosts(At(3, 20, 23)), kFailedPrecondition,
              "NL_BW_6_96_FOURTEEN_DAY_LETTER: the term of 14-day letter L1 "
              "runs until 2026-03-20; costs may be charged from the day "
              "after"),
      Refused("NL_BW_6_96_FOURTEEN_DAY_LETTER_undeliverable_letter_counts_not",
              After(lapsed, {Undeliverable("L1", At(3, 9))}),
              AssessCosts(At(3, 21)), kFailedPrecondition,
              "NL_BW_6_96_FOURTEEN_DAY_LETTER: a consumer owes collection "
              "costs only after a 14-day letter stating them has lapsed; "
              "none was sent"),
      Refused("NOT_IN_RULE_PACK_BW_6_96_scale_only_in_EUR", business_in_usd,
              AssessCosts(At(2, 10)), kFailedPrecondition,
              "NOT_IN_RULE_PACK: the Dutch costs rules apply to claims in EUR"),
      Refused("NOT_OVERDUE_BW_6_96_lid_4_costs_before_the_term_lapsed",
              NotYetDue("nl-business"), AssessCosts(At(2, 10)),
              kFailedPrecondition,
              "NOT_OVERDUE: costs are owed once an invoice's payment term has "
              "lapsed"),
      Allowed("BW_6_96_lid_4_scale_costs_once_overdue", Overdue("nl-business"),
              AssessCosts(At(2, 10))),
      Refused("COSTS_ALREADY_ASSESSED_nothing_owed_gives_zero_costs",
              After(lapsed, {Payment("P1", 100000, At(3, 5))}),
              AssessCosts(At(3, 21)), kFailedPrecondition,
              "COSTS_ALREADY_ASSESSED: no principal is owed: the costs come "
              "to zero"),
  };
  RunTable(rows);
}

TEST(DecideRefusalsTest, AccrueInterestOnlyOnPastDaysNotYetAccrued) {
  const absl::CivilDay mar3(2026, 3, 3);
  const std::vector<Row> rows = {
      Allowed("interest_accrues_up_to_a_past_day", Overdue(),
              Accrue(mar3, At(3, 3))),
      Allowed("interest_accrues_up_to_the_end_of_today", Overdue(),
              Accrue(absl::CivilDay(2026, 3, 4), At(3, 3))),
      Refused("NOT_IN_RULE_PACK_pack_none_has_no_statutory_interest",
              Overdue("none"), Accrue(mar3, At(3, 3)), kFailedPrecondition,
              "NOT_IN_RULE_PACK: rule pack none has no statutory interest"),
      Refused("INSOLVENCY_STAY_interest_stops",
              WithHold(v1::CASE_HOLD_INSOLVENCY), Accrue(mar3, At(3, 3)),
              kFailedPrecondition,
              "INSOLVENCY_STAY: the debtor is insolvent: interest stops"),
      Refused("INSOLVENCY_STAY_override_is_not_allowed",
              WithHold(v1::CASE_HOLD_INSOLVENCY),
              Accrue(mar3, At(3, 3), {{"INSOLVENCY_STAY", "asked"}}),
              kFailedPrecondition,
              "interest stops (rule pack nl-consumer@2024-10-01 does not "
              "allow overriding it)"),
      Refused("INVALID_ARGUMENT_up_to_a_future_day", Overdue(),
              Accrue(absl::CivilDay(2026, 3, 5), At(3, 3)), kInvalidArgument,
              "up_to 2026-03-05 is in the future of the act (2026-03-03); "
              "interest accrues only on past days"),
      Refused("INTEREST_ALREADY_ACCRUED_same_period_again",
              After(Overdue(), {Accrue(mar3, At(3, 3))}),
              Accrue(mar3, At(3, 4)), kFailedPrecondition,
              "INTEREST_ALREADY_ACCRUED: no invoice has interest to add up to "
              "2026-03-03"),
      Refused("INTEREST_ALREADY_ACCRUED_up_to_the_first_day_of_interest",
              Overdue(), Accrue(absl::CivilDay(2026, 2, 1), At(2, 10)),
              kFailedPrecondition,
              "INTEREST_ALREADY_ACCRUED: no invoice has interest to add up to "
              "2026-02-01"),
      // Art. 6:119: interest runs until the payment's day, not after.
      Allowed("interest_runs_until_the_principal_was_paid",
              After(Overdue(), {Payment("P1", 100000, At(2, 10))}),
              Accrue(mar3, At(3, 3))),
      Refused("INTEREST_ALREADY_ACCRUED_no_principal_owed_since",
              After(Overdue(),
                    {Payment("P1", 100000, At(2, 10)), Accrue(mar3, At(3, 3))}),
              Accrue(absl::CivilDay(2026, 3, 4), At(3, 4)), kFailedPrecondition,
              "INTEREST_ALREADY_ACCRUED: no invoice has interest to add up to "
              "2026-03-04"),
  };
  RunTable(rows);
}

TEST(DecideRefusalsTest, WriteOffFitsEachBucketAndWritesSomethingOff) {
  auto bucket = [](v1::Money* (v1::Allocation::*part)(), int64_t minor) {
    return [part, minor](v1::Allocation& a) { *(a.*part)() = Eur(minor); };
  };
  const std::vector<Row> rows = {
      Allowed("part_of_the_principal_is_written_off", Overdue(),
              WriteOff(At(2, 11),
                       bucket(&v1::Allocation::mutable_principal, 10000))),
      Refused("INVALID_ARGUMENT_principal_above_what_is_owed", Overdue(),
              WriteOff(At(2, 11),
                       bucket(&v1::Allocation::mutable_principal, 100001)),
              kInvalidArgument,
              "write_off.amount.principal 100001 is above what is owed there, "
              "100000"),
      Refused("INVALID_ARGUMENT_interest_above_what_is_owed", Overdue(),
              WriteOff(At(2, 11), bucket(&v1::Allocation::mutable_interest, 1)),
              kInvalidArgument,
              "write_off.amount.interest 1 is above what is owed there, 0"),
      Refused("INVALID_ARGUMENT_costs_above_what_is_owed", Overdue(),
              WriteOff(At(2, 11), bucket(&v1::Allocation::mutable_costs, 1)),
              kInvalidArgument,
              "write_off.amount.costs 1 is above what is owed there, 0"),
      Refused("INVALID_ARGUMENT_fees_above_what_is_owed", Overdue(),
              WriteOff(At(2, 11), bucket(&v1::Allocation::mutable_fees, 1)),
              kInvalidArgument,
              "write_off.amount.fees 1 is above what is owed there, 0"),
      Refused("INVALID_ARGUMENT_nothing_written_off", Overdue(),
              WriteOff(At(2, 11), nullptr), kInvalidArgument,
              "write_off.amount writes off nothing"),
  };
  RunTable(rows);
}

TEST(DecideRefusalsTest, ClaimVatReliefOnceAYearAfterTheDueDate) {
  const absl::Time year_later = Local(absl::CivilDay(2027, 2, 1));
  const Overrides uncollectable = {
      {"NL_VAT_RELIEF_ONE_YEAR", "debtor bankrupt, estate empty"}};
  const std::vector<Row> rows = {
      Allowed("NL_VAT_RELIEF_ONE_YEAR_claim_a_year_after_the_due_date",
              Overdue(), VatRelief("INV-1", Eur(17355), year_later)),
      Allowed("NL_VAT_RELIEF_ONE_YEAR_override_claims_earlier", Overdue(),
              VatRelief("INV-1", Eur(17355), At(3, 1), uncollectable),
              "NL_VAT_RELIEF_ONE_YEAR"),
      Refused("NOT_IN_RULE_PACK_reg_f_has_no_vat_relief", Overdue("us-regf"),
              VatRelief("INV-1", Eur(8677), year_later), kFailedPrecondition,
              "NOT_IN_RULE_PACK: rule pack us-regf has no VAT relief on bad "
              "debts"),
      Refused("INVALID_ARGUMENT_invoice_not_on_the_case", Overdue(),
              VatRelief("INV-9", Eur(17355), year_later), kInvalidArgument,
              "claim.invoice_number INV-9 is not a claim line of this case"),
      Refused("INVALID_ARGUMENT_vat_in_another_currency", Overdue(),
              VatRelief("INV-1", Usd(17355), year_later), kInvalidArgument,
              "claim.vat is in USD but the case is in EUR"),
      Refused("ALREADY_EXISTS_relief_claimed_before",
              After(Overdue(),
                    {VatRelief("INV-1", Eur(17355), At(3, 1), uncollectable)}),
              VatRelief("INV-1", Eur(17355), year_later), kAlreadyExists,
              "VAT relief for invoice INV-1 was claimed"),
      Refused("INVALID_ARGUMENT_vat_above_the_unpaid_share", Overdue(),
              VatRelief("INV-1", Eur(17356), year_later), kInvalidArgument,
              "claim.vat 17356 is above the VAT share of invoice INV-1's "
              "unpaid part, 17355"),
      // Art. 29 lid 1 Wet OB: due on 2027-01-31, so in the return for
      // 2027-Q1; an earlier period is refused, a malformed or future one
      // is not a period to file in.
      Refused("NL_WET_OB_29_RETURN_PERIOD_earlier_than_due", Overdue(),
              VatRelief("INV-1", Eur(17355), year_later, {}, "2026-Q4"),
              kFailedPrecondition,
              "NL_WET_OB_29_RETURN_PERIOD: VAT relief for invoice INV-1 "
              "became due on 2027-01-31 and belongs in the return for "
              "2027-Q1, not the earlier 2026-Q4"),
      Refused("INVALID_ARGUMENT_return_period_malformed", Overdue(),
              VatRelief("INV-1", Eur(17355), year_later, {}, "2027-01"),
              kInvalidArgument,
              "claim.return_period \"2027-01\" is not a quarterly period"),
      Refused("INVALID_ARGUMENT_return_period_not_begun", Overdue(),
              VatRelief("INV-1", Eur(17355), year_later, {}, "2027-Q3"),
              kInvalidArgument,
              "claim.return_period 2027-Q3 has not begun on 2027-02-01"),
      Refused("NL_VAT_RELIEF_ONE_YEAR_claim_before_the_year_passed", Overdue(),
              VatRelief("INV-1", Eur(17355), At(3, 1)), kFailedPrecondition,
              "NL_VAT_RELIEF_ONE_YEAR: VAT relief for invoice INV-1 is due "
              "from 2027-01-31"),
  };
  RunTable(rows);
}

TEST(DecideRefusalsTest, PlaceAndReleaseHoldOnlyThePlaceableOnesAndOnce) {
  const v1::CaseHold cease = v1::CASE_HOLD_CEASE_COMMUNICATION;
  const std::vector<Row> rows = {
      Allowed("cease_communication_hold_is_placed", Overdue(),
              PlaceHold(cease, At(2, 11))),
      Refused("INVALID_ARGUMENT_dispute_hold_follows_the_dispute", Overdue(),
              PlaceHold(v1::CASE_HOLD_DISPUTE, At(2, 11)), kInvalidArgument,
              "hold.hold CASE_HOLD_DISPUTE is not placed directly"),
      Refused("INVALID_ARGUMENT_promise_hold_follows_the_promise", Overdue(),
              PlaceHold(v1::CASE_HOLD_ACTIVE_PROMISE, At(2, 11)),
              kInvalidArgument,
              "hold.hold CASE_HOLD_ACTIVE_PROMISE is not placed directly"),
      Refused("HOLD_STATE_hold_already_in_force", WithHold(cease),
              PlaceHold(cease, At(2, 11)), kFailedPrecondition,
              "HOLD_STATE: CASE_HOLD_CEASE_COMMUNICATION is already in force"),

      Allowed("hold_in_force_is_released", WithHold(cease),
              ReleaseHold(cease, At(2, 11))),
      Refused("INVALID_ARGUMENT_placement_hold_ends_with_the_placement",
              Placed(),
              ReleaseHold(v1::CASE_HOLD_PLACED_WITH_AGENCY, At(2, 11)),
              kInvalidArgument,
              "release.hold CASE_HOLD_PLACED_WITH_AGENCY is not released "
              "directly"),
      Refused("HOLD_STATE_release_of_a_hold_not_in_force", WithHold(cease),
              ReleaseHold(v1::CASE_HOLD_LAWYER_REPRESENTED, At(2, 11)),
              kFailedPrecondition,
              "HOLD_STATE: CASE_HOLD_LAWYER_REPRESENTED is not in force"),
  };
  RunTable(rows);
}

TEST(DecideRefusalsTest, DisputesAreRaisedResolvedAndVerifiedOnlyWhenOpen) {
  const Given disputed =
      After(Overdue(), {RaiseDispute("D1", 30000, At(2, 10))});
  // nl-business: the scale's €150.00 on €1,000.00 (15%) on top, then
  // everything disputed (115000).
  const Given business_all_disputed =
      After(Overdue("nl-business"),
            {AssessCosts(At(2, 10)), RaiseDispute("D1", 0, At(2, 10))});
  const v1::DisputeOutcome upheld = v1::DISPUTE_OUTCOME_UPHELD;
  const std::vector<Row> rows = {
      // DecideRaiseDispute.
      Allowed("dispute_is_raised", Overdue(), RaiseDispute("D1", 0, At(2, 11))),
      Refused("ALREADY_EXISTS_dispute_id_already_open", disputed,
              RaiseDispute("D1", 0, At(2, 11)), kAlreadyExists,
              "dispute D1 is already open"),
      Allowed(
          "dispute_id_reused_once_resolved",
          After(disputed, {ResolveDispute("D1", v1::DISPUTE_OUTCOME_REJECTED,
                                          Eur(0), At(2, 10))}),
          RaiseDispute("D1", 0, At(2, 11))),
      Refused("INVALID_ARGUMENT_disputed_amount_in_another_currency", Overdue(),
              RaiseDispute("D1", 0, At(2, 11),
                           [](v1::DisputeRaised& d) {
                             *d.mutable_disputed_amount() = Usd(100);
                           }),
              kInvalidArgument,
              "dispute.disputed_amount is in USD but the case is in EUR"),
      Refused("INVALID_ARGUMENT_disputed_invoice_not_on_the_case", Overdue(),
              RaiseDispute(
                  "D1", 0, At(2, 11),
                  [](v1::DisputeRaised& d) { d.add_invoice_numbers("INV-9"); }),
              kInvalidArgument,
              "dispute.invoice_numbers: INV-9 is not on this case"),
      // DecideResolveDispute.
      Allowed("upheld_dispute_drops_the_disputed_amount", disputed,
              ResolveDispute("D1", upheld, Eur(30000), At(2, 11))),
      Refused("INVALID_ARGUMENT_amount_dropped_in_another_currency", disputed,
              ResolveDispute("D1", upheld, Usd(30000), At(2, 11)),
              kInvalidArgument,
              "resolution.amount_dropped is in USD but the case is in EUR"),
      Refused("INVALID_ARGUMENT_drops_more_than_was_disputed", disputed,
              ResolveDispute("D1", upheld, Eur(30001), At(2, 11)),
              kInvalidArgument,
              "resolution.amount_dropped 30001 is above the disputed amount "
              "30000 or the principal owed 100000"),
      Refused("INVALID_ARGUMENT_drops_more_than_the_principal",
              business_all_disputed,
              ResolveDispute("D1", upheld, Eur(100001), At(2, 11)),
              kInvalidArgument,
              "resolution.amount_dropped 100001 is above the disputed amount "
              "115000 or the principal owed 100000"),
      Refused(
          "INVALID_ARGUMENT_rejected_dispute_drops_something", disputed,
          ResolveDispute("D1", v1::DISPUTE_OUTCOME_REJECTED, Eur(1), At(2, 11)),
          kInvalidArgument,
          "a rejected dispute drops nothing: amount_dropped must be zero"),
      Refused("NOT_FOUND_resolving_a_dispute_not_open", disputed,
              ResolveDispute("D9", upheld, Eur(0), At(2, 11)), kNotFound,
              "dispute D9 is not open on this case"),
      // DecideSendVerification.
      Allowed("verification_of_an_open_dispute_is_sent", disputed,
              SendVerification("D1", At(2, 11))),
      Refused("ALREADY_EXISTS_verification_sent_before",
              After(disputed, {SendVerification("D1", At(2, 10))}),
              SendVerification("D1", At(2, 11)), kAlreadyExists,
              "verification for dispute D1 was sent already"),
      Refused("NOT_FOUND_verification_of_a_dispute_not_open", disputed,
              SendVerification("D9", At(2, 11)), kNotFound,
              "dispute D9 is not open on this case"),
  };
  RunTable(rows);
}

TEST(DecideRefusalsTest, HandToAgencyRefusesWhatTheHoldsLadderAndLawForbid) {
  const Overrides early = {{"LADDER_ORDER", "placed early by agreement"}};
  // Due 2023-01-31: a consumer purchase is time-barred after two years
  // (art. 7:28 BW), from 2025-02-01.
  const Given time_barred = [] {
    return CaseUnderTest("nl-consumer", 100000, absl::CivilDay(2023, 1, 31));
  };
  auto type = [](v1::PlacementType placement_type) {
    return [placement_type](v1::HandedToAgency& p) {
      p.set_placement_type(placement_type);
    };
  };
  auto unregistered = [](v1::HandedToAgency& p) {
    p.clear_agency_registration();
  };
  const std::vector<Row> rows = {
      Allowed("placement_after_a_final_notice", AfterFinalNotice(),
              HandTo("ag-2", At(2, 12))),
      Refused("PLACED_WITH_AGENCY_already_placed", Placed(),
              HandTo("ag-2", At(2, 12), early), kFailedPrecondition,
              "PLACED_WITH_AGENCY: the case is already placed with agency "
              "ag-1"),
      Refused("INSOLVENCY_STAY_no_placement_of_an_insolvent_debtor",
              After(AfterFinalNotice(),
                    {PlaceHold(v1::CASE_HOLD_INSOLVENCY, At(2, 11))}),
              HandTo("ag-2", At(2, 12)), kFailedPrecondition,
              "INSOLVENCY_STAY: the case cannot be handed to an agency while "
              "this hold lasts"),
      Refused("DEBTOR_DECEASED_no_placement_of_a_deceased_debtor",
              After(AfterFinalNotice(),
                    {PlaceHold(v1::CASE_HOLD_DECEASED, At(2, 11))}),
              HandTo("ag-2", At(2, 12)), kFailedPrecondition,
              "DEBTOR_DECEASED: the case cannot be handed to an agency while "
              "this hold lasts"),
      Refused("DISPUTE_HOLD_no_placement_while_a_dispute_is_open",
              After(AfterFinalNotice(), {RaiseDispute("D1", 0, At(2, 11))}),
              HandTo("ag-2", At(2, 12)), kFailedPrecondition,
              "DISPUTE_HOLD: dispute D1 is open: resolve it before handing "
              "over"),
      Refused("NL_WKI_REGISTRATION_unregistered_agency_since_2024_04_01",
              AfterFinalNotice(), HandTo("ag-2", At(2, 12), {}, unregistered),
              kFailedPrecondition,
              "NL_WKI_REGISTRATION: Dutch collection agencies must be "
              "registered (Wki, since 2024-04-01)"),
      Allowed("NL_WKI_REGISTRATION_not_asked_of_business_cases",
              AfterFinalNotice("nl-business"),
              HandTo("ag-2", At(2, 12), {}, unregistered)),
      Allowed(
          "NL_WKI_REGISTRATION_not_asked_before_2024_04_01",
          [] {
            return CaseUnderTest("nl-consumer", 100000,
                                 absl::CivilDay(2023, 12, 31),
                                 absl::CivilDay(2024, 1, 10));
          },
          HandTo("ag-2", Local(absl::CivilDay(2024, 3, 29)), early,
                 unregistered),
          "LADDER_ORDER"),
      Refused(
          "TIME_BARRED_BW_7_28_bailiff_on_a_time_barred_claim", time_barred,
          HandTo("ag-2", At(2, 10), early, type(v1::PLACEMENT_TYPE_BAILIFF)),
          kFailedPrecondition,
          "TIME_BARRED: invoice INV-1 is time-barred since 2025-02-01: "
          "no legal step may be taken on it"),
      Refused("TIME_BARRED_BW_7_28_legal_placement_on_a_time_barred_claim",
              time_barred,
              HandTo("ag-2", At(2, 10), early, type(v1::PLACEMENT_TYPE_LEGAL)),
              kFailedPrecondition,
              "TIME_BARRED: invoice INV-1 is time-barred since 2025-02-01"),
      Allowed("TIME_BARRED_contingency_placement_takes_no_legal_step",
              time_barred, HandTo("ag-2", At(2, 10), early), "LADDER_ORDER"),
      Refused("PLAN_ACTIVE_no_placement_while_a_plan_runs",
              After(AfterFinalNotice(),
                    {Plan("PLAN1", absl::CivilDay(2026, 3, 31), At(2, 11))}),
              HandTo("ag-2", At(2, 12)), kFailedPrecondition,
              "PLAN_ACTIVE: a payment plan is running: hand over only after "
              "it defaults"),
      Refused("LADDER_ORDER_placement_before_a_final_notice", Overdue(),
              HandTo("ag-2", At(2, 12)), kFailedPrecondition,
              "LADDER_ORDER: a case is handed to an agency after a final "
              "notice"),
      Allowed("LADDER_ORDER_override_is_recorded", Overdue(),
              HandTo("ag-2", At(2, 12), early), "LADDER_ORDER"),
  };
  RunTable(rows);
}

TEST(DecideRefusalsTest, RecallFromTheAgencyTheCaseIsPlacedWith) {
  const Given pending = After(Placed(), {Recall("ag-1", false, At(2, 10))});
  const std::vector<Row> rows = {
      Allowed("recall_from_the_agency_holding_the_case", Placed(),
              Recall("ag-1", false, At(2, 11))),
      Refused("NOT_PLACED_recall_of_a_case_never_placed", Overdue(),
              Recall("ag-1", false, At(2, 11)), kFailedPrecondition,
              "NOT_PLACED: the case is not placed with an agency"),
      Refused("NOT_PLACED_recall_from_another_agency", Placed(),
              Recall("ag-2", false, At(2, 11)), kFailedPrecondition,
              "NOT_PLACED: the case is placed with agency ag-1, not ag-2"),
      Refused("RECALL_STATE_second_recall_while_one_is_pending", pending,
              Recall("ag-1", false, At(2, 11)), kFailedPrecondition,
              "RECALL_STATE: a recall is already pending (a final recall may "
              "still be made)"),
      Allowed("RECALL_STATE_final_recall_over_a_pending_one", pending,
              Recall("ag-1", true, At(2, 11))),
  };
  RunTable(rows);
}

TEST(DecideRefusalsTest, AgencyReportsComeFromThePlacedAgencyAndFitTheCase) {
  const absl::Time t = At(2, 11);
  const Given recall_pending =
      After(Placed(), {Recall("ag-1", false, At(2, 10))});
  const Given agency_paid = After(
      Placed(), {Report(AgencyPaid("ag-1", "AP-1", Eur(5000)), At(2, 10))});
  auto part = [](v1::Money* (v1::Allocation::*bucket)(), v1::Money money) {
    return [bucket, money](v1::Allocation& a) { *(a.*bucket)() = money; };
  };
  // Each report: from an agency the case is not placed with.
  const std::vector<
      std::pair<std::string, std::function<AgencyReport(const std::string&)>>>
      reports = {
          {"acknowledgement",
           [](const std::string& a) -> AgencyReport {
             return Acknowledged(a, Eur(100000));
           }},
          {"payment",
           [](const std::string& a) -> AgencyReport {
             return AgencyPaid(a, "AP-9", Eur(5000));
           }},
          {"payment_reversal",
           [](const std::string& a) -> AgencyReport {
             return AgencyReversed(a, "AP-1");
           }},
          {"update",
           [](const std::string& a) -> AgencyReport { return Update(a); }},
          {"recall_objection",
           [](const std::string& a) -> AgencyReport { return Objected(a); }},
          {"recall_completion",
           [](const std::string& a) -> AgencyReport { return Completed(a); }},
          {"return",
           [](const std::string& a) -> AgencyReport { return Returned(a); }},
      };
  std::vector<Row> rows;
  for (const auto& [report, make] : reports) {
    rows.push_back(
        Refused(absl::StrCat("NOT_PLACED_", report, "_on_a_case_never_placed"),
                Overdue(), Report(make("ag-1"), t), kFailedPrecondition,
                "NOT_PLACED: the case is not placed with an agency"));
    rows.push_back(
        Refused(absl::StrCat("NOT_PLACED_", report, "_from_another_agency"),
                After(agency_paid, {Recall("ag-1", false, At(2, 10))}),
                Report(make("ag-2"), t), kFailedPrecondition,
                "NOT_PLACED: the case is placed with agency ag-1, not ag-2"));
  }
  const std::vector<Row> more = {
      Allowed("acknowledgement_is_recorded", Placed(),
              Report(Acknowledged("ag-1", Eur(100000)), t)),
      Refused("INVALID_ARGUMENT_acknowledged_balance_in_another_currency",
              Placed(), Report(Acknowledged("ag-1", Usd(100000)), t),
              kInvalidArgument,
              "acknowledged.balance_acknowledged is in USD but the case is in "
              "EUR"),
      Allowed("payment_is_split_by_the_pack", Placed(),
              Report(AgencyPaid("ag-1", "AP-9", Eur(5000)), t)),
      Allowed("payment_split_stated_by_the_agency", Placed(),
              Report(AgencyPaid(
                         "ag-1", "AP-9", Eur(5000),
                         part(&v1::Allocation::mutable_principal, Eur(5000))),
                     t)),
      Refused("INVALID_ARGUMENT_payment_in_another_currency", Placed(),
              Report(AgencyPaid("ag-1", "AP-9", Usd(5000)), t),
              kInvalidArgument,
              "payment.amount is in USD but the case is in EUR"),
      Refused("ALREADY_EXISTS_payment_id_recorded_in_house",
              Placed(After(Overdue(), {Payment("P1", 10000, At(2, 9))})),
              Report(AgencyPaid("ag-1", "P1", Eur(5000)), t), kAlreadyExists,
              "payment P1 is already recorded on this case"),
      Refused(
          "INVALID_ARGUMENT_allocation_part_in_another_currency", Placed(),
          Report(AgencyPaid("ag-1", "AP-9", Eur(5000),
                            part(&v1::Allocation::mutable_costs, Usd(5000))),
                 t),
          kInvalidArgument,
          "payment.allocation.costs is in USD but the case is in EUR"),
      Refused("INVALID_ARGUMENT_allocation_part_negative", Placed(),
              Report(AgencyPaid("ag-1", "AP-9", Eur(5000),
                                [](v1::Allocation& a) {
                                  *a.mutable_interest() = Eur(-1);
                                  *a.mutable_principal() = Eur(5001);
                                }),
                     t),
              kInvalidArgument, "payment.allocation.interest is negative"),
      Refused("INVALID_ARGUMENT_allocation_does_not_add_up", Placed(),
              Report(AgencyPaid(
                         "ag-1", "AP-9", Eur(5000),
                         part(&v1::Allocation::mutable_principal, Eur(4000))),
                     t),
              kInvalidArgument,
              "payment.allocation adds up to 4000, not the amount 5000"),
      Refused("ALLOCATION_OVER_BALANCE_allocation_over_a_bucket", Placed(),
              Report(AgencyPaid("ag-1", "AP-9", Eur(5000),
                                [](v1::Allocation& a) {
                                  *a.mutable_interest() = Eur(2000);
                                  *a.mutable_principal() = Eur(3000);
                                }),
                     t),
              kFailedPrecondition,
              "payment.allocation puts more on a bucket than it holds (owed: "
              "costs 0, interest 0, principal 100000, fees 0)"),
      Allowed("reversal_of_a_reported_payment", agency_paid,
              Report(AgencyReversed("ag-1", "AP-1"), t)),
      Refused("PAYMENT_ALREADY_REVERSED_reversal_of_a_reversed_payment",
              After(agency_paid,
                    {Report(AgencyReversed("ag-1", "AP-1"), At(2, 10))}),
              Report(AgencyReversed("ag-1", "AP-1"), t), kFailedPrecondition,
              "payment AP-1 was reversed already"),
      Refused("NOT_FOUND_reversal_of_an_unknown_payment", agency_paid,
              Report(AgencyReversed("ag-1", "AP-9"), t), kNotFound,
              "payment AP-9 is not recorded on this case"),
      Allowed("update_is_recorded", Placed(), Report(Update("ag-1"), t)),
      Allowed("objection_to_a_pending_recall", recall_pending,
              Report(Objected("ag-1"), t)),
      Refused("RECALL_STATE_objection_with_no_recall_pending", Placed(),
              Report(Objected("ag-1"), t), kFailedPrecondition,
              "RECALL_STATE: no recall is pending"),
      Allowed("completion_of_a_pending_recall", recall_pending,
              Report(Completed("ag-1"), t)),
      Refused("RECALL_STATE_completion_with_no_recall_pending", Placed(),
              Report(Completed("ag-1"), t), kFailedPrecondition,
              "RECALL_STATE: no recall is pending"),
      Allowed("return_by_the_agency", Placed(), Report(Returned("ag-1"), t)),
  };
  rows.insert(rows.end(), more.begin(), more.end());
  RunTable(rows);
}

TEST(DecideRefusalsTest, CloseCaseNeedsTheBalanceSettledAndTheCaseInHouse) {
  const Given placed_and_paid_off = After(
      Placed(), {Report(AgencyPaid("ag-1", "AP-1", Eur(100000)), At(2, 10))});
  const std::vector<Row> rows = {
      Allowed("uncollectable_case_closes_with_a_balance", Overdue(),
              Close(v1::CLOSURE_REASON_UNCOLLECTABLE, At(2, 11))),
      Refused("BALANCE_OUTSTANDING_closed_as_paid_with_a_balance", Overdue(),
              Close(v1::CLOSURE_REASON_PAID, At(2, 11)), kFailedPrecondition,
              "BALANCE_OUTSTANDING: 100000 EUR minor units are still owed: "
              "record the payment or write the rest off before closing as "
              "CLOSURE_REASON_PAID"),
      Refused("BALANCE_OUTSTANDING_closed_as_written_off_with_a_balance",
              Overdue(), Close(v1::CLOSURE_REASON_WRITTEN_OFF, At(2, 11)),
              kFailedPrecondition,
              "BALANCE_OUTSTANDING: 100000 EUR minor units are still owed: "
              "record the payment or write the rest off before closing as "
              "CLOSURE_REASON_WRITTEN_OFF"),
      Allowed("paid_case_closes_as_paid",
              After(Overdue(), {Payment("P1", 100000, At(2, 10))}),
              Close(v1::CLOSURE_REASON_PAID, At(2, 11))),
      Refused("PLACED_WITH_AGENCY_closed_while_the_agency_holds_it", Placed(),
              Close(v1::CLOSURE_REASON_UNCOLLECTABLE, At(2, 11)),
              kFailedPrecondition,
              "PLACED_WITH_AGENCY: the case is with agency ag-1: recall it or "
              "let it be returned first"),
      Allowed("PLACED_WITH_AGENCY_paid_off_through_the_agency_closes_as_paid",
              placed_and_paid_off, Close(v1::CLOSURE_REASON_PAID, At(2, 11))),
  };
  RunTable(rows);
}

// The contract (case_decisions.h): FAILED_PRECONDITION says
// "<RULE>: <reason>", and CaseStanding splits the rule off at the first
// ": ". Three refusals broke it before they got rule names:
//  - DecideReversePayment and DecideAgencyReport (AgencyPaymentReversed):
//    "payment P1 was reversed already";
//  - DecideAgencyReport's stated allocation over a bucket: "payment.allocation
//    puts more on a bucket than it holds (owed: costs 0, …)", which a split
//    at ": " would have read as the rule "payment.allocation … (owed".
TEST(DecideRefusalsTest, EveryFailedPreconditionNamesItsRule) {
  const Given paid = After(Overdue(), {Payment("P1", 10000, At(2, 10))});
  const Given agency_paid = After(
      Placed(), {Report(AgencyPaid("ag-1", "AP-1", Eur(5000)), At(2, 10))});
  const std::vector<std::pair<std::string, std::function<DecisionOr()>>> cases =
      {
          {"reverse_a_reversed_payment",
           [&] {
             CaseUnderTest c = After(paid, {Reversal("P1", At(2, 10))})();
             return Reversal("P1", At(2, 11))(c.state_);
           }},
          {"agency_reverses_a_reversed_payment",
           [&] {
             CaseUnderTest c =
                 After(agency_paid,
                       {Report(AgencyReversed("ag-1", "AP-1"), At(2, 10))})();
             return Report(AgencyReversed("ag-1", "AP-1"), At(2, 11))(c.state_);
           }},
          {"agency_allocation_over_a_bucket",
           [&] {
             CaseUnderTest c = Placed()();
             return Report(AgencyPaid("ag-1", "AP-9", Eur(5000),
                                      [](v1::Allocation& a) {
                                        *a.mutable_interest() = Eur(2000);
                                        *a.mutable_principal() = Eur(3000);
                                      }),
                           At(2, 11))(c.state_);
           }},
      };
  for (const auto& [name, decide] : cases) {
    SCOPED_TRACE(name);
    EXPECT_THAT(decide(), StatusIs(kFailedPrecondition,
                                   ::testing::MatchesRegex("[A-Z0-9_]+: .*")));
  }
}

// The invoice ledger's own branches (issue 23): a designation, costs per
// claim, the rate table's last known day, a write-off of one invoice, the
// VAT share, and an invoice added later.
TEST(DecideRefusalsTest, TheLedgerRefusesPerInvoice) {
  const std::vector<Row> rows = {
      // DecideRecordPayment: art. 6:43 lid 1 BW, a designation must name an
      // invoice of the case.
      Allowed("BW_6_43_payment_designated_to_an_invoice_of_the_case", Overdue(),
              Payment("P1", 1000, At(2, 10),
                      [](v1::PaymentReceived& p) {
                        p.set_invoice_number("INV-1");
                      })),
      Refused("INVALID_ARGUMENT_designated_invoice_not_on_the_case", Overdue(),
              Payment("P1", 1000, At(2, 10),
                      [](v1::PaymentReceived& p) {
                        p.set_invoice_number("INV-9");
                      }),
              kInvalidArgument,
              "payment.invoice_number INV-9 is not a claim line of this case"),
      // DecideAssessCollectionCosts: art. 6:96 lid 6 BW per claim: INV-2,
      // added after the 14-day letter for INV-1 lapsed, needs its own.
      Refused("NL_BW_6_96_COSTS_PER_CLAIM_invoice_added_after_the_letter",
              After(WithFourteenDayLetter(),
                    {AssessCosts(At(3, 21)),
                     AddLine("INV-2", 50000, absl::CivilDay(2026, 3, 1),
                             At(3, 22))}),
              AssessCosts(At(3, 23)), kFailedPrecondition,
              "NL_BW_6_96_COSTS_PER_CLAIM: invoice INV-2 was not named in a "
              "lapsed 14-day letter"),
      // DecideAccrueInterest: art. 6:119 BW, the table's known-until day.
      Refused("RATE_TABLE_KNOWN_UNTIL_BW_6_119_beyond_the_consumer_table",
              Overdue(), Accrue(absl::CivilDay(2026, 8, 1), At(8, 1)),
              kFailedPrecondition,
              "RATE_TABLE_KNOWN_UNTIL: rate table nl-6:119-consumer is known "
              "from 2009-07-01 until 2026-06-30"),
      // DecideWriteOff: one invoice, within what it owes.
      Allowed("write_off_of_one_invoice", Overdue(),
              WriteOff(At(2, 11),
                       [](v1::Allocation& a) {
                         *a.mutable_principal() = Eur(10000);
                       })),
      Refused(
          "INVALID_ARGUMENT_write_off_of_an_invoice_not_on_the_case", Overdue(),
          Command{At(2, 11),
                  {},
                  [](const CaseState& state, const CommandInput& in) {
                    v1::WriteOffApproved write_off;
                    write_off.set_invoice_number("INV-9");
                    *write_off.mutable_amount()->mutable_principal() = Eur(1);
                    return DecideWriteOff(state, write_off, in);
                  }},
          kInvalidArgument,
          "write_off.invoice_number INV-9 is not a claim line of this "
          "case"),
      Refused("INVALID_ARGUMENT_write_off_split_given_by_the_caller", Overdue(),
              Command{At(2, 11),
                      {},
                      [](const CaseState& state, const CommandInput& in) {
                        v1::WriteOffApproved write_off;
                        *write_off.mutable_amount()->mutable_principal() =
                            Eur(1);
                        write_off.add_invoice_allocations()->set_invoice_number(
                            "INV-1");
                        return DecideWriteOff(state, write_off, in);
                      }},
              kInvalidArgument,
              "write_off.invoice_allocations is computed by the server"),
      // DecideClaimVatRelief: art. 29 Wet OB, nothing unpaid, nothing to
      // relieve.
      Refused("INVALID_ARGUMENT_no_unpaid_vat_to_claim",
              After(Overdue(), {Payment("P1", 100000, At(2, 10))}),
              VatRelief("INV-1", Eur(1), Local(absl::CivilDay(2027, 2, 1))),
              kInvalidArgument,
              "claim.vat 1 is above the VAT share of invoice INV-1's unpaid "
              "part, 0"),
      // DecideAddClaimLine.
      Allowed("invoice_added_to_the_case", Overdue(),
              AddLine("INV-2", 50000, absl::CivilDay(2026, 3, 1), At(2, 10))),
      Refused("ALREADY_EXISTS_invoice_number_on_the_case", Overdue(),
              AddLine("INV-1", 50000, absl::CivilDay(2026, 3, 1), At(2, 10)),
              kAlreadyExists,
              "invoice INV-1 is a claim line of this case already"),
      Refused(
          "INVALID_ARGUMENT_line_in_another_currency", Overdue(),
          AddLine("INV-2", 50000, absl::CivilDay(2026, 3, 1), At(2, 10),
                  [](v1::ClaimLine& l) { *l.mutable_gross() = Usd(50000); }),
          kInvalidArgument, "line.gross is in USD but the case is in EUR"),
      Refused("INVALID_ARGUMENT_vat_above_the_gross", Overdue(),
              AddLine("INV-2", 50000, absl::CivilDay(2026, 3, 1), At(2, 10),
                      [](v1::ClaimLine& l) { *l.mutable_vat() = Eur(50001); }),
              kInvalidArgument,
              "line.vat 50001 must lie between 0 and the gross 50000"),
  };
  RunTable(rows);
}

// Issue 24: the pre-due reminder and the window on every channel.
TEST(DecideRefusalsTest, PreDueRemindersAndTheWindowOnEveryChannel) {
  const Given regf = Overdue("us-regf", 50000);
  auto by = [](v1::LetterChannel channel) {
    return [channel](v1::LetterIssued& l) { l.set_channel(channel); };
  };
  const std::vector<Row> rows = {
      Allowed("pre_due_reminder_while_not_yet_due", NotYetDue(),
              IssueLetter(v1::LETTER_LEVEL_PRE_DUE_REMINDER, At(3, 24))),
      Refused("ALREADY_OVERDUE_pre_due_reminder_after_the_due_date", Overdue(),
              IssueLetter(v1::LETTER_LEVEL_PRE_DUE_REMINDER, At(2, 10)),
              kFailedPrecondition, "ALREADY_OVERDUE: an invoice of the case"),
      Suppressed(
          "REG_F_1006_6_B1_email_at_22_00_local_time", regf,
          IssueLetter(v1::LETTER_LEVEL_VALIDATION_NOTICE, NewYork(3, 2, 22), {},
                      by(v1::LETTER_CHANNEL_EMAIL)),
          "REG_F_1006_6_B1",
          "REG_F_1006_6_B1: 2026-03-02 22:00 EST is outside"),
      Suppressed("REG_F_1006_6_B1_text_at_07_00_local_time", regf,
                 IssueLetter(v1::LETTER_LEVEL_VALIDATION_NOTICE,
                             NewYork(3, 2, 7), {}, by(v1::LETTER_CHANNEL_TEXT)),
                 "REG_F_1006_6_B1",
                 "REG_F_1006_6_B1: 2026-03-02 07:00 EST is outside"),
      Allowed(
          "REG_F_1006_34_A1_the_overdue_notice_itself_goes_out",
          After(regf, {Call(NewYork(3, 2, 10), {},
                            [](v1::CallLogged& call) {
                              call.set_outcome(v1::CALL_OUTCOME_CONVERSATION);
                            })}),
          IssueLetter(v1::LETTER_LEVEL_VALIDATION_NOTICE, NewYork(3, 9, 10))),
      Allowed("REG_F_1006_6_B1_post_is_not_timed", regf,
              IssueLetter(v1::LETTER_LEVEL_VALIDATION_NOTICE, NewYork(3, 2, 22),
                          {}, by(v1::LETTER_CHANNEL_POST))),
  };
  RunTable(rows);
}

}  // namespace
}  // namespace collections::domain
