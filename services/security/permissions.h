// Who may call what: every RPC's required permission and every role's
// permissions, in one table (docs/security.md's permission table is this one).
// A method missing from the table is refused to everyone.
//
// Roles: collector, agency:<id>, auditor, admin, service. What an agency
// may do is further scoped to its own cases and files
// (services/app/agency_access.h).
#ifndef COLLECTIONS_SERVICES_SECURITY_PERMISSIONS_H_
#define COLLECTIONS_SERVICES_SECURITY_PERMISSIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace collections::security {

enum class Permission {
  kRecordActs,       // the collection acts: calls, letters, payments…
  kPlaceWithAgency,  // hand a case to an agency, recall it
  kAgencyReports,    // an agency's reports and return files
  kProcessDue,       // run the due-time processor
  kReadCases,        // one case: its view and standing
  kReadPortfolio,    // across cases: lists, timelines, work queue, KPIs
  kReadPackages,     // placement packages
  kTakeDeliveries,   // agency deliveries
  kReadLog,          // the raw event streams and the log
  kAudit,            // signed heads, proofs, bundles, the audit trail
  kPublicKey,        // the key that verifies heads and packages
  kOperate,          // projections and their rebuilds
  kErase,            // forget a debtor (crypto-shredding)
};

std::string PermissionName(Permission permission);

// A role name as configured: collector, auditor, admin, service, or
// agency:<id> with a non-empty id.
bool IsKnownRole(absl::string_view role);

// OK when `role` may call `method` ("collections.v1.CaseQueries/GetCase");
// PERMISSION_DENIED naming the role, the method and the permission
// otherwise (or saying the method is not in the table).
absl::Status Authorize(absl::string_view role, absl::string_view method);

// Every method in the table with its permission, for the README and the
// permission matrix test.
struct MethodPermission {
  std::string method;
  Permission permission;
};
const std::vector<MethodPermission>& MethodTable();

// The roles holding `permission` ("agency" for every agency:<id>).
std::vector<std::string> RolesWith(Permission permission);

}  // namespace collections::security

#endif  // COLLECTIONS_SERVICES_SECURITY_PERMISSIONS_H_
