// The interest engine (art. 6:119 and 6:119a BW), worked examples: each
// case states its inputs and the arithmetic. A day's interest is exact in
// units of 1/3,650,000 cent (base cents × rate bp); amounts are rounded
// half up once, from the exact total since the default date.
#include "services/domain/statutory_interest.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/domain/case_state.h"
#include "services/domain/money_rules.h"
#include "services/domain/rule_packs.h"

namespace collections::domain {
namespace {

namespace v1 = ::collections::v1;
using ::testing::HasSubstr;

absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

InvoiceState Invoice(int64_t gross, absl::CivilDay due) {
  InvoiceState invoice;
  invoice.line.set_invoice_number("INV-1");
  invoice.line.mutable_gross()->set_amount_minor(gross);
  invoice.line.mutable_gross()->set_currency("EUR");
  invoice.due = due;
  invoice.owed.principal = gross;
  return invoice;
}

InterestBasis Statutory(v1::InterestKind kind) {
  InterestBasis basis;
  basis.table = StatutoryRateSchedule(kind);
  return basis;
}

int64_t Amount(const InvoiceState& invoice, absl::CivilDay to,
               const InterestBasis& basis) {
  absl::StatusOr<v1::InvoiceInterest> interest =
      AccrueInvoiceInterest(invoice, to, basis, "EUR");
  EXPECT_TRUE(interest.ok()) << interest.status();
  if (!interest.ok()) return -1;
  // The event alone recomputes its exact total.
  EXPECT_EQ(RecomputeExactAfter(*interest), interest->exact_after());
  return interest->amount().amount_minor();
}

TEST(StatutoryInterestTest, Art6_119a_OneFullYearAtTheCommercialRate) {
  // €1,000.00 due 30 Jun 2025, in default from 1 Jul 2025; 10.15% from
  // 1 Jul 2025 (unchanged on 1 Jan 2026). 365 days × 100000 × 1015 =
  // 37,047,500,000 units / 3,650,000 = 10150.0 cents: exactly 10.15%.
  EXPECT_EQ(Amount(Invoice(100000, Day(2025, 6, 30)), Day(2026, 7, 1),
                   Statutory(v1::INTEREST_KIND_NL_COMMERCIAL)),
            10150);
}

TEST(StatutoryInterestTest, Art6_119_RateChangeMidPeriodAcrossTheYearEnd) {
  // €1,000.00 in default from 1 Dec 2024: December at 7% (31 × 100000 ×
  // 700 = 2,170,000,000), January 2025 at 6% (31 × 100000 × 600 =
  // 1,860,000,000); 4,030,000,000 / 3,650,000 = 1104.1 → €11.04.
  absl::StatusOr<v1::InvoiceInterest> interest =
      AccrueInvoiceInterest(Invoice(100000, Day(2024, 11, 30)), Day(2025, 2, 1),
                            Statutory(v1::INTEREST_KIND_NL_CONSUMER), "EUR");
  ASSERT_TRUE(interest.ok()) << interest.status();
  EXPECT_EQ(interest->amount().amount_minor(), 1104);
  ASSERT_EQ(interest->segments_size(), 2);
  EXPECT_EQ(interest->segments(0).rate_bp(), 700);
  EXPECT_EQ(interest->segments(1).rate_bp(), 600);
  EXPECT_EQ(interest->basis(), "art. 6:119 BW");
}

TEST(StatutoryInterestTest,
     Art6_119_2_CapitalisedAtTheDefaultAnniversaryInALeapYear) {
  // €1,000.00 in default from 1 Jan 2024. Year 1 (2024, 366 days, 7%):
  // 366 × 100000 × 700 = 25,620,000,000 → €70.19 joins the base on
  // 1 Jan 2025. Year 2 (365 days, 6%): 365 × 107019 × 600 =
  // 23,437,161,000. Total 49,057,161,000 / 3,650,000 = 13440.3 → €134.40.
  EXPECT_EQ(Amount(Invoice(100000, Day(2023, 12, 31)), Day(2026, 1, 1),
                   Statutory(v1::INTEREST_KIND_NL_CONSUMER)),
            13440);
}

TEST(StatutoryInterestTest, Art6_119_2_AnniversariesBetweenRateChanges) {
  // In default from 16 Mar 2024, accrued to 1 Jun 2026.
  // Year 1: 291 d × 100000 × 700 + 74 d × 100000 × 600 = 24,810,000,000
  //   → €67.97 joins the base on 16 Mar 2025 (106797).
  // Year 2: 291 d × 106797 × 600 + 74 d × 106797 × 400 = 21,807,947,400;
  //   total 46,617,947,400 → €127.72 capitalised by 16 Mar 2026 (112772).
  // Then 77 d × 112772 × 400 = 3,473,377,600: 50,091,325,000 / 3,650,000
  //   = 13723.7 → €137.24.
  EXPECT_EQ(Amount(Invoice(100000, Day(2024, 3, 15)), Day(2026, 6, 1),
                   Statutory(v1::INTEREST_KIND_NL_CONSUMER)),
            13724);
}

TEST(StatutoryInterestTest, Art6_119_2_AnniversaryOf29FebruaryIs28February) {
  // In default from 29 Feb 2024; the year ends on 28 Feb 2025 (README:
  // configurable choice). 307 days at 7% + 58 days at 6% = 21,490,000,000
  // + 3,480,000,000 = 24,970,000,000 → €68.41 capitalised on 28 Feb 2025;
  // one day at 6% on 106841: 64,104,600. Total 25,034,104,600 → 6858.7 →
  // €68.59.
  EXPECT_EQ(Amount(Invoice(100000, Day(2024, 2, 28)), Day(2025, 3, 1),
                   Statutory(v1::INTEREST_KIND_NL_CONSUMER)),
            6859);
}

TEST(StatutoryInterestTest, Art6_119_OnTheOutstandingPrincipalDayByDay) {
  // €1,000.00 in default from 1 Feb 2025 (6%); €400.00 paid on principal
  // from 1 Mar 2025. February: 28 × 100000 × 600 = 1,680,000,000; March:
  // 31 × 60000 × 600 = 1,116,000,000; 2,796,000,000 / 3,650,000 = 766.03
  // → €7.66.
  InvoiceState invoice = Invoice(100000, Day(2025, 1, 31));
  invoice.changes.push_back({Day(2025, 3, 1), -40000, 0});
  invoice.owed.principal = 60000;
  EXPECT_EQ(Amount(invoice, Day(2025, 4, 1),
                   Statutory(v1::INTEREST_KIND_NL_CONSUMER)),
            766);
}

TEST(StatutoryInterestTest, Art6_119_PaidCapitalisedInterestLeavesTheBase) {
  // As the leap-year case, but the €70.19 capitalised on 1 Jan 2025 is paid
  // that day (interest first, art. 6:44 BW): year 2 runs on 100000 again.
  // 25,620,000,000 + 365 × 100000 × 600 (21,900,000,000) = 47,520,000,000
  // → 13019.2 → €130.19.
  InvoiceState invoice = Invoice(100000, Day(2023, 12, 31));
  invoice.changes.push_back({Day(2025, 1, 1), 0, 7019});
  EXPECT_EQ(Amount(invoice, Day(2026, 1, 1),
                   Statutory(v1::INTEREST_KIND_NL_CONSUMER)),
            13019);
}

TEST(StatutoryInterestTest, ContractInterestAtTheAgreedRateWithItsClause) {
  // 12% by contract, €1,000.00 in default from 1 Jan 2026, 90 days:
  // 90 × 100000 × 1200 = 10,800,000,000 / 3,650,000 = 2958.9 → €29.59.
  InterestBasis basis;
  basis.contract_rate_bp = 1200;
  basis.clause = "art. 7.2 general terms";
  absl::StatusOr<v1::InvoiceInterest> interest = AccrueInvoiceInterest(
      Invoice(100000, Day(2025, 12, 31)), Day(2026, 4, 1), basis, "EUR");
  ASSERT_TRUE(interest.ok()) << interest.status();
  EXPECT_EQ(interest->amount().amount_minor(), 2959);
  EXPECT_EQ(interest->basis(), "contract: art. 7.2 general terms");
}

TEST(StatutoryInterestTest, RefusesBeyondTheDayTheTableIsKnownUntil) {
  const RateSchedule* table =
      StatutoryRateSchedule(v1::INTEREST_KIND_NL_CONSUMER);
  ASSERT_NE(table, nullptr);
  // Up to and including known_until is fine; one day more is refused.
  EXPECT_TRUE(AccrueInvoiceInterest(
                  Invoice(100000, Day(2026, 1, 31)), table->known_until + 1,
                  Statutory(v1::INTEREST_KIND_NL_CONSUMER), "EUR")
                  .ok());
  absl::StatusOr<v1::InvoiceInterest> beyond = AccrueInvoiceInterest(
      Invoice(100000, Day(2026, 1, 31)), table->known_until + 2,
      Statutory(v1::INTEREST_KIND_NL_CONSUMER), "EUR");
  EXPECT_EQ(beyond.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(beyond.status().message(), HasSubstr("nl-6:119-consumer"));
  EXPECT_THAT(beyond.status().message(), HasSubstr("RATE_TABLE_KNOWN_UNTIL"));
  // Before the table's first row: refused too, never guessed.
  EXPECT_EQ(
      AccrueInvoiceInterest(Invoice(100000, Day(2008, 12, 31)), Day(2009, 2, 1),
                            Statutory(v1::INTEREST_KIND_NL_CONSUMER), "EUR")
          .status()
          .code(),
      absl::StatusCode::kFailedPrecondition);
}

TEST(StatutoryInterestTest, TablesReachBackTo2010) {
  for (v1::InterestKind kind :
       {v1::INTEREST_KIND_NL_CONSUMER, v1::INTEREST_KIND_NL_COMMERCIAL}) {
    const RateSchedule* table = StatutoryRateSchedule(kind);
    ASSERT_NE(table, nullptr);
    ASSERT_FALSE(table->rows.empty());
    EXPECT_LE(table->rows.front().from, Day(2010, 1, 1));
    EXPECT_GE(table->known_until, table->rows.back().from);
  }
  EXPECT_EQ(StatutoryRateSchedule(v1::INTEREST_KIND_UNSPECIFIED), nullptr);
}

// The same two years accrued in one step and in monthly steps through the
// case fold: the totals are equal (art. 6:119 lid 2: anniversaries count
// from the default date, not from each accrual).
TEST(StatutoryInterestTest, Art6_119_OneAccrualAndManyGiveTheSameAmount) {
  auto open = [] {
    CaseState state;
    v1::Event event;
    event.set_stream_version(1);
    *event.mutable_occurred_at() = ToTimestamp(absl::FromCivil(
        absl::CivilSecond(2023, 12, 1, 12, 0, 0), absl::UTCTimeZone()));
    v1::CaseOpened* opened = event.mutable_payload()->mutable_case_opened();
    opened->set_case_id("C1");
    opened->set_currency("EUR");
    opened->set_rule_pack("nl-consumer");
    opened->set_time_zone("Europe/Amsterdam");
    for (auto [number, gross, due] :
         {std::tuple{"INV-OLD", 5000, Day(2023, 3, 31)},
          std::tuple{"INV-NEW", 250000, Day(2024, 9, 30)}}) {
      v1::ClaimLine* line = opened->add_claim_lines();
      line->set_invoice_number(number);
      line->mutable_gross()->set_amount_minor(gross);
      line->mutable_gross()->set_currency("EUR");
      *line->mutable_due_date() = ToLocalDate(due);
    }
    Evolve(state, event);
    return state;
  };
  const RulePack* pack = FindRulePack("nl-consumer", Day(2025, 12, 1));
  ASSERT_NE(pack, nullptr);
  auto accrue = [&](CaseState& state, absl::CivilDay to) {
    absl::StatusOr<std::optional<v1::InterestAccrued>> accrued =
        InterestTo(state, *pack, to);
    ASSERT_TRUE(accrued.ok()) << accrued.status();
    if (!accrued->has_value()) return;
    v1::Event event;
    event.set_stream_version(state.version + 1);
    *event.mutable_occurred_at() =
        ToTimestamp(absl::FromCivil(to, absl::UTCTimeZone()));
    *event.mutable_payload()->mutable_interest_accrued() = **accrued;
    Evolve(state, event);
  };
  CaseState once = open();
  accrue(once, Day(2026, 1, 1));
  CaseState monthly = open();
  for (absl::CivilMonth m(2023, 4); m <= absl::CivilMonth(2026, 1); ++m)
    accrue(monthly, absl::CivilDay(m));
  for (size_t i = 0; i < once.invoices.size(); ++i) {
    SCOPED_TRACE(once.invoices[i].number());
    EXPECT_GT(once.invoices[i].interest_accrued_minor, 0);
    EXPECT_EQ(monthly.invoices[i].interest_accrued_minor,
              once.invoices[i].interest_accrued_minor);
    EXPECT_EQ(monthly.invoices[i].capitalised_total_minor,
              once.invoices[i].capitalised_total_minor);
  }
  // Per invoice from its own default date. INV-OLD (€50.00) from 1 Apr
  // 2023: 91 d × 5000 × 400 + 184 d × 5000 × 600 + 91 d × 5000 × 700 =
  // 1,052,500,000 → €2.88 capitalised on 1 Apr 2024; then 275 d × 5288 ×
  // 700 + 90 d × 5288 × 600 = 1,303,492,000, total 2,355,992,000 → €6.45
  // capitalised on 1 Apr 2025; then 275 d × 5645 × 600 = 931,425,000:
  // 3,287,417,000 / 3,650,000 = 900.7 → €9.01.
  EXPECT_EQ(once.invoices[0].capitalised_total_minor, 645);
  EXPECT_EQ(once.invoices[0].interest_accrued_minor, 901);
  // INV-NEW (€2,500.00) from 1 Oct 2024 only: 92 d × 250000 × 700 +
  // 273 d × 250000 × 600 = 57,050,000,000 → €156.30 capitalised on 1 Oct
  // 2025; then 92 d × 265630 × 600 = 14,662,776,000: 71,712,776,000 →
  // 19647.3 → €196.47.
  EXPECT_EQ(once.invoices[1].capitalised_total_minor, 15630);
  EXPECT_EQ(once.invoices[1].interest_accrued_minor, 19647);
  EXPECT_EQ(once.invoices[1].interest_until, Day(2026, 1, 1));
}

}  // namespace
}  // namespace collections::domain
