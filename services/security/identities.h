// The principals the server knows: who a client certificate or a bearer
// token is, and in which role. Loaded from a text file, one per line:
//
//   # kind  credential                            id            role
//   cert    dns:anna.collector.example.com        anna          collector
//   token   sha256:9f86d0…(64 hex)                billing       service
//   cert    uri:spiffe://collections.example/agency/incasso-noord
//                                                 incasso-noord
//                                                 agency:incasso-noord
// (one line each; wrapped here)
//
// `cert` names one typed name of the certificate: `uri:<URI SAN>` (a
// SPIFFE id such as uri:spiffe://collections.example/agency/incasso-noord:
// the recommended form), `dns:<DNS SAN>`, `email:<e-mail SAN>` or
// `cn:<subject CN>`. An untyped name (the older form) matches the CN or
// any SAN with that value. A certificate whose names match two principals
// is refused (ForCertificate), never mapped to the first. `token` holds the
// SHA-256 of the bearer token (never the token itself: the file then
// grants nothing to a reader). Blank lines and lines starting with '#' are
// skipped.
//
// WatchedIdentities re-reads the file when it changes, so revoking a
// principal (deleting its line) takes effect without a restart.
//
// Thread safety: Identities is immutable after Load; WatchedIdentities may
// be used from any thread.
#ifndef COLLECTIONS_SERVICES_SECURITY_IDENTITIES_H_
#define COLLECTIONS_SERVICES_SECURITY_IDENTITIES_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "services/observability/json_log.h"

namespace collections::security {

struct Principal {
  std::string id;
  std::string role;
};

class Identities {
 public:
  Identities() = default;  // knows no one
  // INVALID_ARGUMENT naming the line for a malformed entry, an unknown
  // role or a credential listed twice; NOT_FOUND for a missing file.
  static absl::StatusOr<Identities> Parse(absl::string_view text);
  static absl::StatusOr<Identities> Load(const std::string& path);

  // The principal of a certificate with the typed `names` ("cn:…",
  // "dns:…", "uri:…", "email:…"); nullopt when none is listed;
  // UNAUTHENTICATED when its names match two different principals.
  absl::StatusOr<std::optional<Principal>> ForCertificate(
      const std::vector<std::string>& names) const;
  // The principal whose token hashes to the listed SHA-256.
  std::optional<Principal> ForToken(absl::string_view token) const;

  bool empty() const { return certs_.empty() && tokens_.empty(); }

 private:
  absl::flat_hash_map<std::string, Principal> certs_;
  absl::flat_hash_map<std::string, Principal> tokens_;  // by SHA-256 hex
};

// The identities of a file, re-read when its modification time, size or
// inode changes, checked at most once per `check_every` on the calling
// path. A file that no longer parses is logged and the last good
// identities stay in force (a typo must not lock everyone out, nor let
// anyone in).
class WatchedIdentities {
 public:
  // `path` empty: `initial` forever.
  WatchedIdentities(
      Identities initial, std::string path, const Clock* clock,
      absl::Duration check_every = absl::Seconds(1),
      observability::JsonLog* log = observability::JsonLog::Stderr());

  std::shared_ptr<const Identities> Current();

 private:
  struct Stamp {
    int64_t mtime_ns = 0;
    int64_t size = -1;
    uint64_t inode = 0;
    bool operator==(const Stamp&) const = default;
  };
  static Stamp StampOf(const std::string& path);

  const std::string path_;
  const Clock* const clock_;
  const absl::Duration check_every_;
  observability::JsonLog* const log_;
  absl::Mutex mu_;
  std::shared_ptr<const Identities> current_ ABSL_GUARDED_BY(mu_);
  Stamp stamp_ ABSL_GUARDED_BY(mu_);
  absl::Time next_check_ ABSL_GUARDED_BY(mu_);
};

}  // namespace collections::security

#endif  // COLLECTIONS_SERVICES_SECURITY_IDENTITIES_H_
