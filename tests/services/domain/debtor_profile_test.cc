// The debtor layer's pure rules: the fold of a debtor stream, the decisions
// on debtor commands, and the holds, channel restrictions and consent a
// profile binds on the debtor's cases.
#include "services/domain/debtor_profile.h"

#include <string>

#include "absl/time/time.h"
#include "common/time_conversion.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/domain/case_state.h"
#include "tests/testing/status_matchers.h"

namespace collections::domain {
namespace {

namespace v1 = ::collections::v1;
using ::collections::testing::StatusIs;
using ::testing::HasSubstr;

const absl::Time kAt = absl::FromUnixSeconds(1772000000);

v1::Event Recorded(const std::string& id, v1::EventPayload payload) {
  v1::Event event;
  event.set_event_id(id);
  *event.mutable_occurred_at() = ToTimestamp(kAt);
  *event.mutable_payload() = std::move(payload);
  return event;
}

v1::EventPayload Restriction(const std::string& scope, bool in_writing) {
  v1::EventPayload payload;
  payload.mutable_communication_restricted()->set_scope(scope);
  payload.mutable_communication_restricted()->set_in_writing(in_writing);
  return payload;
}

v1::EventPayload Lift(const std::string& scope) {
  v1::EventPayload payload;
  payload.mutable_communication_restriction_lifted()->set_scope(scope);
  return payload;
}

TEST(DebtorProfileTest, FoldKeepsTheFactsInForceWithTheirEvents) {
  v1::DebtorProfile profile;
  FoldDebtor(profile, Recorded("e1", Restriction("phone", false)));
  FoldDebtor(profile, Recorded("e2", Restriction("all", true)));
  v1::EventPayload insolvency;
  insolvency.mutable_insolvency_noticed()->set_kind("wsnp");
  insolvency.mutable_insolvency_noticed()->set_reference("C/13/26/12 R");
  FoldDebtor(profile, Recorded("e3", insolvency));
  v1::EventPayload segment;
  segment.mutable_segment_assigned()->set_segment("neither");
  segment.mutable_segment_assigned()->set_model_version("rule:v2");
  FoldDebtor(profile, Recorded("e4", segment));
  FoldDebtor(profile, Recorded("e5", Lift("phone")));

  EXPECT_EQ(profile.version(), 5u);
  ASSERT_EQ(profile.restrictions_size(), 1);
  EXPECT_EQ(profile.restrictions(0).kind(), "all");
  EXPECT_EQ(profile.restrictions(0).event_id(), "e2");
  EXPECT_EQ(ChannelRestriction(profile, "phone"), nullptr);
  const v1::DebtorFact* cease =
      DebtorHoldFact(profile, v1::CASE_HOLD_CEASE_COMMUNICATION);
  ASSERT_NE(cease, nullptr);
  EXPECT_TRUE(cease->in_writing());
  const v1::DebtorFact* stay =
      DebtorHoldFact(profile, v1::CASE_HOLD_INSOLVENCY);
  ASSERT_NE(stay, nullptr);
  EXPECT_EQ(stay->kind(), "wsnp");
  EXPECT_EQ(stay->detail(), "");  // the court reference stays sealed
  EXPECT_EQ(stay->event_id(), "e3");
  EXPECT_EQ(DebtorHoldFact(profile, v1::CASE_HOLD_DECEASED), nullptr);
  EXPECT_EQ(profile.segment().kind(), "neither");
  EXPECT_EQ(profile.segment().detail(), "rule:v2");
}

TEST(DebtorProfileTest, AProfileHoldsEveryCaseOfTheDebtor) {
  CaseState state;
  state.exists = true;
  EXPECT_FALSE(state.HasHold(v1::CASE_HOLD_CEASE_COMMUNICATION));
  FoldDebtor(state.debtor, Recorded("e1", Restriction("all", true)));
  EXPECT_TRUE(state.HasHold(v1::CASE_HOLD_CEASE_COMMUNICATION));
  EXPECT_THAT(state.Holds(),
              ::testing::ElementsAre(v1::CASE_HOLD_CEASE_COMMUNICATION));
  // A channel restriction is no hold: it closes one channel only.
  CaseState phone_only;
  FoldDebtor(phone_only.debtor, Recorded("e1", Restriction("phone", true)));
  EXPECT_TRUE(phone_only.Holds().empty());
  EXPECT_NE(ChannelRestriction(phone_only.debtor, "phone"), nullptr);
  EXPECT_EQ(ChannelRestriction(phone_only.debtor, "email"), nullptr);
}

TEST(DebtorProfileTest, DecisionsRefuseWhatWouldChangeNothingOrIsMalformed) {
  v1::DebtorProfile profile;
  struct Case {
    const char* name;
    v1::EventPayload requested;
    absl::StatusCode code;
    const char* says;
  };
  v1::EventPayload unregistered_kind;
  unregistered_kind.mutable_debtor_registered()->set_debtor_id("d1");
  v1::EventPayload bad_zone = unregistered_kind;
  bad_zone.mutable_debtor_registered()->set_kind(v1::DEBTOR_KIND_CONSUMER);
  bad_zone.mutable_debtor_registered()->set_time_zone("Europe/Atlantis");
  v1::EventPayload no_value;
  no_value.mutable_contact_point_added()->set_contact_point_id("p1");
  no_value.mutable_contact_point_added()->set_kind("phone");
  v1::EventPayload segment;
  segment.mutable_segment_assigned()->set_segment("rich");
  v1::EventPayload no_model;
  no_model.mutable_segment_assigned()->set_segment("neither");
  v1::EventPayload insolvency;
  insolvency.mutable_insolvency_noticed()->set_kind("bankruptcy");
  v1::EventPayload long_consent;
  long_consent.mutable_contact_consent_recorded()
      ->mutable_given_at()
      ->set_seconds(1772000000);
  long_consent.mutable_contact_consent_recorded()->mutable_until()->set_seconds(
      1772000000 + 7 * 86400 + 1);
  const Case cases[] = {
      {"kind", unregistered_kind, absl::StatusCode::kInvalidArgument,
       "debtor.kind"},
      {"zone", bad_zone, absl::StatusCode::kInvalidArgument, "Europe/Atlantis"},
      {"value", no_value, absl::StatusCode::kInvalidArgument,
       "contact_point.value"},
      {"scope", Restriction("fax", false), absl::StatusCode::kInvalidArgument,
       "restriction.scope"},
      {"lift", Lift("phone"), absl::StatusCode::kFailedPrecondition,
       "DEBTOR_RESTRICTION_STATE"},
      {"segment", segment, absl::StatusCode::kInvalidArgument,
       "segment.segment"},
      {"model", no_model, absl::StatusCode::kInvalidArgument,
       "segment.model_version"},
      {"reference", insolvency, absl::StatusCode::kInvalidArgument,
       "insolvency.reference"},
      {"consent_1006_14_b_3_i", long_consent,
       absl::StatusCode::kInvalidArgument, "at most 7 days"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(DecideDebtorCommand(profile, "d1", c.requested),
                StatusIs(c.code, HasSubstr(c.says)))
        << c.name;
  }
  // A written cease over an oral one is news; the same again is not.
  FoldDebtor(profile, Recorded("e1", Restriction("all", false)));
  EXPECT_TRUE(
      DecideDebtorCommand(profile, "d1", Restriction("all", true)).ok());
  FoldDebtor(profile, Recorded("e2", Restriction("all", true)));
  EXPECT_THAT(DecideDebtorCommand(profile, "d1", Restriction("all", false)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("DEBTOR_FACT_UNCHANGED")));
}

TEST(DebtorProfileTest, RegF_1006_14_b_3_ConsentCoversItsWeekOnly) {
  v1::DebtorProfile profile;
  v1::EventPayload consent;
  *consent.mutable_contact_consent_recorded()->mutable_given_at() =
      ToTimestamp(kAt);
  *consent.mutable_contact_consent_recorded()->mutable_until() =
      ToTimestamp(kAt + absl::Hours(72));
  FoldDebtor(profile, Recorded("c1", consent));
  EXPECT_FALSE(DebtorConsentCovers(profile, kAt - absl::Seconds(1)));
  EXPECT_TRUE(DebtorConsentCovers(profile, kAt));
  EXPECT_TRUE(DebtorConsentCovers(profile, kAt + absl::Hours(72)));
  EXPECT_FALSE(DebtorConsentCovers(profile, kAt + absl::Hours(73)));
}

}  // namespace
}  // namespace collections::domain
