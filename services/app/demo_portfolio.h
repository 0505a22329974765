// The demo portfolio: a few hundred debtors with realistic histories (calls,
// letters, promises kept and broken, payment plans, disputes, agency
// handoffs, payments, write-offs), written through the case commands so it
// obeys every check a real caller does. Deterministic for a given seed and
// `now`; request ids are fixed, so seeding twice appends nothing new.
//
// Thread safety: call from one thread.
#ifndef COLLECTIONS_SERVICES_APP_DEMO_PORTFOLIO_H_
#define COLLECTIONS_SERVICES_APP_DEMO_PORTFOLIO_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/app/agency_handoff.h"
#include "services/app/case_commands.h"
#include "services/app/case_reader.h"

namespace collections::app {

struct DemoPortfolioOptions {
  int debtors = 300;  // debtors d-0001 …, one or two cases each
  uint64_t seed = 20261122;
  // Histories end by `now` (business time); the earliest starts ~370 days
  // before it. The due-time processor is run for each case up to `now`.
  absl::Time now = absl::FromUnixSeconds(1795000000);
  // Places cases with their packages; null: placements are recorded
  // without one.
  AgencyHandoff* handoff = nullptr;
};

struct DemoPortfolioStats {
  int debtors = 0;
  int cases = 0;
  int commands = 0;
};

// Writes through `commands`; reads the cases' standing from `reader`.
absl::StatusOr<DemoPortfolioStats> SeedDemoPortfolio(
    CaseCommands& commands, CaseReader& reader,
    const DemoPortfolioOptions& options);

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_DEMO_PORTFOLIO_H_
