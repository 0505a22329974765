// Decide: promises, payments, plans, costs, interest, write-offs and VAT
// relief (case_decisions.h).
#include <algorithm>
#include <cctype>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/time_conversion.h"
#include "services/domain/claim_deadlines.h"
#include "services/domain/command_checks.h"
#include "services/domain/decider.h"
#include "services/domain/dutch_collection_costs.h"
#include "services/domain/invoice_ledger.h"
#include "services/domain/ledger_fold.h"
#include "services/domain/money_rules.h"
#include "services/domain/payment_schedule.h"
#include "services/domain/state_limitation.h"
#include "services/domain/statutory_interest.h"

namespace collections::domain {
namespace {

std::string Day(absl::CivilDay day) { return absl::FormatCivilTime(day); }

}  // namespace

absl::Status CheckNewPaymentId(const CaseState& state,
                               const std::string& payment_id) {
  for (const auto& payment : state.payments) {
    if (payment.payment_id == payment_id) {
      return absl::AlreadyExistsError(absl::StrCat(
          "payment ", payment_id, " is already recorded on this case"));
    }
  }
  return absl::OkStatus();
}

namespace {

// The state after folding `payload`, an event decided but not yet appended.
CaseState After(const CaseState& state, const v1::EventPayload& payload,
                absl::Time at) {
  CaseState next = state;
  v1::Event event;
  event.set_stream_version(state.version);
  event.set_global_position(state.last_position);
  *event.mutable_occurred_at() = ToTimestamp(at);
  *event.mutable_payload() = payload;
  Evolve(next, event);
  return next;
}

// The invoice a payment is for (art. 6:43 lid 1 BW): the explicit field, or
// a reference that is an invoice number of the case or contains one as a
// word. Empty: none designated.
absl::StatusOr<std::string> DesignatedInvoice(
    const CaseState& state, const v1::PaymentReceived& payment) {
  if (!payment.invoice_number().empty()) {
    if (state.FindInvoice(payment.invoice_number()) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("payment.invoice_number ", payment.invoice_number(),
                       " is not a claim line of this case"));
    }
    return payment.invoice_number();
  }
  const std::string& reference = payment.reference();
  for (const auto& invoice : state.invoices) {
    const std::string& number = invoice.number();
    if (number.empty()) continue;
    for (size_t at = reference.find(number); at != std::string::npos;
         at = reference.find(number, at + 1)) {
      auto word = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
      };
      const bool starts = at == 0 || !word(reference[at - 1]);
      const size_t after = at + number.size();
      const bool ends = after == reference.size() || !word(reference[after]);
      if (starts && ends) return number;
    }
  }
  return std::string();
}

}  // namespace

void EmitInterruption(Decider& d, const CaseState& state,
                      v1::LimitationGround ground, const std::string& letter_id,
                      const std::string& source_id, absl::CivilDay on,
                      const std::vector<std::string>* only) {
  if (!d.pack().letters_interrupt_limitation) return;
  v1::EventPayload interrupted;
  auto* event = interrupted.mutable_limitation_interrupted();
  for (const auto& invoice : state.invoices) {
    if (invoice.owed.total() <= 0 || TimeBarredOn(invoice, on)) continue;
    if (only != nullptr &&
        std::find(only->begin(), only->end(), invoice.number()) == only->end())
      continue;
    event->add_invoice_numbers(invoice.number());
    *event->mutable_new_deadline() =
        ToLocalDate(LimitationDeadline(on, invoice.limitation_years));
  }
  if (event->invoice_numbers_size() == 0) return;
  event->set_ground(ground);
  event->set_letter_id(letter_id);
  event->set_source_id(source_id);
  *event->mutable_interrupted_on() = ToLocalDate(on);
  d.Emit(std::move(interrupted));
}

