// CaseKpiFigures: what the portfolio KPIs (services/app/portfolio_kpis.h)
// count of a case beyond its folded state: promises kept and broken, what
// was placed with and recovered by agencies, write-offs by reason. No rule
// of the domain reads these, so they live in the read model, not in
// domain::CaseState; the case standing projection folds them beside the
// state and stores them in the same snapshot (fields 20, 21, 33, 35-37 of
// collections.v1.CaseSnapshot).
//
// Pure; plain values.
#ifndef COLLECTIONS_SERVICES_PROJECTIONS_CASE_KPI_FIGURES_H_
#define COLLECTIONS_SERVICES_PROJECTIONS_CASE_KPI_FIGURES_H_

#include <cstdint>
#include <map>
#include <string>

#include "collections/v1/events.pb.h"
#include "collections/v1/snapshots.pb.h"
#include "services/domain/case_state.h"

namespace collections::projections {

struct CaseKpiFigures {
  uint32_t promises_kept = 0;
  uint32_t promises_broken = 0;
  std::string last_agency_id;          // the agency of the latest placement
  int64_t placed_balance_minor = 0;    // the balance at each placement, summed
  int64_t agency_collected_minor = 0;  // agency payments less reversals
  std::map<int, int64_t> written_off_by_reason;  // WriteOffReason → minor
};

// A case's state and its KPI figures, folded together.
struct CaseWithFigures {
  domain::CaseState state;
  CaseKpiFigures kpis;
};

// Folds one event of the case's stream into both: the figures first (they
// read the state as it was before the event: the balance placed, the
// payment reversed), then the state (domain::Evolve).
void FoldCase(CaseWithFigures& folded, const collections::v1::Event& event);

// The figures' fields of a snapshot, written and read.
void AddToSnapshot(const CaseKpiFigures& kpis,
                   collections::v1::CaseSnapshot& snapshot);
CaseKpiFigures KpiFiguresOf(const collections::v1::CaseSnapshot& snapshot);

}  // namespace collections::projections

#endif  // COLLECTIONS_SERVICES_PROJECTIONS_CASE_KPI_FIGURES_H_
