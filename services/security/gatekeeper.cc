#include "services/security/gatekeeper.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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
      limiter_(options_.rate_limit_per_second, options_.rate_limit_burst,
               options_.clock) {}

absl::StatusOr<v1::Actor> Gatekeeper::Authenticate(
    const Credentials& credentials) const {
  v1::Actor actor;
  if (!credentials.bearer_token.empty()) {
    std::optional<Principal> principal =
        options_.identities.ForToken(credentials.bearer_token);
    if (!principal.has_value()) {
      return absl::UnauthenticatedError("the bearer token is not known");
    }
    actor.set_id(principal->id);
    actor.set_role(principal->role);
    return actor;
  }
  if (!credentials.certificate_names.empty()) {
    std::optional<Principal> principal =
        options_.identities.ForCertificate(credentials.certificate_names);
    if (!principal.has_value()) {
      return absl::UnauthenticatedError(
          absl::StrCat("the client certificate (",
                       absl::StrJoin(credentials.certificate_names, ", "),
                       ") is not a known identity"));
    }
    actor.set_id(principal->id);
    actor.set_role(principal->role);
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