const CaseState& AccrueBeforePayment(Decider& d, absl::CivilDay day,
                                     CaseState& scratch) {
  const CaseState& state = d.state();
  if (!state.claims_interest()) return state;
  absl::StatusOr<std::optional<v1::InterestAccrued>> accrued =
      InterestTo(state, d.pack(), day);
  if (!accrued.ok() || !accrued->has_value()) return state;
  v1::EventPayload payload;
  *payload.mutable_interest_accrued() = **accrued;
  scratch = After(state, payload, d.at());
  d.Emit(std::move(payload));
  return scratch;
}

void SettleCommitments(Decider& d, const CaseState& state, int64_t amount,
                       const std::string& payment_id,
                       const std::vector<InvoiceSplit>& splits,
                       absl::CivilDay day) {
  if (state.open_promise.has_value()) {
    const auto& made = state.open_promise->made;
    const int64_t paid = state.open_promise->paid_minor + amount;
    if (paid >=
        made.amount().amount_minor() - made.tolerance_amount().amount_minor()) {
      v1::EventPayload kept;
      kept.mutable_promise_kept()->set_promise_id(made.promise_id());
      *kept.mutable_promise_kept()->mutable_paid() = d.Money(paid);
      d.Emit(std::move(kept));
    }
  }
  if (state.plan.has_value() && state.plan->active()) {
    const PlanState& plan = *state.plan;
    const int64_t paid = plan.paid_minor + amount;
    int64_t cumulative = 0;
    bool all_paid = true;
    for (int i = 0; i < plan.agreed.installments_size(); ++i) {
      cumulative += plan.agreed.installments(i).amount().amount_minor();
      if (paid < cumulative) {
        all_paid = false;
        continue;
      }
      if (plan.paid[i]) continue;
      v1::EventPayload installment;
      installment.mutable_installment_paid()->set_plan_id(
          plan.agreed.plan_id());
      installment.mutable_installment_paid()->set_number(i + 1);
      d.Emit(std::move(installment));
    }
    if (all_paid) {
      v1::EventPayload completed;
      completed.mutable_payment_plan_completed()->set_plan_id(
          plan.agreed.plan_id());
      d.Emit(std::move(completed));
    }
  }
  std::vector<std::string> acknowledged;
  for (const InvoiceSplit& split : splits) {
    const InvoiceState* invoice = state.FindInvoice(split.invoice_number);
    if (invoice == nullptr) continue;
    // A receipt on a relieved invoice makes that invoice's VAT owed again
    // in proportion (art. 29 lid 1 Wet OB), never more than was relieved.
    const int64_t vat =
        std::min(invoice->vat_relief_minor,
                 VatShareOfAmount(*invoice, split.allocated.principal));
    if (vat > 0) {
      v1::EventPayload reversed;
      auto* event = reversed.mutable_vat_relief_reversed();
      event->set_invoice_number(invoice->number());
      *event->mutable_vat() = d.Money(vat);
      event->set_reason("a receipt recovered part of a relieved invoice");
      event->set_payment_id(payment_id);
      d.Emit(std::move(reversed));
    }
    // A payment acknowledges the invoices it pays (art. 3:318 BW).
    if (split.allocated.total() > 0) acknowledged.push_back(invoice->number());
  }
  if (!acknowledged.empty()) {
    EmitInterruption(d, state, v1::LIMITATION_GROUND_PAYMENT, "", payment_id,
                     day, &acknowledged);
  }
}

