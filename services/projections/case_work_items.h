// The case's work items as the work queue stores and serves them
// (collections.v1.WorkItem): the domain's UpcomingWork
// (services/domain/work_items.h) with the case's ids and currency.
// Pure; thread safe.
#ifndef COLLECTIONS_SERVICES_PROJECTIONS_CASE_WORK_ITEMS_H_
#define COLLECTIONS_SERVICES_PROJECTIONS_CASE_WORK_ITEMS_H_

#include <vector>

#include "collections/v1/case_queries.pb.h"
#include "services/domain/case_state.h"

namespace collections::projections {

// The case's open work items, in no particular order; none for a closed or
// unknown case.
std::vector<collections::v1::WorkItem> WorkItemsOf(
    const domain::CaseState& state);

}  // namespace collections::projections

#endif  // COLLECTIONS_SERVICES_PROJECTIONS_CASE_WORK_ITEMS_H_
