#include "services/domain/case_state.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "services/domain/claim_deadlines.h"
#include "services/domain/debtor_profile.h"
#include "services/domain/ledger_fold.h"
#include "services/domain/rule_packs.h"
#include "services/domain/state_limitation.h"

namespace collections::domain {
namespace {

namespace v1 = ::collections::v1;
using ::collections::v1::Event;
using ::collections::v1::EventPayload;

// The limitation period of a claim line under the case's pack.
int LimitationYears(const CaseState& state, const v1::ClaimLine& line,
                    absl::CivilDay day) {
  const RulePack* pack = FindRulePack(state.rule_pack, day);
  if (pack == nullptr) return 5;
  if (pack->limitation_by_us_state &&
      IsUsStateJurisdiction(state.jurisdiction)) {
    // The decision checked the table answers (DecideOpenCase); a replay
    // past its known_until keeps the pack's period rather than fail a fold.
    absl::StatusOr<StateLimitation> by_state =
        StateLimitationOn(state.jurisdiction, day);
    if (by_state.ok()) return by_state->years;
  }
  return line.consumer_purchase_price()
             ? pack->consumer_purchase_limitation_years
             : pack->limitation_years;
}

void AddClaimLine(CaseState& state, const v1::ClaimLine& line,
                  absl::CivilDay today) {
  InvoiceState invoice;
  invoice.line = line;
  invoice.due = ToCivilDay(line.due_date());
  invoice.owed.principal = line.gross().amount_minor();
  invoice.limitation_years = LimitationYears(state, line, today);
  RecomputeLimitation(invoice);
  state.invoices.push_back(std::move(invoice));
  state.claimed_minor += line.gross().amount_minor();
  state.owed.principal += line.gross().amount_minor();
}

void OpenCase(CaseState& state, const v1::CaseOpened& opened, absl::Time at) {
  SetIdentity(state, opened);
  state.opened_at = at;
  state.stage = CaseStage::kOpen;
  for (const auto& line : opened.claim_lines()) {
    AddClaimLine(state, line, state.DayOf(at));
  }
}

PaymentState* FindPayment(CaseState& state, const std::string& payment_id) {
  for (auto& payment : state.payments) {
    if (payment.payment_id == payment_id) return &payment;
  }
  return nullptr;
}

DisputeState* FindDispute(CaseState& state, const std::string& dispute_id) {
  for (auto& dispute : state.open_disputes) {
    if (dispute.dispute_id == dispute_id) return &dispute;
  }
  return nullptr;
}

LetterState* FindLetterMutable(CaseState& state, const std::string& id) {
  return const_cast<LetterState*>(state.FindLetter(id));
}

// A payment (in-house or through the agency) lowers the balance by its
// allocation and counts towards an open promise and a running plan.
void ApplyPayment(CaseState& state, const std::string& payment_id,
                  int64_t amount, const v1::Allocation& allocation) {
  PaymentState payment;
  payment.payment_id = payment_id;
  payment.amount_minor = amount;
  payment.allocation = FromAllocation(allocation);
  state.owed -= payment.allocation;
  state.paid_minor += amount;
  if (state.open_promise.has_value()) state.open_promise->paid_minor += amount;
  if (state.plan.has_value() && state.plan->active())
    state.plan->paid_minor += amount;
  state.payments.push_back(std::move(payment));
}

// Puts a payment's allocation back on the balance; returns its amount (0
// when it is unknown or reversed already).
int64_t ReversePayment(CaseState& state, const std::string& payment_id) {
  PaymentState* payment = FindPayment(state, payment_id);
  if (payment == nullptr || payment->reversed) return 0;
  payment->reversed = true;
  state.owed += payment->allocation;
  state.paid_minor -= payment->amount_minor;
  if (state.open_promise.has_value()) {
    state.open_promise->paid_minor = std::max<int64_t>(
        0, state.open_promise->paid_minor - payment->amount_minor);
  }
  if (state.plan.has_value() && state.plan->active()) {
    state.plan->paid_minor =
        std::max<int64_t>(0, state.plan->paid_minor - payment->amount_minor);
  }
  return payment->amount_minor;
}

void RecordCall(CaseState& state, const v1::CallLogged& call, absl::Time at) {
  ++state.calls_logged;
  const PastCall past = PastCallOf(call, at);
  if (past.conversation && !state.first_communication_at.has_value())
    state.first_communication_at = past.at;
  state.recent_calls.push_back(past);
  // Keep only what a rule can still look at.
  absl::Time newest = absl::InfinitePast();
  for (const auto& c : state.recent_calls) newest = std::max(newest, c.at);
  const absl::Time horizon = newest - absl::Hours(24 * kCallHistoryDays);
  auto& calls = state.recent_calls;
  // No rule counts more than a handful of calls: keep the newest ones and
  // the newest conversation, so a busy case's state stays small. Each pass
  // drops the calls beyond the horizon and finds, among those kept, the
  // newest conversation (the last of equals) and the oldest call other
  // than it (the first of equals: the first strict minimum, or the first
  // strict minimum of the rest when that is the conversation), and removes
  // that call while there are too many. A call logged to a trimmed history
  // takes one pass; a state restored with more (an older build's) one per
  // call too many. Every logged call comes here (a 100-call write, twice
  // per call), so it is one pass, not four.
  for (;;) {
    size_t kept = 0;
    size_t conversation_kept = SIZE_MAX, first_oldest = SIZE_MAX,
           first_oldest_other = SIZE_MAX;
    for (size_t i = 0; i < calls.size(); ++i) {
      const PastCall c = calls[i];
      if (c.at < horizon) continue;
      const size_t slot = kept++;
      calls[slot] = c;
      if (c.conversation && (conversation_kept == SIZE_MAX ||
                             c.at >= calls[conversation_kept].at))
        conversation_kept = slot;
      if (first_oldest == SIZE_MAX || c.at < calls[first_oldest].at) {
        first_oldest_other = first_oldest;
        first_oldest = slot;
      } else if (first_oldest_other == SIZE_MAX ||
                 c.at < calls[first_oldest_other].at) {
        first_oldest_other = slot;
      }
    }
    calls.resize(kept);
    if (calls.size() <= kMaxRecentCalls) return;
    calls.erase(calls.begin() +
                static_cast<ptrdiff_t>(first_oldest == conversation_kept
                                           ? first_oldest_other
                                           : first_oldest));
    // One call too many (a call logged to a full history): no second pass.
    if (calls.size() <= kMaxRecentCalls) return;
  }
}

void RecordLetter(CaseState& state, const v1::LetterIssued& issued,
                  absl::Time at) {
  LetterState letter;
  letter.letter_id = issued.letter_id();
  letter.level = issued.level();
  letter.sent = state.DayOf(at);
  if (issued.has_term_last_day()) {
    letter.term_last_day = ToCivilDay(issued.term_last_day());
  } else if (issued.has_deadline()) {
    letter.term_last_day = ToCivilDay(issued.deadline());
  }
  letter.costs_stated_minor = issued.costs_stated().amount_minor();
  if (!state.first_communication_at.has_value())
    state.first_communication_at = at;
  if (issued.level() == v1::LETTER_LEVEL_VALIDATION_NOTICE)
    state.validation_notice_sent = true;
  letter.invoice_numbers.assign(issued.invoice_numbers().begin(),
                                issued.invoice_numbers().end());
  state.letters.push_back(std::move(letter));
  state.last_letter = issued.level();
}

void PlanAgreed(CaseState& state, const v1::PaymentPlanAgreed& agreed) {
  PlanState plan;
  plan.agreed = agreed;
  plan.paid.assign(agreed.installments_size(), false);
  plan.missed.assign(agreed.installments_size(), false);
  state.plan = std::move(plan);
}

void MarkInstallment(CaseState& state, uint32_t number, bool missed) {
  if (!state.plan.has_value() || number == 0 ||
      number > state.plan->paid.size())
    return;
  if (missed) {
    state.plan->missed[number - 1] = true;
    ++state.plan->misses;
  } else {
    state.plan->paid[number - 1] = true;
  }
}

// Placement, recall and return.
void EvolvePlacement(CaseState& state, const EventPayload& payload) {
  switch (payload.kind_case()) {
    case EventPayload::kHandedToAgency:
      state.stage_before_placement = state.stage;
      state.agency_id = payload.handed_to_agency().agency_id();
      ++state.placements;
      state.recall_requested = false;
      state.reconciliation_required = false;
      state.agency_balance_minor = 0;
      break;
    case EventPayload::kPlacementAcknowledged: {
      const auto& acknowledged = payload.placement_acknowledged();
      state.agency_balance_minor =
          acknowledged.balance_acknowledged().amount_minor();
      state.reconciliation_required = acknowledged.reconciliation_required();
      break;
    }
    case EventPayload::kRecallRequested:
      state.recall_requested = true;
      break;
    case EventPayload::kRecallObjected:
      state.recall_requested = false;
      break;
    case EventPayload::kRecallCompleted:
    case EventPayload::kReturnedByAgency:
      state.agency_id.clear();
      state.recall_requested = false;
      state.reconciliation_required = false;
      break;
    case EventPayload::kAgencyPaymentReversed:
      ReversePayment(state, payload.agency_payment_reversed().payment_id());
      break;
    case EventPayload::kAgencyPaymentReported: {
      const auto& reported = payload.agency_payment_reported();
      ApplyPayment(state, reported.payment_id(),
                   reported.amount().amount_minor(), reported.allocation());
      break;
    }
    default:
      break;
  }
}

// Invoices' deadlines and VAT relief.
void EvolveDeadlines(CaseState& state, const EventPayload& payload) {
  switch (payload.kind_case()) {
    case EventPayload::kLimitationWarning:
      if (InvoiceState* invoice = state.FindInvoice(
              payload.limitation_warning().invoice_number())) {
        invoice->warned = true;
        invoice->limitation_warned =
            ToCivilDay(payload.limitation_warning().deadline());
      }
      break;
    case EventPayload::kVatReliefBecameDue:
      if (InvoiceState* invoice = state.FindInvoice(
              payload.vat_relief_became_due().invoice_number())) {
        invoice->vat_relief_due = true;
      }
      break;
    case EventPayload::kVatReliefClaimed:
      if (InvoiceState* invoice = state.FindInvoice(
              payload.vat_relief_claimed().invoice_number())) {
        invoice->vat_relief_claimed = true;
        invoice->vat_relief_minor +=
            payload.vat_relief_claimed().vat().amount_minor();
      }
      break;
    case EventPayload::kVatReliefReversed:
      if (InvoiceState* invoice = state.FindInvoice(
              payload.vat_relief_reversed().invoice_number())) {
        invoice->vat_relief_minor -=
            payload.vat_relief_reversed().vat().amount_minor();
      }
      break;
    default:
      break;
  }
}

// Letters and contact.
void EvolveCommunication(CaseState& state, const EventPayload& payload,
                         absl::Time at) {
  switch (payload.kind_case()) {
    case EventPayload::kCallLogged:
      RecordCall(state, payload.call_logged(), at);
      break;
    case EventPayload::kContactSuppressedByRule:
      ++state.suppressed_contacts;
      break;
    case EventPayload::kLetterIssued:
      RecordLetter(state, payload.letter_issued(), at);
      break;
    case EventPayload::kLetterDelivered:
      if (LetterState* letter = FindLetterMutable(
              state, payload.letter_delivered().letter_id())) {
        if (payload.letter_delivered().has_term_last_day()) {
          letter->term_last_day =
              ToCivilDay(payload.letter_delivered().term_last_day());
        }
      }
      break;
    case EventPayload::kLetterUndeliverable:
      if (LetterState* letter = FindLetterMutable(
              state, payload.letter_undeliverable().letter_id())) {
        letter->undeliverable = true;
      }
      break;
    case EventPayload::kLetterDeadlineLapsed:
      if (LetterState* letter = FindLetterMutable(
              state, payload.letter_deadline_lapsed().letter_id())) {
        letter->lapsed = true;
      }
      break;
    default:
      break;
  }
}

// Promises and plans.
void EvolveCommitments(CaseState& state, const EventPayload& payload) {
  switch (payload.kind_case()) {
    case EventPayload::kPromiseMade:
      state.open_promise = PromiseState{payload.promise_made(), 0};
      state.promise_ids.insert(payload.promise_made().promise_id());
      break;
    case EventPayload::kPromiseKept:
      state.open_promise.reset();
      break;
    case EventPayload::kPromiseBroken:
      state.open_promise.reset();
      break;
    case EventPayload::kPaymentPlanAgreed:
      PlanAgreed(state, payload.payment_plan_agreed());
      break;
    case EventPayload::kInstallmentPaid:
      MarkInstallment(state, payload.installment_paid().number(), false);
      break;
    case EventPayload::kInstallmentMissed:
      MarkInstallment(state, payload.installment_missed().number(), true);
      break;
    case EventPayload::kPaymentPlanDefaulted:
      if (state.plan.has_value()) state.plan->defaulted = true;
      break;
    case EventPayload::kPaymentPlanCompleted:
      if (state.plan.has_value()) state.plan->completed = true;
      break;
    default:
      break;
  }
}

// Balances, disputes and holds.
void EvolveMoney(CaseState& state, const EventPayload& payload) {
  switch (payload.kind_case()) {
    case EventPayload::kClaimLineAdded:
      AddClaimLine(state, payload.claim_line_added().line(),
                   state.DayOf(state.last_activity_at));
      break;
    case EventPayload::kPaymentReceived:
      ApplyPayment(state, payload.payment_received().payment_id(),
                   payload.payment_received().amount().amount_minor(),
                   payload.payment_received().allocation());
      break;
    case EventPayload::kPaymentReversed:
      ReversePayment(state, payload.payment_reversed().payment_id());
      break;
    case EventPayload::kCollectionCostsAssessed: {
      const int64_t amount =
          payload.collection_costs_assessed().amount().amount_minor();
      state.owed.costs += amount;
      state.costs_assessed_minor += amount;
      break;
    }
    case EventPayload::kInterestAccrued: {
      const auto& accrued = payload.interest_accrued();
      state.owed.interest += accrued.amount().amount_minor();
      state.interest_accrued_minor += accrued.amount().amount_minor();
      state.interest_accrued_until = ToCivilDay(accrued.to_date());
      break;
    }
    case EventPayload::kCreditNoteApplied: {
      const int64_t amount =
          payload.credit_note_applied().amount().amount_minor();
      state.owed.principal -= amount;
      state.written_off_minor += amount;
      break;
    }
    case EventPayload::kBalanceAdjusted:
      state.owed += FromAllocation(payload.balance_adjusted().delta());
      break;
    case EventPayload::kWriteOffApproved: {
      const Buckets amount =
          FromAllocation(payload.write_off_approved().amount());
      state.owed -= amount;
      state.written_off_minor += amount.total();
      break;
    }
    case EventPayload::kDisputeRaised: {
      const auto& raised = payload.dispute_raised();
      state.open_disputes.push_back(DisputeState{
          raised.dispute_id(), raised.disputed_amount().amount_minor(),
          raised.in_writing(), false});
      break;
    }
    case EventPayload::kVerificationSent:
      if (DisputeState* dispute =
              FindDispute(state, payload.verification_sent().dispute_id())) {
        dispute->verification_sent = true;
      }
      break;
    case EventPayload::kDisputeResolved: {
      const auto& resolved = payload.dispute_resolved();
      auto& disputes = state.open_disputes;
      disputes.erase(std::remove_if(disputes.begin(), disputes.end(),
                                    [&](const DisputeState& d) {
                                      return d.dispute_id ==
                                             resolved.dispute_id();
                                    }),
                     disputes.end());
      state.owed.principal -= resolved.amount_dropped().amount_minor();
      state.written_off_minor += resolved.amount_dropped().amount_minor();
      break;
    }
    case EventPayload::kHoldPlaced:
      state.placed_holds.insert(payload.hold_placed().hold());
      break;
    case EventPayload::kHoldReleased:
      state.placed_holds.erase(payload.hold_released().hold());
      break;
    default:
      break;
  }
}

}  // namespace

PastCall PastCallOf(const v1::CallLogged& call, absl::Time logged_at) {
  PastCall past;
  past.at = call.has_placed_at() ? ToTime(call.placed_at()) : logged_at;
  past.inbound = call.direction() == v1::CALL_DIRECTION_INBOUND;
  // Placed calls count, answered or not; only a call that never reached
  // the number is not a call (Reg F 1006.14(b)(3)).
  past.connected = call.outcome() != v1::CALL_OUTCOME_BUSY &&
                   call.outcome() != v1::CALL_OUTCOME_NOT_IN_SERVICE &&
                   call.outcome() != v1::CALL_OUTCOME_NETWORK_FAILURE;
  past.conversation = call.outcome() == v1::CALL_OUTCOME_CONVERSATION ||
                      call.outcome() == v1::CALL_OUTCOME_PROMISE_TO_PAY ||
                      call.outcome() == v1::CALL_OUTCOME_REFUSED_TO_PAY ||
                      call.outcome() == v1::CALL_OUTCOME_DISPUTED;
  // Consent lasts until consent_until, at most 7 days from when it was
  // given (1006.14(b)(3)(i)).
  absl::Time consent_ends = absl::InfinitePast();
  if (call.has_consent_until()) {
    consent_ends = ToTime(call.consent_until());
    if (call.has_consent_given_at()) {
      const absl::Time given = ToTime(call.consent_given_at());
      consent_ends = past.at < given
                         ? absl::InfinitePast()
                         : std::min(consent_ends, given + kConsentLasts);
    }
  }
  past.with_consent = past.at < consent_ends;
  return past;
}

void SetIdentity(CaseState& state, const v1::CaseOpened& opened) {
  state.exists = true;
  state.case_id = opened.case_id();
  state.debtor_id = opened.debtor_id();
  state.creditor_id = opened.creditor_id();
  state.debtor_kind = opened.debtor_kind();
  state.currency = opened.currency();
  state.rule_pack = opened.rule_pack();
  state.jurisdiction = opened.jurisdiction();
  state.time_zone = opened.time_zone();
  state.creditor_terms = opened.creditor_terms();
  state.contract_terms = opened.contract_terms();
  if (!absl::LoadTimeZone(state.time_zone, &state.zone)) {
    state.zone = absl::UTCTimeZone();
  }
}

v1::CaseStage ToProtoStage(CaseStage stage) {
  return static_cast<v1::CaseStage>(static_cast<int>(stage) + 1);
}

CaseStage FromProtoStage(v1::CaseStage stage) {
  if (stage <= v1::CASE_STAGE_UNSPECIFIED || stage > v1::CASE_STAGE_CLOSED)
    return CaseStage::kOpen;
  return static_cast<CaseStage>(static_cast<int>(stage) - 1);
}

std::vector<v1::CaseHold> CaseState::Holds() const {
  std::vector<v1::CaseHold> holds;
  for (int hold = v1::CASE_HOLD_DISPUTE; hold <= v1::CASE_HOLD_DECEASED;
       ++hold) {
    if (HasHold(static_cast<v1::CaseHold>(hold)))
      holds.push_back(static_cast<v1::CaseHold>(hold));
  }
  return holds;
}

bool CaseState::HasHold(v1::CaseHold hold) const {
  switch (hold) {
    case v1::CASE_HOLD_DISPUTE:
      return !open_disputes.empty();
    case v1::CASE_HOLD_ACTIVE_PROMISE:
      return open_promise.has_value();
    case v1::CASE_HOLD_PLACED_WITH_AGENCY:
      return !agency_id.empty();
    default:
      return placed_holds.contains(hold) ||
             DebtorHoldFact(debtor, hold) != nullptr;
  }
}

int64_t CaseState::disputed_minor() const {
  int64_t disputed = 0;
  for (const auto& dispute : open_disputes) disputed += dispute.amount_minor;
  return std::clamp<int64_t>(disputed, 0, std::max<int64_t>(owed.total(), 0));
}

int64_t CaseState::collectable_minor() const {
  return owed.total() - disputed_minor();
}

const LetterState* CaseState::FindLetter(const std::string& letter_id) const {
  for (const auto& letter : letters) {
    if (letter.letter_id == letter_id) return &letter;
  }
  return nullptr;
}

const InvoiceState* CaseState::FindInvoice(
    const std::string& invoice_number) const {
  for (const auto& invoice : invoices) {
    if (invoice.line.invoice_number() == invoice_number) return &invoice;
  }
  return nullptr;
}

InvoiceState* CaseState::FindInvoice(const std::string& invoice_number) {
  for (auto& invoice : invoices) {
    if (invoice.line.invoice_number() == invoice_number) return &invoice;
  }
  return nullptr;
}

bool CaseState::claims_interest() const {
  for (const auto& invoice : invoices) {
    if (invoice.interest_until.has_value()) return true;
  }
  return false;
}

std::string CaseStreamId(const std::string& case_id) {
  return kCaseStreamPrefix + case_id;
}

std::string DebtorStreamId(const std::string& debtor_id) {
  return kDebtorStreamPrefix + debtor_id;
}

std::string AgencyStreamId(const std::string& agency_id) {
  return kAgencyStreamPrefix + agency_id;
}

std::string DebtorIdOfStream(const std::string& stream_id) {
  constexpr size_t kPrefix = sizeof(kDebtorStreamPrefix) - 1;
  if (stream_id.compare(0, kPrefix, kDebtorStreamPrefix) != 0) return "";
  return stream_id.substr(kPrefix);
}

std::string CaseIdOfStream(const std::string& stream_id) {
  const std::string prefix = kCaseStreamPrefix;
  return stream_id.compare(0, prefix.size(), prefix) == 0
             ? stream_id.substr(prefix.size())
             : stream_id;
}

absl::CivilDay ToCivilDay(const v1::LocalDate& date) {
  return absl::CivilDay(date.year(), date.month(), date.day());
}

v1::LocalDate ToLocalDate(absl::CivilDay day) {
  v1::LocalDate date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

void Evolve(CaseState& state, const Event& event) {
  state.version = event.stream_version();
  state.last_position = event.global_position();
  const absl::Time at = ToTime(event.occurred_at());
  state.last_activity_at = std::max(state.last_activity_at, at);
  const EventPayload& payload = event.payload();
  switch (payload.kind_case()) {
    case EventPayload::kCaseOpened:
      OpenCase(state, payload.case_opened(), at);
      return;
    case EventPayload::kCaseStageChanged:
      state.stage = FromProtoStage(payload.case_stage_changed().to());
      return;
    case EventPayload::kCaseClosed:
      state.closure_reason = payload.case_closed().reason();
      state.open_promise.reset();
      return;
    default:
      break;
  }
  EvolveMoney(state, payload);
  EvolveCommitments(state, payload);
  EvolveCommunication(state, payload, at);
  EvolvePlacement(state, payload);
  EvolveDeadlines(state, payload);
  FoldLedger(state, payload, state.DayOf(at));
}

}  // namespace collections::domain
