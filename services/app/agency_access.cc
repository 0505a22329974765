#include "services/app/agency_access.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace collections::app {

namespace {
constexpr absl::string_view kAgencyRolePrefix = "agency:";
}  // namespace

std::string AgencyAccess::AgencyOf(const collections::v1::Actor& actor) {
  absl::string_view role = actor.role();
  if (!absl::ConsumePrefix(&role, kAgencyRolePrefix)) return "";
  return std::string(role);
}

absl::Status AgencyAccess::CheckCase(const collections::v1::Actor& actor,
                                     const std::string& case_id) const {
  const std::string agency = AgencyOf(actor);
  if (agency.empty()) return absl::OkStatus();
  absl::StatusOr<domain::CaseState> state = cases_->Load(case_id);
  if (!state.ok()) return state.status();
  if (!state->exists || state->agency_id != agency) {
    return absl::PermissionDeniedError(
        absl::StrCat("case ", case_id, " is not placed with agency ", agency));
  }
  return absl::OkStatus();
}

absl::Status AgencyAccess::CheckAgency(const collections::v1::Actor& actor,
                                       const std::string& agency_id) const {
  const std::string agency = AgencyOf(actor);
  if (agency.empty() || agency == agency_id) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("agency ", agency, " may not act for agency ", agency_id));
}

}  // namespace collections::app
