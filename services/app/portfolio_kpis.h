// Portfolio KPIs of one creditor as of an instant (domain.md §5), computed
// from the creditor's folded cases and their KPI figures
// (services/projections/case_kpi_figures.h): open cases and invoices, value by
// bucket, aging by days past due, DSO, promise-kept and plan-default rates,
// placements and recovery per agency, write-offs by reason, VAT relief due
// and claimed. Rates are in permille (integer); money in the creditor's
// currency (cases in another currency are left out and counted).
//
// Pure; use one accumulator per query.
#ifndef COLLECTIONS_SERVICES_APP_PORTFOLIO_KPIS_H_
#define COLLECTIONS_SERVICES_APP_PORTFOLIO_KPIS_H_

#include <map>
#include <string>

#include "absl/time/time.h"
#include "collections/v1/case_queries.pb.h"
#include "services/domain/case_state.h"
#include "services/projections/case_kpi_figures.h"

namespace collections::app {

class KpiAccumulator {
 public:
  KpiAccumulator(std::string creditor_id, absl::Time as_of);
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
  collections::v1::Money Money(int64_t minor) const;

  collections::v1::PortfolioKpis kpis_;
  const absl::Time as_of_;
  std::string currency_;
  int skipped_ = 0;
  domain::Buckets value_;
  int64_t aging_[4] = {0, 0, 0, 0};
  int64_t open_principal_ = 0;
  int64_t sales_last_year_ = 0;
  std::map<std::string, Agency> agencies_;
  std::map<int, int64_t> write_offs_;
  int64_t vat_due_ = 0;
  int64_t vat_claimed_ = 0;
};

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_PORTFOLIO_KPIS_H_
