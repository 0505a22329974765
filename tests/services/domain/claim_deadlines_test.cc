// VAT relief and limitation deadlines from due dates.
#include "services/domain/claim_deadlines.h"

#include "gtest/gtest.h"

namespace collections::domain {
namespace {

TEST(ClaimDeadlinesTest, VatReliefIsDueOneYearAfterTheDueDate) {
  EXPECT_EQ(VatReliefDueDate(absl::CivilDay(2026, 1, 30)),
            absl::CivilDay(2027, 1, 30));
  EXPECT_EQ(VatReliefDueDate(absl::CivilDay(2024, 2, 29)),
            absl::CivilDay(2025, 2, 28));
}

TEST(ClaimDeadlinesTest, LimitationEndsOnTheSameDateYearsLater) {
  struct Case {
    absl::CivilDay start;
    int years;
    absl::CivilDay deadline;
  } cases[] = {
      {absl::CivilDay(2026, 1, 30), 5, absl::CivilDay(2031, 1, 30)},
      {absl::CivilDay(2026, 1, 30), 2, absl::CivilDay(2028, 1, 30)},
      {absl::CivilDay(2028, 2, 29), 5, absl::CivilDay(2033, 2, 28)},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(LimitationDeadline(c.start, c.years), c.deadline);
  }
  EXPECT_FALSE(IsTimeBarred(absl::CivilDay(2031, 1, 30),
                            absl::CivilDay(2031, 1, 30)));  // last day
  EXPECT_TRUE(
      IsTimeBarred(absl::CivilDay(2031, 1, 30), absl::CivilDay(2031, 1, 31)));
}

}  // namespace
}  // namespace collections::domain
