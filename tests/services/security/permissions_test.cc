// The permission table covers exactly the RPCs the protos define, and each
// role gets what the README's table says.
#include "services/security/permissions.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "collections/v1/agency.pb.h"
#include "collections/v1/audit.pb.h"
#include "collections/v1/case_commands.pb.h"
#include "collections/v1/case_queries.pb.h"
#include "collections/v1/event_stream.pb.h"
#include "collections/v1/operations.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"

namespace collections::security {
namespace {

using ::testing::HasSubstr;

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
        v1::PlacementPackage::descriptor()->file()}) {
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
  EXPECT_FALSE(Authorize("auditor", record).ok());
  EXPECT_FALSE(Authorize("agency:ag-1", record).ok());
  const std::string audit = "collections.v1.Audit/GetEvidenceBundle";
  EXPECT_TRUE(Authorize("auditor", audit).ok());
  EXPECT_FALSE(Authorize("collector", audit).ok());
  const std::string report = "collections.v1.CaseCommands/RecordAgencyReport";
  EXPECT_TRUE(Authorize("agency:ag-1", report).ok());
  const std::string rebuild = "collections.v1.Operations/RebuildProjection";
  EXPECT_TRUE(Authorize("admin", rebuild).ok());
  EXPECT_FALSE(Authorize("service", rebuild).ok());
  for (const auto& entry : MethodTable()) {
    EXPECT_TRUE(Authorize("admin", entry.method).ok()) << entry.method;
    EXPECT_TRUE(
        Authorize("auditor", "collections.v1.Audit/GetPublicKey").ok());
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
    EXPECT_FALSE(Authorize(bad, record).ok()) << bad;
  }
}

}  // namespace
}  // namespace collections::security
