// The money rules' small functions, worked examples named by their source.
#include "services/domain/money_rules.h"

#include "gtest/gtest.h"

namespace collections::domain {
namespace {

namespace v1 = ::collections::v1;

TEST(MoneyRulesTest, BIK_Art2_AndBW_6_96_4_ScaleAndFortyEurosPerInvoice) {
  struct Case {
    int64_t principal;
    int invoices;
    bool business;
    int64_t costs;
  } cases[] = {
      // €5,000: 15% × 2,500 + 10% × 2,500 = €625.
      {500000, 1, false, 62500},
      {500000, 1, true, 62500},
      // €200 over two business invoices: 15% = €30, below 2 × €40 = €80.
      {20000, 2, true, 8000},
      // A consumer: the scale's own minimum, €40, once.
      {20000, 2, false, 4000},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ScaleCostsMinor(c.principal, c.invoices, c.business), c.costs)
        << c.principal << " " << c.invoices << " " << c.business;
  }
}

TEST(MoneyRulesTest, WetOB_Art29_ReturnPeriodFollowsTheFilingFrequency) {
  EXPECT_EQ(VatReturnPeriod(absl::CivilDay(2026, 1, 31),
                            v1::VAT_FILING_PERIOD_UNSPECIFIED),
            "2026-Q1");
  EXPECT_EQ(VatReturnPeriod(absl::CivilDay(2026, 12, 31),
                            v1::VAT_FILING_PERIOD_QUARTERLY),
            "2026-Q4");
  EXPECT_EQ(VatReturnPeriod(absl::CivilDay(2026, 11, 2),
                            v1::VAT_FILING_PERIOD_MONTHLY),
            "2026-11");
}

TEST(MoneyRulesTest, WetOB_TabelI_GeneralRateFrom1October2012) {
  EXPECT_EQ(DutchGeneralVatRateBp(absl::CivilDay(2012, 9, 30)), 1900);
  EXPECT_EQ(DutchGeneralVatRateBp(absl::CivilDay(2012, 10, 1)), 2100);
}

TEST(MoneyRulesTest, SplitOverPrincipalInProportion) {
  // €13.00 over 50000 : 80000 owed → 500 and 800.
  InvoiceState a, b;
  a.line.set_invoice_number("A");
  a.owed.principal = 50000;
  b.line.set_invoice_number("B");
  b.owed.principal = 80000;
  const std::vector<InvoiceSplit> splits =
      SplitOverPrincipal({&a, &b}, Bucket::kCosts, 1300);
  ASSERT_EQ(splits.size(), 2u);
  EXPECT_EQ(splits[0].allocated.costs, 500);
  EXPECT_EQ(splits[1].allocated.costs, 800);
}

}  // namespace
}  // namespace collections::domain
