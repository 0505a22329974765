// The standing of a case at an instant: its view plus what depends on the
// instant — days past due, the next moment a call is allowed, the next
// installment, the VAT relief date — and, for each act, whether the rules
// allow it now or which rule blocks it. The acts are judged by dry runs of
// the same Decide functions the commands use, so the standing never
// disagrees with what a command would answer.
//
// Pure (the state and the instant come in); thread safe.
#ifndef COLLECTIONS_SERVICES_APP_CASE_STANDING_H_
#define COLLECTIONS_SERVICES_APP_CASE_STANDING_H_

#include "absl/time/time.h"
#include "collections/v1/case_queries.pb.h"
#include "services/domain/case_state.h"

namespace collections::app {

collections::v1::CaseStanding StandingAt(const domain::CaseState& state,
                                         absl::Time as_of);

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_CASE_STANDING_H_
