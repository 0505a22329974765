// Letter terms and receipt assumptions around weekends.

#include "services/domain/letter_deadlines.h"

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"

namespace collections::domain {
namespace {

absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

TEST(LetterDeadlinesTest, FourteenDayTermAroundWeekends) {
  struct Case {
    absl::CivilDay receipt, last_day, lapsed_on;
  };
  const Case cases[] = {
      // Receipt on a Friday: day 1 is Saturday, day 14 a Friday.
      {Day(2026, 11, 20), Day(2026, 12, 4), Day(2026, 12, 5)},
      // Receipt on a Thursday: day 14 is a Thursday.
      {Day(2026, 11, 19), Day(2026, 12, 3), Day(2026, 12, 4)},
      // Receipt on a Saturday: day 14 is a Saturday, moved to Monday.
      {Day(2026, 11, 21), Day(2026, 12, 7), Day(2026, 12, 8)},
      // Receipt on a Sunday: day 14 is a Sunday, moved to Monday.
      {Day(2026, 11, 22), Day(2026, 12, 7), Day(2026, 12, 8)},
      // Across the year end.
      {Day(2026, 12, 24), Day(2027, 1, 7), Day(2027, 1, 8)},
  };
  for (const Case& c : cases) {
    const FourteenDayTerm term = DutchFourteenDayTerm(c.receipt);
    EXPECT_EQ(term.last_day, c.last_day) << c.receipt;
    EXPECT_EQ(term.lapsed_on, c.lapsed_on) << c.receipt;
  }
}

TEST(LetterDeadlinesTest, ReceiptIsAssumedInBusinessDays) {
  // Dutch post: two business days.
  EXPECT_EQ(AssumedReceipt(Day(2026, 11, 16), kDutchPostReceipt),
            Day(2026, 11, 18));  // Monday → Wednesday
  EXPECT_EQ(AssumedReceipt(Day(2026, 11, 19), kDutchPostReceipt),
            Day(2026, 11, 23));  // Thursday → Monday
  EXPECT_EQ(AssumedReceipt(Day(2026, 11, 20), kDutchPostReceipt),
            Day(2026, 11, 24));  // Friday → Tuesday
  EXPECT_EQ(AssumedReceipt(Day(2026, 11, 21), kDutchPostReceipt),
            Day(2026, 11, 24));  // Saturday → Tuesday
  // Regulation F: five business days; the validation period ends 30 days
  // after that.
  const absl::CivilDay receipt =
      AssumedReceipt(Day(2026, 11, 20), kRegulationFReceipt);
  EXPECT_EQ(receipt, Day(2026, 11, 27));  // Friday → next Friday
  EXPECT_EQ(ValidationPeriodEnd(receipt), Day(2026, 12, 27));
}

}  // namespace
}  // namespace collections::domain
