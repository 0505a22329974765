// Table tests of the pure rules: the Dutch collection-cost scale at every
// band edge, letter terms around weekends, and the Regulation F contact
// limits at their boundaries.
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "services/domain/contact_rules.h"
#include "services/domain/dutch_collection_costs.h"
#include "services/domain/letter_deadlines.h"

namespace collections::domain {
namespace {

// ------------------------------------------------------------ cost scale

TEST(DutchCollectionCostsTest, ScaleAtEveryBandEdgeAndTheCap) {
  struct Case {
    int64_t principal_cents;
    int64_t costs_cents;
  };
  const Case cases[] = {
      {0, 0},                        // nothing owed, no costs
      {-500, 0},                     // a credit balance
      {1, 40'00},                    // the minimum
      {266'66, 40'00},               // 15% = 39.999: still the minimum
      {266'70, 40'01},               // 15% = 40.005: rounds half up
      {2'499'99, 375'00},            // 374.9985
      {2'500'00, 375'00},            // first band edge
      {2'500'01, 375'00},            // + 10% of a cent
      {3'000'00, 425'00},            // 375 + 50
      {4'999'99, 625'00},            // 624.999
      {5'000'00, 625'00},            // second band edge
      {5'000'01, 625'00},            // + 5% of a cent
      {9'999'99, 875'00},            // 874.9995
      {10'000'00, 875'00},           // third band edge
      {10'000'01, 875'00},
      {12'345'67, 898'46},           // 875 + 23.4567
      {199'999'99, 2'775'00},        // 2774.9999
      {200'000'00, 2'775'00},        // fourth band edge
      {200'000'01, 2'775'00},
      {500'000'00, 4'275'00},        // 2775 + 0.5% of 300,000
      {999'999'99, 6'775'00},        // 6774.99995: half up to the cap
      {1'000'000'00, 6'775'00},      // where the cap is reached
      {1'000'000'01, 6'775'00},      // above: the cap
      {5'000'000'000'00, 6'775'00},  // far above
  };
  for (const Case& c : cases) {
    EXPECT_EQ(DutchCollectionCostsCents(c.principal_cents), c.costs_cents)
        << "principal " << c.principal_cents << " cents";
  }
}

TEST(DutchCollectionCostsTest, NeverDecreasesAsThePrincipalGrows) {
  int64_t previous = 0;
  for (int64_t cents = 0; cents <= 1'100'000'00; cents += 9'999) {
    const int64_t costs = DutchCollectionCostsCents(cents);
    ASSERT_GE(costs, previous) << cents;
    previous = costs;
  }
}

// -------------------------------------------------------- letter deadlines

absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

TEST(LetterDeadlinesTest, FourteenDayTermAroundWeekends) {
  struct Case {
    absl::CivilDay receipt, last_day, lapsed_on;
  };
  const Case cases[] = {
      // Receipt on a Friday: day 1 is Saturday, day 14 a Friday.
      {Day(2026, 11, 20), Day(2026, 12, 4), Day(2026, 12, 5)},
      // Receipt on a Thursday: day 14 is a Thursday.
      {Day(2026, 11, 19), Day(2026, 12, 3), Day(2026, 12, 4)},
      // Receipt on a Saturday: day 14 is a Saturday, moved to Monday.
      {Day(2026, 11, 21), Day(2026, 12, 7), Day(2026, 12, 8)},
      // Receipt on a Sunday: day 14 is a Sunday, moved to Monday.
      {Day(2026, 11, 22), Day(2026, 12, 7), Day(2026, 12, 8)},
      // Across the year end.
      {Day(2026, 12, 24), Day(2027, 1, 7), Day(2027, 1, 8)},
  };
  for (const Case& c : cases) {
    const FourteenDayTerm term = DutchFourteenDayTerm(c.receipt);
    EXPECT_EQ(term.last_day, c.last_day) << c.receipt;
    EXPECT_EQ(term.lapsed_on, c.lapsed_on) << c.receipt;
  }
}

TEST(LetterDeadlinesTest, ReceiptIsAssumedInBusinessDays) {
  // Dutch post: two business days.
  EXPECT_EQ(AssumedReceipt(Day(2026, 11, 16), kDutchPostReceipt),
            Day(2026, 11, 18));  // Monday → Wednesday
  EXPECT_EQ(AssumedReceipt(Day(2026, 11, 19), kDutchPostReceipt),
            Day(2026, 11, 23));  // Thursday → Monday
  EXPECT_EQ(AssumedReceipt(Day(2026, 11, 20), kDutchPostReceipt),
            Day(2026, 11, 24));  // Friday → Tuesday
  EXPECT_EQ(AssumedReceipt(Day(2026, 11, 21), kDutchPostReceipt),
            Day(2026, 11, 24));  // Saturday → Tuesday
  // Regulation F: five business days; the validation period ends 30 days
  // after that.
  const absl::CivilDay receipt =
      AssumedReceipt(Day(2026, 11, 20), kRegulationFReceipt);
  EXPECT_EQ(receipt, Day(2026, 11, 27));  // Friday → next Friday
  EXPECT_EQ(ValidationPeriodEnd(receipt), Day(2026, 12, 27));
}

// ------------------------------------------------------------ contact rules

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
      {7, 59, false}, {8, 0, true}, {12, 0, true}, {20, 59, true},
      {21, 0, false}, {23, 30, false}, {0, 0, false},
  };
  for (const Case& c : cases) {
    const absl::Time at = NY(2026, 11, 18, c.hour, c.minute);
    const ContactDecision decision =
        CheckCallAttempt(at, new_york_, {}, kRegulationFLimits);
    EXPECT_EQ(decision.allowed, c.allowed) << c.hour << ":" << c.minute;
    if (!c.allowed) EXPECT_EQ(decision.rule, "REG_F_1006_6_B1");
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
  EXPECT_TRUE(
      CheckCallAttempt(seventh, new_york_, history, kRegulationFLimits).allowed);
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
  EXPECT_TRUE(CheckCallAttempt(la_morning, los_angeles_, history,
                               kRegulationFLimits)
                  .allowed);
  // A call at 01:00 New York on Nov 12 is still Nov 11 (22:00) in Los
  // Angeles: outside the Los Angeles window Nov 12..18, inside New York's.
  history.push_back(Placed(NY(2026, 11, 12, 1, 0)));
  EXPECT_FALSE(CheckCallAttempt(NY(2026, 11, 18, 10, 0), new_york_, history,
                                kRegulationFLimits)
                   .allowed);
  EXPECT_TRUE(CheckCallAttempt(la_morning, los_angeles_, history,
                               kRegulationFLimits)
                  .allowed);
  EXPECT_FALSE(CheckCallAttempt(NY(2026, 11, 18, 10, 0), los_angeles_, history,
                                kRegulationFLimits)
                   .allowed);  // 07:00 in Los Angeles: the window rule
}

}  // namespace
}  // namespace collections::domain
