// AgencyAccess: the scope of an agency caller (role "agency:<id>") within
// the methods the permission table (services/security/permissions.h) lets
// it call: it reads and reports on the cases placed with it now, takes its
// own deliveries and packages, and imports its own return files. Every
// other role passes here.
//
// Refusals are PERMISSION_DENIED; an unknown case is refused the same way
// as another agency's, so an agency learns nothing of cases it does not
// hold.
//
// Thread safety: all methods may be called concurrently; `cases` must
// outlive the object.
#ifndef COLLECTIONS_SERVICES_APP_AGENCY_ACCESS_H_
#define COLLECTIONS_SERVICES_APP_AGENCY_ACCESS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "collections/v1/events.pb.h"
#include "services/app/case_reader.h"

namespace collections::app {

class AgencyAccess {
 public:
  explicit AgencyAccess(CaseReader* cases) : cases_(cases) {}

  // The agency id of an agency caller; "" for any other role.
  static std::string AgencyOf(const collections::v1::Actor& actor);

  // OK unless the caller is an agency and `case_id` is not placed with it.
  absl::Status CheckCase(const collections::v1::Actor& actor,
                         const std::string& case_id) const;
  // OK unless the caller is an agency other than `agency_id`.
  absl::Status CheckAgency(const collections::v1::Actor& actor,
                           const std::string& agency_id) const;

 private:
  CaseReader* const cases_;
};

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_AGENCY_ACCESS_H_
