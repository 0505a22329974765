#include "services/domain/claim_deadlines.h"

#include "services/domain/payment_schedule.h"

namespace collections::domain {

absl::CivilDay AddYearsClamped(absl::CivilDay day, int years) {
  return AddMonthsClamped(day, 12 * years);
}

absl::CivilDay VatReliefDueDate(absl::CivilDay due) {
  return AddYearsClamped(due, 1);
}

absl::CivilDay LimitationDeadline(absl::CivilDay start, int years) {
  // The period starts the next day and runs `years` years: its last day is
  // the same calendar date `years` on.
  return AddYearsClamped(start, years);
}

}  // namespace collections::domain
