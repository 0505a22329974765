// Work items: what a case will need done, and when — the days its promise is
// kept or broken, its unpaid installments fall due, its letters' terms end,
// its VAT relief becomes claimable and its limitation deadlines fall. The
// work queue projection indexes them by due time. Pure; thread safe.
#ifndef COLLECTIONS_SERVICES_DOMAIN_WORK_ITEMS_H_
#define COLLECTIONS_SERVICES_DOMAIN_WORK_ITEMS_H_

#include <vector>

#include "collections/v1/case_queries.pb.h"
#include "services/domain/case_state.h"

namespace collections::domain {

// The case's open work items, in no particular order; none for a closed or
// unknown case.
std::vector<collections::v1::WorkItem> UpcomingWork(const CaseState& state);

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_WORK_ITEMS_H_
