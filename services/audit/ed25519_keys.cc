#include "services/audit/ed25519_keys.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/secret_files.h"
#include "common/sha256.h"
#include "common/status_macros.h"

namespace collections::audit {
namespace internal {
void PkeyDeleter::operator()(::evp_pkey_st* key) const { EVP_PKEY_free(key); }
}  // namespace internal

namespace {

using internal::PkeyPtr;

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// OpenSSL's newest error, for messages.
std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  if (code == 0) return "no OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  ERR_clear_error();
  return buf;
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

absl::StatusOr<std::string> RawPublicKey(EVP_PKEY* key) {
  if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
    return absl::InvalidArgumentError("the key is not an Ed25519 key");
  }
  std::string raw(32, '\0');
  size_t size = raw.size();
  if (EVP_PKEY_get_raw_public_key(
          key, reinterpret_cast<unsigned char*>(raw.data()), &size) != 1 ||
      size != 32) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read the public key: ", OpenSslError()));
  }
  return raw;
}

}  // namespace

VerifyingKey::VerifyingKey(PkeyPtr key, std::string raw)
    : key_(key.release(), internal::PkeyDeleter()), raw_(std::move(raw)) {}

absl::StatusOr<VerifyingKey> VerifyingKey::FromPem(absl::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a PEM public key: ", OpenSslError()));
  }
  COLLECTIONS_ASSIGN_OR_RETURN(std::string raw, RawPublicKey(key.get()));
  return VerifyingKey(std::move(key), std::move(raw));
}

absl::StatusOr<VerifyingKey> VerifyingKey::FromRaw(absl::string_view raw) {
  if (raw.size() != 32) {
    return absl::InvalidArgumentError(
        absl::StrCat("an Ed25519 public key is 32 bytes, not ", raw.size()));
  }
  PkeyPtr key(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr,
      reinterpret_cast<const unsigned char*>(raw.data()), raw.size()));
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("not an Ed25519 public key: ", OpenSslError()));
  }
  return VerifyingKey(std::move(key), std::string(raw));
}

bool VerifyingKey::Verify(absl::string_view message,
                          absl::string_view signature) const {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr,
                                             nullptr, key_.get()) != 1) {
    ERR_clear_error();
    return false;
  }
  const int verified = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
      signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
      message.size());
  ERR_clear_error();
  return verified == 1;
}

std::string VerifyingKey::Pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), key_.get());
  return BioContents(bio.get());
}

std::string VerifyingKey::Fingerprint() const { return ToHex(Sha256Of(raw_)); }

SigningKey::SigningKey(PkeyPtr key, VerifyingKey public_key)
    : key_(key.release(), internal::PkeyDeleter()),
      public_key_(std::move(public_key)) {}

absl::StatusOr<SigningKey> SigningKey::FromPrivateKey(PkeyPtr key) {
  COLLECTIONS_ASSIGN_OR_RETURN(std::string raw, RawPublicKey(key.get()));
  COLLECTIONS_ASSIGN_OR_RETURN(VerifyingKey public_key,
                               VerifyingKey::FromRaw(raw));
  return SigningKey(std::move(key), std::move(public_key));
}

absl::StatusOr<SigningKey> SigningKey::Generate() {
  EVP_PKEY* raw_key = nullptr;
  std::unique_ptr<EVP_PKEY_CTX, void (*)(EVP_PKEY_CTX*)> ctx(
      EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr), EVP_PKEY_CTX_free);
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_keygen(ctx.get(), &raw_key) != 1) {
    return absl::InternalError(
        absl::StrCat("cannot generate an Ed25519 key: ", OpenSslError()));
  }
  return FromPrivateKey(PkeyPtr(raw_key));
}

absl::StatusOr<SigningKey> SigningKey::FromPem(absl::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a PEM private key: ", OpenSslError()));
  }
  return FromPrivateKey(std::move(key));
}

absl::StatusOr<SigningKey> SigningKey::LoadOrCreate(const std::string& path,
                                                    bool create_if_missing) {
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                               ReadSecretFile(path, "signing key"));
  if (stored.has_value()) {
    absl::StatusOr<SigningKey> key = FromPem(*stored);
    if (!key.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("the signing key file ", path,
                       " is unusable: ", key.status().message()));
    }
    return key;
  }
  if (!create_if_missing) {
    return absl::NotFoundError(absl::StrCat("no signing key file ", path));
  }
  COLLECTIONS_ASSIGN_OR_RETURN(SigningKey key, Generate());
  absl::Status created =
      CreateSecretFile(path, key.PrivatePem(), "signing key");
  if (absl::IsAlreadyExists(created))  // another process made it first
    return LoadOrCreate(path, /*create_if_missing=*/false);
  COLLECTIONS_RETURN_IF_ERROR(created);
  return key;
}

std::string SigningKey::Sign(absl::string_view message) const {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  std::string signature(64, '\0');
  size_t size = signature.size();
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) !=
          1 ||
      EVP_DigestSign(ctx.get(),
                     reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1) {
    // Ed25519 signing fails only on allocation failure: a broken invariant.
    std::fprintf(stderr, "Ed25519 signing failed: %s\n",
                 OpenSslError().c_str());
    std::abort();
  }
  signature.resize(size);
  return signature;
}

std::string SigningKey::PrivatePem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr,
                           nullptr);
  return BioContents(bio.get());
}

}  // namespace collections::audit
