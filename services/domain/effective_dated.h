// Effective-dated tables: a rule's numbers change on known days (a rate
// every half year, a cost rule from 1 Oct 2024), and an act is judged by the
// numbers in force on its own day, not today's. A table is a list of
// (first day in force, value) rows in ascending day order.
//
// Pure; thread safe.
#ifndef COLLECTIONS_SERVICES_DOMAIN_EFFECTIVE_DATED_H_
#define COLLECTIONS_SERVICES_DOMAIN_EFFECTIVE_DATED_H_

#include <vector>

#include "absl/time/civil_time.h"

namespace collections::domain {

template <typename T>
struct Dated {
  absl::CivilDay from;  // first day in force
  T value;
};

// The row in force on `day`: the last row whose `from` is on or before it;
// nullptr when `day` precedes the whole table.
template <typename T>
const T* InForceOn(const std::vector<Dated<T>>& table, absl::CivilDay day) {
  const T* found = nullptr;
  for (const Dated<T>& row : table) {
    if (row.from > day) break;
    found = &row.value;
  }
  return found;
}

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_EFFECTIVE_DATED_H_
