// StandingAt: what depends on the instant, and every act judged by the same
// rules as the commands.
#include "services/app/case_standing.h"

#include <string>

#include "gtest/gtest.h"

namespace collections::app {
namespace {

namespace v1 = ::collections::v1;

absl::Time NewYork(int month, int day, int hour) {
  absl::TimeZone zone;
  absl::LoadTimeZone("America/New_York", &zone);
  return absl::FromCivil(absl::CivilSecond(2026, month, day, hour, 0, 0), zone);
}

class StandingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    v1::EventPayload payload;
    auto* opened = payload.mutable_case_opened();
    opened->set_case_id("c1");
    opened->set_currency("USD");
    opened->set_rule_pack("us-regf");
    opened->set_time_zone("America/New_York");
    auto* line = opened->add_claim_lines();
    line->set_invoice_number("INV-1");
    *line->mutable_due_date() = domain::ToLocalDate(absl::CivilDay(2026, 3, 1));
    line->mutable_gross()->set_amount_minor(50000);
    line->mutable_gross()->set_currency("USD");
    Fold(payload, NewYork(2, 20, 10));
    v1::EventPayload overdue;
    overdue.mutable_case_stage_changed()->set_to(v1::CASE_STAGE_OVERDUE);
    Fold(overdue, NewYork(3, 2, 0));
  }
  void Fold(const v1::EventPayload& payload, absl::Time at) {
    v1::Event event;
    event.set_stream_version(state_.version + 1);
    event.set_global_position(state_.version + 1);
    *event.mutable_occurred_at() = ToTimestamp(at);
    *event.mutable_payload() = payload;
    domain::Evolve(state_, event);
  }
  static const v1::ActionAvailability* Find(const v1::CaseStanding& standing,
                                            const std::string& action) {
    for (const auto& availability : standing.actions())
      if (availability.action() == action) return &availability;
    return nullptr;
  }
  domain::CaseState state_;
};

TEST_F(StandingTest, DaysPastDueAndActsAllowedNow) {
  const v1::CaseStanding standing = StandingAt(state_, NewYork(3, 11, 10));
  EXPECT_EQ(standing.days_past_due(), 10u);
  EXPECT_TRUE(Find(standing, "call")->allowed());
  EXPECT_EQ(standing.next_allowed_contact().seconds(),
            absl::ToUnixSeconds(NewYork(3, 11, 10)));
  EXPECT_TRUE(Find(standing, "letter:VALIDATION_NOTICE")->allowed());
  EXPECT_EQ(Find(standing, "letter:FOURTEEN_DAY")->rule(), "NOT_IN_RULE_PACK");
  EXPECT_EQ(Find(standing, "close_paid")->rule(), "BALANCE_OUTSTANDING");
}

TEST_F(StandingTest, AfterSevenCallsTheNextAllowedCallIsAWeekOn) {
  for (int day = 2; day <= 8; ++day) {
    v1::EventPayload call;
    call.mutable_call_logged()->set_direction(v1::CALL_DIRECTION_OUTBOUND);
    call.mutable_call_logged()->set_outcome(v1::CALL_OUTCOME_VOICEMAIL);
    Fold(call, NewYork(3, day, 10));
  }
  const v1::CaseStanding standing = StandingAt(state_, NewYork(3, 8, 15));
  const v1::ActionAvailability* call = Find(standing, "call");
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(call->rule(), "REG_F_1006_14_B2_I");
  // The first counted call leaves the 7-day window on 03-09 at 08:00.
  EXPECT_EQ(standing.next_allowed_contact().seconds(),
            absl::ToUnixSeconds(NewYork(3, 9, 8)));
}

TEST_F(StandingTest, AHoldBlocksCallsWithoutANextTime) {
  v1::EventPayload hold;
  hold.mutable_hold_placed()->set_hold(v1::CASE_HOLD_CEASE_COMMUNICATION);
  Fold(hold, NewYork(3, 3, 10));
  const v1::CaseStanding standing = StandingAt(state_, NewYork(3, 4, 10));
  EXPECT_EQ(Find(standing, "call")->rule(), "REG_F_1006_6_C_CEASE");
  EXPECT_FALSE(standing.has_next_allowed_contact());
}

}  // namespace
}  // namespace collections::app
