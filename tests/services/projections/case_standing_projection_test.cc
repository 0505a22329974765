// The case standing projection: stored snapshots equal a direct fold of each
// case's stream, a debtor index lists the cases, and a stream that does not
// continue where the snapshot stopped is refused rather than skipped.
#include "services/projections/case_standing_projection.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/domain/case_snapshot.h"
#include "services/domain/debtor_profile.h"
#include "storage/rocksdb_event_log.h"
#include "storage/rocksdb_projection_store.h"
#include "tests/services/projections/failing_at.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"

namespace collections::projections {
namespace {

namespace v1 = ::collections::v1;

v1::Event Opened(const std::string& case_id, const std::string& debtor_id) {
  v1::Event event;
  event.set_event_id(absl::StrCat(case_id, "/open"));
  event.set_type("CaseOpened");
  event.mutable_occurred_at()->set_seconds(1769000000);
  auto* opened = event.mutable_payload()->mutable_case_opened();
  opened->set_case_id(case_id);
  opened->set_debtor_id(debtor_id);
  opened->set_currency("EUR");
  opened->set_rule_pack("nl-consumer");
  opened->set_time_zone("Europe/Amsterdam");
  auto* line = opened->add_claim_lines();
  line->set_invoice_number("INV-1");
  *line->mutable_due_date() = domain::ToLocalDate(absl::CivilDay(2026, 1, 30));
  line->mutable_gross()->set_amount_minor(10000);
  line->mutable_gross()->set_currency("EUR");
  return event;
}

v1::Event Payment(const std::string& id, int64_t amount) {
  v1::Event event;
  event.set_event_id(id);
  event.set_type("PaymentReceived");
  event.mutable_occurred_at()->set_seconds(1769100000);
  auto* paid = event.mutable_payload()->mutable_payment_received();
  paid->set_payment_id(id);
  paid->mutable_amount()->set_amount_minor(amount);
  paid->mutable_allocation()->mutable_principal()->set_amount_minor(amount);
  return event;
}

class CaseStandingProjectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = *storage::OpenRocksDbEventLog({}, dir_.Sub("log"));
    store_ = *storage::OpenRocksDbProjectionStore({}, dir_.Sub("projections"));
  }
  void Append(const std::string& case_id, std::vector<v1::Event> events) {
    ASSERT_TRUE(log_->Append(domain::CaseStreamId(case_id),
                             storage::ExpectedVersion::Any(), events)
                    .ok());
  }
  testing::TempDir dir_;
  std::unique_ptr<storage::EventLog> log_;
  std::unique_ptr<storage::ProjectionStore> store_;
  FakeClock clock_{absl::FromUnixSeconds(1795000000)};
};

TEST_F(CaseStandingProjectionTest, StoredStandingsEqualADirectFold) {
  Append("c1", {Opened("c1", "d1")});
  Append("c2", {Opened("c2", "d1"), Payment("p1", 2500)});
  Append("c1", {Payment("p2", 1000), Payment("p3", 500)});
  ASSERT_TRUE(log_->Append("other-d1", storage::ExpectedVersion::Any(),
                           {Payment("ignored", 1)})
                  .ok());  // neither a case nor a debtor stream: skipped
  // A debtor fact binds both of the debtor's cases.
  v1::Event segment;
  segment.set_event_id("seg-1");
  segment.set_type("SegmentAssigned");
  segment.mutable_occurred_at()->set_seconds(1769200000);
  segment.mutable_payload()->mutable_segment_assigned()->set_segment(
      "wants_cant");
  segment.mutable_payload()->mutable_segment_assigned()->set_model_version(
      "rule:v1");
  ASSERT_TRUE(
      log_->Append("debtor-d1", storage::ExpectedVersion::Any(), {segment})
          .ok());
  CaseStandingProjection projection;
  ProjectionRunner::Options options;
  options.events_per_commit = 2;  // several commits, caches across them
  ProjectionRunner runner(log_.get(), store_.get(), &projection, "standing",
                          &clock_, options);
  ASSERT_TRUE(runner.CatchUp().ok());
  for (const std::string& case_id : {std::string("c1"), std::string("c2")}) {
    SCOPED_TRACE(case_id);
    domain::CaseState direct;
    auto events = log_->ReadStream(domain::CaseStreamId(case_id), 1,
                                   storage::ReadDirection::kForward, 100);
    ASSERT_TRUE(events.ok());
    for (const auto& recorded : *events) domain::Evolve(direct, recorded.event);
    direct.debtor.set_debtor_id("d1");
    auto debtor_events =
        log_->ReadStream("debtor-d1", 1, storage::ReadDirection::kForward, 100);
    ASSERT_TRUE(debtor_events.ok());
    for (const auto& recorded : *debtor_events)
      domain::FoldDebtor(direct.debtor, recorded.event);
    auto stored = ReadStoredCase(*store_, "standing", case_id);
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(domain::ToSnapshot(*stored).SerializeAsString(),
              domain::ToSnapshot(direct).SerializeAsString());
  }
  auto c1 = ReadStoredCase(*store_, "standing", "c1");
  EXPECT_EQ(c1->outstanding_minor(), 8500);
  EXPECT_EQ(c1->debtor.segment().kind(), "wants_cant");
  EXPECT_EQ(c1->debtor.segment().event_id(), "seg-1");
  auto listed = store_->Scan(
      "standing", CaseStandingProjection::DebtorPrefix("d1"), "", 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[1].first, "debtor/d1/c2");
  auto unknown = ReadStoredCase(*store_, "standing", "c9");
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->exists);
}

TEST_F(CaseStandingProjectionTest, AStreamThatSkipsAVersionStopsTheProjection) {
  Append("c1", {Opened("c1", "d1"), Payment("p1", 100)});
  // A stored snapshot that is ahead of the log (as if events were lost).
  domain::CaseState ahead;
  ahead.exists = true;
  ahead.case_id = "c1";
  ahead.version = 5;
  auto write = *store_->BeginWrite("standing");
  write->Put(CaseStandingProjection::CaseKey("c1"),
             domain::ToSnapshot(ahead).SerializeAsString());
  ASSERT_TRUE(store_->Commit(*write, 0).ok());
  CaseStandingProjection projection;
  ProjectionRunner runner(log_.get(), store_.get(), &projection, "standing",
                          &clock_);
  absl::Status status = runner.CatchUp();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(runner.status().failed_position, 1u);
}

TEST_F(CaseStandingProjectionTest, StoppedAtAnyEventItResumesToAFreshBuild) {
  // Interleaved cases, so commits hold several cases' changes.
  for (int round = 0; round < 6; ++round) {
    for (int c = 0; c < 4; ++c) {
      const std::string case_id = absl::StrCat("c", c);
      if (round == 0) {
        Append(case_id, {Opened(case_id, absl::StrCat("d", c % 2))});
      } else {
        Append(case_id, {Payment(absl::StrCat("p", round), 100 + round)});
      }
    }
  }
  ExpectResumesToAFreshBuildFromAnyEvent<CaseStandingProjection>(
      *log_, *store_, clock_, /*events_per_commit=*/5);
}

}  // namespace
}  // namespace collections::projections
