// Balance buckets and payment allocation (domain.md §2): what a debtor owes
// is split into principal, interest, collection costs and fees, and a
// payment is allocated across them in the rule pack's order (Dutch default,
// art. 6:44 BW: costs, then interest, then principal). A reversal puts back
// exactly what the payment took.
//
// Integer minor units of the case's currency. Pure; thread safe.
#ifndef COLLECTIONS_SERVICES_DOMAIN_BALANCES_H_
#define COLLECTIONS_SERVICES_DOMAIN_BALANCES_H_

#include <array>
#include <cstdint>
#include <string>

#include "collections/v1/events.pb.h"

namespace collections::domain {

enum class Bucket { kPrincipal, kInterest, kCosts, kFees };

struct Buckets {
  int64_t principal = 0;
  int64_t interest = 0;
  int64_t costs = 0;
  int64_t fees = 0;

  int64_t total() const { return principal + interest + costs + fees; }
  int64_t& at(Bucket bucket);
  int64_t at(Bucket bucket) const;
  Buckets& operator+=(const Buckets& other);
  Buckets& operator-=(const Buckets& other);
  bool operator==(const Buckets& other) const;
};

using AllocationOrder = std::array<Bucket, 4>;
inline constexpr AllocationOrder kDutchAllocationOrder{
    Bucket::kCosts, Bucket::kInterest, Bucket::kPrincipal, Bucket::kFees};

struct AllocationResult {
  Buckets allocated;     // never more than owed, per bucket
  int64_t overpaid = 0;  // what is left once everything owed is covered
};

// Splits a payment of `amount` (>= 0) over `owed`, filling buckets in
// `order`, each up to what it owes (negative owed counts as zero).
AllocationResult Allocate(int64_t amount, const Buckets& owed,
                          const AllocationOrder& order);

// An amount on the wire: minor units and an ISO 4217 currency.
collections::v1::Money MoneyOf(int64_t minor, const std::string& currency);

// Conversions to and from the wire form (Allocation).
collections::v1::Allocation ToAllocation(const Buckets& buckets,
                                         const std::string& currency);
Buckets FromAllocation(const collections::v1::Allocation& allocation);

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_BALANCES_H_