DecisionOr DecideRecordPromise(const CaseState& state,
                               const v1::PromiseMade& promise,
                               const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  COLLECTIONS_RETURN_IF_ERROR(
      d.CheckCurrency("promise.amount", promise.amount()));
  if (state.promise_ids.contains(promise.promise_id())) {
    return absl::AlreadyExistsError(
        absl::StrCat("promise ", promise.promise_id(),
                     " was recorded before; use a new id"));
  }
  if (ToCivilDay(promise.promised_date()) < d.today()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "promise.promised_date ", Day(ToCivilDay(promise.promised_date())),
        " is before the day the promise was made, ", Day(d.today())));
  }
  if (promise.amount().amount_minor() > state.outstanding_minor()) {
    return absl::InvalidArgumentError(
        absl::StrCat("promise.amount ", promise.amount().amount_minor(),
                     " is above the balance of ", state.outstanding_minor()));
  }
  COLLECTIONS_RETURN_IF_ERROR(
      d.Require(!state.HasHold(v1::CASE_HOLD_PLACED_WITH_AGENCY),
                rules::kPlacedWithAgency,
                "the case is with an agency: the agency takes promises"));
  COLLECTIONS_RETURN_IF_ERROR(
      d.Require(!state.open_promise.has_value(), rules::kPromiseOpen,
                absl::StrCat("promise ",
                             state.open_promise.has_value()
                                 ? state.open_promise->made.promise_id()
                                 : "",
                             " is still open; override to replace it")));
  v1::EventPayload payload;
  *payload.mutable_promise_made() = promise;
  d.Emit(std::move(payload));
  EmitInterruption(d, state, v1::LIMITATION_GROUND_PROMISE, "",
                   promise.promise_id(), d.today());
  return d.Finish();
}

DecisionOr DecideRecordPayment(const CaseState& state,
                               const v1::PaymentReceived& payment,
                               const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  COLLECTIONS_RETURN_IF_ERROR(
      d.CheckCurrency("payment.amount", payment.amount()));
  COLLECTIONS_RETURN_IF_ERROR(CheckNewPaymentId(state, payment.payment_id()));
  if (payment.has_allocation() || payment.has_overpaid() ||
      !payment.invoice_allocations().empty()) {
    return absl::InvalidArgumentError(
        "payment.allocation, payment.invoice_allocations and payment.overpaid "
        "are computed by the server (art. 6:43 and 6:44 BW); leave them unset "
        "and name the invoice in payment.invoice_number to designate one");
  }
  COLLECTIONS_ASSIGN_OR_RETURN(std::string designated,
                               DesignatedInvoice(state, payment));
  const absl::CivilDay day =
      payment.has_value_date() ? ToCivilDay(payment.value_date()) : d.today();
  CaseState scratch;
  // Interest runs to the value date, never beyond the act's own day.
  const CaseState& now =
      AccrueBeforePayment(d, std::min(day, d.today() + 1), scratch);
  const PaymentSplit split = AllocatePayment(
      now.invoices, now.unattributed, payment.amount().amount_minor(),
      designated, day, d.pack().allocation_order);
  v1::EventPayload payload;
  v1::PaymentReceived* received = payload.mutable_payment_received();
  *received = payment;
  received->set_invoice_number(designated);
  *received->mutable_allocation() = ToAllocation(split.total, state.currency);
  *received->mutable_overpaid() = d.Money(split.overpaid);
  for (const InvoiceSplit& part : split.invoices)
    *received->add_invoice_allocations() =
        ToInvoiceAllocation(part, state.currency);
  d.Emit(std::move(payload));
  SettleCommitments(d, now, payment.amount().amount_minor(),
                    payment.payment_id(), split.invoices, day);
  return d.Finish();
}

void RestoreVatRelief(Decider& d, const std::string& payment_id) {
  // Reversing the receipt restores the relief it had reversed (art. 29
  // Wet OB: the relief follows what is really received).
  for (const VatReversal& reversal : d.state().vat_reversals) {
    if (reversal.payment_id != payment_id || reversal.vat_minor <= 0) continue;
    v1::EventPayload restored;
    auto* event = restored.mutable_vat_relief_restored();
    event->set_invoice_number(reversal.invoice_number);
    *event->mutable_vat() = d.Money(reversal.vat_minor);
    event->set_payment_id(payment_id);
    d.Emit(std::move(restored));
  }
}

