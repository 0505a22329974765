// The principals the server knows: who a client certificate or a bearer
// token is, and in which role. Loaded from a text file, one per line:
//
//   # kind  credential                       id               role
//   cert    anna.collector.example.com       anna             collector
//   token   sha256:9f86d0…(64 hex)           billing          service
//   cert    incasso-noord.example.com        incasso-noord agency:incasso-noord
//
// `cert` matches the certificate's subject common name or any of its
// subject alternative names. `token` holds the SHA-256 of the bearer token
// (never the token itself: the file then grants nothing to a reader).
// Blank lines and lines starting with '#' are skipped.
//
// Thread safety: immutable after Load; lookups from any thread.
#ifndef COLLECTIONS_SERVICES_SECURITY_IDENTITIES_H_
#define COLLECTIONS_SERVICES_SECURITY_IDENTITIES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

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

  // The principal of the first of `names` (a certificate's CN and SANs)
  // that is listed.
  std::optional<Principal> ForCertificate(
      const std::vector<std::string>& names) const;
  // The principal whose token hashes to the listed SHA-256.
  std::optional<Principal> ForToken(absl::string_view token) const;

  bool empty() const { return certs_.empty() && tokens_.empty(); }

 private:
  absl::flat_hash_map<std::string, Principal> certs_;
  absl::flat_hash_map<std::string, Principal> tokens_;  // by SHA-256 hex
};

}  // namespace collections::security

#endif  // COLLECTIONS_SERVICES_SECURITY_IDENTITIES_H_
