// Person-readable descriptions of events, for timelines and tools.
//
// Thread safety: pure functions.
#ifndef COLLECTIONS_SERVICES_PROJECTIONS_EVENT_SUMMARY_H_
#define COLLECTIONS_SERVICES_PROJECTIONS_EVENT_SUMMARY_H_

#include <string>

#include "collections/v1/events.pb.h"

namespace collections::projections {

// "EUR 120.00", "EUR -5.10", "JPY 500": common/money_format.h.
std::string FormatMoney(const collections::v1::Money& money);

// A one-line description of an event ("Payment of EUR 120.00 (BANK_TRANSFER)");
// the event type for a payload it does not know. Never a value of a field
// marked personal: timelines are stored in plaintext, and a summary must
// read the same before and after erasure.
std::string SummarizeEvent(const collections::v1::Event& event);

}  // namespace collections::projections

#endif  // COLLECTIONS_SERVICES_PROJECTIONS_EVENT_SUMMARY_H_
