// X.509 checks the transport does not make for us (OpenSSL).
//
// Thread safety: pure functions.
#ifndef COLLECTIONS_SERVICES_SECURITY_CERTIFICATES_H_
#define COLLECTIONS_SERVICES_SECURITY_CERTIFICATES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace collections::security {

// Whether the first certificate of `certificate_pem` was issued directly
// by one of the CA certificates in `ca_pem`: the issuer name is the CA's
// subject and the signature verifies with the CA's key. INVALID_ARGUMENT
// when either cannot be read.
absl::StatusOr<bool> IssuedBy(absl::string_view certificate_pem,
                              absl::string_view ca_pem);

}  // namespace collections::security

#endif  // COLLECTIONS_SERVICES_SECURITY_CERTIFICATES_H_