DecisionOr DecideReversePayment(const CaseState& state,
                                const PaymentReversal& reversal,
                                const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  for (const auto& payment : state.payments) {
    if (payment.payment_id != reversal.payment_id) continue;
    if (payment.reversed) {
      return RuleRefusal(rules::kPaymentReversed,
                         absl::StrCat("payment ", payment.payment_id,
                                      " was reversed already"));
    }
    v1::EventPayload payload;
    auto* reversed = payload.mutable_payment_reversed();
    reversed->set_payment_id(payment.payment_id);
    reversed->set_reason(reversal.reason);
    *reversed->mutable_allocation() =
        ToAllocation(payment.allocation, state.currency);
    for (const InvoiceSplit& part : payment.invoices)
      *reversed->add_invoice_allocations() =
          ToInvoiceAllocation(part, state.currency);
    d.Emit(std::move(payload));
    RestoreVatRelief(d, payment.payment_id);
    return d.Finish();
  }
  return absl::NotFoundError(absl::StrCat("payment ", reversal.payment_id,
                                          " is not recorded on this case"));
}

DecisionOr DecideAddClaimLine(const CaseState& state, const v1::ClaimLine& line,
                              const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  COLLECTIONS_RETURN_IF_ERROR(CheckClaimLine("line", line, state.currency));
  if (state.FindInvoice(line.invoice_number()) != nullptr) {
    return absl::AlreadyExistsError(
        absl::StrCat("invoice ", line.invoice_number(),
                     " is a claim line of this case already"));
  }
  // The line's limitation period is the state's on this day (1006.26(b)).
  if (d.pack().limitation_by_us_state &&
      IsUsStateJurisdiction(state.jurisdiction)) {
    COLLECTIONS_RETURN_IF_ERROR(
        StateLimitationOn(state.jurisdiction, d.today()).status());
  }
  v1::EventPayload payload;
  *payload.mutable_claim_line_added()->mutable_line() = line;
  d.Emit(std::move(payload));
  return d.Finish();
}

DecisionOr DecideApplyCreditNote(const CaseState& state,
                                 const v1::CreditNoteApplied& credit_note,
                                 const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  COLLECTIONS_RETURN_IF_ERROR(
      d.CheckCurrency("credit_note.amount", credit_note.amount()));
  const InvoiceState* invoice = state.FindInvoice(credit_note.invoice_number());
  if (invoice == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "credit_note.invoice_number ", credit_note.invoice_number(),
        " is not a claim line of this case"));
  }
  if (credit_note.amount().amount_minor() > invoice->owed.principal) {
    return absl::InvalidArgumentError(
        absl::StrCat("credit_note.amount ", credit_note.amount().amount_minor(),
                     " is above the principal owed on invoice ",
                     invoice->number(), ", ", invoice->owed.principal));
  }
  v1::EventPayload payload;
  *payload.mutable_credit_note_applied() = credit_note;
  d.Emit(std::move(payload));
  return d.Finish();
}

