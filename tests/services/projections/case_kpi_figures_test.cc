// The KPI figures folded beside a case's state: promises kept and broken,
// placements and what agencies collected (reversals taken back), write-offs
// by reason; and their round trip through the stored snapshot.
#include "services/projections/case_kpi_figures.h"

#include <utility>

#include "gtest/gtest.h"
#include "services/domain/case_snapshot.h"

namespace collections::projections {
namespace {

namespace v1 = ::collections::v1;

v1::Money Eur(int64_t minor) {
  v1::Money money;
  money.set_amount_minor(minor);
  money.set_currency("EUR");
  return money;
}

class CaseKpiFiguresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    v1::EventPayload payload;
    auto* opened = payload.mutable_case_opened();
    opened->set_case_id("c1");
    opened->set_debtor_id("d1");
    opened->set_creditor_id("acme");
    opened->set_currency("EUR");
    opened->set_rule_pack("nl-consumer");
    opened->set_time_zone("Europe/Amsterdam");
    auto* line = opened->add_claim_lines();
    line->set_invoice_number("INV-1");
    *line->mutable_gross() = Eur(10000);
    Fold(payload);
  }
  void Fold(v1::EventPayload payload) {
    v1::Event event;
    event.set_stream_version(folded_.state.version + 1);
    event.mutable_occurred_at()->set_seconds(1770000000);
    *event.mutable_payload() = std::move(payload);
    FoldCase(folded_, event);
  }
  CaseWithFigures folded_;
};

TEST_F(CaseKpiFiguresTest, BrokenAndKeptPromisesAreCounted) {
  v1::EventPayload promise;
  promise.mutable_promise_made()->set_promise_id("pr1");
  *promise.mutable_promise_made()->mutable_amount() = Eur(6000);
  Fold(promise);
  v1::EventPayload broken;
  broken.mutable_promise_broken()->set_promise_id("pr1");
  Fold(broken);
  EXPECT_EQ(folded_.kpis.promises_broken, 1u);
  EXPECT_EQ(folded_.kpis.promises_kept, 0u);
  EXPECT_FALSE(folded_.state.open_promise.has_value());

  promise.mutable_promise_made()->set_promise_id("pr2");
  Fold(promise);
  v1::EventPayload kept;
  kept.mutable_promise_kept()->set_promise_id("pr2");
  Fold(kept);
  EXPECT_EQ(folded_.kpis.promises_kept, 1u);
  EXPECT_EQ(folded_.kpis.promises_broken, 1u);
}

TEST_F(CaseKpiFiguresTest, AgencyPlacementsAndCollectionsAreSummed) {
  v1::EventPayload placed;
  placed.mutable_handed_to_agency()->set_agency_id("ag-1");
  Fold(placed);
  EXPECT_EQ(folded_.kpis.last_agency_id, "ag-1");
  EXPECT_EQ(folded_.kpis.placed_balance_minor, 10000);  // the balance placed
  EXPECT_EQ(folded_.state.placements, 1u);

  v1::EventPayload paid;
  auto* reported = paid.mutable_agency_payment_reported();
  reported->set_agency_id("ag-1");
  reported->set_payment_id("AP-1");
  *reported->mutable_amount() = Eur(5000);
  *reported->mutable_allocation()->mutable_principal() = Eur(5000);
  Fold(paid);
  EXPECT_EQ(folded_.kpis.agency_collected_minor, 5000);
  EXPECT_EQ(folded_.state.owed.total(), 5000);

  v1::EventPayload reversal;
  reversal.mutable_agency_payment_reversed()->set_agency_id("ag-1");
  reversal.mutable_agency_payment_reversed()->set_payment_id("AP-1");
  Fold(reversal);
  EXPECT_EQ(folded_.kpis.agency_collected_minor, 0);
  EXPECT_EQ(folded_.state.owed.total(), 10000);
  // A second reversal of the same payment takes nothing back again.
  Fold(reversal);
  EXPECT_EQ(folded_.kpis.agency_collected_minor, 0);
}

TEST_F(CaseKpiFiguresTest, WriteOffsAreSummedByReasonAndSurviveTheSnapshot) {
  v1::EventPayload write_off;
  write_off.mutable_write_off_approved()->set_reason(
      v1::WRITE_OFF_REASON_UNECONOMIC);
  *write_off.mutable_write_off_approved()->mutable_amount()->mutable_costs() =
      Eur(1500);
  Fold(write_off);
  ASSERT_EQ(
      folded_.kpis.written_off_by_reason.at(v1::WRITE_OFF_REASON_UNECONOMIC),
      1500);

  v1::CaseSnapshot snapshot = domain::ToSnapshot(folded_.state);
  AddToSnapshot(folded_.kpis, snapshot);
  v1::CaseSnapshot reparsed;
  ASSERT_TRUE(reparsed.ParseFromString(snapshot.SerializeAsString()));
  const CaseKpiFigures restored = KpiFiguresOf(reparsed);
  EXPECT_EQ(restored.written_off_by_reason, folded_.kpis.written_off_by_reason);
  EXPECT_EQ(restored.promises_kept, folded_.kpis.promises_kept);
  EXPECT_EQ(restored.last_agency_id, folded_.kpis.last_agency_id);
  EXPECT_EQ(domain::FromSnapshot(reparsed).written_off_minor, 1500);
}

}  // namespace
}  // namespace collections::projections
