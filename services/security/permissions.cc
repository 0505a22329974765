#include "services/security/permissions.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace collections::security {
namespace {

using P = Permission;

const std::vector<MethodPermission>& Table() {
  static const auto* const table = new std::vector<MethodPermission>{
      // CaseCommands: the acts of collection.
      {"collections.v1.CaseCommands/OpenCase", P::kRecordActs},
      {"collections.v1.CaseCommands/LogCalls", P::kRecordActs},
      {"collections.v1.CaseCommands/RecordPromise", P::kRecordActs},
      {"collections.v1.CaseCommands/RecordPayment", P::kRecordActs},
      {"collections.v1.CaseCommands/AgreePaymentPlan", P::kRecordActs},
      {"collections.v1.CaseCommands/IssueLetter", P::kRecordActs},
      {"collections.v1.CaseCommands/RaiseDispute", P::kRecordActs},
      {"collections.v1.CaseCommands/ResolveDispute", P::kRecordActs},
      {"collections.v1.CaseCommands/WriteOff", P::kRecordActs},
      {"collections.v1.CaseCommands/CloseCase", P::kRecordActs},
      {"collections.v1.CaseCommands/ReversePayment", P::kRecordActs},
      {"collections.v1.CaseCommands/ApplyCreditNote", P::kRecordActs},
      {"collections.v1.CaseCommands/AddClaimLine", P::kRecordActs},
      {"collections.v1.CaseCommands/AssessCollectionCosts", P::kRecordActs},
      {"collections.v1.CaseCommands/AccrueInterest", P::kRecordActs},
      {"collections.v1.CaseCommands/PlaceHold", P::kRecordActs},
      {"collections.v1.CaseCommands/ReleaseHold", P::kRecordActs},
      {"collections.v1.CaseCommands/RecordLetterOutcome", P::kRecordActs},
      {"collections.v1.CaseCommands/SendVerification", P::kRecordActs},
      {"collections.v1.CaseCommands/ClaimVatRelief", P::kRecordActs},
      {"collections.v1.CaseCommands/HandToAgency", P::kPlaceWithAgency},
      {"collections.v1.CaseCommands/RecallFromAgency", P::kPlaceWithAgency},
      {"collections.v1.CaseCommands/RecordAgencyReport", P::kAgencyReports},
      {"collections.v1.CaseCommands/ProcessDueEvents", P::kProcessDue},
      // DebtorCommands: facts about the person across cases.
      {"collections.v1.DebtorCommands/RegisterDebtor", P::kRecordActs},
      {"collections.v1.DebtorCommands/AddContactPoint", P::kRecordActs},
      {"collections.v1.DebtorCommands/InvalidateContactPoint", P::kRecordActs},
      {"collections.v1.DebtorCommands/RestrictCommunication", P::kRecordActs},
      {"collections.v1.DebtorCommands/LiftCommunicationRestriction",
       P::kRecordActs},
      {"collections.v1.DebtorCommands/NoticeRepresentation", P::kRecordActs},
      {"collections.v1.DebtorCommands/NoticeInsolvency", P::kRecordActs},
      {"collections.v1.DebtorCommands/NoticeDeceased", P::kRecordActs},
      {"collections.v1.DebtorCommands/AssignSegment", P::kRecordActs},
      {"collections.v1.DebtorCommands/RecordConsent", P::kRecordActs},
      {"collections.v1.DebtorCommands/GetDebtor", P::kReadPortfolio},
      // CaseQueries.
      {"collections.v1.CaseQueries/GetCase", P::kReadCases},
      {"collections.v1.CaseQueries/GetCaseStanding", P::kReadCases},
      {"collections.v1.CaseQueries/GetDebtorTimeline", P::kReadPortfolio},
      {"collections.v1.CaseQueries/ListCases", P::kReadPortfolio},
      {"collections.v1.CaseQueries/GetWorkQueue", P::kReadPortfolio},
      {"collections.v1.CaseQueries/GetPortfolioKpis", P::kReadPortfolio},
      {"collections.v1.CaseQueries/GetDebtor", P::kReadPortfolio},
      // EventStream.
      {"collections.v1.EventStream/ReadStream", P::kReadLog},
      {"collections.v1.EventStream/ReadLog", P::kReadLog},
      {"collections.v1.EventStream/Subscribe", P::kReadLog},
      // Operations.
      {"collections.v1.Operations/ListProjections", P::kOperate},
      {"collections.v1.Operations/RebuildProjection", P::kOperate},
      {"collections.v1.Operations/ForgetDebtor", P::kErase},
      {"collections.v1.Operations/CreateBackup", P::kOperate},
      // Audit.
      {"collections.v1.Audit/GetSignedTreeHead", P::kAudit},
      {"collections.v1.Audit/GetPublicKey", P::kPublicKey},
      {"collections.v1.Audit/GetInclusionProof", P::kAudit},
      {"collections.v1.Audit/GetConsistencyProof", P::kAudit},
      {"collections.v1.Audit/GetEvidenceBundle", P::kAudit},
      {"collections.v1.Audit/ListAuditTrail", P::kAudit},
      // AgencyHandoff.
      {"collections.v1.AgencyHandoff/PlaceWithAgency", P::kPlaceWithAgency},
      {"collections.v1.AgencyHandoff/GetPlacementPackage", P::kReadPackages},
      {"collections.v1.AgencyHandoff/ExportDelivery", P::kTakeDeliveries},
      {"collections.v1.AgencyHandoff/ImportReturnFile", P::kAgencyReports},
      // Which key an agency's personal data is sealed to: an operator's act.
      {"collections.v1.AgencyHandoff/RegisterAgencyKey", P::kOperate},
  };
  return *table;
}

// What each role holds. "agency" stands for every agency:<id>.
const std::vector<std::pair<std::string, std::vector<Permission>>>& Roles() {
  static const auto* const roles =
      new std::vector<std::pair<std::string, std::vector<Permission>>>{
          {"collector",
           {P::kRecordActs, P::kPlaceWithAgency, P::kAgencyReports,
            P::kReadCases, P::kReadPortfolio, P::kReadPackages, P::kPublicKey}},
          {"agency",
           {P::kAgencyReports, P::kReadCases, P::kReadPackages,
            P::kTakeDeliveries, P::kPublicKey}},
          {"auditor",
           {P::kReadCases, P::kReadPortfolio, P::kReadPackages, P::kReadLog,
            P::kAudit, P::kPublicKey}},
          {"service",
           {P::kRecordActs, P::kPlaceWithAgency, P::kAgencyReports,
            P::kProcessDue, P::kReadCases, P::kReadPortfolio, P::kReadPackages,
            P::kTakeDeliveries, P::kReadLog, P::kPublicKey}},
          {"admin",
           {P::kRecordActs, P::kPlaceWithAgency, P::kAgencyReports,
            P::kProcessDue, P::kReadCases, P::kReadPortfolio, P::kReadPackages,
            P::kTakeDeliveries, P::kReadLog, P::kAudit, P::kPublicKey,
            P::kOperate, P::kErase}},
      };
  return *roles;
}

// "agency:x" → "agency"; other roles as they are.
absl::string_view RoleClass(absl::string_view role) {
  return absl::StartsWith(role, "agency:") ? "agency" : role;
}

}  // namespace

