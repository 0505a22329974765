// The envelope every use case wraps its payloads in.
#include "services/app/event_envelope.h"

#include "gtest/gtest.h"
#include "services/domain/case_state.h"

namespace collections::app {
namespace {

namespace v1 = ::collections::v1;

TEST(EventEnvelopeTest, NamesTheTypeAndCarriesWhoWhenAndWhy) {
  v1::EventPayload payload;
  payload.mutable_payment_received()->set_payment_id("P1");
  EXPECT_EQ(TypeName(payload), "PaymentReceived");
  EXPECT_EQ(TypeName(v1::EventPayload()), "");

  v1::Actor actor;
  actor.set_id("anna");
  actor.set_role("collector");
  const absl::Time at = absl::FromUnixSeconds(1795000000);
  const v1::Event event =
      MakeEvent("r-1/0", at, actor, "corr", "cause", payload);
  EXPECT_EQ(event.event_id(), "r-1/0");
  EXPECT_EQ(event.type(), "PaymentReceived");
  EXPECT_EQ(ToTime(event.occurred_at()), at);
  EXPECT_EQ(event.actor().id(), "anna");
  EXPECT_EQ(event.correlation_id(), "corr");
  EXPECT_EQ(event.causation_id(), "cause");
  EXPECT_EQ(event.schema_version(), 1u);
  EXPECT_EQ(event.payload().payment_received().payment_id(), "P1");
  // What the log assigns is left for it.
  EXPECT_TRUE(event.stream_id().empty());
  EXPECT_EQ(event.global_position(), 0u);
  EXPECT_FALSE(event.has_recorded_at());
}

}  // namespace
}  // namespace collections::app
