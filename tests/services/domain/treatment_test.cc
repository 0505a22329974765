// Treatment by debtor type (rule_packs.h TreatmentPath, treatment.h): the
// segment picks the path, the path and the stage pick the next best action.
#include "services/domain/treatment.h"

#include <string>

#include "absl/time/civil_time.h"
#include "common/time_conversion.h"
#include "gtest/gtest.h"
#include "services/domain/debtor_profile.h"

namespace collections::domain {
namespace {

namespace v1 = ::collections::v1;

absl::Time Amsterdam(int month, int day) {
  absl::TimeZone zone;
  absl::LoadTimeZone("Europe/Amsterdam", &zone);
  return absl::FromCivil(absl::CivilSecond(2026, month, day, 10, 0, 0), zone);
}

v1::Event At(absl::Time at, v1::EventPayload payload) {
  static int n = 0;
  v1::Event event;
  event.set_event_id(std::to_string(++n));
  *event.mutable_occurred_at() = ToTimestamp(at);
  *event.mutable_payload() = std::move(payload);
  return event;
}

// A Dutch consumer case of €1,000.00 due 31 Mar 2026, at `stage`.
CaseState DutchCase(v1::CaseStage stage, const std::string& segment) {
  CaseState state;
  v1::EventPayload opened;
  v1::CaseOpened* o = opened.mutable_case_opened();
  o->set_case_id("c1");
  o->set_debtor_id("d1");
  o->set_currency("EUR");
  o->set_rule_pack("nl-consumer");
  o->set_time_zone("Europe/Amsterdam");
  o->set_debtor_kind(v1::DEBTOR_KIND_CONSUMER);
  v1::ClaimLine* line = o->add_claim_lines();
  line->set_invoice_number("INV-1");
  *line->mutable_due_date() = ToLocalDate(absl::CivilDay(2026, 3, 31));
  line->mutable_gross()->set_amount_minor(100000);
  line->mutable_gross()->set_currency("EUR");
  Evolve(state, At(Amsterdam(3, 1), opened));
  if (stage != v1::CASE_STAGE_OPEN) {
    v1::EventPayload moved;
    moved.mutable_case_stage_changed()->set_to(stage);
    Evolve(state, At(Amsterdam(4, 2), moved));
  }
  if (!segment.empty()) {
    v1::EventPayload assigned;
    assigned.mutable_segment_assigned()->set_segment(segment);
    assigned.mutable_segment_assigned()->set_model_version("rule:v1");
    FoldDebtor(state.debtor, At(Amsterdam(4, 3), assigned));
  }
  return state;
}

TEST(TreatmentTest, TheSegmentPicksThePathAndThePathTheNextAction) {
  struct Case {
    v1::CaseStage stage;
    const char* segment;
    const char* action;
    const char* path;
  };
  const Case cases[] = {
      // The seed's first step: a friendly reminder before the due date.
      {v1::CASE_STAGE_OPEN, "", "letter:PRE_DUE_REMINDER", "default:ladder"},
      {v1::CASE_STAGE_OVERDUE, "", "letter:REMINDER", "default:ladder"},
      {v1::CASE_STAGE_REMINDED, "", "letter:FOURTEEN_DAY", "default:ladder"},
      {v1::CASE_STAGE_DUNNED, "", "letter:FINAL_NOTICE", "default:ladder"},
      {v1::CASE_STAGE_FINAL_NOTICE, "", "hand_to_agency", "default:ladder"},
      // Can pay but won't: no courtesy reminder.
      {v1::CASE_STAGE_OVERDUE, "can_pay_wont", "letter:FOURTEEN_DAY",
       "can_pay_wont:fast-escalation"},
      {v1::CASE_STAGE_FINAL_NOTICE, "can_pay_wont", "hand_to_agency",
       "can_pay_wont:fast-escalation"},
      // Wants to but can't: a plan, at any stage of the ladder.
      {v1::CASE_STAGE_OVERDUE, "wants_cant", "offer_payment_plan",
       "wants_cant:plan-and-hardship"},
      {v1::CASE_STAGE_DUNNED, "wants_cant", "offer_payment_plan",
       "wants_cant:plan-and-hardship"},
      // Neither: stop.
      {v1::CASE_STAGE_DUNNED, "neither", "write_off",
       "neither:stop-and-write-off"},
  };
  for (const Case& c : cases) {
    const CaseState state = DutchCase(c.stage, c.segment);
    const std::optional<NextStep> next = NextBestAction(state);
    ASSERT_TRUE(next.has_value())
        << v1::CaseStage_Name(c.stage) << " " << c.segment;
    EXPECT_EQ(next->action, c.action)
        << v1::CaseStage_Name(c.stage) << " " << c.segment;
    EXPECT_EQ(next->path, c.path);
    EXPECT_EQ(next->segment, c.segment);
  }
}

TEST(TreatmentTest, ThePreDueReminderIsDueAWeekBeforeTheDueDate) {
  const std::optional<NextStep> next =
      NextBestAction(DutchCase(v1::CASE_STAGE_OPEN, ""));
  ASSERT_TRUE(next.has_value());
  absl::TimeZone zone;
  absl::LoadTimeZone("Europe/Amsterdam", &zone);
  // Due Tue 31 Mar 2026: the reminder from Tue 24 Mar, 00:00 Amsterdam.
  EXPECT_EQ(next->due_at, absl::FromCivil(absl::CivilDay(2026, 3, 24), zone));
}

TEST(TreatmentTest, HoldsComeFirstAndOnlyWantsCantHoldsEscalation) {
  CaseState insolvent = DutchCase(v1::CASE_STAGE_DUNNED, "can_pay_wont");
  v1::EventPayload insolvency;
  insolvency.mutable_insolvency_noticed()->set_kind("wsnp");
  insolvency.mutable_insolvency_noticed()->set_reference("C/13/26/12 R");
  FoldDebtor(insolvent.debtor, At(Amsterdam(4, 4), insolvency));
  const std::optional<NextStep> stayed = NextBestAction(insolvent);
  ASSERT_TRUE(stayed.has_value());
  EXPECT_EQ(stayed->action, "file_claim_with_administrator");

  const RulePack* pack =
      FindRulePack("nl-consumer", absl::CivilDay(2026, 4, 4));
  ASSERT_NE(pack, nullptr);
  EXPECT_TRUE(
      OnHardshipHold(DutchCase(v1::CASE_STAGE_DUNNED, "wants_cant"), *pack));
  EXPECT_FALSE(
      OnHardshipHold(DutchCase(v1::CASE_STAGE_DUNNED, "neither"), *pack));
  EXPECT_FALSE(OnHardshipHold(DutchCase(v1::CASE_STAGE_DUNNED, ""), *pack));
}

}  // namespace
}  // namespace collections::domain
