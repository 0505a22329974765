// The Dutch collection-cost scale at every band edge, the minimum and the cap.

#include "services/domain/dutch_collection_costs.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace collections::domain {
namespace {

TEST(DutchCollectionCostsTest, ScaleAtEveryBandEdgeAndTheCap) {
  struct Case {
    int64_t principal_cents;
    int64_t costs_cents;
  };
  const Case cases[] = {
      {0, 0},               // nothing owed, no costs
      {-500, 0},            // a credit balance
      {1, 40'00},           // the minimum
      {266'66, 40'00},      // 15% = 39.999: still the minimum
      {266'70, 40'01},      // 15% = 40.005: rounds half up
      {2'499'99, 375'00},   // 374.9985
      {2'500'00, 375'00},   // first band edge
      {2'500'01, 375'00},   // + 10% of a cent
      {3'000'00, 425'00},   // 375 + 50
      {4'999'99, 625'00},   // 624.999
      {5'000'00, 625'00},   // second band edge
      {5'000'01, 625'00},   // + 5% of a cent
      {9'999'99, 875'00},   // 874.9995
      {10'000'00, 875'00},  // third band edge
      {10'000'01, 875'00},
      {12'345'67, 898'46},     // 875 + 23.4567
      {199'999'99, 2'775'00},  // 2774.9999
      {200'000'00, 2'775'00},  // fourth band edge
      {200'000'01, 2'775'00},
      {500'000'00, 4'275'00},        // 2775 + 0.5% of 300,000
      {999'999'99, 6'775'00},        // 6774.99995: half up to the cap
      {1'000'000'00, 6'775'00},      // where the cap is reached
      {1'000'000'01, 6'775'00},      // above: the cap
      {5'000'000'000'00, 6'775'00},  // far above
  };
  for (const Case& c : cases) {
    EXPECT_EQ(DutchCollectionCostsCents(c.principal_cents), c.costs_cents)
        << "principal " << c.principal_cents << " cents";
  }
}

TEST(DutchCollectionCostsTest, NeverDecreasesAsThePrincipalGrows) {
  int64_t previous = 0;
  for (int64_t cents = 0; cents <= 1'100'000'00; cents += 9'999) {
    const int64_t costs = DutchCollectionCostsCents(cents);
    ASSERT_GE(costs, previous) << cents;
    previous = costs;
  }
}

}  // namespace
}  // namespace collections::domain
