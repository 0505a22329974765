// Work items (the domain's UpcomingWork, as the work queue stores them):
// each kind at its day, none once done or closed.
#include "services/projections/case_work_items.h"

#include "gtest/gtest.h"

namespace collections::projections {
namespace {

using domain::CaseState;
using domain::Evolve;
using domain::ToLocalDate;

namespace v1 = ::collections::v1;

v1::Money Eur(int64_t minor) {
  v1::Money money;
  money.set_amount_minor(minor);
  money.set_currency("EUR");
  return money;
}

class WorkItemsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    v1::EventPayload payload;
    auto* opened = payload.mutable_case_opened();
    opened->set_case_id("c1");
    opened->set_creditor_id("acme");
    opened->set_currency("EUR");
    opened->set_rule_pack("nl-consumer");
    opened->set_time_zone("Europe/Amsterdam");
    auto* line = opened->add_claim_lines();
    line->set_invoice_number("INV-1");
    *line->mutable_due_date() = ToLocalDate(absl::CivilDay(2026, 1, 30));
    *line->mutable_gross() = Eur(121000);
    *line->mutable_vat() = Eur(21000);
    Fold(payload);
  }
  void Fold(const v1::EventPayload& payload) {
    v1::Event event;
    event.set_stream_version(state_.version + 1);
    event.mutable_occurred_at()->set_seconds(1770000000);
    *event.mutable_payload() = payload;
    Evolve(state_, event);
  }
  absl::CivilDay DayOf(const v1::WorkItem& item) {
    return state_.DayOf(ToTime(item.due_at()));
  }
  const v1::WorkItem* Find(const std::vector<v1::WorkItem>& items,
                           v1::WorkKind kind) {
    for (const auto& item : items)
      if (item.kind() == kind) return &item;
    return nullptr;
  }
  CaseState state_;
};

TEST_F(WorkItemsTest, EachKindFallsOnItsDay) {
  v1::EventPayload promise;
  promise.mutable_promise_made()->set_promise_id("PR1");
  *promise.mutable_promise_made()->mutable_amount() = Eur(50000);
  *promise.mutable_promise_made()->mutable_promised_date() =
      ToLocalDate(absl::CivilDay(2026, 2, 13));
  promise.mutable_promise_made()->set_tolerance_days(2);
  Fold(promise);
  v1::EventPayload letter;
  letter.mutable_letter_issued()->set_letter_id("L1");
  *letter.mutable_letter_issued()->mutable_term_last_day() =
      ToLocalDate(absl::CivilDay(2026, 3, 6));
  Fold(letter);
  const auto items = WorkItemsOf(state_);
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(DayOf(*Find(items, v1::WORK_KIND_PROMISE_CHECK)),
            absl::CivilDay(2026, 2, 16));
  EXPECT_EQ(Find(items, v1::WORK_KIND_PROMISE_CHECK)->amount().amount_minor(),
            50000);
  EXPECT_EQ(DayOf(*Find(items, v1::WORK_KIND_LETTER_DEADLINE)),
            absl::CivilDay(2026, 3, 7));
  EXPECT_EQ(DayOf(*Find(items, v1::WORK_KIND_VAT_RELIEF)),
            absl::CivilDay(2027, 1, 30));
  EXPECT_EQ(DayOf(*Find(items, v1::WORK_KIND_LIMITATION)),
            absl::CivilDay(2031, 1, 30));
  EXPECT_EQ(Find(items, v1::WORK_KIND_LIMITATION)->creditor_id(), "acme");
}

TEST_F(WorkItemsTest, InstallmentsUntilPaidAndNothingWhenClosed) {
  v1::EventPayload plan;
  auto* agreed = plan.mutable_payment_plan_agreed();
  agreed->set_plan_id("P");
  for (int i = 0; i < 2; ++i) {
    auto* installment = agreed->add_installments();
    installment->set_number(i + 1);
    *installment->mutable_due_date() =
        ToLocalDate(absl::CivilDay(2026, 3 + i, 1));
    *installment->mutable_amount() = Eur(60500);
  }
  Fold(plan);
  auto count = [&](v1::WorkKind kind) {
    int n = 0;
    for (const auto& item : WorkItemsOf(state_)) n += item.kind() == kind;
    return n;
  };
  EXPECT_EQ(count(v1::WORK_KIND_INSTALLMENT_DUE), 2);
  v1::EventPayload paid;
  paid.mutable_installment_paid()->set_number(1);
  Fold(paid);
  EXPECT_EQ(count(v1::WORK_KIND_INSTALLMENT_DUE), 1);
  v1::EventPayload closed;
  closed.mutable_case_stage_changed()->set_to(v1::CASE_STAGE_CLOSED);
  Fold(closed);
  // Closed: only the VAT relief on the unpaid invoice stays (art. 29 Wet
  // OB), until claimed.
  const auto items = WorkItemsOf(state_);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].kind(), v1::WORK_KIND_VAT_RELIEF);
}

}  // namespace
}  // namespace collections::projections
