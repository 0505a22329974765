// The case fold: stages follow CaseStageChanged, money follows allocations,
// holds and commitments follow their events.
#include "services/domain/case_state.h"

#include <algorithm>
#include <random>
#include <vector>

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

class CaseStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    v1::EventPayload payload;
    auto* opened = payload.mutable_case_opened();
    opened->set_case_id("c1");
    opened->set_debtor_id("d1");
    opened->set_currency("EUR");
    opened->set_rule_pack("nl-consumer");
    opened->set_time_zone("Europe/Amsterdam");
    auto* line = opened->add_claim_lines();
    line->set_invoice_number("INV-1");
    *line->mutable_due_date() = ToLocalDate(absl::CivilDay(2026, 10, 1));
    *line->mutable_gross() = Eur(10000);
    *line->mutable_vat() = Eur(1736);
    Fold(payload);
  }
  void Fold(const v1::EventPayload& payload) {
    Evolve(state_, At(++version_, payload));
  }
  CaseState state_;
  uint64_t version_ = 0;
};

TEST_F(CaseStateTest, OpeningSetsPrincipalZoneAndLimitationDeadline) {
  EXPECT_TRUE(state_.exists);
  EXPECT_EQ(state_.stage, CaseStage::kOpen);  // transitions are events
  EXPECT_EQ(state_.owed.principal, 10000);
  EXPECT_EQ(state_.outstanding_minor(), 10000);
  EXPECT_EQ(state_.zone.name(), "Europe/Amsterdam");
  ASSERT_EQ(state_.invoices.size(), 1u);
  EXPECT_EQ(state_.invoices[0].limitation_deadline,
            absl::CivilDay(2031, 10, 1));  // 5 years: not a purchase price
  EXPECT_EQ(state_.version, 1u);
  EXPECT_EQ(state_.last_position, 10u);
}

TEST_F(CaseStateTest, TheStageChangesOnlyByStageEvents) {
  v1::EventPayload letter;
  letter.mutable_letter_issued()->set_level(v1::LETTER_LEVEL_REMINDER);
  Fold(letter);
  EXPECT_EQ(state_.stage, CaseStage::kOpen);
  v1::EventPayload changed;
  changed.mutable_case_stage_changed()->set_to(v1::CASE_STAGE_REMINDED);
  Fold(changed);
  EXPECT_EQ(state_.stage, CaseStage::kReminded);
}

TEST_F(CaseStateTest, PaymentsTakeTheirAllocationAndReversalsPutItBack) {
  v1::EventPayload costs;
  *costs.mutable_collection_costs_assessed()->mutable_amount() = Eur(1500);
  Fold(costs);
  EXPECT_EQ(state_.owed.costs, 1500);
  v1::EventPayload payment;
  auto* received = payment.mutable_payment_received();
  received->set_payment_id("p1");
  *received->mutable_amount() = Eur(2000);
  *received->mutable_allocation()->mutable_costs() = Eur(1500);
  *received->mutable_allocation()->mutable_principal() = Eur(500);
  Fold(payment);
  EXPECT_EQ(state_.owed.costs, 0);
  EXPECT_EQ(state_.owed.principal, 9500);
  EXPECT_EQ(state_.paid_minor, 2000);
  v1::EventPayload reversal;
  reversal.mutable_payment_reversed()->set_payment_id("p1");
  Fold(reversal);
  EXPECT_EQ(state_.owed.costs, 1500);
  EXPECT_EQ(state_.owed.principal, 10000);
  EXPECT_EQ(state_.paid_minor, 0);
  Fold(reversal);  // a second reversal of the same payment changes nothing
  EXPECT_EQ(state_.owed.principal, 10000);
}

