// The Regulation F contact limits at their boundaries.

#include "services/domain/contact_rules.h"

#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace collections::domain {
namespace {

class ContactRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(absl::LoadTimeZone("America/New_York", &new_york_));
    ASSERT_TRUE(absl::LoadTimeZone("America/Los_Angeles", &los_angeles_));
  }
  absl::Time NY(int y, int m, int d, int hh, int mm) const {
    return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), new_york_);
  }
  // An outbound call that connected but reached voicemail: it counts.
  static PastCall Placed(absl::Time at) {
    PastCall call;
    call.at = at;
    call.connected = true;
    return call;
  }
  absl::TimeZone new_york_;
  absl::TimeZone los_angeles_;
};

TEST_F(ContactRulesTest, LocalTimeWindowBoundaries) {
  struct Case {
    int hour, minute;
    bool allowed;
  };
  const Case cases[] = {
      {7, 59, false}, {8, 0, true},    {12, 0, true}, {20, 59, true},
      {21, 0, false}, {23, 30, false}, {0, 0, false},
  };
  for (const Case& c : cases) {
    const absl::Time at = NY(2026, 11, 18, c.hour, c.minute);
    const ContactDecision decision =
        CheckCallAttempt(at, new_york_, {}, kRegulationFLimits);
    EXPECT_EQ(decision.allowed, c.allowed) << c.hour << ":" << c.minute;
    if (!c.allowed) {
      EXPECT_EQ(decision.rule, "REG_F_1006_6_B1");
    }
  }
  // 21:00 → 08:00 the next morning; 07:59 → 08:00 the same morning.
  EXPECT_EQ(CheckCallAttempt(NY(2026, 11, 18, 21, 0), new_york_, {},
                             kRegulationFLimits)
                .next_allowed,
            NY(2026, 11, 19, 8, 0));
  EXPECT_EQ(CheckCallAttempt(NY(2026, 11, 18, 7, 59), new_york_, {},
                             kRegulationFLimits)
                .next_allowed,
            NY(2026, 11, 18, 8, 0));
  // The window is the person's: 20:30 in New York is 17:30 in Los Angeles.
  EXPECT_TRUE(CheckCallAttempt(NY(2026, 11, 18, 23, 30), los_angeles_, {},
                               kRegulationFLimits)
                  .allowed);
}

TEST_F(ContactRulesTest, SeventhCallInSevenDaysIsAllowedTheEighthIsNot) {
  std::vector<PastCall> history;
  // Six calls on Nov 12..17, one a day.
  for (int day = 12; day <= 17; ++day) {
    history.push_back(Placed(NY(2026, 11, day, 10, 0)));
  }
  const absl::Time seventh = NY(2026, 11, 18, 10, 0);
  EXPECT_TRUE(CheckCallAttempt(seventh, new_york_, history, kRegulationFLimits)
                  .allowed);
  history.push_back(Placed(seventh));
  const ContactDecision eighth = CheckCallAttempt(
      NY(2026, 11, 18, 15, 0), new_york_, history, kRegulationFLimits);
  EXPECT_FALSE(eighth.allowed);
  EXPECT_EQ(eighth.rule, "REG_F_1006_14_B2_I");
  // Nov 12's call leaves the window on Nov 19: 08:00 that day.
  EXPECT_EQ(eighth.next_allowed, NY(2026, 11, 19, 8, 0));
  EXPECT_TRUE(CheckCallAttempt(eighth.next_allowed, new_york_, history,
                               kRegulationFLimits)
                  .allowed);
}

TEST_F(ContactRulesTest, UnconnectedConsentedAndInboundCallsAreNotCounted) {
  std::vector<PastCall> history;
  for (int day = 12; day <= 18; ++day) {
    history.push_back(Placed(NY(2026, 11, day, 10, 0)));
  }
  history[0].connected = false;    // did not connect
  history[1].with_consent = true;  // prior consent
  EXPECT_TRUE(CheckCallAttempt(NY(2026, 11, 18, 15, 0), new_york_, history,
                               kRegulationFLimits)
                  .allowed);
}

TEST_F(ContactRulesTest, NoCallForSevenDaysAfterAConversation) {
  PastCall talk = Placed(NY(2026, 11, 10, 11, 0));
  talk.conversation = true;
  const std::vector<PastCall> history = {talk};
  // The conversation day is day 1: Nov 10..16 closed, Nov 17 open.
  const ContactDecision same_day = CheckCallAttempt(
      NY(2026, 11, 10, 16, 0), new_york_, history, kRegulationFLimits);
  EXPECT_FALSE(same_day.allowed);
  EXPECT_EQ(same_day.rule, "REG_F_1006_14_B2_II");
  EXPECT_EQ(same_day.next_allowed, NY(2026, 11, 17, 8, 0));
  EXPECT_FALSE(CheckCallAttempt(NY(2026, 11, 16, 20, 59), new_york_, history,
                                kRegulationFLimits)
                   .allowed);
  EXPECT_TRUE(CheckCallAttempt(NY(2026, 11, 17, 8, 0), new_york_, history,
                               kRegulationFLimits)
                  .allowed);
  // An inbound call that connected is a conversation too.
  PastCall inbound;
  inbound.at = NY(2026, 11, 10, 11, 0);
  inbound.inbound = true;
  inbound.connected = true;
  EXPECT_FALSE(CheckCallAttempt(NY(2026, 11, 12, 10, 0), new_york_, {inbound},
                                kRegulationFLimits)
                   .allowed);
}

