#include "services/domain/statutory_interest.h"

#include <algorithm>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_details.h"
#include "services/domain/case_state.h"
#include "services/domain/claim_deadlines.h"

namespace collections::domain {
namespace {

namespace v1 = ::collections::v1;

// Wettelijke rente, niet-handelstransacties (art. 6:119 BW), as set by
// AMvB (KB 18 januari 1971, Stb. 27; from 2023 Besluit vaststelling
// wettelijke rente, BWBR0047640): Stb. 2009, 262; Stb. 2009, 618;
// besluit 23-06-2011; Stb. 2012, 285; Stb. 2014, 491; the 2023–2026
// besluiten. Only the days the rate changed. Sources and the research
// note: docs/security.md "Interest" and docs in the commit introducing this
// table.
const RateSchedule& ConsumerSchedule() {
  static const RateSchedule* schedule = new RateSchedule{
      "nl-6:119-consumer",
      {
          {absl::CivilDay(2009, 7, 1), 400},
          {absl::CivilDay(2010, 1, 1), 300},
          {absl::CivilDay(2011, 7, 1), 400},
          {absl::CivilDay(2012, 7, 1), 300},
          {absl::CivilDay(2015, 1, 1), 200},
          {absl::CivilDay(2023, 1, 1), 400},
          {absl::CivilDay(2023, 7, 1), 600},
          {absl::CivilDay(2024, 1, 1), 700},
          {absl::CivilDay(2025, 1, 1), 600},
          {absl::CivilDay(2026, 1, 1), 400},
      },
      // The rate for 1 July 2026 is not in the table: refuse beyond.
      absl::CivilDay(2026, 6, 30)};
  return *schedule;
}

// Wettelijke handelsrente (art. 6:119a BW): the ECB main refinancing rate
// + 7 points, + 8 points from 16 March 2013 (Wet implementatie richtlijn
// betalingsachterstand, Stb. 2012, 675), set half-yearly.
const RateSchedule& CommercialSchedule() {
  static const RateSchedule* schedule =
      new RateSchedule{"nl-6:119a-commercial",
                       {
                           {absl::CivilDay(2009, 7, 1), 800},
                           {absl::CivilDay(2011, 7, 1), 825},
                           {absl::CivilDay(2012, 1, 1), 800},
                           {absl::CivilDay(2013, 1, 1), 775},
                           {absl::CivilDay(2013, 3, 16), 875},
                           {absl::CivilDay(2013, 7, 1), 850},
                           {absl::CivilDay(2014, 1, 1), 825},
                           {absl::CivilDay(2014, 7, 1), 815},
                           {absl::CivilDay(2015, 1, 1), 805},
                           {absl::CivilDay(2016, 7, 1), 800},
                           {absl::CivilDay(2023, 1, 1), 1050},
                           {absl::CivilDay(2023, 7, 1), 1200},
                           {absl::CivilDay(2024, 1, 1), 1250},
                           {absl::CivilDay(2024, 7, 1), 1225},
                           {absl::CivilDay(2025, 1, 1), 1115},
                           {absl::CivilDay(2025, 7, 1), 1015},
                       },
                       absl::CivilDay(2026, 6, 30)};
  return *schedule;
}

std::string Day(absl::CivilDay day) { return absl::FormatCivilTime(day); }

// The rate in force on `day`; the refusal when the table does not know it.
absl::StatusOr<int32_t> RateOn(const InterestBasis& basis, absl::CivilDay day) {
  if (basis.contract_rate_bp > 0) return basis.contract_rate_bp;
  const RateSchedule& table = *basis.table;
  const int32_t* rate = InForceOn(table.rows, day);
  if (rate == nullptr || day > table.known_until) {
    absl::Status unknown = RuleRefusedError(
        "RATE_TABLE_KNOWN_UNTIL",
        absl::StrCat("rate table ", table.name, " is known from ",
                     table.rows.empty() ? "-" : Day(table.rows.front().from),
                     " until ", Day(table.known_until), "; interest for ",
                     Day(day), " cannot be computed"));
    AddErrorMetadata(unknown, "table", table.name);
    AddErrorMetadata(unknown, "known_until", Day(table.known_until));
    return unknown;
  }
  return *rate;
}

}  // namespace

const RateSchedule* StatutoryRateSchedule(v1::InterestKind kind) {
  switch (kind) {
    case v1::INTEREST_KIND_NL_CONSUMER:
      return &ConsumerSchedule();
    case v1::INTEREST_KIND_NL_COMMERCIAL:
      return &CommercialSchedule();
    default:
      return nullptr;
  }
}

int64_t RoundInterestUnits(int64_t exact) {
  if (exact >= 0)
    return (exact + kInterestUnitsPerMinor / 2) / kInterestUnitsPerMinor;
  return -((-exact + kInterestUnitsPerMinor / 2) / kInterestUnitsPerMinor);
}

std::string InterestBasis::description() const {
  if (contract_rate_bp > 0) return absl::StrCat("contract: ", clause);
  if (table == &CommercialSchedule()) return "art. 6:119a BW";
  return "art. 6:119 BW";
}

absl::StatusOr<v1::InvoiceInterest> AccrueInvoiceInterest(
    const InvoiceState& invoice, absl::CivilDay to, const InterestBasis& basis,
    const std::string& currency) {
  v1::InvoiceInterest out;
  // Never before the default date (an accrual from before the ledger ran
  // case-wide from the oldest due date).
  const absl::CivilDay from =
      std::max(invoice.interest_until.value_or(invoice.default_day()),
               invoice.default_day());
  out.set_invoice_number(invoice.number());
  out.set_basis(basis.description());
  out.set_exact_before(invoice.interest_exact);
  out.set_exact_after(invoice.interest_exact);
  auto money = [&](int64_t minor) {
    v1::Money m;
    m.set_amount_minor(minor);
    m.set_currency(currency);
    return m;
  };
  *out.mutable_capitalised_total() = money(invoice.capitalised_total_minor);
  *out.mutable_amount() = money(0);
  if (to <= from) return out;
  *out.mutable_from_date() = ToLocalDate(from);
  *out.mutable_to_date() = ToLocalDate(to);

  // Days where something may change: rates, anniversaries of the default
  // date, and the invoice's own history.
  std::set<absl::CivilDay> cuts{from, to};
  if (basis.contract_rate_bp <= 0) {
    for (const auto& row : basis.table->rows) {
      if (row.from > from && row.from < to) cuts.insert(row.from);
    }
  }
  std::set<absl::CivilDay> anniversaries;
  for (int year = 1;; ++year) {
    const absl::CivilDay anniversary =
        AddYearsClamped(invoice.default_day(), year);
    if (anniversary >= to) break;
    // At an anniversary the year's interest joins the base; one on `from`
    // itself is taken here (the accrual that ended there stopped short).
    if (anniversary >= from) {
      cuts.insert(anniversary);
      anniversaries.insert(anniversary);
    }
  }
  for (const PrincipalChange& change : invoice.changes) {
    if (change.day > from && change.day < to) cuts.insert(change.day);
  }

  int64_t exact = invoice.interest_exact;
  int64_t capitalised = invoice.capitalised_total_minor;
  auto segment_start = cuts.begin();
  for (auto it = std::next(cuts.begin()); it != cuts.end(); ++it) {
    const absl::CivilDay a = *segment_start;
    const absl::CivilDay b = *it;
    segment_start = it;
    if (anniversaries.contains(a)) capitalised = RoundInterestUnits(exact);
    int64_t principal = invoice.gross_minor();
    int64_t reduced = 0;
    for (const PrincipalChange& change : invoice.changes) {
      if (change.day <= a) {
        principal += change.principal_delta;
        reduced += change.reduced_delta;
      }
    }
    const int64_t base = std::max<int64_t>(principal, 0) +
                         std::max<int64_t>(capitalised - reduced, 0);
    if (base <= 0) continue;
    // The rate may only change on a cut, so the segment has one rate.
    absl::StatusOr<int32_t> rate = RateOn(basis, a);
    if (!rate.ok()) return rate.status();
    // The table must know every day of the segment, the last one too.
    if (basis.contract_rate_bp <= 0) {
      absl::StatusOr<int32_t> last = RateOn(basis, b - 1);
      if (!last.ok()) return last.status();
    }
    const int64_t days = b - a;
    exact += days * base * *rate;
    v1::InterestSegment* segment = out.add_segments();
    *segment->mutable_from_date() = ToLocalDate(a);
    *segment->mutable_to_date() = ToLocalDate(b);
    segment->set_base_minor(base);
    segment->set_rate_bp(*rate);
  }
  out.set_exact_after(exact);
  *out.mutable_amount() = money(RoundInterestUnits(exact) -
                                RoundInterestUnits(invoice.interest_exact));
  *out.mutable_capitalised_total() = money(capitalised);
  return out;
}

int64_t RecomputeExactAfter(const v1::InvoiceInterest& interest) {
  int64_t exact = interest.exact_before();
  for (const v1::InterestSegment& segment : interest.segments()) {
    exact += (ToCivilDay(segment.to_date()) - ToCivilDay(segment.from_date())) *
             segment.base_minor() * segment.rate_bp();
  }
  return exact;
}

}  // namespace collections::domain
