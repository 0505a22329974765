#include "services/domain/holiday_calendar.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace collections::domain {

absl::CivilDay EasterSunday(int year) {
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return absl::CivilDay(year, month, day);
}

namespace {

// The day the monarch's birthday is celebrated in `year` (Atw art. 3).
absl::CivilDay MonarchsDay(int year) {
  if (year >= 2014) {  // Koningsdag: 27 April, the 26th when a Sunday
    const absl::CivilDay day(year, 4, 27);
    return absl::GetWeekday(day) == absl::Weekday::sunday ? day - 1 : day;
  }
  // Koninginnedag: 30 April, the 29th when a Sunday.
  const absl::CivilDay day(year, 4, 30);
  return absl::GetWeekday(day) == absl::Weekday::sunday ? day - 1 : day;
}

}  // namespace

absl::StatusOr<std::optional<std::string>> DutchAtwHoliday(absl::CivilDay day) {
  const int year = static_cast<int>(day.year());
  if (year < kAtwCalendarFirstYear || year > kAtwCalendarLastYear) {
    return absl::FailedPreconditionError(
        absl::StrCat("holiday calendar ", kAtwCalendarName, " is known for ",
                     kAtwCalendarFirstYear, "-", kAtwCalendarLastYear,
                     ", not for ", absl::FormatCivilTime(day)));
  }
  const absl::CivilDay easter = EasterSunday(year);
  if (day.month() == 1 && day.day() == 1) return std::string("New Year's Day");
  if (day == easter + 1) return std::string("Easter Monday");
  if (day == easter + 39) return std::string("Ascension Day");
  if (day == easter + 50) return std::string("Whit Monday");
  if (day == MonarchsDay(year))
    return std::string(year >= 2014 ? "King's Day" : "Queen's Day");
  if (day.month() == 5 && day.day() == 5) return std::string("5 May");
  if (day.month() == 12 && day.day() == 25) return std::string("Christmas Day");
  if (day.month() == 12 && day.day() == 26) return std::string("Boxing Day");
  return std::optional<std::string>();
}

absl::StatusOr<bool> IsDutchTermDay(absl::CivilDay day) {
  const absl::Weekday weekday = absl::GetWeekday(day);
  if (weekday == absl::Weekday::saturday || weekday == absl::Weekday::sunday)
    return false;
  absl::StatusOr<std::optional<std::string>> holiday = DutchAtwHoliday(day);
  if (!holiday.ok()) return holiday.status();
  return !holiday->has_value();
}

absl::StatusOr<absl::CivilDay> ExtendToDutchTermDay(absl::CivilDay day) {
  for (;;) {
    absl::StatusOr<bool> term_day = IsDutchTermDay(day);
    if (!term_day.ok()) return term_day.status();
    if (*term_day) return day;
    ++day;
  }
}

}  // namespace collections::domain
