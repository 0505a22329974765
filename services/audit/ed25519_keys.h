// Ed25519 keys for signing tree heads, over OpenSSL's EVP interface.
//
// The private key is a PEM (PKCS#8) file: in the data directory, created on
// the first start with mode 0600, or a file the operator configures. The
// public key is exported as PEM (SubjectPublicKeyInfo); its fingerprint is
// the hex SHA-256 of the raw 32-byte key, and is what bundles and heads name.
//
// Thread safety: both classes are immutable after construction; Sign and
// Verify may be called from any thread.
#ifndef COLLECTIONS_SERVICES_AUDIT_ED25519_KEYS_H_
#define COLLECTIONS_SERVICES_AUDIT_ED25519_KEYS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace collections::audit {

namespace internal {
struct PkeyDeleter {
  void operator()(::evp_pkey_st* key) const;
};
using PkeyPtr = std::unique_ptr<::evp_pkey_st, PkeyDeleter>;
}  // namespace internal

// A public key: verifies signatures.
class VerifyingKey {
 public:
  // INVALID_ARGUMENT unless `pem` is an Ed25519 SubjectPublicKeyInfo.
  static absl::StatusOr<VerifyingKey> FromPem(absl::string_view pem);
  // INVALID_ARGUMENT unless `raw` is 32 bytes.
  static absl::StatusOr<VerifyingKey> FromRaw(absl::string_view raw);

  // True when `signature` is this key's Ed25519 signature of `message`.
  bool Verify(absl::string_view message, absl::string_view signature) const;

  const std::string& raw() const { return raw_; }
  std::string Pem() const;
  std::string Fingerprint() const;  // hex SHA-256 of raw()

 private:
  VerifyingKey(internal::PkeyPtr key, std::string raw);
  std::shared_ptr<::evp_pkey_st> key_;
  std::string raw_;
};

// A private key: signs.
class SigningKey {
 public:
  // A fresh random key.
  static absl::StatusOr<SigningKey> Generate();
  // The key in PEM file `path`. With `create_if_missing`, a missing file is
  // created with a fresh key (mode 0600, written to a temporary name and
  // renamed, so a crash never leaves half a key). NOT_FOUND when missing and
  // not created; INVALID_ARGUMENT when the file is not an Ed25519 key.
  static absl::StatusOr<SigningKey> LoadOrCreate(const std::string& path,
                                                 bool create_if_missing);
  static absl::StatusOr<SigningKey> FromPem(absl::string_view pem);

  // The 64-byte Ed25519 signature of `message`.
  std::string Sign(absl::string_view message) const;
  std::string PrivatePem() const;
  const VerifyingKey& public_key() const { return public_key_; }

 private:
  SigningKey(internal::PkeyPtr key, VerifyingKey public_key);
  static absl::StatusOr<SigningKey> FromPrivateKey(internal::PkeyPtr key);
  std::shared_ptr<::evp_pkey_st> key_;
  VerifyingKey public_key_;
};

}  // namespace collections::audit

#endif  // COLLECTIONS_SERVICES_AUDIT_ED25519_KEYS_H_
