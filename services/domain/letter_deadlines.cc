#include "services/domain/letter_deadlines.h"

#include "services/domain/holiday_calendar.h"

namespace collections::domain {

// Receipt assumptions: Dutch post 2 business days (rule pack; Atw art. 3
// holidays skipped), Regulation F 5 days excluding legal public holidays,
// Saturdays and Sundays (12 CFR 1006.34(b)(5), 5 U.S.C. 6103(a)).
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

// Art. 6:96 lid 6 BW: 14 days from the day after receipt; a last day on a
// Saturday, Sunday or holiday moves on (Algemene termijnenwet art. 1).
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
