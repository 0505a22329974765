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

collections::v1::Money MoneyOf(int64_t minor, const std::string& currency) {
  collections::v1::Money money;
  money.set_amount_minor(minor);
  money.set_currency(currency);
  return money;
}

collections::v1::Allocation ToAllocation(const Buckets& buckets,
                                         const std::string& currency) {
  collections::v1::Allocation allocation;
  *allocation.mutable_principal() = MoneyOf(buckets.principal, currency);
  *allocation.mutable_interest() = MoneyOf(buckets.interest, currency);
  *allocation.mutable_costs() = MoneyOf(buckets.costs, currency);
  *allocation.mutable_fees() = MoneyOf(buckets.fees, currency);
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
