// Dutch statutory interest (domain.md §3): the consumer rate (art. 6:119 BW)
// and the commercial rate (art. 6:119a BW) change half-yearly, so they live
// in effective-dated tables; interest compounds yearly (the year's interest
// joins the base at the end of each year counted from the start).
//
// Arithmetic: actual days / 365, each day at the rate in force that day,
// summed exactly and rounded half up to the cent once per compounding year
// and at the end. Pure; thread safe.
#ifndef COLLECTIONS_SERVICES_DOMAIN_STATUTORY_INTEREST_H_
#define COLLECTIONS_SERVICES_DOMAIN_STATUTORY_INTEREST_H_

#include <cstdint>
#include <vector>

#include "absl/time/civil_time.h"
#include "collections/v1/events.pb.h"
#include "services/domain/effective_dated.h"

namespace collections::domain {

// Yearly rate in basis points (700 = 7%).
using RateTable = std::vector<Dated<int32_t>>;

// The published rates, by kind; empty for INTEREST_KIND_UNSPECIFIED.
const RateTable& StatutoryRateTable(collections::v1::InterestKind kind);
// Recorded on every InterestAccrued so the figure can be recomputed.
inline constexpr char kStatutoryRateTableVersion[] = "nl-statutory-2026-01-01";

// Interest on `principal_cents` for the days [from, to). 0 when to <= from
// or the principal is not positive; days before the table's first row
// accrue nothing.
int64_t StatutoryInterestCents(int64_t principal_cents, absl::CivilDay from,
                               absl::CivilDay to, const RateTable& rates);

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_STATUTORY_INTEREST_H_
