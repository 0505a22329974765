// Letter terms and receipt assumptions around weekends.

#include "services/domain/letter_deadlines.h"

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "services/domain/holiday_calendar.h"

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
    absl::StatusOr<FourteenDayTerm> term = DutchFourteenDayTerm(c.receipt);
    ASSERT_TRUE(term.ok()) << term.status();
    EXPECT_EQ(term->last_day, c.last_day) << c.receipt;
    EXPECT_EQ(term->lapsed_on, c.lapsed_on) << c.receipt;
  }
}

// Art. 6:96 lid 6 BW with the Algemene termijnenwet art. 1 and 3: a 14-day
// term whose last day is a holiday runs to the next day that is none.
TEST(LetterDeadlinesTest, Atw_Art1_FourteenDayTermSkipsHolidays) {
  struct Case {
    const char* holiday;
    absl::CivilDay receipt, last_day;
  };
  const Case cases[] = {
      // Day 14 = Fri 25 Dec 2026 (Christmas), Sat Boxing Day, Sunday → Mon.
      {"Christmas", Day(2026, 12, 11), Day(2026, 12, 28)},
      // Day 14 = Mon 27 Apr 2026, King's Day → Tue 28 Apr.
      {"King's Day", Day(2026, 4, 13), Day(2026, 4, 28)},
      // Day 14 = Tue 5 May 2026 → Wed 6 May.
      {"5 May", Day(2026, 4, 21), Day(2026, 5, 6)},
      // Easter 2026 is 5 April: Ascension Thu 14 May → Fri 15 May.
      {"Ascension Day", Day(2026, 4, 30), Day(2026, 5, 15)},
      // Whit Monday 25 May 2026 → Tue 26 May.
      {"Whit Monday", Day(2026, 5, 11), Day(2026, 5, 26)},
      // Easter 2027 is 28 March: Easter Monday 29 March → Tue 30 March.
      {"Easter Monday", Day(2027, 3, 15), Day(2027, 3, 30)},
      // Fri 1 Jan 2027, New Year's Day → Mon 4 Jan (weekend between).
      {"New Year's Day", Day(2026, 12, 18), Day(2027, 1, 4)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.holiday);
    absl::StatusOr<FourteenDayTerm> term = DutchFourteenDayTerm(c.receipt);
    ASSERT_TRUE(term.ok()) << term.status();
    EXPECT_EQ(term->last_day, c.last_day);
    EXPECT_EQ(term->lapsed_on, c.last_day + 1);
  }
}

