#include "services/domain/case_snapshot.h"

namespace collections::domain {
namespace {

namespace v1 = ::collections::v1;

// The invoice ledger (art. 6:43/6:44, 6:119, 3:317-3:319 BW, art. 29 Wet OB
// figures) field by field: no rule is applied here, only kept.
void LedgerToSnapshot(const InvoiceState& invoice,
                      v1::CaseSnapshot::Ledger& out) {
  *out.mutable_owed() =
      ToAllocation(invoice.owed, invoice.line.gross().currency());
  out.set_paid_minor(invoice.paid_minor);
  out.set_credited_minor(invoice.credited_minor);
  out.set_written_off_minor(invoice.written_off_minor);
  out.set_written_off_principal_minor(invoice.written_off_principal_minor);
  out.set_interest_reduced_minor(invoice.interest_reduced_minor);
  out.set_interest_accrued_minor(invoice.interest_accrued_minor);
  out.set_interest_exact(invoice.interest_exact);
  out.set_capitalised_total_minor(invoice.capitalised_total_minor);
  if (invoice.interest_until.has_value())
    *out.mutable_interest_until() = ToLocalDate(*invoice.interest_until);
  out.set_costs_assessed_minor(invoice.costs_assessed_minor);
  if (invoice.costs_assessed_on.has_value())
    *out.mutable_costs_assessed_on() = ToLocalDate(*invoice.costs_assessed_on);
  for (const PrincipalChange& change : invoice.changes) {
    auto* c = out.add_changes();
    *c->mutable_day() = ToLocalDate(change.day);
    c->set_principal_delta(change.principal_delta);
    c->set_reduced_delta(change.reduced_delta);
  }
  for (const Interruption& interruption : invoice.interruptions) {
    auto* i = out.add_interruptions();
    *i->mutable_on() = ToLocalDate(interruption.on);
    i->set_letter_id(interruption.letter_id);
    if (interruption.deadline.has_value())
      *i->mutable_deadline() = ToLocalDate(*interruption.deadline);
  }
  out.set_vat_relief_late(invoice.vat_relief_late);
  out.set_limitation_years(invoice.limitation_years);
}

void LedgerFromSnapshot(const v1::CaseSnapshot::Ledger& in,
                        InvoiceState& invoice) {
  invoice.owed = FromAllocation(in.owed());
  invoice.paid_minor = in.paid_minor();
  invoice.credited_minor = in.credited_minor();
  invoice.written_off_minor = in.written_off_minor();
  invoice.written_off_principal_minor = in.written_off_principal_minor();
  invoice.interest_reduced_minor = in.interest_reduced_minor();
  invoice.interest_accrued_minor = in.interest_accrued_minor();
  invoice.interest_exact = in.interest_exact();
  invoice.capitalised_total_minor = in.capitalised_total_minor();
  if (in.has_interest_until())
    invoice.interest_until = ToCivilDay(in.interest_until());
  invoice.costs_assessed_minor = in.costs_assessed_minor();
  if (in.has_costs_assessed_on())
    invoice.costs_assessed_on = ToCivilDay(in.costs_assessed_on());
  for (const auto& c : in.changes()) {
    invoice.changes.push_back(
        {ToCivilDay(c.day()), c.principal_delta(), c.reduced_delta()});
  }
  for (const auto& i : in.interruptions()) {
    Interruption interruption{ToCivilDay(i.on()), i.letter_id(), {}};
    if (i.has_deadline()) interruption.deadline = ToCivilDay(i.deadline());
    invoice.interruptions.push_back(std::move(interruption));
  }
  invoice.vat_relief_late = in.vat_relief_late();
  invoice.limitation_years = in.limitation_years();
}

}  // namespace

v1::CaseSnapshot ToSnapshot(const CaseState& state) {
  v1::CaseSnapshot s;
  if (!state.exists) return s;
  v1::CaseOpened* opened = s.mutable_opened();
  opened->set_case_id(state.case_id);
  opened->set_debtor_id(state.debtor_id);
  opened->set_creditor_id(state.creditor_id);
  opened->set_debtor_kind(state.debtor_kind);
  opened->set_currency(state.currency);
  opened->set_rule_pack(state.rule_pack);
  opened->set_jurisdiction(state.jurisdiction);
  opened->set_time_zone(state.time_zone);
  *opened->mutable_creditor_terms() = state.creditor_terms;
  *opened->mutable_contract_terms() = state.contract_terms;
  *s.mutable_unattributed() = ToAllocation(state.unattributed, state.currency);
  if (state.first_communication_at.has_value())
    *s.mutable_first_communication_at() =
        ToTimestamp(*state.first_communication_at);
  s.set_validation_notice_sent(state.validation_notice_sent);
  *s.mutable_debtor() = state.debtor;
  for (const VatReversal& reversal : state.vat_reversals) {
    auto* out = s.add_vat_reversals();
    out->set_payment_id(reversal.payment_id);
    out->set_invoice_number(reversal.invoice_number);
    out->set_vat_minor(reversal.vat_minor);
  }
  s.set_stage(ToProtoStage(state.stage));
  s.set_stage_before_placement(ToProtoStage(state.stage_before_placement));
  *s.mutable_owed() = ToAllocation(state.owed, state.currency);
  s.set_claimed_minor(state.claimed_minor);
  s.set_paid_minor(state.paid_minor);
  s.set_written_off_minor(state.written_off_minor);
  s.set_costs_assessed_minor(state.costs_assessed_minor);
  s.set_interest_accrued_minor(state.interest_accrued_minor);
  if (state.interest_accrued_until.has_value())
    *s.mutable_interest_accrued_until() =
        ToLocalDate(*state.interest_accrued_until);
  for (const InvoiceState& invoice : state.invoices) {
    auto* out = s.add_invoices();
    *out->mutable_line() = invoice.line;
    *out->mutable_limitation_deadline() =
        ToLocalDate(invoice.limitation_deadline);
    out->set_vat_relief_due(invoice.vat_relief_due);
    out->set_vat_relief_claimed(invoice.vat_relief_claimed);
    out->set_vat_relief_minor(invoice.vat_relief_minor);
    *out->mutable_limitation_warned() = ToLocalDate(invoice.limitation_warned);
    out->set_warned(invoice.warned);
    LedgerToSnapshot(invoice, *out->mutable_ledger());
  }
  for (const LetterState& letter : state.letters) {
    auto* out = s.add_letters();
    out->set_letter_id(letter.letter_id);
    out->set_level(letter.level);
    *out->mutable_sent() = ToLocalDate(letter.sent);
    if (letter.term_last_day.has_value())
      *out->mutable_term_last_day() = ToLocalDate(*letter.term_last_day);
    out->set_costs_stated_minor(letter.costs_stated_minor);
    out->set_lapsed(letter.lapsed);
    out->set_undeliverable(letter.undeliverable);
    for (const auto& number : letter.invoice_numbers)
      out->add_invoice_numbers(number);
  }
  s.set_calls_logged(state.calls_logged);
  s.set_suppressed_contacts(state.suppressed_contacts);
  for (const PastCall& call : state.recent_calls) {
    auto* out = s.add_recent_calls();
    *out->mutable_at() = ToTimestamp(call.at);
    out->set_inbound(call.inbound);
    out->set_connected(call.connected);
    out->set_conversation(call.conversation);
    out->set_with_consent(call.with_consent);
  }
  s.set_last_letter(state.last_letter);
  if (state.open_promise.has_value()) {
    *s.mutable_open_promise() = state.open_promise->made;
    s.set_open_promise_paid_minor(state.open_promise->paid_minor);
  }
  std::vector<std::string> promise_ids(state.promise_ids.begin(),
                                       state.promise_ids.end());
  std::sort(promise_ids.begin(), promise_ids.end());  // deterministic bytes
  for (auto& id : promise_ids) s.add_promise_ids(std::move(id));
  if (state.plan.has_value()) {
    const PlanState& plan = *state.plan;
    auto* out = s.mutable_plan();
    *out->mutable_agreed() = plan.agreed;
    out->set_paid_minor(plan.paid_minor);
    for (bool paid : plan.paid) out->add_paid(paid);
    for (bool missed : plan.missed) out->add_missed(missed);
    out->set_misses(plan.misses);
    out->set_defaulted(plan.defaulted);
    out->set_completed(plan.completed);
  }
  for (const PaymentState& payment : state.payments) {
    auto* out = s.add_payments();
    out->set_payment_id(payment.payment_id);
    out->set_amount_minor(payment.amount_minor);
    *out->mutable_allocation() =
        ToAllocation(payment.allocation, state.currency);
    out->set_reversed(payment.reversed);
    for (const InvoiceSplit& part : payment.invoices)
      *out->add_invoice_allocations() =
          ToInvoiceAllocation(part, state.currency);
  }
  for (const DisputeState& dispute : state.open_disputes) {
    auto* out = s.add_open_disputes();
    out->set_dispute_id(dispute.dispute_id);
    out->set_amount_minor(dispute.amount_minor);
    out->set_in_writing(dispute.in_writing);
    out->set_verification_sent(dispute.verification_sent);
  }
  std::vector<int> holds(state.placed_holds.begin(), state.placed_holds.end());
  std::sort(holds.begin(), holds.end());
  for (int hold : holds) s.add_placed_holds(static_cast<v1::CaseHold>(hold));
  s.set_agency_id(state.agency_id);
  s.set_recall_requested(state.recall_requested);
  s.set_reconciliation_required(state.reconciliation_required);
  s.set_agency_balance_minor(state.agency_balance_minor);
  s.set_closure_reason(state.closure_reason);
  *s.mutable_opened_at() = ToTimestamp(state.opened_at);
  *s.mutable_last_activity_at() = ToTimestamp(state.last_activity_at);
  s.set_version(state.version);
  s.set_last_position(state.last_position);
  s.set_placements(state.placements);
  return s;
}

CaseState FromSnapshot(const v1::CaseSnapshot& s) {
  CaseState state;
  state.version = s.version();
  state.last_position = s.last_position();
  if (!s.has_opened()) return state;
  SetIdentity(state, s.opened());
  state.stage = FromProtoStage(s.stage());
  state.stage_before_placement = FromProtoStage(s.stage_before_placement());
  state.owed = FromAllocation(s.owed());
  state.claimed_minor = s.claimed_minor();
  state.paid_minor = s.paid_minor();
  state.written_off_minor = s.written_off_minor();
  state.costs_assessed_minor = s.costs_assessed_minor();
  state.interest_accrued_minor = s.interest_accrued_minor();
  if (s.has_interest_accrued_until())
    state.interest_accrued_until = ToCivilDay(s.interest_accrued_until());
  for (const auto& in : s.invoices()) {
    InvoiceState invoice;
    invoice.line = in.line();
    invoice.due = ToCivilDay(in.line().due_date());
    invoice.limitation_deadline = ToCivilDay(in.limitation_deadline());
    invoice.vat_relief_due = in.vat_relief_due();
    invoice.vat_relief_claimed = in.vat_relief_claimed();
    invoice.vat_relief_minor = in.vat_relief_minor();
    invoice.limitation_warned = ToCivilDay(in.limitation_warned());
    invoice.warned = in.warned();
    LedgerFromSnapshot(in.ledger(), invoice);
    state.invoices.push_back(std::move(invoice));
  }
  for (const auto& in : s.letters()) {
    LetterState letter;
    letter.letter_id = in.letter_id();
    letter.level = in.level();
    letter.sent = ToCivilDay(in.sent());
    if (in.has_term_last_day())
      letter.term_last_day = ToCivilDay(in.term_last_day());
    letter.costs_stated_minor = in.costs_stated_minor();
    letter.lapsed = in.lapsed();
    letter.undeliverable = in.undeliverable();
    letter.invoice_numbers.assign(in.invoice_numbers().begin(),
                                  in.invoice_numbers().end());
    state.letters.push_back(std::move(letter));
  }
  state.calls_logged = s.calls_logged();
  state.suppressed_contacts = s.suppressed_contacts();
  for (const auto& in : s.recent_calls()) {
    state.recent_calls.push_back(PastCall{ToTime(in.at()), in.inbound(),
                                          in.connected(), in.conversation(),
                                          in.with_consent()});
  }
  state.last_letter = s.last_letter();
  if (s.has_open_promise())
    state.open_promise =
        PromiseState{s.open_promise(), s.open_promise_paid_minor()};
  for (const auto& id : s.promise_ids()) state.promise_ids.insert(id);
  if (s.has_plan()) {
    PlanState plan;
    plan.agreed = s.plan().agreed();
    plan.paid_minor = s.plan().paid_minor();
    plan.paid.assign(s.plan().paid().begin(), s.plan().paid().end());
    plan.missed.assign(s.plan().missed().begin(), s.plan().missed().end());
    plan.misses = s.plan().misses();
    plan.defaulted = s.plan().defaulted();
    plan.completed = s.plan().completed();
    state.plan = std::move(plan);
  }
  for (const auto& in : s.payments()) {
    PaymentState payment;
    payment.payment_id = in.payment_id();
    payment.amount_minor = in.amount_minor();
    payment.allocation = FromAllocation(in.allocation());
    for (const auto& part : in.invoice_allocations())
      payment.invoices.push_back(FromInvoiceAllocation(part));
    payment.reversed = in.reversed();
    state.payments.push_back(std::move(payment));
  }
  for (const auto& in : s.open_disputes()) {
    state.open_disputes.push_back(
        DisputeState{in.dispute_id(), in.amount_minor(), in.in_writing(),
                     in.verification_sent()});
  }
  for (int hold : s.placed_holds()) state.placed_holds.insert(hold);
  state.agency_id = s.agency_id();
  state.recall_requested = s.recall_requested();
  state.reconciliation_required = s.reconciliation_required();
  state.agency_balance_minor = s.agency_balance_minor();
  state.closure_reason = s.closure_reason();
  state.unattributed = FromAllocation(s.unattributed());
  if (s.has_first_communication_at())
    state.first_communication_at = ToTime(s.first_communication_at());
  state.validation_notice_sent = s.validation_notice_sent();
  state.debtor = s.debtor();
  for (const auto& in : s.vat_reversals()) {
    state.vat_reversals.push_back(
        {in.payment_id(), in.invoice_number(), in.vat_minor()});
  }
  state.opened_at =
      s.has_opened_at() ? ToTime(s.opened_at()) : absl::InfinitePast();
  state.placements = s.placements();
  state.last_activity_at = s.has_last_activity_at()
                               ? ToTime(s.last_activity_at())
                               : absl::InfinitePast();
  return state;
}

}  // namespace collections::domain
