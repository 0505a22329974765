// The permission table covers exactly the RPCs the protos define, and each
// role gets what docs/security.md's table says.
#include "services/security/permissions.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "collections/v1/agency.pb.h"
#include "collections/v1/audit.pb.h"
#include "collections/v1/case_commands.pb.h"
#include "collections/v1/case_queries.pb.h"
#include "collections/v1/debtor.pb.h"
#include "collections/v1/event_stream.pb.h"
#include "collections/v1/operations.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace collections::security {
namespace {

using ::collections::testing::StatusIs;
using ::testing::HasSubstr;

// PERMISSION_DENIED saying `what`.
auto Refused(const std::string& what) {
  return StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr(what));
}

// Every method of every service the service protos define (each file is
// reached through one of its messages, which keeps it linked in).
std::set<std::string> DefinedMethods() {
  std::set<std::string> methods;
  namespace v1 = ::collections::v1;
  for (const google::protobuf::FileDescriptor* descriptor :
       {v1::OpenCaseRequest::descriptor()->file(),
        v1::GetCaseRequest::descriptor()->file(),
        v1::ReadStreamRequest::descriptor()->file(),
        v1::ListProjectionsRequest::descriptor()->file(),
        v1::GetPublicKeyRequest::descriptor()->file(),
        v1::PlacementPackage::descriptor()->file(),
        v1::RegisterDebtorRequest::descriptor()->file()}) {
    for (int s = 0; s < descriptor->service_count(); ++s) {
      const auto* service = descriptor->service(s);
      for (int i = 0; i < service->method_count(); ++i) {
        methods.insert(absl::StrCat(service->full_name(), "/",
                                    service->method(i)->name()));
      }
    }
  }
  return methods;
}

TEST(PermissionsTest, TheTableListsEveryDefinedMethodAndNothingElse) {
  std::set<std::string> listed;
  for (const auto& entry : MethodTable()) {
    EXPECT_TRUE(listed.insert(entry.method).second) << entry.method;
  }
  EXPECT_EQ(listed, DefinedMethods());
}

TEST(PermissionsTest, RolesGetWhatTheirWorkNeeds) {
  const std::string record = "collections.v1.CaseCommands/LogCalls";
  EXPECT_TRUE(Authorize("collector", record).ok());
  EXPECT_TRUE(Authorize("service", record).ok());
  EXPECT_THAT(Authorize("auditor", record),
              Refused("role 'auditor' may not call " + record));
  EXPECT_THAT(Authorize("agency:ag-1", record),
              Refused("role 'agency:ag-1' may not call " + record));
  const std::string audit = "collections.v1.Audit/GetEvidenceBundle";
  EXPECT_TRUE(Authorize("auditor", audit).ok());
  EXPECT_THAT(Authorize("collector", audit),
              Refused("role 'collector' may not call " + audit));
  const std::string report = "collections.v1.CaseCommands/RecordAgencyReport";
  EXPECT_TRUE(Authorize("agency:ag-1", report).ok());
  const std::string rebuild = "collections.v1.Operations/RebuildProjection";
  EXPECT_TRUE(Authorize("admin", rebuild).ok());
  EXPECT_THAT(Authorize("service", rebuild),
              Refused("role 'service' may not call " + rebuild));
  for (const auto& entry : MethodTable()) {
    EXPECT_TRUE(Authorize("admin", entry.method).ok()) << entry.method;
    EXPECT_TRUE(Authorize("auditor", "collections.v1.Audit/GetPublicKey").ok());
  }

  const absl::Status refused = Authorize("auditor", record);
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(refused.message(),
              HasSubstr("role 'auditor' may not call "
                        "collections.v1.CaseCommands/LogCalls (it needs "
                        "permission record-acts, held by collector, service, "
                        "admin)"));
  EXPECT_THAT(Authorize("admin", "collections.v1.Nope/Nothing").message(),
              HasSubstr("not in the permission table"));
  for (const char* bad : {"", "agency:", "root", "Admin"}) {
    EXPECT_FALSE(IsKnownRole(bad)) << bad;
    EXPECT_THAT(Authorize(bad, record),
                Refused(absl::StrCat("role '", bad, "' may not call ", record)))
        << bad;
  }
}

// The permission table of docs/security.md says what the code's says, row by
// row.
TEST(PermissionsTest, TheReadmeTableIsTheCodesTable) {
  std::ifstream in(std::string(COLLECTIONS_SOURCE_DIR) + "/docs/security.md");
  ASSERT_TRUE(in) << "docs/security.md not found";
  const std::vector<std::string> columns = {"collector", "agency", "auditor",
                                            "service", "admin"};
  std::map<std::string, std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells = absl::StrSplit(line, '|');
    // "", " `Svc/Method` ", " permission ", five role cells, "".
    if (cells.size() != 9) continue;
    for (auto& cell : cells)
      cell = std::string(absl::StripAsciiWhitespace(cell));
    rows[absl::StrCat("collections.v1.",
                      cells[1].substr(1, cells[1].size() - 2))] =
        std::vector<std::string>(cells.begin() + 2, cells.begin() + 8);
  }
  ASSERT_EQ(rows.size(), MethodTable().size());
  for (const auto& entry : MethodTable()) {
    auto row = rows.find(entry.method);
    ASSERT_NE(row, rows.end()) << entry.method;
    EXPECT_EQ(row->second[0], PermissionName(entry.permission)) << entry.method;
    const std::vector<std::string> holders = RolesWith(entry.permission);
    for (size_t i = 0; i < columns.size(); ++i) {
      const bool holds = std::find(holders.begin(), holders.end(),
                                   columns[i]) != holders.end();
      EXPECT_EQ(!row->second[i + 1].empty(), holds)
          << entry.method << " / " << columns[i];
    }
  }
}

}  // namespace
}  // namespace collections::security
