// Gatekeeper: the one place every call passes before any use case runs.
// In order:
//   1. who is calling (authentication): a bearer token listed in the
//      identities, else a verified client certificate listed there (one
//      principal per certificate; with an agency CA, agencies' certificates
//      from it and no one else's); in
//      plaintext development mode only, the x-actor-id/x-actor-role the
//      caller claims. Anything else is UNAUTHENTICATED. Over TLS, claimed
//      identities are ignored: the actor recorded on events is always the
//      authenticated one.
//   2. how often (per-caller rate limit): RESOURCE_EXHAUSTED; calls that
//      fail authentication spend from a bucket of their peer host, so an
//      unauthenticated caller is limited too (RESOURCE_EXHAUSTED once it
//      is empty, UNAUTHENTICATED before);
//   3. whether the role may call the method (services/security/
//      permissions.h): PERMISSION_DENIED;
//   4. whether the request is within the input limits
//      (services/security/request_limits.h): INVALID_ARGUMENT naming the
//      field.
//
// Thread safety: Admit may be called concurrently; the options' clock must
// outlive the gatekeeper.
#ifndef COLLECTIONS_SERVICES_SECURITY_GATEKEEPER_H_
#define COLLECTIONS_SERVICES_SECURITY_GATEKEEPER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "collections/v1/events.pb.h"
#include "common/clock.h"
#include "google/protobuf/message.h"
#include "services/security/identities.h"
#include "services/security/rate_limiter.h"

namespace collections::security {

// What a call presents, as the transport saw it.
struct Credentials {
  // The verified client certificate's names, typed: "cn:<subject CN>",
  // "dns:…", "uri:…", "email:…" (mutual TLS); empty without one.
  std::vector<std::string> certificate_names;
  // That certificate, PEM (checked against the agency CA when one is set).
  std::string certificate_pem;
  std::string bearer_token;  // from "authorization: Bearer <token>"
  // x-actor-id / x-actor-role: honoured in plaintext development mode only.
  std::string claimed_id;
  std::string claimed_role;
  // The transport's peer ("ipv4:10.0.0.7:51234"): failed authentications are
  // rate-limited per peer host, so guessing tokens costs time too.
  std::string peer;
};

struct GatekeeperOptions {
  // The server listens without TLS (local development): claimed
  // identities are taken as they come (default: "anonymous", "admin").
  bool plaintext_development = false;
  Identities identities;
  // The file `identities` came from: re-read when it changes (checked at
  // most once per identities_check_every). Empty: `identities` for good.
  std::string identities_file;
  absl::Duration identities_check_every = absl::Seconds(1);
  // The CA of agencies' client certificates (PEM), when they have their
  // own: an agency principal's certificate must be issued by it, and no
  // other principal's may be (a compromised agency CA cannot mint staff).
  std::string agency_ca_pem;
  double rate_limit_per_second = 0;  // per caller; ≤ 0: none
  double rate_limit_burst = 0;
  const Clock* clock = Clock::Real();
};

class Gatekeeper {
 public:
  explicit Gatekeeper(GatekeeperOptions options);

  // The caller of `method`, admitted; `request` is checked when given.
  absl::StatusOr<collections::v1::Actor> Admit(
      const Credentials& credentials, absl::string_view method,
      const google::protobuf::Message* request);

  bool plaintext_development() const { return options_.plaintext_development; }

 private:
  absl::StatusOr<collections::v1::Actor> Authenticate(
      const Credentials& credentials) const;

  // Whether the agency-CA rule holds for `principal` presenting `pem`.
  absl::Status CheckIssuer(const Principal& principal,
                           const std::string& pem) const;

  const GatekeeperOptions options_;
  std::unique_ptr<WatchedIdentities> identities_;
  RateLimiter limiter_;
};

}  // namespace collections::security

#endif  // COLLECTIONS_SERVICES_SECURITY_GATEKEEPER_H_
