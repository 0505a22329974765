// Rule packs: chosen by id and by the act's day.
#include "services/domain/rule_packs.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace collections::domain {
namespace {

TEST(RulePacksTest, VersionsTakeEffectOnTheirDay) {
  EXPECT_EQ(FindRulePack("nl-consumer", absl::CivilDay(2012, 6, 30)), nullptr);
  const RulePack* before =
      FindRulePack("nl-consumer", absl::CivilDay(2024, 3, 31));
  const RulePack* after =
      FindRulePack("nl-consumer", absl::CivilDay(2024, 4, 1));
  ASSERT_NE(before, nullptr);
  ASSERT_NE(after, nullptr);
  EXPECT_FALSE(before->agency_registration_required);
  EXPECT_TRUE(after->agency_registration_required);  // Wki
  EXPECT_EQ(after->version, "nl-consumer@2024-04-01");
  // Repeated claims on one consumer: the 6-month look-back from 1 Oct 2024.
  EXPECT_EQ(after->repeat_claims_lookback_months, 0);
  const RulePack* repeat =
      FindRulePack("nl-consumer", absl::CivilDay(2024, 10, 1));
  ASSERT_NE(repeat, nullptr);
  EXPECT_EQ(repeat->repeat_claims_lookback_months, 6);
  EXPECT_EQ(repeat->version, "nl-consumer@2024-10-01");
}

TEST(RulePacksTest, EachPackCarriesItsNumbers) {
  const absl::CivilDay day(2026, 6, 1);
  const RulePack* consumer = FindRulePack("nl-consumer", day);
  const RulePack* business = FindRulePack("nl-business", day);
  const RulePack* reg_f = FindRulePack("us-regf", day);
  ASSERT_TRUE(consumer && business && reg_f);
  EXPECT_EQ(consumer->costs, CostsRule::kDutchConsumerScale);
  EXPECT_TRUE(consumer->fourteen_day_letter);
  EXPECT_EQ(consumer->consumer_purchase_limitation_years, 2);
  EXPECT_EQ(business->costs, CostsRule::kDutchBusinessScale);
  EXPECT_EQ(business->interest, collections::v1::INTEREST_KIND_NL_COMMERCIAL);
  ASSERT_TRUE(reg_f->contact_limits.has_value());
  EXPECT_EQ(reg_f->contact_limits->max_calls_per_window_days, 7);
  EXPECT_EQ(reg_f->letter_receipt.business_days_after_sending, 5);
  EXPECT_TRUE(reg_f->overridable_rules.contains("REG_F_1006_14_B2_I"));
  EXPECT_FALSE(consumer->overridable_rules.contains(rules::kFourteenDayLetter));
  EXPECT_EQ(FindRulePack("xx", day), nullptr);
  EXPECT_THAT(
      RulePackIds(),
      ::testing::ElementsAre("nl-business", "nl-consumer", "none", "us-regf"));
}

}  // namespace
}  // namespace collections::domain
