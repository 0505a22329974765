#include "services/domain/ledger_fold.h"

#include <algorithm>

#include "services/domain/statutory_interest.h"

namespace collections::domain {
namespace {

namespace v1 = ::collections::v1;
using ::collections::v1::EventPayload;

// Applies `sign` × a split to its invoice (or to the unattributed part):
// sign -1 for a payment or write-off, +1 for a reversal. `day` is the day
// the interest base changes (art. 6:119: interest runs on what is
// outstanding day by day).
void ApplySplit(CaseState& state, const InvoiceSplit& split, int sign,
                absl::CivilDay day, int64_t InvoiceState::*counter) {
  Buckets delta = split.allocated;
  InvoiceState* invoice = split.invoice_number.empty()
                              ? nullptr
                              : state.FindInvoice(split.invoice_number);
  if (invoice == nullptr) {
    if (sign < 0) {
      state.unattributed -= delta;
    } else {
      state.unattributed += delta;
    }
    return;
  }
  if (sign < 0) {
    invoice->owed -= delta;
  } else {
    invoice->owed += delta;
  }
  if (counter != nullptr) invoice->*counter -= sign * delta.total();
  // A payment value-dated before interest already accrued counts for
  // interest from the day it was accrued to (docs/security.md "Interest").
  const absl::CivilDay effective =
      std::max(day, invoice->interest_until.value_or(day));
  invoice->changes.push_back(
      {effective, sign * delta.principal, -sign * delta.interest});
}

std::vector<InvoiceSplit> LegacySplit(const CaseState& state,
                                      const Buckets& amount) {
  std::vector<InvoiceSplit> merged;
  for (Bucket bucket :
       {Bucket::kCosts, Bucket::kInterest, Bucket::kPrincipal, Bucket::kFees}) {
    for (const InvoiceSplit& part :
         SplitOldestFirst(state.invoices, bucket, amount.at(bucket))) {
      auto it = std::find_if(merged.begin(), merged.end(), [&](const auto& m) {
        return m.invoice_number == part.invoice_number;
      });
      if (it == merged.end()) {
        merged.push_back(part);
      } else {
        it->allocated += part.allocated;
      }
    }
  }
  return merged;
}

// Splits `amount` of `bucket` over the invoices in proportion to their
// principal owed (events from before the ledger: interest and costs).
void AddByPrincipal(CaseState& state, Bucket bucket, int64_t amount,
                    int64_t InvoiceState::*counter) {
  if (state.invoices.empty()) {
    state.unattributed.at(bucket) += amount;
    return;
  }
  std::vector<int64_t> weights;
  for (const auto& invoice : state.invoices)
    weights.push_back(invoice.owed.principal);
  const std::vector<int64_t> parts = SplitByWeight(amount, weights);
  for (size_t i = 0; i < parts.size(); ++i) {
    state.invoices[i].owed.at(bucket) += parts[i];
    state.invoices[i].*counter += parts[i];
  }
}

PaymentState* FindPayment(CaseState& state, const std::string& payment_id) {
  for (auto& payment : state.payments) {
    if (payment.payment_id == payment_id) return &payment;
  }
  return nullptr;
}

void ReceivePayment(
    CaseState& state, const std::string& payment_id,
    const google::protobuf::RepeatedPtrField<v1::InvoiceAllocation>& stated,
    const v1::Allocation& allocation, absl::CivilDay day) {
  const std::vector<InvoiceSplit> splits =
      SplitsOf(state, stated, FromAllocation(allocation));
  for (const InvoiceSplit& split : splits)
    ApplySplit(state, split, -1, day, &InvoiceState::paid_minor);
  for (const InvoiceSplit& split : splits) {
    if (InvoiceState* invoice = state.FindInvoice(split.invoice_number))
      invoice->interest_reduced_minor += split.allocated.interest;
  }
  if (PaymentState* payment = FindPayment(state, payment_id))
    payment->invoices = splits;
}

void ReverseReceipt(
    CaseState& state, const std::string& payment_id,
    const google::protobuf::RepeatedPtrField<v1::InvoiceAllocation>& stated,
    absl::CivilDay day) {
  PaymentState* payment = FindPayment(state, payment_id);
  std::vector<InvoiceSplit> splits;
  if (!stated.empty()) {
    for (const auto& allocation : stated)
      splits.push_back(FromInvoiceAllocation(allocation));
  } else if (payment != nullptr) {
    splits = payment->invoices;
  }
  for (const InvoiceSplit& split : splits) {
    ApplySplit(state, split, +1, day, &InvoiceState::paid_minor);
    if (InvoiceState* invoice = state.FindInvoice(split.invoice_number))
      invoice->interest_reduced_minor -= split.allocated.interest;
  }
}

void AccrueInterest(CaseState& state, const v1::InterestAccrued& accrued) {
  if (accrued.invoices().empty()) {  // before the ledger: case-wide
    const absl::CivilDay to = ToCivilDay(accrued.to_date());
    AddByPrincipal(state, Bucket::kInterest, accrued.amount().amount_minor(),
                   &InvoiceState::interest_accrued_minor);
    for (auto& invoice : state.invoices) {
      invoice.interest_until = to;
      invoice.interest_exact =
          invoice.interest_accrued_minor * kInterestUnitsPerMinor;
    }
    return;
  }
  for (const v1::InvoiceInterest& part : accrued.invoices()) {
    InvoiceState* invoice = state.FindInvoice(part.invoice_number());
    if (invoice == nullptr) continue;
    const int64_t amount = part.amount().amount_minor();
    invoice->owed.interest += amount;
    invoice->interest_accrued_minor += amount;
    invoice->interest_exact = part.exact_after();
    invoice->capitalised_total_minor = part.capitalised_total().amount_minor();
    if (part.has_to_date())
      invoice->interest_until = ToCivilDay(part.to_date());
  }
}

void AssessCosts(CaseState& state, const v1::CollectionCostsAssessed& costs,
                 absl::CivilDay day) {
  if (costs.invoices().empty()) {  // before the ledger: case-wide
    AddByPrincipal(state, Bucket::kCosts, costs.amount().amount_minor(),
                   &InvoiceState::costs_assessed_minor);
    return;
  }
  for (const v1::InvoiceAmount& part : costs.invoices()) {
    InvoiceState* invoice = state.FindInvoice(part.invoice_number());
    if (invoice == nullptr) {
      state.unattributed.costs += part.amount().amount_minor();
      continue;
    }
    invoice->owed.costs += part.amount().amount_minor();
    invoice->costs_assessed_minor += part.amount().amount_minor();
    invoice->costs_assessed_on = day;
  }
}

void Interrupt(CaseState& state, const v1::LimitationInterrupted& interrupted,
               absl::CivilDay day) {
  for (const auto& number : interrupted.invoice_numbers()) {
    InvoiceState* invoice = state.FindInvoice(number);
    if (invoice == nullptr) continue;
    if (interrupted.ground() == v1::LIMITATION_GROUND_UNSPECIFIED) {
      // Before the ledger: the deadline as the event stated it.
      invoice->interruptions.push_back(
          {day, "", ToCivilDay(interrupted.new_deadline())});
    } else {
      const std::string& letter = interrupted.letter_id();
      auto& list = invoice->interruptions;
      if (!letter.empty()) {  // a later word on the same letter replaces
        list.erase(std::remove_if(list.begin(), list.end(),
                                  [&](const Interruption& i) {
                                    return i.letter_id == letter;
                                  }),
                   list.end());
      }
      list.push_back({ToCivilDay(interrupted.interrupted_on()), letter, {}});
    }
    RecomputeLimitation(*invoice);
  }
}

// A letter that came back undeliverable reached no one: it interrupted
// nothing (art. 3:37 lid 3 BW).
void RetractLetter(CaseState& state, const std::string& letter_id) {
  for (auto& invoice : state.invoices) {
    auto& list = invoice.interruptions;
    const size_t before = list.size();
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const Interruption& i) {
                                return !i.deadline.has_value() &&
                                       i.letter_id == letter_id;
                              }),
               list.end());
    if (list.size() != before) RecomputeLimitation(invoice);
  }
}

