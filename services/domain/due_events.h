// Derived events on time (domain.md §4): what the passing of time makes
// true of a case by an instant `as_of` — an overdue invoice, a promise
// broken or kept, an installment missed and the plan defaulted, a letter's
// term lapsed, VAT relief due, a limitation deadline near.
//
// Pure and idempotent: the state records every derived event once folded,
// so DueEvents on the state after appending them returns nothing new for the
// same or an earlier instant. Each event's id is derived from what it is
// about (not from when the processor ran), and its business time is the
// instant it became due, so a replay or a second run never doubles it.
#ifndef COLLECTIONS_SERVICES_DOMAIN_DUE_EVENTS_H_
#define COLLECTIONS_SERVICES_DOMAIN_DUE_EVENTS_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "collections/v1/events.pb.h"
#include "services/domain/case_state.h"

namespace collections::domain {

struct DueEvent {
  std::string event_id;    // "due/<what>/<key>": unique within the case
  absl::Time occurred_at;  // when it became due
  collections::v1::EventPayload payload;
};

// The events due on `state` by `as_of`, in business-time order. Empty for an
// unknown rule pack; a closed case still gets its VAT relief (art. 29 Wet
// OB turns on non-receipt, not on the books).
std::vector<DueEvent> DueEvents(const CaseState& state, absl::Time as_of);

// Whether time can still bring `state` events: an open case, or a closed
// one with VAT relief yet to become due.
bool AwaitsDueEvents(const CaseState& state);

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_DUE_EVENTS_H_
