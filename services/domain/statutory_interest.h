// Dutch interest on a late invoice (domain.md §3):
//   - statutory consumer rate (art. 6:119 BW) and commercial rate
//     (art. 6:119a BW) change half-yearly: effective-dated tables with the
//     day each is known until; accrual beyond it is refused
//     (FAILED_PRECONDITION naming the table), never guessed;
//   - a contract may set another rate (contract interest, with its clause);
//   - interest runs per invoice from its default date on that invoice's
//     outstanding principal day by day; at the end of each year counted
//     from the default date the year's interest joins the base
//     (art. 6:119 lid 2 BW), so accruing in one step or in twelve gives the
//     same amount.
//
// Arithmetic: actual days / 365 (a leap year's 29 February is a day like
// any other; see docs/security.md "Interest"). A day's interest is exact in
// units of 1/3,650,000 of a minor unit: base_minor × rate_bp. Exact totals
// since the default date are kept; an accrual's amount is round(total after) −
// round(total before), half up, which telescopes: many accruals sum to the
// amount of one. At an anniversary the base grows by round(total at that
// day) − the capitalised total so far.
//
// Pure; thread safe.
#ifndef COLLECTIONS_SERVICES_DOMAIN_STATUTORY_INTEREST_H_
#define COLLECTIONS_SERVICES_DOMAIN_STATUTORY_INTEREST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "collections/v1/events.pb.h"
#include "services/domain/effective_dated.h"
#include "services/domain/invoice_ledger.h"

namespace collections::domain {

// Yearly rate in basis points (700 = 7%).
using RateTable = std::vector<Dated<int32_t>>;

// A published rate table: its name (named in refusals and recorded on
// every InterestAccrued), its rows, and the last day its rates are known.
struct RateSchedule {
  std::string name;  // "nl-6:119-consumer"
  RateTable rows;
  absl::CivilDay known_until;
};

// The published tables, by kind; nullptr for INTEREST_KIND_UNSPECIFIED.
const RateSchedule* StatutoryRateSchedule(collections::v1::InterestKind kind);

// Exact units per minor unit and day-rate divisor: 10,000 bp × 365 days.
inline constexpr int64_t kInterestUnitsPerMinor = 3'650'000;

// Rounds exact units to minor units, half up (exact >= 0; negative exact
// rounds half away from zero).
int64_t RoundInterestUnits(int64_t exact);

// What interest runs at on an invoice: a table, or a contract rate.
struct InterestBasis {
  const RateSchedule* table = nullptr;  // statutory
  int32_t contract_rate_bp = 0;         // > 0: contract interest
  std::string clause;                   // the contract's clause
  std::string description() const;      // "art. 6:119 BW", "contract: <clause>"
};

// The invoice's interest for [interest_until or default day, to): segments,
// exact totals, amount and capitalised total, as InterestAccrued states it
// per invoice. An entry with no segments and amount 0 when nothing runs
// (to not after the start, nothing owed).
//
// Errors: FAILED_PRECONDITION naming the table when a day of the period is
// after the table's known_until or before its first row.
absl::StatusOr<collections::v1::InvoiceInterest> AccrueInvoiceInterest(
    const InvoiceState& invoice, absl::CivilDay to, const InterestBasis& basis,
    const std::string& currency);

// Recomputes exact_after from the event's own figures: exact_before + Σ
// days × base_minor × rate_bp over the segments. For auditors and tests.
int64_t RecomputeExactAfter(const collections::v1::InvoiceInterest& interest);

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_STATUTORY_INTEREST_H_
