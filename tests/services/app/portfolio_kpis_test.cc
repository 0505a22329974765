// Portfolio KPIs against hand-computed figures for a small portfolio.
#include "services/app/portfolio_kpis.h"

#include "gtest/gtest.h"

namespace collections::app {
namespace {

namespace v1 = ::collections::v1;

v1::Money Eur(int64_t minor) {
  v1::Money money;
  money.set_amount_minor(minor);
  money.set_currency("EUR");
  return money;
}

// A case with one invoice due on `due` (issued 30 days before), folded
// from `extra` events after opening, with its KPI figures.
projections::CaseWithFigures Case(const std::string& id, absl::CivilDay due,
                                  int64_t gross,
                                  std::vector<v1::EventPayload> extra = {}) {
  projections::CaseWithFigures folded;
  v1::Event event;
  event.set_stream_version(1);
  event.mutable_occurred_at()->set_seconds(1767225600);  // 2026-01-01
  auto* opened = event.mutable_payload()->mutable_case_opened();
  opened->set_case_id(id);
  opened->set_creditor_id("acme");
  opened->set_currency("EUR");
  opened->set_rule_pack("nl-consumer");
  opened->set_time_zone("Europe/Amsterdam");
  auto* line = opened->add_claim_lines();
  line->set_invoice_number(id + "-1");
  *line->mutable_issue_date() = domain::ToLocalDate(due - 30);
  *line->mutable_due_date() = domain::ToLocalDate(due);
  *line->mutable_gross() = Eur(gross);
  *line->mutable_vat() = Eur(gross * 21 / 121);
  projections::FoldCase(folded, event);
  for (auto& payload : extra) {
    v1::Event next;
    next.set_stream_version(folded.state.version + 1);
    next.mutable_occurred_at()->set_seconds(1767225600);
    *next.mutable_payload() = std::move(payload);
    projections::FoldCase(folded, next);
  }
  return folded;
}

TEST(PortfolioKpisTest, HandComputedPortfolio) {
  // As of 2026-06-30 (Amsterdam):
  //   A  €1,210.00 due 06-10 (20 days):  open, promise kept once
  //   B  €2,420.00 due 04-21 (70 days):  open, €420 paid, promise broken,
  //      plan defaulted
  //   C  €605.00   due 01-31 (150 days): placed with agency X, X collected
  //      €105.00
  //   D  €121.00   due 03-01:            written off (uneconomic), closed
  v1::EventPayload kept, broken, payment, plan, defaulted, placed, collected,
      write_off, closed;
  kept.mutable_promise_kept();
  broken.mutable_promise_broken();
  payment.mutable_payment_received()->set_payment_id("p");
  *payment.mutable_payment_received()->mutable_amount() = Eur(42000);
  *payment.mutable_payment_received()
       ->mutable_allocation()
       ->mutable_principal() = Eur(42000);
  plan.mutable_payment_plan_agreed()->set_plan_id("plan");
  defaulted.mutable_payment_plan_defaulted();
  placed.mutable_handed_to_agency()->set_agency_id("X");
  collected.mutable_agency_payment_reported()->set_payment_id("ap");
  *collected.mutable_agency_payment_reported()->mutable_amount() = Eur(10500);
  *collected.mutable_agency_payment_reported()
       ->mutable_allocation()
       ->mutable_principal() = Eur(10500);
  write_off.mutable_write_off_approved()->set_reason(
      v1::WRITE_OFF_REASON_UNECONOMIC);
  *write_off.mutable_write_off_approved()
       ->mutable_amount()
       ->mutable_principal() = Eur(12100);
  closed.mutable_case_stage_changed()->set_to(v1::CASE_STAGE_CLOSED);

  absl::TimeZone amsterdam;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &amsterdam));
  KpiAccumulator kpis("acme",
                      absl::FromCivil(absl::CivilDay(2026, 6, 30), amsterdam));
  kpis.Add(Case("A", absl::CivilDay(2026, 6, 10), 121000, {kept}));
  kpis.Add(Case("B", absl::CivilDay(2026, 4, 21), 242000,
                {payment, broken, plan, defaulted}));
  kpis.Add(Case("C", absl::CivilDay(2026, 1, 31), 60500, {placed, collected}));
  kpis.Add(Case("D", absl::CivilDay(2026, 3, 1), 12100, {write_off, closed}));
  const v1::PortfolioKpis result = kpis.Finish();

