// The Dutch statutory scale for extrajudicial collection costs ("BIK":
// Besluit vergoeding voor buitengerechtelijke incassokosten, art. 6:96 BW),
// as domain.md §3 states it. Pure arithmetic in euro cents.
//
// Over the principal excluding interest: 15% of the first €2,500 (at least
// €40), 10% of the next €2,500, 5% of the next €5,000, 1% of the next
// €190,000, 0.5% above that; never more than €6,775. The bands are summed
// exactly (in thousandths of a cent) and the total rounded once to the
// nearest cent, half up, before the minimum and maximum apply.
//
// When the costs may be charged (consumers: only after a valid 14-day letter
// has lapsed; businesses: a fixed €40 once the payment term lapsed) is
// decided by the case rules, not here.
#ifndef COLLECTIONS_SERVICES_DOMAIN_DUTCH_COLLECTION_COSTS_H_
#define COLLECTIONS_SERVICES_DOMAIN_DUTCH_COLLECTION_COSTS_H_

#include <cstdint>

namespace collections::domain {

// The minimum and maximum of the consumer scale, and the fixed amount a
// business debtor owes once overdue (art. 6:96 lid 4 BW), in euro cents.
inline constexpr int64_t kDutchCostsMinimumCents = 40'00;
inline constexpr int64_t kDutchCostsMaximumCents = 6'775'00;
inline constexpr int64_t kDutchBusinessFixedCostsCents = 40'00;

// The scale amount for a principal of `principal_cents` (euro cents,
// excluding interest). 0 for a principal of zero or less: nothing is owed.
int64_t DutchCollectionCostsCents(int64_t principal_cents);

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_DUTCH_COLLECTION_COSTS_H_
