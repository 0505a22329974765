#include "services/domain/balances.h"

#include <algorithm>

namespace collections::domain {

int64_t& Buckets::at(Bucket bucket) {
  switch (bucket) {
    case Bucket::kPrincipal:
      return principal;
    case Bucket::kInterest:
      return interest;
    case Bucket::kCosts:
      return costs;
    case Bucket::kFees:
      break;
  }
  return fees;
}

int64_t Buckets::at(Bucket bucket) const {
  return const_cast<Buckets*>(this)->at(bucket);
}

Buckets& Buckets::operator+=(const Buckets& other) {
  principal += other.principal;
  interest += other.interest;
  costs += other.costs;
  fees += other.fees;
  return *this;
}

Buckets& Buckets::operator-=(const Buckets& other) {
  principal -= other.principal;
  interest -= other.interest;
  costs -= other.costs;
  fees -= other.fees;
  return *this;
}

bool Buckets::operator==(const Buckets& other) const {
  return principal == other.principal && interest == other.interest &&
         costs == other.costs && fees == other.fees;
}

AllocationResult Allocate(int64_t amount, const Buckets& owed,
                          const AllocationOrder& order) {
  AllocationResult result;
  int64_t left = std::max<int64_t>(amount, 0);
  for (Bucket bucket : order) {
    const int64_t take = std::min(left, std::max<int64_t>(owed.at(bucket), 0));
    result.allocated.at(bucket) += take;
    left -= take;
  }
  result.overpaid = left;
  return result;
}

collections::v1::Allocation ToAllocation(const Buckets& buckets,
                                         const std::string& currency) {
  collections::v1::Allocation allocation;
  auto set = [&currency](collections::v1::Money* money, int64_t amount) {
    money->set_amount_minor(amount);
    money->set_currency(currency);
  };
  set(allocation.mutable_principal(), buckets.principal);
  set(allocation.mutable_interest(), buckets.interest);
  set(allocation.mutable_costs(), buckets.costs);
  set(allocation.mutable_fees(), buckets.fees);
  return allocation;
}

Buckets FromAllocation(const collections::v1::Allocation& allocation) {
  Buckets buckets;
  buckets.principal = allocation.principal().amount_minor();
  buckets.interest = allocation.interest().amount_minor();
  buckets.costs = allocation.costs().amount_minor();
  buckets.fees = allocation.fees().amount_minor();
  return buckets;
}

}  // namespace collections::domain
