#include "services/domain/letter_deadlines.h"

#include "services/domain/holiday_calendar.h"

namespace collections::domain {

bool IsBusinessDay(absl::CivilDay day) {
  const absl::Weekday weekday = absl::GetWeekday(day);
  return weekday != absl::Weekday::saturday && weekday != absl::Weekday::sunday;
}

absl::StatusOr<absl::CivilDay> AssumedReceipt(
    absl::CivilDay sent, const ReceiptAssumption& assumption) {
  absl::CivilDay day = sent;
  for (int added = 0; added < assumption.business_days_after_sending;) {
    ++day;
    absl::StatusOr<bool> business = IsBusinessDayIn(assumption.calendar, day);
    if (!business.ok()) return business.status();
    if (*business) ++added;
  }
  return day;
}

absl::StatusOr<FourteenDayTerm> DutchFourteenDayTerm(absl::CivilDay receipt) {
  // Day 1 is the day after receipt, so day 14 is receipt + 14.
  absl::StatusOr<absl::CivilDay> last_day = ExtendToDutchTermDay(receipt + 14);
  if (!last_day.ok()) return last_day.status();
  return FourteenDayTerm{receipt, *last_day, *last_day + 1};
}

absl::CivilDay ValidationPeriodEnd(absl::CivilDay receipt) {
  return receipt + 30;
}

}  // namespace collections::domain
