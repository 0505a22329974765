#include "services/security/gatekeeper.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/security/certificates.h"
#include "services/security/permissions.h"
#include "services/security/request_limits.h"

namespace collections::security {

namespace v1 = ::collections::v1;

namespace {

// "ipv4:10.0.0.7:51234" → "ipv4:10.0.0.7"; "ipv6:[::1]:5" → "ipv6:[::1]".
std::string PeerHost(absl::string_view peer) {
  const size_t colon = peer.rfind(':');
  const size_t scheme = peer.find(':');
  if (colon == absl::string_view::npos || colon == scheme)
    return std::string(peer);
  return std::string(peer.substr(0, colon));
}

}  // namespace

Gatekeeper::Gatekeeper(GatekeeperOptions options)
    : options_(std::move(options)),
      identities_(std::make_unique<WatchedIdentities>(
          options_.identities, options_.identities_file, options_.clock,
          options_.identities_check_every)),
      limiter_(options_.rate_limit_per_second, options_.rate_limit_burst,
               options_.clock) {}

absl::Status Gatekeeper::CheckIssuer(const Principal& principal,
                                     const std::string& pem) const {
  if (options_.agency_ca_pem.empty()) return absl::OkStatus();
  const bool agency = absl::StartsWith(principal.role, "agency:");
  absl::StatusOr<bool> by_agency_ca = IssuedBy(pem, options_.agency_ca_pem);
  if (!by_agency_ca.ok()) {
    return absl::UnauthenticatedError(absl::StrCat(
        "the client certificate cannot be checked against the agency CA: ",
        by_agency_ca.status().message()));
  }
  if (agency && !*by_agency_ca) {
    return absl::UnauthenticatedError(
        absl::StrCat("principal ", principal.id,
                     " is an agency: its certificate must be "
                     "issued by the agency CA"));
  }
  if (!agency && *by_agency_ca) {
    return absl::UnauthenticatedError(
        absl::StrCat("the agency CA issued this certificate, but principal ",
                     principal.id, " is not an agency (", principal.role, ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Actor> Gatekeeper::Authenticate(
    const Credentials& credentials) const {
  v1::Actor actor;
  const std::shared_ptr<const Identities> identities = identities_->Current();
  if (!credentials.bearer_token.empty()) {
    std::optional<Principal> principal =
        identities->ForToken(credentials.bearer_token);
    if (!principal.has_value()) {
      return absl::UnauthenticatedError("the bearer token is not known");
    }
    actor.set_id(principal->id);
    actor.set_role(principal->role);
    return actor;
  }
  if (!credentials.certificate_names.empty()) {
    absl::StatusOr<std::optional<Principal>> principal =
        identities->ForCertificate(credentials.certificate_names);
    if (!principal.ok()) return principal.status();
    if (!principal->has_value()) {
      return absl::UnauthenticatedError(
          absl::StrCat("the client certificate (",
                       absl::StrJoin(credentials.certificate_names, ", "),
                       ") is not a known identity"));
    }
    absl::Status issuer = CheckIssuer(**principal, credentials.certificate_pem);
    if (!issuer.ok()) return issuer;
    actor.set_id((*principal)->id);
    actor.set_role((*principal)->role);
    return actor;
  }
  if (options_.plaintext_development) {
    actor.set_id(credentials.claimed_id.empty() ? "anonymous"
                                                : credentials.claimed_id);
    // Whoever runs a development server is its administrator.
    actor.set_role(credentials.claimed_role.empty() ? "admin"
                                                    : credentials.claimed_role);
    if (!IsKnownRole(actor.role())) {
      return absl::UnauthenticatedError(
          absl::StrCat("x-actor-role '", actor.role(), "' is not a role"));
    }
    return actor;
  }
  return absl::UnauthenticatedError(
      "no credentials: present a client certificate or a bearer token");
}

absl::StatusOr<v1::Actor> Gatekeeper::Admit(
    const Credentials& credentials, absl::string_view method,
    const google::protobuf::Message* request) {
  absl::StatusOr<v1::Actor> actor = Authenticate(credentials);
  if (!actor.ok()) {
    if (absl::Status limited = limiter_.Admit(
            absl::StrCat("unauthenticated@", PeerHost(credentials.peer)));
        !limited.ok())
      return limited;
    return actor.status();
  }
  if (absl::Status limited = limiter_.Admit(actor->id()); !limited.ok())
    return limited;
  if (absl::Status allowed = Authorize(actor->role(), method); !allowed.ok())
    return allowed;
  if (request != nullptr) {
    if (absl::Status checked = CheckRequestLimits(*request); !checked.ok())
      return checked;
  }
  return actor;
}

}  // namespace collections::security