DecisionOr DecideAgreePaymentPlan(const CaseState& state,
                                  const PaymentPlanTerms& terms,
                                  const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  COLLECTIONS_RETURN_IF_ERROR(
      d.Require(!state.HasHold(v1::CASE_HOLD_PLACED_WITH_AGENCY),
                rules::kPlacedWithAgency,
                "the case is with an agency: the agency agrees plans"));
  COLLECTIONS_RETURN_IF_ERROR(
      d.Require(!(state.plan.has_value() && state.plan->active()),
                rules::kPlanActive, "a payment plan is already running"));
  const int64_t collectable = state.collectable_minor();
  int64_t total = collectable;
  if (terms.total.has_value()) {
    COLLECTIONS_RETURN_IF_ERROR(d.CheckCurrency("terms.total", *terms.total));
    total = terms.total->amount_minor();
  }
  if (total > collectable) {
    return absl::InvalidArgumentError(
        absl::StrCat("the plan's total ", total,
                     " is above the collectable balance of ", collectable));
  }
  if (total < terms.installment_count) {
    return absl::InvalidArgumentError(
        absl::StrCat("a total of ", total, " cannot be split into ",
                     terms.installment_count, " installments"));
  }
  if (!terms.first_due_date.has_value()) {
    return absl::InvalidArgumentError("terms.first_due_date is required");
  }
  const absl::CivilDay first = ToCivilDay(*terms.first_due_date);
  if (first < d.today()) {
    return absl::InvalidArgumentError(
        absl::StrCat("terms.first_due_date ", Day(first),
                     " is before the day of the agreement, ", Day(d.today())));
  }
  v1::EventPayload payload;
  v1::PaymentPlanAgreed* plan = payload.mutable_payment_plan_agreed();
  plan->set_plan_id(terms.plan_id);
  plan->set_frequency(terms.frequency);
  for (const ScheduledInstallment& scheduled : GenerateSchedule(
           total, terms.installment_count, first, terms.frequency)) {
    v1::Installment* installment = plan->add_installments();
    installment->set_number(scheduled.number);
    *installment->mutable_due_date() = ToLocalDate(scheduled.due);
    *installment->mutable_amount() = d.Money(scheduled.amount);
  }
  *plan->mutable_total() = d.Money(total);
  plan->set_signed_document_sha256(terms.signed_document_sha256);
  plan->set_misses_allowed(terms.misses_allowed > 0
                               ? terms.misses_allowed
                               : d.pack().plan_misses_allowed);
  d.Emit(std::move(payload));
  d.MoveTo(CaseStage::kArrangement,
           absl::StrCat("payment plan ", terms.plan_id, " agreed"));
  EmitInterruption(d, state, v1::LIMITATION_GROUND_PAYMENT_PLAN, "",
                   terms.plan_id, d.today());
  return d.Finish();
}

namespace {

// Whether a lapsed 14-day letter covers `invoice` (a letter from before the
// ledger names none: it covered every invoice then on the case).
bool Covers(const LetterState& letter, const InvoiceState& invoice) {
  if (letter.invoice_numbers.empty()) return true;
  return std::find(letter.invoice_numbers.begin(), letter.invoice_numbers.end(),
                   invoice.number()) != letter.invoice_numbers.end();
}

bool Lapsed(const LetterState& letter, absl::CivilDay today) {
  return letter.level == v1::LETTER_LEVEL_FOURTEEN_DAY &&
         !letter.undeliverable &&
         (letter.lapsed ||
          (letter.term_last_day.has_value() && today > *letter.term_last_day));
}

}  // namespace

