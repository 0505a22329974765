#include "services/domain/holiday_calendar.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_details.h"

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

absl::Status OutsideCalendar(const char* name, absl::CivilDay day) {
  return RuleRefusedError(
      "HOLIDAY_CALENDAR_KNOWN_UNTIL",
      absl::StrCat("holiday calendar ", name, " is known for ",
                   kAtwCalendarFirstYear, "-", kAtwCalendarLastYear,
                   ", not for ", absl::FormatCivilTime(day)));
}

bool InCalendarYears(absl::CivilDay day) {
  return day.year() >= kAtwCalendarFirstYear &&
         day.year() <= kAtwCalendarLastYear;
}

// The `n`-th (1-based) `weekday` of `month` in `year`; n = -1: the last.
absl::CivilDay NthWeekday(int year, int month, absl::Weekday weekday, int n) {
  if (n < 0) {
    absl::CivilDay day = absl::CivilDay(absl::CivilMonth(year, month) + 1) - 1;
    while (absl::GetWeekday(day) != weekday) --day;
    return day;
  }
  absl::CivilDay day(year, month, 1);
  while (absl::GetWeekday(day) != weekday) ++day;
  return day + 7 * (n - 1);
}

bool IsWeekend(absl::CivilDay day) {
  const absl::Weekday weekday = absl::GetWeekday(day);
  return weekday == absl::Weekday::saturday || weekday == absl::Weekday::sunday;
}

}  // namespace

absl::StatusOr<std::optional<std::string>> DutchAtwHoliday(absl::CivilDay day) {
  const int year = static_cast<int>(day.year());
  if (!InCalendarYears(day)) return OutsideCalendar(kAtwCalendarName, day);
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

absl::StatusOr<std::optional<std::string>> UsFederalHoliday(
    absl::CivilDay day) {
  if (!InCalendarYears(day)) {
    return OutsideCalendar(kUsFederalCalendarName, day);
  }
  const int year = static_cast<int>(day.year());
  const int month = day.month();
  using W = absl::Weekday;
  if (month == 1 && day.day() == 1) return std::string("New Year's Day");
  if (day == NthWeekday(year, 1, W::monday, 3))
    return std::string("Birthday of Martin Luther King, Jr.");
  if (day == NthWeekday(year, 2, W::monday, 3))
    return std::string("Washington's Birthday");
  if (day == NthWeekday(year, 5, W::monday, -1))
    return std::string("Memorial Day");
  if (year >= 2021 && month == 6 && day.day() == 19)
    return std::string("Juneteenth National Independence Day");
  if (month == 7 && day.day() == 4) return std::string("Independence Day");
  if (day == NthWeekday(year, 9, W::monday, 1)) return std::string("Labor Day");
  if (day == NthWeekday(year, 10, W::monday, 2))
    return std::string("Columbus Day");
  if (month == 11 && day.day() == 11) return std::string("Veterans Day");
  if (day == NthWeekday(year, 11, W::thursday, 4))
    return std::string("Thanksgiving Day");
  if (month == 12 && day.day() == 25) return std::string("Christmas Day");
  return std::optional<std::string>();
}

absl::StatusOr<std::optional<std::string>> HolidayOn(HolidayCalendar calendar,
                                                     absl::CivilDay day) {
  switch (calendar) {
    case HolidayCalendar::kNetherlandsAtw:
      return DutchAtwHoliday(day);
    case HolidayCalendar::kUnitedStatesFederal:
      return UsFederalHoliday(day);
    case HolidayCalendar::kNone:
      break;
  }
  return std::optional<std::string>();
}

absl::StatusOr<bool> IsBusinessDayIn(HolidayCalendar calendar,
                                     absl::CivilDay day) {
  if (IsWeekend(day)) return false;
  absl::StatusOr<std::optional<std::string>> holiday = HolidayOn(calendar, day);
  if (!holiday.ok()) return holiday.status();
  return !holiday->has_value();
}

absl::StatusOr<bool> IsDutchTermDay(absl::CivilDay day) {
  return IsBusinessDayIn(HolidayCalendar::kNetherlandsAtw, day);
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
