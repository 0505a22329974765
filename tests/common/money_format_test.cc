// Money shown with its currency's ISO 4217 minor unit (common/money_format.h).
#include "common/money_format.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace collections {
namespace {

TEST(MoneyFormatTest, Iso4217_MinorUnitDigitsFollowListOne) {
  EXPECT_EQ(MinorUnitDigits("EUR"), 2);
  EXPECT_EQ(MinorUnitDigits("USD"), 2);
  EXPECT_EQ(MinorUnitDigits("JPY"), 0);
  EXPECT_EQ(MinorUnitDigits("KRW"), 0);
  EXPECT_EQ(MinorUnitDigits("ISK"), 0);
  EXPECT_EQ(MinorUnitDigits("KWD"), 3);
  EXPECT_EQ(MinorUnitDigits("TND"), 3);
  EXPECT_EQ(MinorUnitDigits("CLF"), 4);
  EXPECT_EQ(MinorUnitDigits("XAU"), 0);  // gold: no minor unit
}

TEST(MoneyFormatTest, Iso4217_AmountsAreShownWithTheirCurrencysDecimals) {
  struct Case {
    int64_t minor;
    const char* currency;
    const char* shown;
  };
  for (const Case& c : {
           Case{126528, "EUR", "EUR 1265.28"},  // 126528 / 100
           Case{-350, "EUR", "EUR -3.50"},
           Case{5, "EUR", "EUR 0.05"},
           Case{0, "EUR", "EUR 0.00"},
           Case{1500, "JPY", "JPY 1500"},  // no decimals
           Case{-7, "KRW", "KRW -7"},
           Case{12345, "KWD", "KWD 12.345"},  // 12345 / 1000
           Case{5, "BHD", "BHD 0.005"},
           Case{10000, "CLF", "CLF 1.0000"},  // 10000 / 10000
           Case{INT64_MIN, "EUR", "EUR -92233720368547758.08"},
           Case{INT64_MAX, "JPY", "JPY 9223372036854775807"},
       }) {
    EXPECT_EQ(FormatMoney(c.minor, c.currency), c.shown) << c.minor;
  }
}

}  // namespace
}  // namespace collections
