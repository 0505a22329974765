#include "services/app/event_envelope.h"

#include <utility>

#include "services/domain/case_state.h"

namespace collections::app {

namespace v1 = ::collections::v1;

std::string TypeName(const v1::EventPayload& payload) {
  const auto* field = v1::EventPayload::descriptor()->FindFieldByNumber(
      static_cast<int>(payload.kind_case()));
  return field == nullptr ? "" : field->message_type()->name();
}

v1::Event MakeEvent(std::string id, absl::Time occurred_at,
                    const v1::Actor& actor, const std::string& correlation_id,
                    const std::string& causation_id, v1::EventPayload payload) {
  v1::Event event;
  event.set_event_id(std::move(id));
  event.set_type(TypeName(payload));
  *event.mutable_occurred_at() = ToTimestamp(occurred_at);
  *event.mutable_actor() = actor;
  event.set_correlation_id(correlation_id);
  event.set_causation_id(causation_id);
  event.set_schema_version(1);
  *event.mutable_payload() = std::move(payload);
  return event;
}

}  // namespace collections::app