TEST_F(CaseStateTest, PromisesCloseOnlyByKeptOrBrokenEvents) {
  v1::EventPayload promise;
  promise.mutable_promise_made()->set_promise_id("pr1");
  *promise.mutable_promise_made()->mutable_amount() = Eur(6000);
  Fold(promise);
  ASSERT_TRUE(state_.HasHold(v1::CASE_HOLD_ACTIVE_PROMISE));
  v1::EventPayload payment;
  payment.mutable_payment_received()->set_payment_id("p1");
  *payment.mutable_payment_received()->mutable_amount() = Eur(4000);
  Fold(payment);
  EXPECT_EQ(state_.open_promise->paid_minor, 4000);
  v1::EventPayload broken;
  broken.mutable_promise_broken()->set_promise_id("pr1");
  Fold(broken);
  EXPECT_FALSE(state_.open_promise.has_value());
  // Counting broken promises is the KPI read model's now:
  // CaseKpiFiguresTest.BrokenAndKeptPromisesAreCounted.
  EXPECT_TRUE(state_.promise_ids.contains("pr1"));
}

TEST_F(CaseStateTest, HoldsDisputesAndPlacementShowInHolds) {
  v1::EventPayload hold;
  hold.mutable_hold_placed()->set_hold(v1::CASE_HOLD_LAWYER_REPRESENTED);
  Fold(hold);
  v1::EventPayload raise;
  raise.mutable_dispute_raised()->set_dispute_id("x");
  *raise.mutable_dispute_raised()->mutable_disputed_amount() = Eur(2500);
  Fold(raise);
  v1::EventPayload hand;
  hand.mutable_handed_to_agency()->set_agency_id("a1");
  Fold(hand);
  EXPECT_EQ(state_.Holds(),
            (std::vector<v1::CaseHold>{v1::CASE_HOLD_DISPUTE,
                                       v1::CASE_HOLD_PLACED_WITH_AGENCY,
                                       v1::CASE_HOLD_LAWYER_REPRESENTED}));
  EXPECT_EQ(state_.disputed_minor(), 2500);
  EXPECT_EQ(state_.collectable_minor(), 7500);
  v1::EventPayload resolve;
  resolve.mutable_dispute_resolved()->set_dispute_id("x");
  *resolve.mutable_dispute_resolved()->mutable_amount_dropped() = Eur(2500);
  Fold(resolve);
  v1::EventPayload release;
  release.mutable_hold_released()->set_hold(v1::CASE_HOLD_LAWYER_REPRESENTED);
  Fold(release);
  v1::EventPayload returned;
  returned.mutable_returned_by_agency()->set_agency_id("a1");
  Fold(returned);
  EXPECT_TRUE(state_.Holds().empty());
  EXPECT_EQ(state_.outstanding_minor(), 7500);
  EXPECT_EQ(state_.written_off_minor, 2500);
}

TEST_F(CaseStateTest, UnknownPayloadsOnlyAdvanceTheVersion) {
  Fold(v1::EventPayload());
  EXPECT_EQ(state_.version, 2u);
  EXPECT_EQ(state_.outstanding_minor(), 10000);
}

// The call history a case keeps (kMaxRecentCalls calls within
// kCallHistoryDays of the newest, and always the newest conversation) is
// what the rules count calls in (Reg F 1006.14(b)(2), the rule packs' call
// limits). Checked against the plain statement of the trim, applied after
// each of thousands of calls: times out of order, many equal, conversations
// rare and frequent, gaps beyond the horizon.
std::vector<PastCall> ReferenceTrim(std::vector<PastCall> calls) {
  absl::Time newest = absl::InfinitePast();
  for (const auto& c : calls) newest = std::max(newest, c.at);
  const absl::Time horizon = newest - absl::Hours(24 * kCallHistoryDays);
  calls.erase(std::remove_if(calls.begin(), calls.end(),
                             [&](const PastCall& c) { return c.at < horizon; }),
              calls.end());
  while (calls.size() > kMaxRecentCalls) {
    auto newest_conversation = calls.end();
    for (auto it = calls.begin(); it != calls.end(); ++it) {
      if (it->conversation && (newest_conversation == calls.end() ||
                               it->at >= newest_conversation->at))
        newest_conversation = it;
    }
    auto oldest = calls.end();
    for (auto it = calls.begin(); it != calls.end(); ++it) {
      if (it == newest_conversation) continue;
      if (oldest == calls.end() || it->at < oldest->at) oldest = it;
    }
    calls.erase(oldest);
  }
  return calls;
}