void WriteOff(CaseState& state, const v1::WriteOffApproved& write_off,
              absl::CivilDay day) {
  std::vector<InvoiceSplit> splits;
  if (!write_off.invoice_allocations().empty()) {
    for (const auto& allocation : write_off.invoice_allocations())
      splits.push_back(FromInvoiceAllocation(allocation));
  } else {
    splits = LegacySplit(state, FromAllocation(write_off.amount()));
  }
  for (const InvoiceSplit& split : splits) {
    ApplySplit(state, split, -1, day, nullptr);
    if (InvoiceState* invoice = state.FindInvoice(split.invoice_number)) {
      invoice->written_off_minor += split.allocated.total();
      invoice->written_off_principal_minor += split.allocated.principal;
      invoice->interest_reduced_minor += split.allocated.interest;
    }
  }
}

// Principal dropped without a payment (credit notes, upheld disputes).
void DropPrincipal(CaseState& state, const std::vector<InvoiceSplit>& splits,
                   absl::CivilDay day) {
  for (const InvoiceSplit& split : splits) {
    ApplySplit(state, split, -1, day, nullptr);
    if (InvoiceState* invoice = state.FindInvoice(split.invoice_number))
      invoice->credited_minor += split.allocated.total();
  }
}

void VatRelief(CaseState& state, const EventPayload& payload) {
  switch (payload.kind_case()) {
    case EventPayload::kVatReliefClaimed:
      if (InvoiceState* invoice = state.FindInvoice(
              payload.vat_relief_claimed().invoice_number())) {
        invoice->vat_relief_late = payload.vat_relief_claimed().late();
      }
      break;
    case EventPayload::kVatReliefReversed: {
      const auto& reversed = payload.vat_relief_reversed();
      if (!reversed.payment_id().empty()) {
        state.vat_reversals.push_back({reversed.payment_id(),
                                       reversed.invoice_number(),
                                       reversed.vat().amount_minor()});
      }
      break;
    }
    case EventPayload::kVatReliefRestored: {
      const auto& restored = payload.vat_relief_restored();
      if (InvoiceState* invoice =
              state.FindInvoice(restored.invoice_number())) {
        invoice->vat_relief_minor += restored.vat().amount_minor();
      }
      auto& list = state.vat_reversals;
      list.erase(
          std::remove_if(list.begin(), list.end(),
                         [&](const VatReversal& r) {
                           return r.payment_id == restored.payment_id() &&
                                  r.invoice_number == restored.invoice_number();
                         }),
          list.end());
      break;
    }
    default:
      break;
  }
}

}  // namespace

