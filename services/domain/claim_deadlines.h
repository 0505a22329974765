// Deadlines that run from an invoice's due date (domain.md §3):
//   - VAT relief: the VAT on an unpaid invoice may be reclaimed in the return
//     for the period in which the invoice has been due for one year;
//   - limitation (art. 3:307, 3:308 BW; 7:28 for a consumer purchase price):
//     the period starts the day after the due date and ends `years` later;
//     a written reminder interrupts it and a new period of the same length
//     starts the day after the reminder.
// Dates are civil days of the case's calendar. Pure; thread safe.
#ifndef COLLECTIONS_SERVICES_DOMAIN_CLAIM_DEADLINES_H_
#define COLLECTIONS_SERVICES_DOMAIN_CLAIM_DEADLINES_H_

#include "absl/time/civil_time.h"

namespace collections::domain {

// `years` years after `day`; 29 February becomes 28 February in a common
// year.
absl::CivilDay AddYearsClamped(absl::CivilDay day, int years);

// The first day the VAT of an invoice due on `due` may be reclaimed.
absl::CivilDay VatReliefDueDate(absl::CivilDay due);

// The last day a legal step is in time for a claim due (or last
// interrupted) on `start`, with a period of `years`.
absl::CivilDay LimitationDeadline(absl::CivilDay start, int years);

// Whether a claim with that last day is time-barred on `today`.
inline bool IsTimeBarred(absl::CivilDay deadline, absl::CivilDay today) {
  return today > deadline;
}

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_CLAIM_DEADLINES_H_
