// The one-line summaries the timeline shows: known events read as a person
// would say them; an enum value this build does not know (proto3 keeps it)
// reads UNKNOWN instead of throwing, as a fuzzed stored event once made it.
#include "services/projections/event_summary.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace collections::projections {
namespace {

namespace v1 = ::collections::v1;

v1::Event Call(int outcome) {
  v1::Event event;
  v1::CallLogged* call = event.mutable_payload()->mutable_call_logged();
  call->set_direction(v1::CALL_DIRECTION_INBOUND);
  call->set_outcome(static_cast<v1::CallOutcome>(outcome));
  return event;
}

TEST(EventSummaryTest, ACallReadsItsDirectionAndOutcome) {
  EXPECT_EQ(SummarizeEvent(Call(v1::CALL_OUTCOME_NO_ANSWER)),
            "Inbound call: NO_ANSWER");
}

TEST(EventSummaryTest, UnknownEnumValuesReadUnknown) {
  EXPECT_EQ(SummarizeEvent(Call(1000)), "Inbound call: UNKNOWN");
  v1::Event closed;
  closed.mutable_payload()->mutable_case_closed()->set_reason(
      static_cast<v1::ClosureReason>(77));
  EXPECT_EQ(SummarizeEvent(closed), "Case closed: UNKNOWN");
  v1::Event payment;
  payment.mutable_payload()->mutable_payment_received()->set_method(
      static_cast<v1::PaymentMethod>(99));
  EXPECT_THAT(SummarizeEvent(payment), ::testing::HasSubstr("UNKNOWN"));
}

}  // namespace
}  // namespace collections::projections
