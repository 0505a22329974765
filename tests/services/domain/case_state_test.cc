// The case fold: stages, holds and money follow the events.
#include "services/domain/case_state.h"

#include "gtest/gtest.h"

namespace collections::domain {
namespace {

namespace v1 = ::collections::v1;

v1::Event At(uint64_t version, v1::EventPayload payload) {
  v1::Event event;
  event.set_stream_id("case-c1");
  event.set_stream_version(version);
  event.set_global_position(version * 10);
  event.mutable_occurred_at()->set_seconds(1795000000 + version * 86400);
  *event.mutable_payload() = std::move(payload);
  return event;
}

v1::Money Eur(int64_t minor) {
  v1::Money money;
  money.set_amount_minor(minor);
  money.set_currency("EUR");
  return money;
}

CaseState Opened() {
  v1::EventPayload payload;
  auto* opened = payload.mutable_case_opened();
  opened->set_case_id("c1");
  opened->set_debtor_id("d1");
  opened->set_currency("EUR");
  auto* line = opened->add_claim_lines();
  line->mutable_due_date()->set_year(2026);  // before 2026-11-19
  line->mutable_due_date()->set_month(10);
  line->mutable_due_date()->set_day(1);
  *line->mutable_gross() = Eur(10000);
  CaseState state;
  Evolve(state, At(1, payload));
  return state;
}

TEST(CaseStateTest, OpeningAnOverdueClaimStartsOverdueWithItsBalance) {
  const CaseState state = Opened();
  EXPECT_TRUE(state.exists);
  EXPECT_EQ(state.stage, CaseStage::kOverdue);
  EXPECT_EQ(state.outstanding_minor(), 10000);
  EXPECT_EQ(state.version, 1u);
  EXPECT_EQ(state.last_position, 10u);
}

TEST(CaseStateTest, LettersRaiseTheStageButNeverLowerIt) {
  struct Step {
    v1::LetterLevel level;
    CaseStage expected;
  } steps[] = {{v1::LETTER_LEVEL_REMINDER, CaseStage::kReminded},
               {v1::LETTER_LEVEL_FINAL_NOTICE, CaseStage::kFinalNotice},
               {v1::LETTER_LEVEL_REMINDER, CaseStage::kFinalNotice}};
  CaseState state = Opened();
  uint64_t version = 1;
  for (const Step& step : steps) {
    SCOPED_TRACE(v1::LetterLevel_Name(step.level));
    v1::EventPayload payload;
    payload.mutable_letter_issued()->set_level(step.level);
    Evolve(state, At(++version, payload));
    EXPECT_EQ(state.stage, step.expected);
  }
  EXPECT_EQ(state.letters_issued, 3u);
}

TEST(CaseStateTest, APaymentCoveringThePromiseKeepsIt) {
  CaseState state = Opened();
  v1::EventPayload promise;
  *promise.mutable_promise_made()->mutable_amount() = Eur(6000);
  Evolve(state, At(2, promise));
  ASSERT_TRUE(state.open_promise.has_value());
  v1::EventPayload payment;
  *payment.mutable_payment_received()->mutable_amount() = Eur(4000);
  Evolve(state, At(3, payment));
  EXPECT_TRUE(state.open_promise.has_value());  // partly paid
  Evolve(state, At(4, payment));
  EXPECT_FALSE(state.open_promise.has_value());
  EXPECT_EQ(state.outstanding_minor(), 2000);
}

TEST(CaseStateTest, ARecallReturnsThePlacedCaseToItsEarlierStage) {
  CaseState state = Opened();
  v1::EventPayload hand;
  hand.mutable_handed_to_agency()->set_agency_id("a1");
  Evolve(state, At(2, hand));
  EXPECT_EQ(state.stage, CaseStage::kPlaced);
  EXPECT_EQ(state.agency_id, "a1");
  v1::EventPayload recall;
  recall.mutable_recall_requested()->set_agency_id("a1");
  Evolve(state, At(3, recall));
  EXPECT_EQ(state.stage, CaseStage::kOverdue);
  EXPECT_TRUE(state.agency_id.empty());
}

TEST(CaseStateTest, DisputesAreHeldUntilResolvedAndDroppedAmountsWrittenOff) {
  CaseState state = Opened();
  v1::EventPayload raise;
  raise.mutable_dispute_raised()->set_dispute_id("x");
  Evolve(state, At(2, raise));
  EXPECT_EQ(state.open_dispute_ids.size(), 1u);
  v1::EventPayload resolve;
  resolve.mutable_dispute_resolved()->set_dispute_id("x");
  *resolve.mutable_dispute_resolved()->mutable_amount_dropped() = Eur(2500);
  Evolve(state, At(3, resolve));
  EXPECT_TRUE(state.open_dispute_ids.empty());
  EXPECT_EQ(state.outstanding_minor(), 7500);
}

}  // namespace
}  // namespace collections::domain
