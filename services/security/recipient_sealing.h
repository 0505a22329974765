// Sealing data to a recipient's public key (issue 25: a placement
// package's personal data, readable by the agency it was built for and no
// one else): X25519 key agreement with an ephemeral key, HKDF-SHA256, and
// AES-256-GCM (OpenSSL EVP).
//
//   shared        = X25519(ephemeral private, recipient public)
//   key ‖ nonce   = HKDF-SHA256(ikm = shared,
//                               salt = ephemeral public ‖ recipient public,
//                               info = kRecipientSealingInfo), 32 + 12 bytes
//   ciphertext    = AES-256-GCM(key, nonce, plaintext, associated data)
//
// Deterministic on purpose: the ephemeral private key is derived from
// `seed` (a secret of the sender's, e.g. derived from the debtor's data
// key), so a package rebuilt from the same inputs is the same bytes — and
// a package cannot be rebuilt once that secret is gone. The same seed must
// never seal two different plaintexts to the same recipient: callers put
// everything that determines the plaintext into the seed's derivation.
//
// Errors: INVALID_ARGUMENT for a key that is not X25519 (naming what it
// is); DATA_LOSS when a sealed value does not open with the key given.
// Thread safety: pure functions.
#ifndef COLLECTIONS_SERVICES_SECURITY_RECIPIENT_SEALING_H_
#define COLLECTIONS_SERVICES_SECURITY_RECIPIENT_SEALING_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace collections::security {

inline constexpr char kRecipientSealingInfo[] =
    "collections.v1.sealed-personal/1";
inline constexpr char kRecipientSealingAlgorithm[] =
    "X25519-HKDF-SHA256-AES-256-GCM";

// The raw 32-byte X25519 public key of a "BEGIN PUBLIC KEY" PEM.
absl::StatusOr<std::string> X25519PublicKeyFromPem(absl::string_view pem);

// Lower-case hex SHA-256 of a raw public key: how packages and disclosure
// records name the key.
std::string PublicKeyFingerprint(absl::string_view raw_public_key);

struct RecipientSealed {
  std::string ephemeral_public_key;  // raw, 32 bytes
  std::string nonce;                 // 12 bytes
  std::string ciphertext;            // the 16-byte tag appended
};

// `seed`: at least 32 secret bytes (see above).
absl::StatusOr<RecipientSealed> SealToRecipient(
    absl::string_view recipient_public_key, absl::string_view plaintext,
    absl::string_view associated_data, absl::string_view seed);

// Opens with the recipient's private key ("BEGIN PRIVATE KEY" PEM, X25519).
absl::StatusOr<std::string> OpenAsRecipient(absl::string_view private_key_pem,
                                            const RecipientSealed& sealed,
                                            absl::string_view associated_data);

}  // namespace collections::security

#endif  // COLLECTIONS_SERVICES_SECURITY_RECIPIENT_SEALING_H_
