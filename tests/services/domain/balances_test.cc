// Payment allocation over balance buckets in a pack's order.
#include "services/domain/balances.h"

#include "gtest/gtest.h"

namespace collections::domain {
namespace {

TEST(AllocateTest, DutchOrderFillsCostsThenInterestThenPrincipal) {
  const Buckets owed{/*principal=*/1000, /*interest=*/100, /*costs=*/50,
                     /*fees=*/0};
  struct Case {
    int64_t amount;
    Buckets allocated;
    int64_t overpaid;
  } cases[] = {
      {0, {0, 0, 0, 0}, 0},          {30, {0, 0, 30, 0}, 0},
      {50, {0, 0, 50, 0}, 0},        {51, {0, 1, 50, 0}, 0},
      {150, {0, 100, 50, 0}, 0},     {151, {1, 100, 50, 0}, 0},
      {1150, {1000, 100, 50, 0}, 0}, {1200, {1000, 100, 50, 0}, 50},
      {-5, {0, 0, 0, 0}, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.amount);
    const AllocationResult result =
        Allocate(c.amount, owed, kDutchAllocationOrder);
    EXPECT_EQ(result.allocated, c.allocated);
    EXPECT_EQ(result.overpaid, c.overpaid);
  }
}

TEST(AllocateTest, AnotherOrderAndNegativeBucketsCountAsNothingOwed) {
  const Buckets owed{1000, -20, 50, 10};
  const AllocationOrder principal_first{Bucket::kPrincipal, Bucket::kFees,
                                        Bucket::kInterest, Bucket::kCosts};
  const AllocationResult result = Allocate(1040, owed, principal_first);
  EXPECT_EQ(result.allocated, (Buckets{1000, 0, 30, 10}));
  EXPECT_EQ(result.overpaid, 0);
}

TEST(AllocateTest, RoundTripsThroughTheWireForm) {
  const Buckets buckets{1, 2, 3, 4};
  const collections::v1::Allocation wire = ToAllocation(buckets, "EUR");
  EXPECT_EQ(wire.costs().currency(), "EUR");
  EXPECT_EQ(FromAllocation(wire), buckets);
  Buckets sum = buckets;
  sum += buckets;
  sum -= Buckets{1, 1, 1, 1};
  EXPECT_EQ(sum, (Buckets{1, 3, 5, 7}));
  EXPECT_EQ(sum.total(), 16);
}

}  // namespace
}  // namespace collections::domain
