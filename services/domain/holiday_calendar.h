// Holidays that move a term set by law (domain.md §3): the Algemene
// termijnenwet (Atw) art. 1 lid 1 makes a term that ends on a Saturday,
// Sunday or a holiday of art. 3 lid 1 run to the next day that is none of
// these. Art. 3 lid 1 lists New Year's Day, Easter Monday, Ascension Day,
// Whit Monday, Christmas and Boxing Day, the King's birthday as celebrated
// and 5 May.
//
// The calendar is effective-dated: the King's Day rule (27 April, 26 April
// when the 27th is a Sunday) holds from 2014; before it, Queen's Day (30
// April, 29 April when the 30th is a Sunday). It is known for the years
// [kAtwCalendarFirstYear, kAtwCalendarLastYear]; a day outside is refused
// (FAILED_PRECONDITION naming the calendar), never guessed.
//
// The United States calendar holds the legal public holidays of 5 U.S.C.
// 6103(a), which Regulation F's receipt assumption skips (12 CFR
// 1006.34(b)(5)): New Year's Day, Birthday of Martin Luther King, Jr. (3rd
// Monday of January), Washington's Birthday (3rd Monday of February),
// Memorial Day (last Monday of May), Juneteenth (19 June, from 2021),
// Independence Day, Labor Day (1st Monday of September), Columbus Day (2nd
// Monday of October), Veterans Day (11 November), Thanksgiving (4th
// Thursday of November), Christmas Day: the days themselves, not the
// weekday a weekend holiday is observed on (6103(b) concerns federal
// employees' leave). Both calendars are known for the same years.
//
// Pure; thread safe.
#ifndef COLLECTIONS_SERVICES_DOMAIN_HOLIDAY_CALENDAR_H_
#define COLLECTIONS_SERVICES_DOMAIN_HOLIDAY_CALENDAR_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace collections::domain {

// One calendar per jurisdiction, chosen by the rule pack.
enum class HolidayCalendar {
  kNone,                 // Saturdays and Sundays only
  kNetherlandsAtw,       // Algemene termijnenwet art. 3
  kUnitedStatesFederal,  // 5 U.S.C. 6103(a)
};

inline constexpr char kAtwCalendarName[] = "nl-atw-holidays";
inline constexpr char kUsFederalCalendarName[] = "us-federal-holidays";
inline constexpr int kAtwCalendarFirstYear = 2000;
inline constexpr int kAtwCalendarLastYear = 2040;

// Easter Sunday of `year` (Gregorian; the anonymous algorithm of Meeus).
absl::CivilDay EasterSunday(int year);

// The Atw holiday on `day`, by name ("Easter Monday"), or nullopt.
// Errors: FAILED_PRECONDITION outside the calendar's years.
absl::StatusOr<std::optional<std::string>> DutchAtwHoliday(absl::CivilDay day);

// Whether a term may end on `day`: not a Saturday, Sunday or Atw holiday.
absl::StatusOr<bool> IsDutchTermDay(absl::CivilDay day);

// `day`, or the next day a term may end on (Atw art. 1 lid 1).
absl::StatusOr<absl::CivilDay> ExtendToDutchTermDay(absl::CivilDay day);

// The US legal public holiday on `day`, by name, or nullopt. Errors:
// FAILED_PRECONDITION outside the calendar's years.
absl::StatusOr<std::optional<std::string>> UsFederalHoliday(absl::CivilDay day);

// The holiday of `calendar` on `day`, by name, or nullopt.
absl::StatusOr<std::optional<std::string>> HolidayOn(HolidayCalendar calendar,
                                                     absl::CivilDay day);

// Not a Saturday, Sunday or holiday of `calendar`.
absl::StatusOr<bool> IsBusinessDayIn(HolidayCalendar calendar,
                                     absl::CivilDay day);

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_HOLIDAY_CALENDAR_H_
