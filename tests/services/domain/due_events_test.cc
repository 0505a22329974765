// Derived events: due at the start of their day in the case's zone, each
// once, whatever the instant the processor runs for.
#include "services/domain/due_events.h"

#include "gtest/gtest.h"

namespace collections::domain {
namespace {

namespace v1 = ::collections::v1;

v1::Money Eur(int64_t minor) {
  v1::Money money;
  money.set_amount_minor(minor);
  money.set_currency("EUR");
  return money;
}

absl::Time Local(absl::CivilDay day, int hour = 0) {
  absl::TimeZone zone;
  absl::LoadTimeZone("Europe/Amsterdam", &zone);
  return absl::FromCivil(
      absl::CivilSecond(day.year(), day.month(), day.day(), hour, 0, 0), zone);
}

class DueEventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    v1::EventPayload payload;
    auto* opened = payload.mutable_case_opened();
    opened->set_case_id("c1");
    opened->set_currency("EUR");
    opened->set_rule_pack("nl-consumer");
    opened->set_time_zone("Europe/Amsterdam");
    auto* line = opened->add_claim_lines();
    line->set_invoice_number("INV-1");
    *line->mutable_due_date() = ToLocalDate(absl::CivilDay(2026, 1, 30));
    *line->mutable_gross() = Eur(121000);
    *line->mutable_vat() = Eur(21000);
    line->set_consumer_purchase_price(true);
    Fold(payload, Local(absl::CivilDay(2026, 1, 20), 10));
  }
  void Fold(const v1::EventPayload& payload, absl::Time at) {
    v1::Event event;
    event.set_stream_version(state_.version + 1);
    *event.mutable_occurred_at() = ToTimestamp(at);
    *event.mutable_payload() = payload;
    Evolve(state_, event);
  }
  std::vector<DueEvent> Run(absl::Time as_of) {
    std::vector<DueEvent> due = DueEvents(state_, as_of);
    for (const auto& item : due) Fold(item.payload, item.occurred_at);
    return due;
  }
  CaseState state_;
};

TEST_F(DueEventsTest, OverdueTheDayAfterTheDueDateOnce) {
  EXPECT_TRUE(Run(Local(absl::CivilDay(2026, 1, 30), 23)).empty());
  const std::vector<DueEvent> due = Run(Local(absl::CivilDay(2026, 2, 3)));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].event_id, "due/overdue");
  EXPECT_EQ(due[0].occurred_at,
            Local(absl::CivilDay(2026, 1, 31)));  // not the run's time
  EXPECT_EQ(state_.stage, CaseStage::kOverdue);
  EXPECT_TRUE(Run(Local(absl::CivilDay(2026, 2, 3))).empty());
  EXPECT_TRUE(
      Run(Local(absl::CivilDay(2026, 2, 1))).empty());  // an earlier instant
}

TEST_F(DueEventsTest, VatReliefAfterAYearOnTheUnpaidPartThenLimitationWarning) {
  v1::EventPayload payment;
  payment.mutable_payment_received()->set_payment_id("p1");
  *payment.mutable_payment_received()->mutable_amount() = Eur(60500);
  *payment.mutable_payment_received()
       ->mutable_allocation()
       ->mutable_principal() = Eur(60500);
  Fold(payment, Local(absl::CivilDay(2026, 3, 1), 10));
  Run(Local(absl::CivilDay(2026, 2, 1)));  // overdue
  EXPECT_TRUE(Run(Local(absl::CivilDay(2027, 1, 29), 23)).empty());
  std::vector<DueEvent> due = Run(Local(absl::CivilDay(2027, 1, 30)));
  ASSERT_EQ(due.size(), 1u);
  ASSERT_TRUE(due[0].payload.has_vat_relief_became_due());
  EXPECT_EQ(due[0].payload.vat_relief_became_due().vat().amount_minor(),
            10500);  // half the invoice is unpaid: half its VAT
  // Two-year limitation (a consumer purchase price) ends 2028-01-30; the
  // warning comes 90 days before, once per deadline.
  EXPECT_TRUE(Run(Local(absl::CivilDay(2027, 10, 31))).empty());
  due = Run(Local(absl::CivilDay(2027, 11, 1)));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].event_id, "due/limitation/INV-1/2028-01-30");
  EXPECT_TRUE(Run(Local(absl::CivilDay(2027, 12, 1))).empty());
  // An interruption moves the deadline: a new warning in due time.
  v1::EventPayload interrupted;
  interrupted.mutable_limitation_interrupted()->add_invoice_numbers("INV-1");
  *interrupted.mutable_limitation_interrupted()->mutable_new_deadline() =
      ToLocalDate(absl::CivilDay(2029, 12, 1));
  Fold(interrupted, Local(absl::CivilDay(2027, 12, 1), 10));
  EXPECT_TRUE(Run(Local(absl::CivilDay(2029, 9, 1))).empty());
  EXPECT_EQ(Run(Local(absl::CivilDay(2029, 9, 2))).size(), 1u);
}

TEST_F(DueEventsTest, Wet_OB_29_AClosedCaseHasOnlyItsVatReliefDue) {
  // Closed unpaid: nothing is chased any more, but art. 29 Wet OB turns on
  // non-receipt, not on the books: the VAT relief still falls due.
  v1::EventPayload closed;
  closed.mutable_case_stage_changed()->set_to(v1::CASE_STAGE_CLOSED);
  Fold(closed, Local(absl::CivilDay(2026, 1, 25)));
  EXPECT_TRUE(AwaitsDueEvents(state_));
  const std::vector<DueEvent> due =
      DueEvents(state_, Local(absl::CivilDay(2030, 1, 1)));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_TRUE(due[0].payload.has_vat_relief_became_due());
  for (const auto& item : due) Fold(item.payload, item.occurred_at);
  EXPECT_TRUE(DueEvents(state_, Local(absl::CivilDay(2030, 1, 1))).empty());
  EXPECT_FALSE(AwaitsDueEvents(state_));
}

}  // namespace
}  // namespace collections::domain
