// Portfolio KPIs of one creditor as of an instant (domain.md §5), computed
// from the creditor's folded cases and their KPI figures
// (services/projections/case_kpi_figures.h): open cases and invoices, value by
// bucket, aging per invoice by days past its own due date (not yet due
// apart), DSO and CEI (with the creditor's credit sales as an input: the
// backend sees only the invoices that went wrong; without it they are not
// computed and `notes` says so), promise-kept and plan-default rates,
// placements and recovery per agency, write-offs by reason, VAT relief due
// and claimed. Rates are in permille (integer); money in the creditor's
// currency (cases in another currency are left out and counted).
//
// Pure; use one accumulator per query.
#ifndef COLLECTIONS_SERVICES_APP_PORTFOLIO_KPIS_H_
#define COLLECTIONS_SERVICES_APP_PORTFOLIO_KPIS_H_

#include <map>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "collections/v1/case_queries.pb.h"
#include "services/domain/case_state.h"
#include "services/projections/case_kpi_figures.h"

namespace collections::app {

class KpiAccumulator {
 public:
  KpiAccumulator(std::string creditor_id, absl::Time as_of);
  // The creditor's credit sales over the last `period_days` (0 = 365), in
  // minor units of `currency`: enables DSO and CEI.
  void SetCreditSales(int64_t minor, std::string currency,
                      uint32_t period_days);
  void Add(const projections::CaseWithFigures& folded);
  collections::v1::PortfolioKpis Finish();
  // Cases left out because their currency differs from the first one's.
  int skipped_other_currency() const { return skipped_; }

 private:
  struct Agency {
    uint32_t placements = 0;
    int64_t placed = 0;
    int64_t recovered = 0;
  };
  struct Segment {
    uint32_t cases = 0;
    uint32_t open_cases = 0;
    int64_t outstanding = 0;
    int64_t collected = 0;
    int64_t written_off = 0;
    uint32_t promises_kept = 0;
    uint32_t promises_broken = 0;
  };
  collections::v1::Money Money(int64_t minor) const;
  void AddAged(absl::CivilDay due, absl::CivilDay today, int64_t amount);

  collections::v1::PortfolioKpis kpis_;
  const absl::Time as_of_;
  std::string currency_;
  int skipped_ = 0;
  domain::Buckets value_;
  int64_t aging_[4] = {0, 0, 0, 0};
  int64_t aging_not_yet_due_ = 0;
  int64_t receivables_ = 0;
  // CEI over the period, on principal (docs/domain.md "KPIs"): receivables at
  // its start, now, and now on invoices not yet due.
  int64_t principal_at_start_ = 0;
  int64_t principal_now_ = 0;
  int64_t principal_current_ = 0;
  std::optional<int64_t> credit_sales_;
  std::string credit_sales_currency_;
  uint32_t period_days_ = 365;
  std::map<std::string, Agency> agencies_;
  std::map<int, int64_t> write_offs_;
  std::map<std::string, Segment> segments_;  // by the debtor's segment
  int64_t vat_due_ = 0;
  int64_t vat_claimed_ = 0;
  int64_t vat_late_ = 0;
};

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_PORTFOLIO_KPIS_H_
