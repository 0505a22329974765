#include "services/app/portfolio_kpis.h"

#include <algorithm>
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

void KpiAccumulator::SetCreditSales(int64_t minor, std::string currency,
                                    uint32_t period_days) {
  credit_sales_ = minor;
  credit_sales_currency_ = std::move(currency);
  period_days_ = period_days == 0 ? 365 : period_days;
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
  const absl::CivilDay period_start = today - period_days_;
  for (const auto& invoice : state.invoices) {
    // VAT relief per invoice (art. 29 Wet OB), closed cases included.
    if (invoice.vat_relief_due && !invoice.vat_relief_claimed)
      vat_due_ += domain::VatShareOf(invoice);
    vat_claimed_ += invoice.vat_relief_minor;
    if (invoice.vat_relief_late) vat_late_ += invoice.vat_relief_minor;
    const absl::CivilDay issued =
        invoice.line.has_issue_date()
            ? domain::ToCivilDay(invoice.line.issue_date())
            : invoice.due;
    if (issued < period_start)
      principal_at_start_ += domain::PrincipalOn(invoice, period_start - 1);
    principal_now_ += invoice.owed.principal;
    if (invoice.due >= today) principal_current_ += invoice.owed.principal;
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
  Segment& segment = segments_[state.debtor.segment().kind()];
  ++segment.cases;
  segment.collected += state.paid_minor;
  segment.written_off += state.written_off_minor;
  segment.promises_kept += figures.promises_kept;
  segment.promises_broken += figures.promises_broken;
  if (state.stage != domain::CaseStage::kClosed) {
    ++segment.open_cases;
    segment.outstanding += state.outstanding_minor();
  }

  if (state.stage == domain::CaseStage::kClosed) return;
  kpis_.set_open_cases(kpis_.open_cases() + 1);
  value_ += state.owed;
  receivables_ += state.outstanding_minor();
  // Aging per invoice against its own due date; what is owed on no invoice
  // (from before the ledger) ages with the case's oldest invoice.
  std::optional<absl::CivilDay> oldest;
  for (const auto& invoice : state.invoices) {
    if (!oldest.has_value() || invoice.due < *oldest) oldest = invoice.due;
    if (invoice.owed.total() <= 0) continue;  // paid: not open
    kpis_.set_open_invoices(kpis_.open_invoices() + 1);
    AddAged(invoice.due, today, invoice.owed.total());
  }
  if (state.unattributed.total() != 0 && oldest.has_value())
    AddAged(*oldest, today, state.unattributed.total());
}

void KpiAccumulator::AddAged(absl::CivilDay due, absl::CivilDay today,
                             int64_t amount) {
  if (today <= due) {
    aging_not_yet_due_ += amount;
    return;
  }
  const int64_t days = today - due;
  const int bucket = days <= 30 ? 0 : days <= 60 ? 1 : days <= 90 ? 2 : 3;
  aging_[bucket] += amount;
}

collections::v1::PortfolioKpis KpiAccumulator::Finish() {
  kpis_.set_currency(currency_);
  *kpis_.mutable_value() = domain::ToAllocation(value_, currency_);
  *kpis_.mutable_aging_0_30() = Money(aging_[0]);
  *kpis_.mutable_aging_31_60() = Money(aging_[1]);
  *kpis_.mutable_aging_61_90() = Money(aging_[2]);
  *kpis_.mutable_aging_over_90() = Money(aging_[3]);
  *kpis_.mutable_aging_not_yet_due() = Money(aging_not_yet_due_);
  *kpis_.mutable_receivables() = Money(receivables_);
  const bool sales_known =
      credit_sales_.has_value() && *credit_sales_ > 0 &&
      (currency_.empty() || credit_sales_currency_ == currency_);
  if (!sales_known) {
    kpis_.add_notes(
        credit_sales_.has_value() && credit_sales_currency_ != currency_
            ? "DSO and CEI not computed: credit_sales is in " +
                  credit_sales_currency_ + ", the portfolio in " + currency_
            : "DSO and CEI not computed: they need the creditor's credit "
              "sales over the period (credit_sales); the backend sees only "
              "the invoices that went wrong");
  } else {
    // DSO = receivables / credit sales × days in the period.
    kpis_.set_dso_known(true);
    kpis_.set_dso_days(static_cast<uint32_t>(
        static_cast<__int128>(std::max<int64_t>(receivables_, 0)) *
        period_days_ / *credit_sales_));
    // CEI = (start + sales − end) / (start + sales − end current).
    const int64_t collectable =
        principal_at_start_ + *credit_sales_ - principal_current_;
    if (collectable > 0) {
      kpis_.set_cei_known(true);
      kpis_.set_cei_permille(static_cast<uint32_t>(std::clamp<int64_t>(
          (principal_at_start_ + *credit_sales_ - principal_now_) * 1000 /
              collectable,
          0, 1000)));
    } else {
      kpis_.add_notes(
          "CEI not computed: nothing was collectable in the "
          "period");
    }
  }
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
  for (const auto& [name, segment] : segments_) {
    collections::v1::SegmentKpis* out = kpis_.add_by_segment();
    out->set_segment(name);
    out->set_cases(segment.cases);
    out->set_open_cases(segment.open_cases);
    *out->mutable_outstanding() = Money(segment.outstanding);
    *out->mutable_collected() = Money(segment.collected);
    *out->mutable_written_off() = Money(segment.written_off);
    out->set_promises_kept(segment.promises_kept);
    out->set_promises_broken(segment.promises_broken);
  }
  *kpis_.mutable_vat_relief_due() = Money(vat_due_);
  *kpis_.mutable_vat_relief_claimed() = Money(vat_claimed_);
  *kpis_.mutable_vat_relief_late() = Money(vat_late_);
  return std::move(kpis_);
}

}  // namespace collections::app