TEST(LetterDeadlinesTest, Atw_Art3_HolidayCalendarIsEffectiveDated) {
  EXPECT_EQ(EasterSunday(2024), Day(2024, 3, 31));
  EXPECT_EQ(EasterSunday(2025), Day(2025, 4, 20));
  EXPECT_EQ(EasterSunday(2026), Day(2026, 4, 5));
  // Queen's Day until 2013 (30 April), King's Day from 2014 (27 April; the
  // 26th when the 27th is a Sunday, as in 2025).
  EXPECT_EQ(*DutchAtwHoliday(Day(2012, 4, 30)),
            std::optional<std::string>("Queen's Day"));
  EXPECT_EQ(*DutchAtwHoliday(Day(2026, 4, 27)),
            std::optional<std::string>("King's Day"));
  EXPECT_EQ(*DutchAtwHoliday(Day(2025, 4, 26)),
            std::optional<std::string>("King's Day"));
  EXPECT_FALSE(DutchAtwHoliday(Day(2025, 4, 27))->has_value());
  EXPECT_FALSE(DutchAtwHoliday(Day(2026, 4, 30))->has_value());
  // Beyond the calendar's years: refused, naming it, never guessed.
  absl::StatusOr<FourteenDayTerm> beyond =
      DutchFourteenDayTerm(Day(kAtwCalendarLastYear, 12, 30));
  EXPECT_EQ(beyond.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(beyond.status().message().find(kAtwCalendarName),
            std::string::npos);
}

TEST(LetterDeadlinesTest, ReceiptIsAssumedInBusinessDays) {
  // Dutch post: two business days.
  EXPECT_EQ(*AssumedReceipt(Day(2026, 11, 16), kDutchPostReceipt),
            Day(2026, 11, 18));  // Monday → Wednesday
  EXPECT_EQ(*AssumedReceipt(Day(2026, 11, 19), kDutchPostReceipt),
            Day(2026, 11, 23));  // Thursday → Monday
  EXPECT_EQ(*AssumedReceipt(Day(2026, 11, 20), kDutchPostReceipt),
            Day(2026, 11, 24));  // Friday → Tuesday
  EXPECT_EQ(*AssumedReceipt(Day(2026, 11, 21), kDutchPostReceipt),
            Day(2026, 11, 24));  // Saturday → Tuesday
}

// Every receipt assumption skips its jurisdiction's holidays: the Atw days
// for Dutch post, the legal public holidays for Regulation F.
TEST(LetterDeadlinesTest, Atw_Art3_DutchReceiptSkipsKingsDayAndEasterMonday) {
  // Sent Fri 24 Apr 2026: Mon 27 Apr is King's Day; Tue 28 (1), Wed 29 (2).
  EXPECT_EQ(*AssumedReceipt(Day(2026, 4, 24), kDutchPostReceipt),
            Day(2026, 4, 29));
  // Sent Thu 25 Mar 2027: Fri 26 (1); Mon 29 Mar is Easter Monday; Tue 30.
  EXPECT_EQ(*AssumedReceipt(Day(2027, 3, 25), kDutchPostReceipt),
            Day(2027, 3, 30));
}

TEST(LetterDeadlinesTest, RegF_1006_34_b_5_ReceiptSkipsThanksgiving) {
  // Sent Fri 20 Nov 2026: Mon 23 (1), Tue 24 (2), Wed 25 (3), Thu 26 is
  // Thanksgiving, Fri 27 (4), Mon 30 (5). The validation period ends 30
  // days after receipt: 30 Dec 2026.
  const absl::CivilDay receipt =
      *AssumedReceipt(Day(2026, 11, 20), kRegulationFReceipt);
  EXPECT_EQ(receipt, Day(2026, 11, 30));
  EXPECT_EQ(ValidationPeriodEnd(receipt), Day(2026, 12, 30));
  // Sent Wed 1 Jul 2026: Thu 2 (1), Fri 3 (2), Mon 6 (3; Independence Day
  // fell on a Saturday and is not moved), Tue 7 (4), Wed 8 (5).
  EXPECT_EQ(*AssumedReceipt(Day(2026, 7, 1), kRegulationFReceipt),
            Day(2026, 7, 8));
}

TEST(LetterDeadlinesTest, UsFederalHolidaysAreTheLegalPublicHolidays) {
  struct Case {
    absl::CivilDay day;
    const char* name;
  };
  const Case cases[] = {
      {Day(2026, 1, 19), "Birthday of Martin Luther King, Jr."},
      {Day(2026, 2, 16), "Washington's Birthday"},
      {Day(2026, 5, 25), "Memorial Day"},
      {Day(2026, 6, 19), "Juneteenth National Independence Day"},
      {Day(2026, 9, 7), "Labor Day"},
      {Day(2026, 10, 12), "Columbus Day"},
      {Day(2026, 11, 26), "Thanksgiving Day"},
      {Day(2027, 11, 25), "Thanksgiving Day"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(*UsFederalHoliday(c.day), std::optional<std::string>(c.name));
  }
  // Juneteenth only from 2021.
  EXPECT_FALSE(UsFederalHoliday(Day(2020, 6, 19))->has_value());
  EXPECT_EQ(UsFederalHoliday(Day(2041, 1, 1)).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace collections::domain
