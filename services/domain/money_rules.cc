#include "services/domain/money_rules.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_details.h"
#include "services/domain/dutch_collection_costs.h"
#include "services/domain/payment_schedule.h"

namespace collections::domain {

namespace v1 = ::collections::v1;

// Art. 6:119 / 6:119a BW, or the contract's agreed rate (art. 6:119 lid 1:
// "tenzij een hogere rente is overeengekomen").
absl::StatusOr<InterestBasis> InterestBasisOf(const CaseState& state,
                                              const RulePack& pack) {
  InterestBasis basis;
  if (state.contract_terms.interest_rate_bp() > 0) {
    basis.contract_rate_bp = state.contract_terms.interest_rate_bp();
    basis.clause = state.contract_terms.interest_clause();
    return basis;
  }
  basis.table = StatutoryRateSchedule(pack.interest);
  if (basis.table == nullptr) {
    return RuleRefusedError(
        "NOT_IN_RULE_PACK",
        absl::StrCat("rule pack ", pack.id,
                     " has no statutory interest and the case no contract "
                     "rate"));
  }
  return basis;
}

absl::StatusOr<std::optional<v1::InterestAccrued>> InterestTo(
    const CaseState& state, const RulePack& pack, absl::CivilDay to) {
  absl::StatusOr<InterestBasis> basis = InterestBasisOf(state, pack);
  if (!basis.ok()) return basis.status();
  v1::InterestAccrued accrued;
  accrued.set_kind(pack.interest);
  std::optional<absl::CivilDay> from;
  int64_t total = 0;
  int64_t base = 0;
  for (const InvoiceState& invoice : state.invoices) {
    absl::StatusOr<v1::InvoiceInterest> part =
        AccrueInvoiceInterest(invoice, to, *basis, state.currency);
    if (!part.ok()) return part.status();
    if (part->segments().empty() && part->amount().amount_minor() == 0)
      continue;
    const absl::CivilDay start = ToCivilDay(part->from_date());
    if (!from.has_value() || start < *from) from = start;
    total += part->amount().amount_minor();
    if (!part->segments().empty()) base += part->segments(0).base_minor();
    *accrued.add_invoices() = *std::move(part);
  }
  if (accrued.invoices().empty()) return std::nullopt;
  *accrued.mutable_from_date() = ToLocalDate(*from);
  *accrued.mutable_to_date() = ToLocalDate(to);
  *accrued.mutable_base() = MoneyOf(base, state.currency);
  *accrued.mutable_amount() = MoneyOf(total, state.currency);
  accrued.set_rate_table(basis->contract_rate_bp > 0
                             ? absl::StrCat("contract:", basis->clause)
                             : basis->table->name);
  return accrued;
}

// Wet OB tabel I / art. 9 lid 1: the general rate, 21% from 1 Oct 2012.
int32_t DutchGeneralVatRateBp(absl::CivilDay day) {
  return day >= absl::CivilDay(2012, 10, 1) ? 2100 : 1900;
}

// Besluit vergoeding voor buitengerechtelijke incassokosten art. 2 (the
// scale); art. 6:96 lid 4 BW with Richtlijn 2011/7/EU art. 6 (at least €40
// per invoice for business debtors).
int64_t ScaleCostsMinor(int64_t principal_minor, int invoices, bool business) {
  int64_t costs = DutchCollectionCostsCents(principal_minor);
  if (business && principal_minor > 0) {
    costs = std::max<int64_t>(costs,
                              kDutchCostsMinimumCents * std::max(invoices, 1));
  }
  return costs;
}

// Art. 6:96 lid 6 BW and the BIK scale; the repeated-claims rule in force
// from 1 Oct 2024 as the pack configures it (docs/domain.md "Choices").
int64_t ConsumerCostsMinor(const CaseState& state, const RulePack& pack,
                           int64_t principal_minor, absl::CivilDay today,
                           bool* repeat) {
  *repeat = false;
  const int64_t costs = ScaleCostsMinor(principal_minor, 1, false);
  if (pack.repeat_claims_lookback_months <= 0) return costs;
  const absl::CivilDay since =
      AddMonthsClamped(today, -pack.repeat_claims_lookback_months);
  int64_t earlier_principal = 0;
  int64_t earlier_costs = 0;
  for (const auto& invoice : state.invoices) {
    if (invoice.costs_assessed_on.has_value() &&
        *invoice.costs_assessed_on >= since) {
      earlier_principal += invoice.gross_minor();
      earlier_costs += invoice.costs_assessed_minor;
    }
  }
  if (earlier_costs <= 0) return costs;
  *repeat = true;
  return std::max<int64_t>(
      0, ScaleCostsMinor(principal_minor + earlier_principal, 1, false) -
             earlier_costs);
}

// Art. 29 lid 1 Wet OB: relief is claimed in the return of the period in
// which it became due; the period follows the creditor's filing frequency.
std::string VatReturnPeriod(absl::CivilDay day, v1::VatFilingPeriod filing) {
  if (filing == v1::VAT_FILING_PERIOD_MONTHLY)
    return absl::StrFormat("%04d-%02d", day.year(), day.month());
  return absl::StrFormat("%04d-Q%d", day.year(), (day.month() - 1) / 3 + 1);
}

std::vector<InvoiceSplit> SplitOverPrincipal(
    const std::vector<const InvoiceState*>& invoices, Bucket bucket,
    int64_t amount) {
  std::vector<int64_t> weights;
  for (const InvoiceState* invoice : invoices)
    weights.push_back(invoice->owed.principal);
  const std::vector<int64_t> parts = SplitByWeight(amount, weights);
  std::vector<InvoiceSplit> splits;
  for (size_t i = 0; i < invoices.size(); ++i) {
    InvoiceSplit split{invoices[i]->number(), {}};
    split.allocated.at(bucket) = parts[i];
    splits.push_back(split);
  }
  return splits;
}

}  // namespace collections::domain