DecisionOr DecideAssessCollectionCosts(const CaseState& state,
                                       const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  COLLECTIONS_RETURN_IF_ERROR(
      d.Require(!state.HasHold(v1::CASE_HOLD_INSOLVENCY), rules::kInsolvency,
                "the debtor is insolvent: no costs may be added"));
  if (d.pack().costs == CostsRule::kNone) {
    return RuleRefusal(rules::kNotInRulePack,
                       absl::StrCat("rule pack ", d.pack().id,
                                    " has no statutory collection costs"));
  }
  if (state.currency != "EUR") {
    return RuleRefusal(rules::kNotInRulePack,
                       "the Dutch costs rules apply to claims in EUR");
  }
  // Costs are owed per claim: invoices with principal owed and no costs yet.
  std::vector<const InvoiceState*> uncosted;
  for (const auto& invoice : state.invoices) {
    if (invoice.owed.principal > 0 && invoice.costs_assessed_minor == 0)
      uncosted.push_back(&invoice);
  }
  if (uncosted.empty()) {
    return RuleRefusal(
        rules::kCostsAssessed,
        state.costs_assessed_minor > 0
            ? absl::StrCat("collection costs of ", state.costs_assessed_minor,
                           " were assessed already on every open invoice; "
                           "they are owed once per claim")
            : std::string("no principal is owed: the costs come to zero"));
  }
  v1::EventPayload payload;
  auto* assessed = payload.mutable_collection_costs_assessed();
  std::vector<const InvoiceState*> claims;
  int64_t amount = 0;
  if (d.pack().costs == CostsRule::kDutchConsumerScale) {
    // Art. 6:96 lid 6 BW: only after a 14-day letter stating the costs,
    // from the day after its term, and only for the claims it named.
    const LetterState* letter = nullptr;
    for (const auto& candidate : state.letters) {
      if (!Lapsed(candidate, d.today())) continue;
      for (const InvoiceState* invoice : uncosted) {
        if (Covers(candidate, *invoice)) letter = &candidate;
      }
    }
    if (letter == nullptr) {
      const LetterState* pending = nullptr;
      for (const auto& candidate : state.letters) {
        if (candidate.level == v1::LETTER_LEVEL_FOURTEEN_DAY &&
            !candidate.undeliverable && !Lapsed(candidate, d.today()))
          pending = &candidate;
      }
      bool any_lapsed = false;
      for (const auto& candidate : state.letters)
        any_lapsed = any_lapsed || Lapsed(candidate, d.today());
      return RuleRefusal(
          any_lapsed ? rules::kCostsPerClaim : rules::kFourteenDayLetter,
          pending != nullptr && pending->term_last_day.has_value()
              ? absl::StrCat("the term of 14-day letter ", pending->letter_id,
                             " runs until ", Day(*pending->term_last_day),
                             "; costs may be charged from the day after")
          : any_lapsed
              ? absl::StrCat("invoice ", uncosted.front()->number(),
                             " was not named in a lapsed 14-day letter: "
                             "costs are owed per claim, each after its own "
                             "14-day letter")
              : std::string("a consumer owes collection costs only after a "
                            "14-day letter stating them has lapsed; none "
                            "was sent"));
    }
    int64_t principal = 0;
    for (const InvoiceState* invoice : uncosted) {
      if (!Covers(*letter, *invoice)) continue;
      claims.push_back(invoice);
      principal += invoice->owed.principal;
    }
    principal = std::max<int64_t>(0, principal - state.disputed_minor());
    // Repeated claims (from 1 Oct 2024, configurable): reduced costs.
    bool repeat = false;
    amount = ConsumerCostsMinor(state, d.pack(), principal, d.today(), &repeat);
    if (repeat) assessed->set_scale("nl-bik-2012-repeat-claims");
    amount = std::min(letter->costs_stated_minor, amount);
    if (assessed->scale().empty()) assessed->set_scale("nl-bik-2012");
    assessed->set_fourteen_day_letter_id(letter->letter_id);
    *assessed->mutable_base() = d.Money(principal);
  } else {
    // Business debtors (art. 6:96 lid 4 BW): once an invoice's term has
    // lapsed, without a reminder; the scale, at least €40 per invoice, or
    // the contract's costs per claim with their clause.
    int64_t principal = 0;
    for (const InvoiceState* invoice : uncosted) {
      if (invoice->due >= d.today()) continue;
      claims.push_back(invoice);
      principal += invoice->owed.principal;
    }
    if (claims.empty()) {
      return RuleRefusal(rules::kNotOverdue,
                         "costs are owed once an invoice's payment term has "
                         "lapsed; no open invoice is past its due date");
    }
    *assessed->mutable_base() = d.Money(principal);
    if (state.contract_terms.collection_costs().amount_minor() > 0) {
      amount = state.contract_terms.collection_costs().amount_minor() *
               static_cast<int64_t>(claims.size());
      assessed->set_scale("contract");
      assessed->set_contract_clause(state.contract_terms.costs_clause());
    } else {
      amount =
          ScaleCostsMinor(principal, static_cast<int>(claims.size()), true);
      assessed->set_scale("nl-bik-2012-business");
    }
  }
  if (amount <= 0) {
    return RuleRefusal(rules::kCostsAssessed,
                       "the costs come to zero for the open claims");
  }
  // VAT on the costs for a creditor that cannot deduct it (BIK-besluit
  // art. 2 lid 3), at the general rate of the day.
  int64_t vat = 0;
  if (state.creditor_terms.cannot_deduct_vat()) {
    vat = (amount * DutchGeneralVatRateBp(d.today()) + 5000) / 10000;
  }
  *assessed->mutable_vat() = d.Money(vat);
  *assessed->mutable_amount() = d.Money(amount + vat);
  for (const InvoiceSplit& part :
       SplitOverPrincipal(claims, Bucket::kCosts, amount + vat)) {
    v1::InvoiceAmount* share = assessed->add_invoices();
    share->set_invoice_number(part.invoice_number);
    *share->mutable_amount() = d.Money(part.allocated.costs);
  }
  d.Emit(std::move(payload));
  return d.Finish();
}

