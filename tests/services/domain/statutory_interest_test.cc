// Statutory interest: days at the rate in force, yearly compounding, one
// rounding per year.
#include "services/domain/statutory_interest.h"

#include "gtest/gtest.h"

namespace collections::domain {
namespace {

namespace v1 = ::collections::v1;

TEST(StatutoryInterestTest, TableCases) {
  const RateTable& consumer = StatutoryRateTable(v1::INTEREST_KIND_NL_CONSUMER);
  const RateTable& commercial =
      StatutoryRateTable(v1::INTEREST_KIND_NL_COMMERCIAL);
  struct Case {
    const char* name;
    const RateTable* rates;
    int64_t principal;
    absl::CivilDay from, to;
    int64_t expected;
  } cases[] = {
      // One full year at 10.15%: exactly 10.15% of €1,000.00.
      {"year", &commercial, 100000, absl::CivilDay(2026, 1, 1),
       absl::CivilDay(2027, 1, 1), 10150},
      // Two years: the first year's €101.50 earns interest in the second:
      // 110150 × 10.15% = 11180.2 → 11180.
      {"compounds", &commercial, 100000, absl::CivilDay(2026, 1, 1),
       absl::CivilDay(2028, 1, 1), 21330},
      // 30 June at 6%, 1 July at 4%: (600 + 400) × 1000.00 / 365 = 27.4.
      {"rate change", &consumer, 100000, absl::CivilDay(2025, 6, 30),
       absl::CivilDay(2025, 7, 2), 27},
      {"one day", &consumer, 365000, absl::CivilDay(2024, 3, 1),
       absl::CivilDay(2024, 3, 2), 70},
      {"empty period", &consumer, 100000, absl::CivilDay(2025, 1, 1),
       absl::CivilDay(2025, 1, 1), 0},
      {"backwards", &consumer, 100000, absl::CivilDay(2025, 1, 2),
       absl::CivilDay(2025, 1, 1), 0},
      {"no principal", &consumer, 0, absl::CivilDay(2025, 1, 1),
       absl::CivilDay(2026, 1, 1), 0},
      {"before the table", &consumer, 100000, absl::CivilDay(2015, 6, 1),
       absl::CivilDay(2015, 7, 1), 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(StatutoryInterestCents(c.principal, c.from, c.to, *c.rates),
              c.expected);
  }
}

TEST(StatutoryInterestTest, NoTableForUnspecifiedKind) {
  EXPECT_TRUE(StatutoryRateTable(v1::INTEREST_KIND_UNSPECIFIED).empty());
  EXPECT_EQ(StatutoryInterestCents(
                100000, absl::CivilDay(2025, 1, 1), absl::CivilDay(2026, 1, 1),
                StatutoryRateTable(v1::INTEREST_KIND_UNSPECIFIED)),
            0);
}

}  // namespace
}  // namespace collections::domain