TEST_F(CaseStateTest, CallHistoryKeepsTheNewestCallsAndTheNewestConversation) {
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    state_ = CaseState();  // a fresh case
    version_ = 0;
    SetUp();
    std::mt19937 random(seed);
    // Few distinct instants (ties), spread over up to 30 days (the horizon
    // is 10), drifting forward now and then.
    const int spread_hours = (seed % 3 == 0) ? 24 * 30 : 48;
    std::vector<PastCall> expected;
    int64_t base = 1795000000;
    for (int n = 0; n < 400; ++n) {
      if (random() % 50 == 0) base += 86400 * (random() % 12);
      v1::EventPayload payload;
      auto* call = payload.mutable_call_logged();
      // Seeds 9-12: a few conversations first, all at one instant, then
      // none: the newest conversation is then among the oldest calls, the
      // one kept of equals decides which go.
      const bool early = seed > 8;
      const bool conversation =
          early ? n < 4 : random() % (seed % 2 == 0 ? 3 : 17) == 0;
      call->set_outcome(conversation        ? v1::CALL_OUTCOME_CONVERSATION
                        : random() % 2 == 0 ? v1::CALL_OUTCOME_NO_ANSWER
                                            : v1::CALL_OUTCOME_BUSY);
      // Calls alike in time and kind still differ here, so keeping the
      // wrong one of equals shows.
      call->set_direction(random() % 2 == 0 ? v1::CALL_DIRECTION_INBOUND
                                            : v1::CALL_DIRECTION_OUTBOUND);
      call->mutable_placed_at()->set_seconds(
          early && n < 4
              ? base
              : base +
                    3600 * (1 + static_cast<int64_t>(random() % spread_hours)));
      Fold(payload);
      expected.push_back(PastCallOf(*call, absl::FromUnixSeconds(1795000000)));
      expected = ReferenceTrim(std::move(expected));
      ASSERT_EQ(state_.recent_calls.size(), expected.size())
          << "seed " << seed << ", call " << n;
      for (size_t i = 0; i < expected.size(); ++i) {
        ASSERT_EQ(state_.recent_calls[i].at, expected[i].at)
            << "seed " << seed << ", call " << n << ", entry " << i;
        ASSERT_EQ(state_.recent_calls[i].conversation, expected[i].conversation)
            << "seed " << seed << ", call " << n << ", entry " << i;
        ASSERT_EQ(state_.recent_calls[i].inbound, expected[i].inbound)
            << "seed " << seed << ", call " << n << ", entry " << i;
        ASSERT_EQ(state_.recent_calls[i].connected, expected[i].connected)
            << "seed " << seed << ", call " << n << ", entry " << i;
      }
    }
  }
  // A state restored with more calls than kept (an older build's) is
  // trimmed to the same calls by its next logged call.
  std::mt19937 random(99);
  for (int round = 0; round < 20; ++round) {
    state_ = CaseState();
    version_ = 0;
    SetUp();
    std::vector<PastCall> restored;
    for (int i = 0; i < 45; ++i) {
      PastCall call;
      call.at = absl::FromUnixSeconds(
          1795000000 + 3600 * static_cast<int64_t>(random() % 40));
      call.conversation = random() % 5 == 0;
      call.inbound = random() % 2 == 0;
      restored.push_back(call);
    }
    state_.recent_calls = restored;
    v1::EventPayload payload;
    payload.mutable_call_logged()->set_outcome(v1::CALL_OUTCOME_NO_ANSWER);
    payload.mutable_call_logged()->mutable_placed_at()->set_seconds(1795000000 +
                                                                    3600 * 20);
    Fold(payload);
    restored.push_back(
        PastCallOf(payload.call_logged(), absl::FromUnixSeconds(1795000000)));
    const std::vector<PastCall> expected = ReferenceTrim(restored);
    ASSERT_EQ(state_.recent_calls.size(), expected.size()) << round;
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(state_.recent_calls[i].at, expected[i].at) << round;
      EXPECT_EQ(state_.recent_calls[i].inbound, expected[i].inbound) << round;
      EXPECT_EQ(state_.recent_calls[i].conversation, expected[i].conversation)
          << round;
    }
  }
}

}  // namespace
}  // namespace collections::domain