  EXPECT_EQ(result.open_cases(), 3u);
  EXPECT_EQ(result.open_invoices(), 3u);
  EXPECT_EQ(result.value().principal().amount_minor(), 121000 + 200000 + 50000);
  EXPECT_EQ(result.aging_0_30().amount_minor(), 121000);
  EXPECT_EQ(result.aging_31_60().amount_minor(), 0);
  EXPECT_EQ(result.aging_61_90().amount_minor(), 200000);
  EXPECT_EQ(result.aging_over_90().amount_minor(), 50000);
  EXPECT_EQ(result.aging_not_yet_due().amount_minor(), 0);
  // DSO and CEI need the creditor's credit sales: not given, not guessed.
  EXPECT_FALSE(result.dso_known());
  EXPECT_FALSE(result.cei_known());
  ASSERT_EQ(result.notes_size(), 1);
  EXPECT_EQ(result.promises_kept(), 1u);
  EXPECT_EQ(result.promises_broken(), 1u);
  EXPECT_EQ(result.promise_kept_rate_permille(), 500u);
  EXPECT_EQ(result.plans(), 1u);
  EXPECT_EQ(result.plan_default_rate_permille(), 1000u);
  ASSERT_EQ(result.agencies_size(), 1);
  EXPECT_EQ(result.agencies(0).agency_id(), "X");
  EXPECT_EQ(result.agencies(0).placed().amount_minor(), 60500);
  EXPECT_EQ(result.agencies(0).recovered().amount_minor(), 10500);
  EXPECT_EQ(result.agencies(0).recovery_rate_permille(), 173u);  // 10500/60500
  ASSERT_EQ(result.write_offs_size(), 1);
  EXPECT_EQ(result.write_offs(0).amount().amount_minor(), 12100);
}

TEST(PortfolioKpisTest, DsoAndCeiFromTheCreditorsCreditSales) {
  // As of 2026-06-30; credit sales €4,356.00 over 365 days. A (€1,210.00,
  // due 06-10) open; B (€2,420.00, due 04-21) €420.00 paid.
  // DSO = receivables 321,000 / 435,600 × 365 = 268.97 → 268 days.
  // CEI = (start 0 + sales 435,600 − now 321,000) / (0 + 435,600 − not yet
  // due 0) = 114,600 / 435,600 = 263 ‰.
  v1::EventPayload payment;
  payment.mutable_payment_received()->set_payment_id("p");
  *payment.mutable_payment_received()->mutable_amount() = Eur(42000);
  *payment.mutable_payment_received()
       ->mutable_allocation()
       ->mutable_principal() = Eur(42000);
  absl::TimeZone amsterdam;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &amsterdam));
  KpiAccumulator kpis("acme",
                      absl::FromCivil(absl::CivilDay(2026, 6, 30), amsterdam));
  kpis.SetCreditSales(435600, "EUR", 365);
  kpis.Add(Case("A", absl::CivilDay(2026, 6, 10), 121000));
  kpis.Add(Case("B", absl::CivilDay(2026, 4, 21), 242000, {payment}));
  const v1::PortfolioKpis result = kpis.Finish();
  EXPECT_EQ(result.receivables().amount_minor(), 321000);
  EXPECT_TRUE(result.dso_known());
  EXPECT_EQ(result.dso_days(), 268u);
  EXPECT_TRUE(result.cei_known());
  EXPECT_EQ(result.cei_permille(), 263u);
  EXPECT_TRUE(result.notes().empty());
}

TEST(PortfolioKpisTest, OtherCurrenciesAreLeftOutAndCounted) {
  KpiAccumulator kpis("acme", absl::FromUnixSeconds(1782000000));
  kpis.Add(Case("A", absl::CivilDay(2026, 6, 10), 1000));
  projections::CaseWithFigures dollars =
      Case("B", absl::CivilDay(2026, 6, 10), 5000);
  dollars.state.currency = "USD";
  kpis.Add(dollars);
  EXPECT_EQ(kpis.skipped_other_currency(), 1);
  EXPECT_EQ(kpis.Finish().open_cases(), 1u);
}

}  // namespace
}  // namespace collections::app