DecisionOr DecideAccrueInterest(const CaseState& state,
                                const v1::LocalDate& up_to,
                                const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  if (d.pack().interest == v1::INTEREST_KIND_UNSPECIFIED &&
      state.contract_terms.interest_rate_bp() <= 0) {
    return RuleRefusal(
        rules::kNotInRulePack,
        absl::StrCat("rule pack ", d.pack().id, " has no statutory interest"));
  }
  COLLECTIONS_RETURN_IF_ERROR(
      d.Require(!state.HasHold(v1::CASE_HOLD_INSOLVENCY), rules::kInsolvency,
                "the debtor is insolvent: interest stops"));
  const absl::CivilDay to = ToCivilDay(up_to);
  if (to > d.today() + 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("up_to ", Day(to), " is in the future of the act (",
                     Day(d.today()), "); interest accrues only on past days"));
  }
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<v1::InterestAccrued> accrued,
                               InterestTo(state, d.pack(), to));
  if (!accrued.has_value() || accrued->amount().amount_minor() == 0) {
    return RuleRefusal(
        rules::kNothingToAccrue,
        absl::StrCat("no invoice has interest to add up to ", Day(to),
                     " (each runs from the day after its due date on what "
                     "is outstanding; interest is accrued up to ",
                     state.interest_accrued_until.has_value()
                         ? Day(*state.interest_accrued_until)
                         : std::string("-"),
                     ")"));
  }
  v1::EventPayload payload;
  *payload.mutable_interest_accrued() = *std::move(accrued);
  d.Emit(std::move(payload));
  return d.Finish();
}

DecisionOr DecideWriteOff(const CaseState& state,
                          const v1::WriteOffApproved& write_off,
                          const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  const Buckets amount = FromAllocation(write_off.amount());
  const InvoiceState* invoice = nullptr;
  if (!write_off.invoice_number().empty()) {
    invoice = state.FindInvoice(write_off.invoice_number());
    if (invoice == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("write_off.invoice_number ", write_off.invoice_number(),
                       " is not a claim line of this case"));
    }
  }
  const Buckets& owed = invoice != nullptr ? invoice->owed : state.owed;
  const std::pair<const char*, Bucket> buckets[] = {
      {"principal", Bucket::kPrincipal},
      {"interest", Bucket::kInterest},
      {"costs", Bucket::kCosts},
      {"fees", Bucket::kFees}};
  for (const auto& [name, bucket] : buckets) {
    if (amount.at(bucket) > owed.at(bucket)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "write_off.amount.", name, " ", amount.at(bucket),
          " is above what is owed there",
          invoice != nullptr ? " on invoice " : "",
          invoice != nullptr ? invoice->number() : "", ", ", owed.at(bucket)));
    }
  }
  if (amount.total() <= 0) {
    return absl::InvalidArgumentError("write_off.amount writes off nothing");
  }
  if (!write_off.invoice_allocations().empty()) {
    return absl::InvalidArgumentError(
        "write_off.invoice_allocations is computed by the server; name one "
        "invoice in write_off.invoice_number or none for the whole case");
  }
  v1::EventPayload payload;
  v1::WriteOffApproved* recorded = payload.mutable_write_off_approved();
  *recorded = write_off;
  *recorded->mutable_amount() = ToAllocation(amount, state.currency);
  const std::vector<InvoiceSplit> splits =
      invoice != nullptr
          ? std::vector<InvoiceSplit>{{invoice->number(), amount}}
          : SplitsOf(state, {}, amount);
  for (const InvoiceSplit& part : splits)
    *recorded->add_invoice_allocations() =
        ToInvoiceAllocation(part, state.currency);
  d.Emit(std::move(payload));
  return d.Finish();
}

