// US state limitation periods (Reg F 12 CFR 1006.26(b) makes them the line
// between collectable and time-barred): each row with its statute, the
// changes on their days, and refusals beyond the table.
#include "services/domain/state_limitation.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace collections::domain {
namespace {

using ::collections::testing::StatusIs;
using ::testing::HasSubstr;

TEST(StateLimitationTest, PeriodsByStateAndDayWithTheirSources) {
  struct Case {
    const char* jurisdiction;
    absl::CivilDay day;
    int years;
    const char* source;
  };
  const Case cases[] = {
      // N.Y. CPLR 214-i (Consumer Credit Fairness Act) from 7 Apr 2022.
      {"US-NY", absl::CivilDay(2022, 4, 6), 6, "213(2)"},
      {"US-NY", absl::CivilDay(2022, 4, 7), 3, "214-i"},
      // Ohio S.B. 13: written contracts 8 → 6 years on 16 Jun 2021.
      {"US-OH", absl::CivilDay(2021, 6, 15), 8, "2305.06"},
      {"US-OH", absl::CivilDay(2021, 6, 16), 6, "2305.06"},
      {"US-CA", absl::CivilDay(2026, 12, 6), 4, "337(a)"},
      {"US-TX", absl::CivilDay(2026, 12, 6), 4, "16.004"},
      {"US-IL", absl::CivilDay(2026, 12, 6), 10, "13-206"},
      {"US-NC", absl::CivilDay(2027, 6, 30), 3,
       "1-52(1)"},  // the table's last known day
  };
  for (const Case& c : cases) {
    absl::StatusOr<StateLimitation> found =
        StateLimitationOn(c.jurisdiction, c.day);
    ASSERT_TRUE(found.ok()) << c.jurisdiction << " " << found.status();
    EXPECT_EQ(found->years, c.years) << c.jurisdiction << " " << c.day;
    EXPECT_THAT(found->source, HasSubstr(c.source)) << c.jurisdiction;
  }
}

TEST(StateLimitationTest, RefusesWhatTheTableDoesNotKnow) {
  EXPECT_THAT(StateLimitationOn("US-ZZ", absl::CivilDay(2026, 1, 1)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("US_STATE_LIMITATION_TABLE")));
  EXPECT_THAT(StateLimitationOn("US-NY", absl::CivilDay(2027, 7, 1)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("known until 2027-06-30")));
  EXPECT_FALSE(IsUsStateJurisdiction("US"));
  EXPECT_FALSE(IsUsStateJurisdiction("NL"));
  EXPECT_TRUE(IsUsStateJurisdiction("US-NY"));
}

}  // namespace
}  // namespace collections::domain
