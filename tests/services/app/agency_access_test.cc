// An agency caller's scope: only the cases placed with it now, only as
// itself; every other role passes.
#include "services/app/agency_access.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/rocksdb_event_log.h"
#include "tests/testing/case_write_path.h"
#include "tests/testing/requests.h"
#include "tests/testing/temp_dir.h"

namespace collections::app {
namespace {

namespace v1 = ::collections::v1;
using ::testing::HasSubstr;

v1::Actor As(const std::string& role) {
  v1::Actor actor;
  actor.set_id("someone");
  actor.set_role(role);
  return actor;
}

TEST(AgencyAccessTest, AnAgencyReachesOnlyItsOwnPlacedCases) {
  testing::TempDir dir;
  auto log =
      storage::OpenRocksDbEventLog(storage::EventLogOptions{}, dir.Sub("log"));
  ASSERT_TRUE(log.ok()) << log.status();
  testing::CaseWritePath path(log->get());
  CaseCommands& commands = path.commands;
  const v1::Actor operator_actor = As("admin");
  for (const char* id : {"c-1", "c-2"}) {
    ASSERT_TRUE(commands
                    .Await(&CaseCommands::OpenCase,
                           testing::OpenBusinessCase(id, "d-1"), operator_actor)
                    .ok());
  }
  // c-1 goes to agency ag-1, ahead of the ladder by an override.
  v1::HandToAgencyRequest hand;
  hand.set_case_id("c-1");
  hand.mutable_context()->set_request_id("hand-1");
  hand.mutable_context()->mutable_occurred_at()->set_seconds(1767312000);
  v1::RuleOverride* early = hand.mutable_context()->add_overrides();
  early->set_rule("LADDER_ORDER");
  early->set_reason("placed early by agreement");
  hand.mutable_placement()->set_agency_id("ag-1");
  hand.mutable_placement()->set_agency_registration("WKI-1");
  hand.mutable_placement()->set_placement_type(v1::PLACEMENT_TYPE_CONTINGENCY);
  auto placed =
      commands.Await(&CaseCommands::HandToAgency, hand, operator_actor);
  ASSERT_TRUE(placed.ok()) << placed.status();

  const AgencyAccess access(&path.reader);
  EXPECT_EQ(AgencyAccess::AgencyOf(As("agency:ag-1")), "ag-1");
  EXPECT_EQ(AgencyAccess::AgencyOf(As("collector")), "");
  const v1::Actor agency = As("agency:ag-1");
  EXPECT_TRUE(access.CheckCase(agency, "c-1").ok());
  for (const char* other : {"c-2", "c-404"}) {
    const absl::Status refused = access.CheckCase(agency, other);
    EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied) << other;
    EXPECT_THAT(refused.message(), HasSubstr("is not placed with agency ag-1"));
  }
  EXPECT_EQ(access.CheckCase(As("agency:ag-2"), "c-1").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(access.CheckAgency(agency, "ag-1").ok());
  EXPECT_EQ(access.CheckAgency(agency, "ag-2").code(),
            absl::StatusCode::kPermissionDenied);
  // Other roles are not scoped here.
  EXPECT_TRUE(access.CheckCase(As("collector"), "c-2").ok());
  EXPECT_TRUE(access.CheckAgency(As("service"), "ag-2").ok());
}

}  // namespace
}  // namespace collections::app
