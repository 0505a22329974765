// Decide: promises, payments, plans, costs, interest, write-offs and VAT
// relief (case_decisions.h).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/domain/claim_deadlines.h"
#include "services/domain/decider.h"
#include "services/domain/dutch_collection_costs.h"
#include "services/domain/payment_schedule.h"
#include "services/domain/statutory_interest.h"

namespace collections::domain {
namespace {

std::string Day(absl::CivilDay day) { return absl::FormatCivilTime(day); }

// The 14-day letter whose term has run out, if any (the latest such).
const LetterState* LapsedFourteenDayLetter(const CaseState& state,
                                           absl::CivilDay today) {
  const LetterState* found = nullptr;
  for (const auto& letter : state.letters) {
    if (letter.level != v1::LETTER_LEVEL_FOURTEEN_DAY || letter.undeliverable)
      continue;
    if (letter.lapsed ||
        (letter.term_last_day.has_value() && today > *letter.term_last_day))
      found = &letter;
  }
  return found;
}

const LetterState* PendingFourteenDayLetter(const CaseState& state) {
  const LetterState* found = nullptr;
  for (const auto& letter : state.letters) {
    if (letter.level == v1::LETTER_LEVEL_FOURTEEN_DAY && !letter.undeliverable)
      found = &letter;
  }
  return found;
}

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

void SettleCommitments(Decider& d, int64_t amount, int64_t principal_part) {
  const CaseState& state = d.state();
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
  // Recovered principal makes relieved VAT owed again, in proportion.
  int64_t recovered = principal_part;
  for (const auto& invoice : state.invoices) {
    if (recovered <= 0) break;
    if (invoice.vat_relief_minor <= 0 ||
        invoice.line.gross().amount_minor() <= 0)
      continue;
    const int64_t share =
        std::min(recovered, invoice.line.gross().amount_minor());
    recovered -= share;
    // The VAT share of the recovered amount, rounded half up to the cent.
    const __int128 gross = invoice.line.gross().amount_minor();
    const int64_t vat = std::min<int64_t>(
        invoice.vat_relief_minor,
        static_cast<int64_t>(
            (static_cast<__int128>(share) * invoice.line.vat().amount_minor() +
             gross / 2) /
            gross));
    if (vat <= 0) continue;
    v1::EventPayload reversed;
    auto* event = reversed.mutable_vat_relief_reversed();
    event->set_invoice_number(invoice.line.invoice_number());
    *event->mutable_vat() = d.Money(vat);
    event->set_reason("payment recovered part of a relieved invoice");
    d.Emit(std::move(reversed));
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
  if (payment.has_allocation() || payment.has_overpaid()) {
    return absl::InvalidArgumentError(
        "payment.allocation and payment.overpaid are computed by the server "
        "from the rule pack's allocation order; leave them unset");
  }
  const AllocationResult result = Allocate(
      payment.amount().amount_minor(), state.owed, d.pack().allocation_order);
  v1::EventPayload payload;
  v1::PaymentReceived* received = payload.mutable_payment_received();
  *received = payment;
  *received->mutable_allocation() =
      ToAllocation(result.allocated, state.currency);
  *received->mutable_overpaid() = d.Money(result.overpaid);
  d.Emit(std::move(payload));
  SettleCommitments(d, payment.amount().amount_minor(),
                    result.allocated.principal);
  return d.Finish();
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
    d.Emit(std::move(payload));
    return d.Finish();
  }
  return absl::NotFoundError(absl::StrCat("payment ", reversal.payment_id,
                                          " is not recorded on this case"));
}

DecisionOr DecideApplyCreditNote(const CaseState& state,
                                 const v1::CreditNoteApplied& credit_note,
                                 const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  COLLECTIONS_RETURN_IF_ERROR(
      d.CheckCurrency("credit_note.amount", credit_note.amount()));
  if (state.FindInvoice(credit_note.invoice_number()) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "credit_note.invoice_number ", credit_note.invoice_number(),
        " is not a claim line of this case"));
  }
  if (credit_note.amount().amount_minor() > state.owed.principal) {
    return absl::InvalidArgumentError(
        absl::StrCat("credit_note.amount ", credit_note.amount().amount_minor(),
                     " is above the principal owed, ", state.owed.principal));
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
  return d.Finish();
}

DecisionOr DecideAssessCollectionCosts(const CaseState& state,
                                       const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  COLLECTIONS_RETURN_IF_ERROR(
      d.Require(!state.HasHold(v1::CASE_HOLD_INSOLVENCY), rules::kInsolvency,
                "the debtor is insolvent: no costs may be added"));
  if (state.costs_assessed_minor > 0) {
    return RuleRefusal(
        rules::kCostsAssessed,
        absl::StrCat("collection costs of ", state.costs_assessed_minor,
                     " were assessed already; they are owed "
                     "once per claim"));
  }
  const int64_t principal =
      std::max<int64_t>(0, state.owed.principal - state.disputed_minor());
  v1::EventPayload payload;
  auto* assessed = payload.mutable_collection_costs_assessed();
  *assessed->mutable_base() = d.Money(principal);
  switch (d.pack().costs) {
    case CostsRule::kNone:
      return RuleRefusal(rules::kNotInRulePack,
                         absl::StrCat("rule pack ", d.pack().id,
                                      " has no statutory collection costs"));
    case CostsRule::kDutchConsumerScale: {
      const LetterState* letter = LapsedFourteenDayLetter(state, d.today());
      if (letter == nullptr) {
        const LetterState* pending = PendingFourteenDayLetter(state);
        return RuleRefusal(
            rules::kFourteenDayLetter,
            pending != nullptr && pending->term_last_day.has_value()
                ? absl::StrCat("the term of 14-day letter ", pending->letter_id,
                               " runs until ", Day(*pending->term_last_day),
                               "; costs may be charged from the day after")
                : "a consumer owes collection costs only after a 14-day "
                  "letter stating them has lapsed; none was sent");
      }
      const int64_t amount = std::min(letter->costs_stated_minor,
                                      DutchCollectionCostsCents(principal));
      *assessed->mutable_amount() = d.Money(amount);
      assessed->set_scale("nl-bik-2012");
      assessed->set_fourteen_day_letter_id(letter->letter_id);
      break;
    }
    case CostsRule::kDutchBusinessFixed:
      if (state.currency != "EUR") {
        return RuleRefusal(rules::kNotInRulePack,
                           "the fixed €40 applies to claims in EUR");
      }
      COLLECTIONS_RETURN_IF_ERROR(d.Require(
          state.stage != CaseStage::kOpen, rules::kNotOverdue,
          "the fixed costs are owed once the payment term has lapsed"));
      *assessed->mutable_amount() = d.Money(kDutchBusinessFixedCostsCents);
      assessed->set_scale("nl-b2b-fixed-40");
      break;
  }
  if (assessed->amount().amount_minor() <= 0) {
    return RuleRefusal(rules::kCostsAssessed,
                       "no principal is owed: the costs come to zero");
  }
  d.Emit(std::move(payload));
  return d.Finish();
}

DecisionOr DecideAccrueInterest(const CaseState& state,
                                const v1::LocalDate& up_to,
                                const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  if (d.pack().interest == v1::INTEREST_KIND_UNSPECIFIED) {
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
  // Default starts the day after the earliest due date.
  std::optional<absl::CivilDay> from = state.interest_accrued_until;
  if (!from.has_value()) {
    for (const auto& invoice : state.invoices) {
      if (!from.has_value() || invoice.due + 1 < *from) from = invoice.due + 1;
    }
  }
  if (!from.has_value() || to <= *from || state.owed.principal <= 0) {
    return RuleRefusal(rules::kNothingToAccrue,
                       absl::StrCat("interest is accrued up to ",
                                    from.has_value() ? Day(*from) : "-",
                                    "; nothing to add up to ", Day(to)));
  }
  v1::EventPayload payload;
  auto* accrued = payload.mutable_interest_accrued();
  accrued->set_kind(d.pack().interest);
  *accrued->mutable_from_date() = ToLocalDate(*from);
  *accrued->mutable_to_date() = ToLocalDate(to);
  *accrued->mutable_base() = d.Money(state.owed.principal);
  *accrued->mutable_amount() = d.Money(StatutoryInterestCents(
      state.owed.principal, *from, to, StatutoryRateTable(d.pack().interest)));
  accrued->set_rate_table(kStatutoryRateTableVersion);
  d.Emit(std::move(payload));
  return d.Finish();
}

DecisionOr DecideWriteOff(const CaseState& state,
                          const v1::WriteOffApproved& write_off,
                          const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  const Buckets amount = FromAllocation(write_off.amount());
  const std::pair<const char*, Bucket> buckets[] = {
      {"principal", Bucket::kPrincipal},
      {"interest", Bucket::kInterest},
      {"costs", Bucket::kCosts},
      {"fees", Bucket::kFees}};
  for (const auto& [name, bucket] : buckets) {
    if (amount.at(bucket) > state.owed.at(bucket)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "write_off.amount.", name, " ", amount.at(bucket),
          " is above what is owed there, ", state.owed.at(bucket)));
    }
  }
  if (amount.total() <= 0) {
    return absl::InvalidArgumentError("write_off.amount writes off nothing");
  }
  v1::EventPayload payload;
  *payload.mutable_write_off_approved() = write_off;
  *payload.mutable_write_off_approved()->mutable_amount() =
      ToAllocation(amount, state.currency);
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
  COLLECTIONS_RETURN_IF_ERROR(d.CheckCurrency("claim.vat", claim.vat()));
  if (invoice->vat_relief_claimed) {
    return absl::AlreadyExistsError(absl::StrCat(
        "VAT relief for invoice ", claim.invoice_number(), " was claimed"));
  }
  if (claim.vat().amount_minor() > invoice->line.vat().amount_minor()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "claim.vat ", claim.vat().amount_minor(),
        " is above the invoice's VAT of ", invoice->line.vat().amount_minor()));
  }
  const absl::CivilDay due_on = VatReliefDueDate(invoice->due);
  COLLECTIONS_RETURN_IF_ERROR(d.Require(
      invoice->vat_relief_due || d.today() >= due_on, rules::kVatReliefNotDue,
      absl::StrCat("VAT relief for invoice ", claim.invoice_number(),
                   " is due from ", Day(due_on),
                   "; earlier only when definitively uncollectable (override "
                   "with the reason)")));
  v1::EventPayload payload;
  *payload.mutable_vat_relief_claimed() = claim;
  d.Emit(std::move(payload));
  return d.Finish();
}

}  // namespace collections::domain
