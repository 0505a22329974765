#include "services/app/portfolio_kpis.h"

#include <utility>

namespace collections::app {
namespace {

uint32_t Permille(int64_t part, int64_t whole) {
  return whole <= 0 ? 0 : static_cast<uint32_t>(part * 1000 / whole);
}

}  // namespace

KpiAccumulator::KpiAccumulator(std::string creditor_id, absl::Time as_of)
    : as_of_(as_of) {
  kpis_.set_creditor_id(std::move(creditor_id));
  *kpis_.mutable_as_of() = ToTimestamp(as_of);
}

collections::v1::Money KpiAccumulator::Money(int64_t minor) const {
  return domain::MoneyOf(minor, currency_);
}

void KpiAccumulator::Add(const projections::CaseWithFigures& folded) {
  const domain::CaseState& state = folded.state;
  const projections::CaseKpiFigures& figures = folded.kpis;
  if (!state.exists) return;
  if (currency_.empty()) currency_ = state.currency;
  if (state.currency != currency_) {
    ++skipped_;
    return;
  }
  kpis_.set_as_of_position(
      std::max(kpis_.as_of_position(), state.last_position));
  const absl::CivilDay today = state.DayOf(as_of_);
  for (const auto& invoice : state.invoices) {
    const absl::CivilDay issued =
        invoice.line.has_issue_date()
            ? domain::ToCivilDay(invoice.line.issue_date())
            : invoice.due;
    if (issued <= today && today - issued < 365)
      sales_last_year_ += invoice.line.gross().amount_minor();
    if (invoice.vat_relief_due && !invoice.vat_relief_claimed)
      vat_due_ += invoice.line.vat().amount_minor();
    vat_claimed_ += invoice.vat_relief_minor;
  }
  kpis_.set_promises_kept(kpis_.promises_kept() + figures.promises_kept);
  kpis_.set_promises_broken(kpis_.promises_broken() + figures.promises_broken);
  if (state.plan.has_value()) {
    kpis_.set_plans(kpis_.plans() + 1);
    if (state.plan->defaulted)
      kpis_.set_plans_defaulted(kpis_.plans_defaulted() + 1);
  }
  if (state.placements > 0) {
    Agency& agency = agencies_[figures.last_agency_id];
    agency.placements += state.placements;
    agency.placed += figures.placed_balance_minor;
    agency.recovered += figures.agency_collected_minor;
  }
  for (const auto& [reason, amount] : figures.written_off_by_reason)
    write_offs_[reason] += amount;

  if (state.stage == domain::CaseStage::kClosed) return;
  kpis_.set_open_cases(kpis_.open_cases() + 1);
  kpis_.set_open_invoices(kpis_.open_invoices() +
                          static_cast<uint32_t>(state.invoices.size()));
  value_ += state.owed;
  open_principal_ += state.owed.principal;
  if (state.outstanding_minor() <= 0) return;
  std::optional<absl::CivilDay> earliest;
  for (const auto& invoice : state.invoices) {
    if (!earliest.has_value() || invoice.due < *earliest)
      earliest = invoice.due;
  }
  const int64_t days =
      earliest.has_value() && today > *earliest ? today - *earliest : 0;
  const int bucket = days <= 30 ? 0 : days <= 60 ? 1 : days <= 90 ? 2 : 3;
  aging_[bucket] += state.outstanding_minor();
}

collections::v1::PortfolioKpis KpiAccumulator::Finish() {
  kpis_.set_currency(currency_);
  *kpis_.mutable_value() = domain::ToAllocation(value_, currency_);
  *kpis_.mutable_aging_0_30() = Money(aging_[0]);
  *kpis_.mutable_aging_31_60() = Money(aging_[1]);
  *kpis_.mutable_aging_61_90() = Money(aging_[2]);
  *kpis_.mutable_aging_over_90() = Money(aging_[3]);
  kpis_.set_dso_days(
      sales_last_year_ <= 0
          ? 0
          : static_cast<uint32_t>(open_principal_ * 365 / sales_last_year_));
  kpis_.set_promise_kept_rate_permille(Permille(
      kpis_.promises_kept(), kpis_.promises_kept() + kpis_.promises_broken()));
  kpis_.set_plan_default_rate_permille(
      Permille(kpis_.plans_defaulted(), kpis_.plans()));
  for (const auto& [agency_id, agency] : agencies_) {
    collections::v1::AgencyKpis* out = kpis_.add_agencies();
    out->set_agency_id(agency_id);
    out->set_placements(agency.placements);
    *out->mutable_placed() = Money(agency.placed);
    *out->mutable_recovered() = Money(agency.recovered);
    out->set_recovery_rate_permille(Permille(agency.recovered, agency.placed));
  }
  for (const auto& [reason, amount] : write_offs_) {
    collections::v1::WriteOffsByReason* out = kpis_.add_write_offs();
    out->set_reason(static_cast<collections::v1::WriteOffReason>(reason));
    *out->mutable_amount() = Money(amount);
  }
  *kpis_.mutable_vat_relief_due() = Money(vat_due_);
  *kpis_.mutable_vat_relief_claimed() = Money(vat_claimed_);
  return std::move(kpis_);
}

}  // namespace collections::app