std::string PermissionName(Permission permission) {
  switch (permission) {
    case P::kRecordActs:
      return "record-acts";
    case P::kPlaceWithAgency:
      return "place-with-agency";
    case P::kAgencyReports:
      return "agency-reports";
    case P::kProcessDue:
      return "process-due";
    case P::kReadCases:
      return "read-cases";
    case P::kReadPortfolio:
      return "read-portfolio";
    case P::kReadPackages:
      return "read-packages";
    case P::kTakeDeliveries:
      return "take-deliveries";
    case P::kReadLog:
      return "read-log";
    case P::kAudit:
      return "audit";
    case P::kPublicKey:
      return "public-key";
    case P::kOperate:
      return "operate";
    case P::kErase:
      return "erase";
  }
  return "unknown";
}

bool IsKnownRole(absl::string_view role) {
  if (absl::StartsWith(role, "agency:")) return role.size() > 7;
  for (const auto& [name, unused] : Roles()) {
    if (name != "agency" && name == role) return true;
  }
  return false;
}

absl::Status Authorize(absl::string_view role, absl::string_view method) {
  static const auto* const by_method = [] {
    auto* map = new absl::flat_hash_map<std::string, Permission>();
    for (const auto& entry : Table())
      map->emplace(entry.method, entry.permission);
    return map;
  }();
  auto it = by_method->find(method);
  if (it == by_method->end()) {
    return absl::PermissionDeniedError(
        absl::StrCat(method, " is not in the permission table"));
  }
  if (IsKnownRole(role)) {
    const absl::string_view role_class = RoleClass(role);
    for (const auto& [name, permissions] : Roles()) {
      if (name != role_class) continue;
      for (Permission held : permissions) {
        if (held == it->second) return absl::OkStatus();
      }
    }
  }
  return absl::PermissionDeniedError(absl::StrCat(
      "role '", role, "' may not call ", method, " (it needs permission ",
      PermissionName(it->second), ", held by ",
      absl::StrJoin(RolesWith(it->second), ", "), ")"));
}

const std::vector<MethodPermission>& MethodTable() { return Table(); }

std::vector<std::string> RolesWith(Permission permission) {
  std::vector<std::string> roles;
  for (const auto& [name, permissions] : Roles()) {
    for (Permission held : permissions) {
      if (held == permission) roles.push_back(name);
    }
  }
  return roles;
}

}  // namespace collections::security