DecisionOr DecideClaimVatRelief(const CaseState& state,
                                const v1::VatReliefClaimed& claim,
                                const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.BeginAllowingClosed());
  if (!d.pack().vat_relief) {
    return RuleRefusal(rules::kNotInRulePack,
                       absl::StrCat("rule pack ", d.pack().id,
                                    " has no VAT relief on bad debts"));
  }
  const InvoiceState* invoice = state.FindInvoice(claim.invoice_number());
  if (invoice == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("claim.invoice_number ", claim.invoice_number(),
                     " is not a claim line of this case"));
  }
  if (claim.has_vat()) {
    COLLECTIONS_RETURN_IF_ERROR(d.CheckCurrency("claim.vat", claim.vat()));
  }
  if (invoice->vat_relief_claimed) {
    return absl::AlreadyExistsError(absl::StrCat(
        "VAT relief for invoice ", claim.invoice_number(), " was claimed"));
  }
  // Art. 29 Wet OB: the VAT share of that invoice's unpaid part.
  const int64_t share = VatShareOf(*invoice);
  const int64_t vat =
      claim.vat().amount_minor() > 0 ? claim.vat().amount_minor() : share;
  if (vat > share) {
    return absl::InvalidArgumentError(
        absl::StrCat("claim.vat ", vat, " is above the VAT share of invoice ",
                     claim.invoice_number(), "'s unpaid part, ", share));
  }
  if (vat <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("invoice ", claim.invoice_number(),
                     " has no unpaid VAT to claim back"));
  }
  const absl::CivilDay due_on = VatReliefDueDate(invoice->due);
  const bool early = !invoice->vat_relief_due && d.today() < due_on;
  COLLECTIONS_RETURN_IF_ERROR(d.Require(
      !early, rules::kVatReliefNotDue,
      absl::StrCat("VAT relief for invoice ", claim.invoice_number(),
                   " is due from ", Day(due_on),
                   "; earlier only when definitively uncollectable (override "
                   "with the reason)")));
  // The return of the period in which the relief became due (art. 29 lid 1
  // Wet OB with the creditor's filing frequency); a later one is late.
  const v1::VatFilingPeriod filing = state.creditor_terms.vat_filing();
  const std::string due_period = VatReturnPeriod(due_on, filing);
  std::string period = claim.return_period();
  if (period.empty()) period = VatReturnPeriod(d.today(), filing);
  const bool monthly = filing == v1::VAT_FILING_PERIOD_MONTHLY;
  const bool well_formed =
      period.size() == 7 && period[4] == '-' &&
      (monthly ? std::isdigit(static_cast<unsigned char>(period[5])) != 0
               : period[5] == 'Q' && period[6] >= '1' && period[6] <= '4');
  if (!well_formed) {
    return absl::InvalidArgumentError(
        absl::StrCat("claim.return_period \"", period, "\" is not a ",
                     monthly ? "monthly period (\"2026-11\")"
                             : "quarterly period (\"2026-Q4\")",
                     ", the creditor's filing frequency"));
  }
  if (!early && period < due_period) {
    return RuleRefusal(
        rules::kVatReturnPeriod,
        absl::StrCat("VAT relief for invoice ", claim.invoice_number(),
                     " became due on ", Day(due_on),
                     " and belongs in the "
                     "return for ",
                     due_period, ", not the earlier ", period));
  }
  if (period > VatReturnPeriod(d.today(), filing)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "claim.return_period ", period, " has not begun on ", Day(d.today())));
  }
  v1::EventPayload payload;
  v1::VatReliefClaimed* recorded = payload.mutable_vat_relief_claimed();
  *recorded = claim;
  *recorded->mutable_vat() = d.Money(vat);
  recorded->set_return_period(period);
  recorded->set_due_period(due_period);
  recorded->set_late(!early && period > due_period);
  d.Emit(std::move(payload));
  return d.Finish();
}

}  // namespace collections::domain
