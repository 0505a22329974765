// CaseSnapshot: a folded CaseState as a proto, so projections can persist it
// and continue folding after a restart. Pure; thread safe.
//
// Contract: FromSnapshot(ToSnapshot(s)) folds on exactly like `s` does (the
// round trip is lossless for everything Evolve reads or writes).
#ifndef COLLECTIONS_SERVICES_DOMAIN_CASE_SNAPSHOT_H_
#define COLLECTIONS_SERVICES_DOMAIN_CASE_SNAPSHOT_H_

#include "collections/v1/snapshots.pb.h"
#include "services/domain/case_state.h"

namespace collections::domain {

collections::v1::CaseSnapshot ToSnapshot(const CaseState& state);
CaseState FromSnapshot(const collections::v1::CaseSnapshot& snapshot);

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_CASE_SNAPSHOT_H_
