// Builders for test events: envelopes with a typed payload, the caller-owned
// fields set and the log-assigned ones left unset.
#ifndef COLLECTIONS_TESTS_TESTING_EVENTS_H_
#define COLLECTIONS_TESTS_TESTING_EVENTS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "collections/v1/events.pb.h"

namespace collections::testing {

// A CallLogged event with id `event_id`, occurred at a fixed business time,
// whose notes pad the serialized event to roughly `approx_bytes`.
collections::v1::Event MakeCallLogged(const std::string& event_id,
                                      size_t approx_bytes = 200);

// A PaymentReceived event of `amount_minor` EUR cents.
collections::v1::Event MakePayment(const std::string& event_id,
                                   int64_t amount_minor);

// A CaseOpened event for case `case_id` of debtor `debtor_id`: one EUR
// invoice of 100.00 due 2026-01-31, the Dutch consumer pack.
collections::v1::Event MakeCaseOpened(const std::string& event_id,
                                      const std::string& case_id,
                                      const std::string& debtor_id);

// `count` CallLogged events with ids "<prefix>-0", "<prefix>-1", …
std::vector<collections::v1::Event> MakeCalls(const std::string& prefix,
                                              size_t count,
                                              size_t approx_bytes = 200);

}  // namespace collections::testing

#endif  // COLLECTIONS_TESTS_TESTING_EVENTS_H_
