// Letter deadlines: when a letter is assumed received and when the term it
// starts ends. Pure calendar arithmetic on civil days (the debtor's calendar);
// no clock, no zone lookups.
//
// Weekends (Saturday, Sunday) are not business days for the receipt
// assumptions. The Dutch 14-day term also skips the holidays of the
// Algemene termijnenwet (services/domain/holiday_calendar.h).
#ifndef COLLECTIONS_SERVICES_DOMAIN_LETTER_DEADLINES_H_
#define COLLECTIONS_SERVICES_DOMAIN_LETTER_DEADLINES_H_

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "services/domain/holiday_calendar.h"

namespace collections::domain {

// How a rule pack assumes receipt: this many business days after sending,
// business days being those of the jurisdiction's holiday calendar.
struct ReceiptAssumption {
  int business_days_after_sending = 0;
  HolidayCalendar calendar = HolidayCalendar::kNone;
};
// Post in the Netherlands: received two business days after sending
// (Saturdays, Sundays and Atw holidays not counted).
inline constexpr ReceiptAssumption kDutchPostReceipt{
    2, HolidayCalendar::kNetherlandsAtw};
// Regulation F (12 CFR 1006.34(b)(5)): assumable five days after the
// collector provides the validation information, not counting legal public
// holidays (5 U.S.C. 6103(a)), Saturdays or Sundays.
inline constexpr ReceiptAssumption kRegulationFReceipt{
    5, HolidayCalendar::kUnitedStatesFederal};

// The day `assumption.business_days_after_sending` business days after
// `sent` (Friday + 2 = Tuesday; Saturday + 2 = Tuesday). Errors:
// FAILED_PRECONDITION when the calendar does not reach that far.
absl::StatusOr<absl::CivilDay> AssumedReceipt(
    absl::CivilDay sent, const ReceiptAssumption& assumption);

// The Dutch 14-day letter (art. 6:96 lid 6 BW): the debtor has fourteen days
// starting the day after receipt. A last day on a Saturday, Sunday or Atw
// holiday moves to the next day that is none of these (Algemene
// termijnenwet art. 1 lid 1). Collection costs may be charged from
// `lapsed_on`, the day after the last day. Errors: FAILED_PRECONDITION when
// the holiday calendar does not reach the last day.
struct FourteenDayTerm {
  absl::CivilDay receipt;
  absl::CivilDay last_day;
  absl::CivilDay lapsed_on;
};
absl::StatusOr<FourteenDayTerm> DutchFourteenDayTerm(absl::CivilDay receipt);

// Regulation F validation period (12 CFR 1006.34(b)(5)): ends 30 days after
// the consumer receives (or is assumed to receive) the validation notice.
absl::CivilDay ValidationPeriodEnd(absl::CivilDay receipt);

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_LETTER_DEADLINES_H_
