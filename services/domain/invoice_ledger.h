// The invoice ledger (domain.md §3, "the law counts per invoice"): each
// claim line keeps its own principal, interest, costs, payments, credit
// notes, write-offs, limitation deadline and VAT relief, and its principal
// is known for any day (the interest engine walks that history).
//
// Rules and where they come from:
//   - art. 6:44 BW: within an invoice a payment goes to costs, then
//     interest, then principal (the rule pack's allocation order);
//   - art. 6:43 BW: across invoices to the one the debtor designates, else
//     the due invoice most onerous for the debtor, then the oldest
//     (OrderForPayment says how "most onerous" is read);
//   - art. 3:317, 3:318, 3:319 BW: interruptions and the new period
//     (RecomputeLimitation);
//   - art. 29 Wet OB: the VAT share of the unpaid part (VatShareOf).
//
// Integer minor units of the case currency, civil days of the case's
// calendar. Pure; thread safe (plain values).
#ifndef COLLECTIONS_SERVICES_DOMAIN_INVOICE_LEDGER_H_
#define COLLECTIONS_SERVICES_DOMAIN_INVOICE_LEDGER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "collections/v1/events.pb.h"
#include "services/domain/balances.h"

namespace collections::domain {

// A change of an invoice's interest base from `day` on: principal paid,
// credited or written off (negative), put back by a reversal (positive);
// interest paid or written off (reduced_delta, which first eats into the
// capitalised interest: the oldest interest is paid first).
struct PrincipalChange {
  absl::CivilDay day;
  int64_t principal_delta = 0;
  int64_t reduced_delta = 0;
};

// An interruption of limitation: from the day after `on` a new period runs
// (art. 3:319 BW). `letter_id` names the written notice that caused it (a
// LetterUndeliverable of that letter takes it back); `deadline`, when set,
// is a deadline stated by an event from before the ledger, kept as it was.
struct Interruption {
  absl::CivilDay on;
  std::string letter_id;
  std::optional<absl::CivilDay> deadline;
};

struct InvoiceState {
  collections::v1::ClaimLine line;
  absl::CivilDay due;
  // Default (verzuim) starts the day after the due date: the first day of
  // interest (art. 6:119 lid 1 / 6:119a lid 2 BW with a fixed term).
  absl::CivilDay default_day() const { return due + 1; }

  Buckets owed;                   // what is owed now on this invoice, by bucket
  int64_t paid_minor = 0;         // payments less reversals, all buckets
  int64_t credited_minor = 0;     // credit notes, upheld disputes
  int64_t written_off_minor = 0;  // write-offs, all buckets
  int64_t written_off_principal_minor = 0;  // of which principal
  std::vector<PrincipalChange> changes;     // in fold order

  // Interest (services/domain/statutory_interest.h).
  int64_t interest_accrued_minor = 0;
  int64_t interest_exact = 0;  // since default, in 1/3,650,000 minor units
  int64_t capitalised_total_minor = 0;  // added to the base at anniversaries
  int64_t interest_reduced_minor = 0;   // interest paid or written off
  std::optional<absl::CivilDay> interest_until;  // exclusive

  int64_t costs_assessed_minor = 0;
  std::optional<absl::CivilDay> costs_assessed_on;  // the last assessment

  // Limitation.
  int limitation_years = 5;
  std::vector<Interruption> interruptions;
  absl::CivilDay limitation_deadline;  // last day a legal step is in time
  absl::CivilDay limitation_warned;    // deadline last warned about
  bool warned = false;

  // VAT relief (art. 29 Wet OB).
  bool vat_relief_due = false;
  bool vat_relief_claimed = false;
  bool vat_relief_late = false;
  int64_t vat_relief_minor = 0;  // claimed and still relieved

  const std::string& number() const { return line.invoice_number(); }
  int64_t gross_minor() const { return line.gross().amount_minor(); }
  bool open() const { return owed.total() > 0; }
};

// One invoice's part of an amount split by bucket.
struct InvoiceSplit {
  std::string invoice_number;  // empty: owed on no invoice (fees, legacy)
  Buckets allocated;
};

struct PaymentSplit {
  std::vector<InvoiceSplit> invoices;  // in the order they were paid
  Buckets total;                       // their sum
  int64_t overpaid = 0;                // above everything owed
};

// The order art. 6:43 BW pays invoices in on `day`: the designated invoice
// first (art. 6:43 lid 1); then the due invoices, the most onerous first
// (lid 2): one carrying interest or costs before one that carries none,
// since a payment there stops more from running; then the oldest due date,
// then the invoice number. Invoices not yet due come last, oldest first.
// Indices into `invoices`.
std::vector<size_t> OrderForPayment(const std::vector<InvoiceState>& invoices,
                                    const std::string& designated,
                                    absl::CivilDay day);

// Splits a payment of `amount` over the invoices in OrderForPayment order,
// each in `order` (art. 6:44 BW), then over `unattributed` (owed on no
// invoice). Invoices owing nothing are skipped.
PaymentSplit AllocatePayment(const std::vector<InvoiceState>& invoices,
                             const Buckets& unattributed, int64_t amount,
                             const std::string& designated, absl::CivilDay day,
                             const AllocationOrder& order);

// Splits `amount` of one bucket over invoices oldest due date first, each
// up to what it owes there; the rest is returned in the split with an empty
// invoice number. Used to read events from before the ledger, which stated
// only the case's buckets.
std::vector<InvoiceSplit> SplitOldestFirst(
    const std::vector<InvoiceState>& invoices, Bucket bucket, int64_t amount);

// Splits `amount` over weights in proportion (largest remainder; ties to
// the earlier index). All zero weights: all on the first. Empty: {}.
std::vector<int64_t> SplitByWeight(int64_t amount,
                                   const std::vector<int64_t>& weights);

// The invoice's principal owed at the end of `day`, from its history.
int64_t PrincipalOn(const InvoiceState& invoice, absl::CivilDay day);

// Limitation (art. 3:307, 3:319 BW): the period of `limitation_years` runs
// from the day after the due date; each interruption starts a new one from
// the day after it; the latest deadline counts.
void RecomputeLimitation(InvoiceState& invoice);

// Whether the invoice is time-barred on `day`.
bool TimeBarredOn(const InvoiceState& invoice, absl::CivilDay day);

// The VAT share of the unpaid part (art. 29 Wet OB): (principal owed +
// principal written off, which is no less unpaid) × VAT / gross, rounded
// half up to the minor unit; 0 when nothing is unpaid.
int64_t VatShareOf(const InvoiceState& invoice);
// The VAT share of `principal_minor` of this invoice, rounded half up.
int64_t VatShareOfAmount(const InvoiceState& invoice, int64_t principal_minor);

// Conversions to and from the wire form.
collections::v1::InvoiceAllocation ToInvoiceAllocation(
    const InvoiceSplit& split, const std::string& currency);
InvoiceSplit FromInvoiceAllocation(
    const collections::v1::InvoiceAllocation& allocation);

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_INVOICE_LEDGER_H_
