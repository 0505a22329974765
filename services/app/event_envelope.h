// The envelope every use case wraps a decided payload in: id, type name,
// business time, actor, correlation and causation, schema version. The log
// fills the rest (stream, version, position, recorded_at).
#ifndef COLLECTIONS_SERVICES_APP_EVENT_ENVELOPE_H_
#define COLLECTIONS_SERVICES_APP_EVENT_ENVELOPE_H_

#include <string>

#include "absl/time/time.h"
#include "collections/v1/events.pb.h"

namespace collections::app {

// The event type recorded in the envelope: the payload message's name
// ("PaymentReceived"); empty for an unset payload.
std::string TypeName(const collections::v1::EventPayload& payload);

collections::v1::Event MakeEvent(std::string id, absl::Time occurred_at,
                                 const collections::v1::Actor& actor,
                                 const std::string& correlation_id,
                                 const std::string& causation_id,
                                 collections::v1::EventPayload payload);

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_EVENT_ENVELOPE_H_
