#include "services/domain/statutory_interest.h"

namespace collections::domain {
namespace {

// Rounds numerator / denominator (both positive) half up.
int64_t RoundedQuotient(__int128 numerator, __int128 denominator) {
  return static_cast<int64_t>((numerator + denominator / 2) / denominator);
}

// As published (Staatscourant); a new row is added each half year.
const RateTable& ConsumerRates() {
  static const RateTable* table = new RateTable{
      {absl::CivilDay(2015, 7, 1), 200}, {absl::CivilDay(2023, 1, 1), 400},
      {absl::CivilDay(2023, 7, 1), 600}, {absl::CivilDay(2024, 1, 1), 700},
      {absl::CivilDay(2025, 1, 1), 600}, {absl::CivilDay(2025, 7, 1), 400},
  };
  return *table;
}

const RateTable& CommercialRates() {
  static const RateTable* table = new RateTable{
      {absl::CivilDay(2015, 7, 1), 805},  {absl::CivilDay(2016, 7, 1), 800},
      {absl::CivilDay(2023, 1, 1), 1050}, {absl::CivilDay(2023, 7, 1), 1200},
      {absl::CivilDay(2024, 1, 1), 1250}, {absl::CivilDay(2024, 7, 1), 1225},
      {absl::CivilDay(2025, 1, 1), 1115}, {absl::CivilDay(2025, 7, 1), 1015},
      {absl::CivilDay(2026, 1, 1), 1015},
  };
  return *table;
}

}  // namespace

const RateTable& StatutoryRateTable(collections::v1::InterestKind kind) {
  static const RateTable* empty = new RateTable;
  switch (kind) {
    case collections::v1::INTEREST_KIND_NL_CONSUMER:
      return ConsumerRates();
    case collections::v1::INTEREST_KIND_NL_COMMERCIAL:
      return CommercialRates();
    default:
      return *empty;
  }
}

int64_t StatutoryInterestCents(int64_t principal_cents, absl::CivilDay from,
                               absl::CivilDay to, const RateTable& rates) {
  if (principal_cents <= 0 || to <= from) return 0;
  // Sum of base × basis points over the days; a day's interest is that
  // over 10,000 × 365.
  constexpr __int128 kPerDayDenominator = 10000 * 365;
  int64_t base = principal_cents;
  int64_t total = 0;
  __int128 year_sum = 0;
  absl::CivilDay year_end = absl::CivilDay(from.year() + 1, from.month(),
                                           from.day());  // normalises 29 Feb
  for (absl::CivilDay day = from; day < to; ++day) {
    if (day == year_end) {  // compound: the year's interest joins the base
      const int64_t interest = RoundedQuotient(year_sum, kPerDayDenominator);
      base += interest;
      total += interest;
      year_sum = 0;
      year_end = absl::CivilDay(year_end.year() + 1, from.month(), from.day());
    }
    const int32_t* rate = InForceOn(rates, day);
    if (rate != nullptr) year_sum += static_cast<__int128>(base) * *rate;
  }
  return total + RoundedQuotient(year_sum, kPerDayDenominator);
}

}  // namespace collections::domain