TEST_F(ContactRulesTest, DaysAreCountedInThePersonsCurrentZone) {
  // Seven calls at 23:30 New York time (20:30 in Los Angeles) on Nov 11..17:
  // on the same calendar days in both zones.
  std::vector<PastCall> history;
  for (int day = 11; day <= 17; ++day) {
    history.push_back(Placed(NY(2026, 11, day, 23, 30)));
  }
  // In New York the window Nov 12..18 holds six calls: allowed.
  EXPECT_TRUE(CheckCallAttempt(NY(2026, 11, 18, 10, 0), new_york_, history,
                               kRegulationFLimits)
                  .allowed);
  // The person moved to Los Angeles: 10:00 there on Nov 18, six calls in
  // Nov 12..18 as well.
  const absl::Time la_morning = NY(2026, 11, 18, 13, 0);
  EXPECT_TRUE(
      CheckCallAttempt(la_morning, los_angeles_, history, kRegulationFLimits)
          .allowed);
  // A call at 01:00 New York on Nov 12 is still Nov 11 (22:00) in Los
  // Angeles: outside the Los Angeles window Nov 12..18, inside New York's.
  history.push_back(Placed(NY(2026, 11, 12, 1, 0)));
  EXPECT_FALSE(CheckCallAttempt(NY(2026, 11, 18, 10, 0), new_york_, history,
                                kRegulationFLimits)
                   .allowed);
  EXPECT_TRUE(
      CheckCallAttempt(la_morning, los_angeles_, history, kRegulationFLimits)
          .allowed);
  EXPECT_FALSE(CheckCallAttempt(NY(2026, 11, 18, 10, 0), los_angeles_, history,
                                kRegulationFLimits)
                   .allowed);  // 07:00 in Los Angeles: the window rule
}

// 1006.14(b)(3)(i) and 1006.6(b)(1): consent lifts the frequency limits,
// never the window.
TEST_F(ContactRulesTest, RegF_1006_6_b_1_ConsentLiftsFrequencyNotTheWindow) {
  std::vector<PastCall> seven;
  for (int day = 10; day < 17; ++day)
    seven.push_back(Placed(NY(2026, 11, day, 10, 0)));
  EXPECT_EQ(CheckCallAttempt(NY(2026, 11, 16, 15, 0), new_york_, seven,
                             kRegulationFLimits)
                .rule,
            "REG_F_1006_14_B2_I");
  EXPECT_TRUE(CheckCallAttempt(NY(2026, 11, 16, 15, 0), new_york_, seven,
                               kRegulationFLimits, /*consented=*/true)
                  .allowed);
  EXPECT_EQ(CheckCallAttempt(NY(2026, 11, 16, 7, 0), new_york_, seven,
                             kRegulationFLimits, /*consented=*/true)
                .rule,
            "REG_F_1006_6_B1");
  // The window for any channel.
  EXPECT_EQ(
      CheckContactWindow(NY(2026, 11, 16, 22, 0), new_york_, kRegulationFLimits)
          .rule,
      "REG_F_1006_6_B1");
  EXPECT_TRUE(
      CheckContactWindow(NY(2026, 11, 16, 9, 0), new_york_, kRegulationFLimits)
          .allowed);
}

// Reg F 12 CFR 1006.6(b)(1): where the person may be in more than one zone,
// a time is convenient only inside the window in each of them.
TEST_F(ContactRulesTest, RegF_1006_6_b_1_WindowInEveryCandidateZone) {
  struct Case {
    int hour, minute;  // New York time, Wed 18 Nov 2026
    bool allowed;
    int next_hour;  // next allowed, New York time (when refused)
  };
  // New York 08:00-21:00 and Los Angeles 08:00-21:00 (= 11:00-24:00 NY)
  // overlap 11:00-21:00 New York time.
  const Case cases[] = {
      {8, 30, false, 11},   // 05:30 in LA
      {10, 59, false, 11},  // 07:59 in LA
      {11, 0, true, 0},     // 08:00 in LA
      {20, 59, true, 0},    // 17:59 in LA
      {21, 0, false, 11},   // NY closed; next day 11:00 NY
  };
  for (const Case& c : cases) {
    const ContactDecision decision = CheckContactWindowInEvery(
        NY(2026, 11, 18, c.hour, c.minute), {new_york_, los_angeles_},
        kRegulationFLimits);
    EXPECT_EQ(decision.allowed, c.allowed) << c.hour << ":" << c.minute;
    if (c.allowed) continue;
    EXPECT_EQ(decision.rule, "REG_F_1006_6_B1");
    const int next_day = c.hour >= 21 ? 19 : 18;
    EXPECT_EQ(decision.next_allowed, NY(2026, 11, next_day, c.next_hour, 0))
        << c.hour << ":" << c.minute;
  }
  // Tokyo is 14 hours ahead: its 08:00 is 18:00 in New York, so noon in
  // New York (02:00 in Tokyo) waits until 18:00.
  absl::TimeZone tokyo;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Tokyo", &tokyo));
  const ContactDecision far = CheckContactWindowInEvery(
      NY(2026, 11, 18, 12, 0), {new_york_, tokyo}, kRegulationFLimits);
  EXPECT_FALSE(far.allowed);
  EXPECT_EQ(far.next_allowed, NY(2026, 11, 18, 18, 0));
}

}  // namespace
}  // namespace collections::domain
