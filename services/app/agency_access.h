// AgencyAccess: what an agency caller (role "agency:<id>") may reach. An
// agency reads and reports on the cases placed with it now, takes its own
// deliveries and packages, imports its own return files, and nothing else:
// no other case, no portfolio-wide query, no log or audit read, no
// operations. Every other role passes here (the permission table of the
// security work decides what they may do).
//
// Until callers are authenticated, the role is the caller identity the
// server is given (see services/grpc/caller.h). Refusals are
// PERMISSION_DENIED; an unknown case is refused the same way as another
// agency's, so an agency learns nothing of cases it does not hold.
//
// Thread safety: all methods may be called concurrently; `commands` must
// outlive the object.
#ifndef COLLECTIONS_SERVICES_APP_AGENCY_ACCESS_H_
#define COLLECTIONS_SERVICES_APP_AGENCY_ACCESS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "collections/v1/events.pb.h"
#include "services/app/case_commands.h"

namespace collections::app {

class AgencyAccess {
 public:
  explicit AgencyAccess(CaseCommandHandler* commands) : commands_(commands) {}

  // The agency id of an agency caller; "" for any other role.
  static std::string AgencyOf(const collections::v1::Actor& actor);

  // OK unless the caller is an agency and `case_id` is not placed with it.
  absl::Status CheckCase(const collections::v1::Actor& actor,
                         const std::string& case_id) const;
  // OK unless the caller is an agency other than `agency_id`.
  absl::Status CheckAgency(const collections::v1::Actor& actor,
                           const std::string& agency_id) const;
  // OK unless the caller is an agency: for `method`, which agencies never
  // call.
  absl::Status DenyAgency(const collections::v1::Actor& actor,
                          absl::string_view method) const;

 private:
  CaseCommandHandler* const commands_;
};

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_AGENCY_ACCESS_H_
