// Snapshots: a state restored from its snapshot at any point of a stream
// folds on to exactly the state of an uninterrupted fold.
#include "services/domain/case_snapshot.h"

#include <string>
#include <vector>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
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

// A stream touching every part of the state.
std::vector<v1::Event> Stream() {
  std::vector<v1::EventPayload> payloads(22);
  auto* opened = payloads[0].mutable_case_opened();
  opened->set_case_id("c1");
  opened->set_debtor_id("d1");
  opened->set_creditor_id("cr");
  opened->set_currency("EUR");
  opened->set_rule_pack("nl-consumer");
  opened->set_time_zone("Europe/Amsterdam");
  auto* line = opened->add_claim_lines();
  line->set_invoice_number("INV-1");
  *line->mutable_due_date() = ToLocalDate(absl::CivilDay(2026, 1, 30));
  *line->mutable_gross() = Eur(121000);
  *line->mutable_vat() = Eur(21000);
  payloads[1].mutable_case_stage_changed()->set_to(v1::CASE_STAGE_OVERDUE);
  auto* call = payloads[2].mutable_call_logged();
  call->set_outcome(v1::CALL_OUTCOME_CONVERSATION);
  auto* letter = payloads[3].mutable_letter_issued();
  letter->set_letter_id("L1");
  letter->set_level(v1::LETTER_LEVEL_FOURTEEN_DAY);
  *letter->mutable_costs_stated() = Eur(15000);
  *letter->mutable_term_last_day() = ToLocalDate(absl::CivilDay(2026, 2, 20));
  payloads[4].mutable_promise_made()->set_promise_id("PR1");
  *payloads[4].mutable_promise_made()->mutable_amount() = Eur(50000);
  auto* paid = payloads[5].mutable_payment_received();
  paid->set_payment_id("P1");
  *paid->mutable_amount() = Eur(10000);
  *paid->mutable_allocation()->mutable_principal() = Eur(10000);
  payloads[6].mutable_promise_broken()->set_promise_id("PR1");
  payloads[7].mutable_letter_deadline_lapsed()->set_letter_id("L1");
  *payloads[8].mutable_collection_costs_assessed()->mutable_amount() =
      Eur(15000);
  auto* interest = payloads[9].mutable_interest_accrued();
  *interest->mutable_amount() = Eur(410);
  *interest->mutable_to_date() = ToLocalDate(absl::CivilDay(2026, 3, 9));
  auto* plan = payloads[10].mutable_payment_plan_agreed();
  plan->set_plan_id("PLAN1");
  for (int i = 0; i < 3; ++i) {
    auto* installment = plan->add_installments();
    installment->set_number(i + 1);
    *installment->mutable_amount() = Eur(42136 + i);
  }
  payloads[11].mutable_installment_paid()->set_number(1);
  payloads[12].mutable_installment_missed()->set_number(2);
  payloads[13].mutable_dispute_raised()->set_dispute_id("D1");
  *payloads[13].mutable_dispute_raised()->mutable_disputed_amount() = Eur(5000);
  payloads[14].mutable_hold_placed()->set_hold(
      v1::CASE_HOLD_LAWYER_REPRESENTED);
  payloads[15].mutable_handed_to_agency()->set_agency_id("ag");
  payloads[16].mutable_recall_requested()->set_agency_id("ag");
  payloads[17].mutable_payment_reversed()->set_payment_id("P1");
  payloads[18].mutable_vat_relief_became_due()->set_invoice_number("INV-1");
  payloads[19].mutable_limitation_warning()->set_invoice_number("INV-1");
  *payloads[19].mutable_limitation_warning()->mutable_deadline() =
      ToLocalDate(absl::CivilDay(2028, 1, 30));
  auto* reported = payloads[20].mutable_agency_payment_reported();
  reported->set_payment_id("AP1");
  *reported->mutable_amount() = Eur(2000);
  *reported->mutable_allocation()->mutable_principal() = Eur(2000);
  payloads[21].mutable_write_off_approved()->set_reason(
      v1::WRITE_OFF_REASON_UNECONOMIC);
  *payloads[21]
       .mutable_write_off_approved()
       ->mutable_amount()
       ->mutable_costs() = Eur(1500);
  std::vector<v1::Event> events;
  for (size_t i = 0; i < payloads.size(); ++i) {
    v1::Event event;
    event.set_stream_version(i + 1);
    event.set_global_position(100 + i);
    event.mutable_occurred_at()->set_seconds(1769000000 + i * 86400);
    *event.mutable_payload() = payloads[i];
    events.push_back(std::move(event));
  }
  return events;
}

std::string Bytes(const CaseState& state) {
  std::string bytes;
  google::protobuf::io::StringOutputStream stream(&bytes);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  ToSnapshot(state).SerializeToCodedStream(&coded);
  return bytes;
}

TEST(CaseSnapshotTest, RestoringAtAnyPointFoldsOnToTheSameState) {
  const std::vector<v1::Event> events = Stream();
  CaseState straight;
  for (const auto& event : events) Evolve(straight, event);
  ASSERT_EQ(straight.version, events.size());
  ASSERT_TRUE(straight.plan.has_value());
  ASSERT_EQ(straight.placed_holds.size(), 1u);
  ASSERT_EQ(straight.placements, 1u);
  // Agency collections and write-offs by reason are KPI figures, kept
  // beside the state: CaseKpiFiguresTest.

  for (size_t cut = 0; cut <= events.size(); ++cut) {
    SCOPED_TRACE(cut);
    CaseState prefix;
    for (size_t i = 0; i < cut; ++i) Evolve(prefix, events[i]);
    v1::CaseSnapshot snapshot = ToSnapshot(prefix);
    v1::CaseSnapshot reparsed;
    ASSERT_TRUE(reparsed.ParseFromString(snapshot.SerializeAsString()));
    CaseState restored = FromSnapshot(reparsed);
    EXPECT_EQ(Bytes(restored), Bytes(prefix));
    for (size_t i = cut; i < events.size(); ++i) Evolve(restored, events[i]);
    EXPECT_EQ(Bytes(restored), Bytes(straight));
    EXPECT_EQ(restored.outstanding_minor(), straight.outstanding_minor());
    EXPECT_EQ(restored.zone.name(), "Europe/Amsterdam");
  }
}

}  // namespace
}  // namespace collections::domain