std::vector<InvoiceSplit> SplitsOf(
    const CaseState& state,
    const google::protobuf::RepeatedPtrField<v1::InvoiceAllocation>& stated,
    const Buckets& case_allocation) {
  if (stated.empty()) return LegacySplit(state, case_allocation);
  std::vector<InvoiceSplit> splits;
  for (const auto& allocation : stated)
    splits.push_back(FromInvoiceAllocation(allocation));
  return splits;
}

void FoldLedger(CaseState& state, const EventPayload& payload,
                absl::CivilDay day) {
  switch (payload.kind_case()) {
    case EventPayload::kPaymentReceived: {
      const auto& received = payload.payment_received();
      ReceivePayment(
          state, received.payment_id(), received.invoice_allocations(),
          received.allocation(),
          received.has_value_date() ? ToCivilDay(received.value_date()) : day);
      break;
    }
    case EventPayload::kAgencyPaymentReported: {
      const auto& reported = payload.agency_payment_reported();
      ReceivePayment(
          state, reported.payment_id(), reported.invoice_allocations(),
          reported.allocation(),
          reported.has_value_date() ? ToCivilDay(reported.value_date()) : day);
      break;
    }
    case EventPayload::kPaymentReversed:
      ReverseReceipt(state, payload.payment_reversed().payment_id(),
                     payload.payment_reversed().invoice_allocations(), day);
      break;
    case EventPayload::kAgencyPaymentReversed:
      ReverseReceipt(state, payload.agency_payment_reversed().payment_id(),
                     payload.agency_payment_reversed().invoice_allocations(),
                     day);
      break;
    case EventPayload::kInterestAccrued:
      AccrueInterest(state, payload.interest_accrued());
      break;
    case EventPayload::kCollectionCostsAssessed:
      AssessCosts(state, payload.collection_costs_assessed(), day);
      break;
    case EventPayload::kCreditNoteApplied: {
      const auto& note = payload.credit_note_applied();
      InvoiceSplit split{note.invoice_number(), {}};
      split.allocated.principal = note.amount().amount_minor();
      DropPrincipal(state, {split}, day);
      break;
    }
    case EventPayload::kDisputeResolved:
      DropPrincipal(
          state,
          SplitOldestFirst(
              state.invoices, Bucket::kPrincipal,
              payload.dispute_resolved().amount_dropped().amount_minor()),
          day);
      break;
    case EventPayload::kBalanceAdjusted:
      state.unattributed += FromAllocation(payload.balance_adjusted().delta());
      break;
    case EventPayload::kWriteOffApproved:
      WriteOff(state, payload.write_off_approved(), day);
      break;
    case EventPayload::kLimitationInterrupted:
      Interrupt(state, payload.limitation_interrupted(), day);
      break;
    case EventPayload::kLetterUndeliverable:
      RetractLetter(state, payload.letter_undeliverable().letter_id());
      break;
    case EventPayload::kVatReliefClaimed:
    case EventPayload::kVatReliefReversed:
    case EventPayload::kVatReliefRestored:
      VatRelief(state, payload);
      break;
    default:
      break;
  }
}

}  // namespace collections::domain
