#include "services/domain/dutch_collection_costs.h"

#include <algorithm>

namespace collections::domain {
namespace {

// One band of the scale: the part of the principal up to `upper_cents`
// (cumulative) is charged at `tenths_of_percent` / 1000.
struct Band {
  int64_t upper_cents;
  int64_t tenths_of_percent;
};

constexpr Band kBands[] = {
    {2'500'00, 150},   // 15% of the first €2,500
    {5'000'00, 100},   // 10% of the next €2,500
    {10'000'00, 50},   // 5% of the next €5,000
    {200'000'00, 10},  // 1% of the next €190,000
    {INT64_MAX, 5},    // 0.5% above €200,000
};

}  // namespace

int64_t DutchCollectionCostsCents(int64_t principal_cents) {
  if (principal_cents <= 0) return 0;
  // Above the point where the cap binds (€1,000,000) only the cap matters;
  // stopping there also keeps the products below far from overflow.
  constexpr int64_t kCapReachedCents = 1'000'000'00;
  if (principal_cents >= kCapReachedCents) return kDutchCostsMaximumCents;
  // Thousandths of a cent: cents × tenths of a percent.
  int64_t milli_cents = 0;
  int64_t lower = 0;
  for (const Band& band : kBands) {
    if (principal_cents <= lower) break;
    const int64_t in_band = std::min(principal_cents, band.upper_cents) - lower;
    milli_cents += in_band * band.tenths_of_percent;
    lower = band.upper_cents;
  }
  const int64_t cents = (milli_cents + 500) / 1000;  // half up
  return std::clamp(cents, kDutchCostsMinimumCents, kDutchCostsMaximumCents);
}

}  // namespace collections::domain
