#include "services/security/recipient_sealing.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/sha256.h"
#include "openssl/evp.h"
#include "openssl/kdf.h"
#include "openssl/pem.h"
#include "services/security/personal_data.h"

namespace collections::security {
namespace {

constexpr size_t kKeyBytes = 32;
constexpr size_t kNonceBytes = 12;

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

absl::StatusOr<Pkey> ReadPem(absl::string_view pem, bool private_key) {
  std::unique_ptr<BIO, BioFree> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return absl::InternalError("no memory for a PEM");
  Pkey key(private_key
               ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
               : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "not a PEM ", private_key ? "private" : "public", " key (\"-----BEGIN ",
        private_key ? "PRIVATE" : "PUBLIC", " KEY-----\")"));
  }
  if (EVP_PKEY_id(key.get()) != EVP_PKEY_X25519) {
    return absl::InvalidArgumentError(
        absl::StrCat("the key is ", OBJ_nid2sn(EVP_PKEY_id(key.get())),
                     ", not X25519 (openssl genpkey -algorithm X25519)"));
  }
  return key;
}

std::string RawPublic(EVP_PKEY* key) {
  std::string raw(kKeyBytes, '\0');
  size_t size = raw.size();
  if (EVP_PKEY_get_raw_public_key(
          key, reinterpret_cast<unsigned char*>(raw.data()), &size) != 1 ||
      size != kKeyBytes) {
    return "";
  }
  return raw;
}

absl::StatusOr<std::string> Derive(EVP_PKEY* own, EVP_PKEY* peer) {
  PkeyCtx ctx(EVP_PKEY_CTX_new(own, nullptr));
  std::string shared(kKeyBytes, '\0');
  size_t size = shared.size();
  if (ctx == nullptr || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer) != 1 ||
      EVP_PKEY_derive(ctx.get(),
                      reinterpret_cast<unsigned char*>(shared.data()),
                      &size) != 1 ||
      size != kKeyBytes) {
    return absl::InternalError("X25519 key agreement failed");
  }
  return shared;
}

absl::StatusOr<std::string> Hkdf(absl::string_view ikm, absl::string_view salt,
                                 absl::string_view info, size_t length) {
  PkeyCtx ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr));
  std::string out(length, '\0');
  size_t size = length;
  if (ctx == nullptr || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set1_hkdf_salt(ctx.get(), Bytes(salt),
                                  static_cast<int>(salt.size())) != 1 ||
      EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), Bytes(ikm),
                                 static_cast<int>(ikm.size())) != 1 ||
      EVP_PKEY_CTX_add1_hkdf_info(ctx.get(), Bytes(info),
                                  static_cast<int>(info.size())) != 1 ||
      EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()),
                      &size) != 1 ||
      size != length) {
    return absl::InternalError("HKDF-SHA256 failed");
  }
  return out;
}

// key ‖ nonce for one ephemeral/recipient pair.
absl::StatusOr<std::string> KeyAndNonce(absl::string_view shared,
                                        absl::string_view ephemeral_public,
                                        absl::string_view recipient_public) {
  return Hkdf(shared, absl::StrCat(ephemeral_public, recipient_public),
              kRecipientSealingInfo, kKeyBytes + kNonceBytes);
}

}  // namespace

absl::StatusOr<std::string> X25519PublicKeyFromPem(absl::string_view pem) {
  absl::StatusOr<Pkey> key = ReadPem(pem, /*private_key=*/false);
  if (!key.ok()) return key.status();
  std::string raw = RawPublic(key->get());
  if (raw.empty())
    return absl::InvalidArgumentError("an unreadable X25519 key");
  return raw;
}

std::string PublicKeyFingerprint(absl::string_view raw_public_key) {
  return ToHex(Sha256Of(raw_public_key));
}

absl::StatusOr<RecipientSealed> SealToRecipient(
    absl::string_view recipient_public_key, absl::string_view plaintext,
    absl::string_view associated_data, absl::string_view seed) {
  if (recipient_public_key.size() != kKeyBytes) {
    return absl::InvalidArgumentError("an X25519 public key is 32 bytes");
  }
  if (seed.size() < kKeyBytes) {
    return absl::InvalidArgumentError("the seed is shorter than 32 bytes");
  }
  absl::StatusOr<std::string> ephemeral_private =
      Hkdf(seed, recipient_public_key,
           "collections.v1.sealed-personal/ephemeral", kKeyBytes);
  if (!ephemeral_private.ok()) return ephemeral_private.status();
  Pkey ephemeral(EVP_PKEY_new_raw_private_key(
      EVP_PKEY_X25519, nullptr, Bytes(*ephemeral_private), kKeyBytes));
  Pkey recipient(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_X25519, nullptr, Bytes(recipient_public_key), kKeyBytes));
  if (ephemeral == nullptr || recipient == nullptr) {
    return absl::InternalError("X25519 keys could not be made");
  }
  RecipientSealed sealed;
  sealed.ephemeral_public_key = RawPublic(ephemeral.get());
  absl::StatusOr<std::string> shared = Derive(ephemeral.get(), recipient.get());
  if (!shared.ok()) return shared.status();
  absl::StatusOr<std::string> key_nonce =
      KeyAndNonce(*shared, sealed.ephemeral_public_key, recipient_public_key);
  if (!key_nonce.ok()) return key_nonce.status();
  sealed.nonce = key_nonce->substr(kKeyBytes);
  absl::StatusOr<std::string> ciphertext =
      AesGcmSealWithNonce(key_nonce->substr(0, kKeyBytes), sealed.nonce,
                          plaintext, associated_data);
  if (!ciphertext.ok()) return ciphertext.status();
  sealed.ciphertext = *std::move(ciphertext);
  return sealed;
}

absl::StatusOr<std::string> OpenAsRecipient(absl::string_view private_key_pem,
                                            const RecipientSealed& sealed,
                                            absl::string_view associated_data) {
  absl::StatusOr<Pkey> own = ReadPem(private_key_pem, /*private_key=*/true);
  if (!own.ok()) return own.status();
  if (sealed.ephemeral_public_key.size() != kKeyBytes) {
    return absl::DataLossError("the ephemeral public key is not 32 bytes");
  }
  Pkey ephemeral(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_X25519, nullptr, Bytes(sealed.ephemeral_public_key), kKeyBytes));
  if (ephemeral == nullptr) {
    return absl::DataLossError("the ephemeral public key is unreadable");
  }
  absl::StatusOr<std::string> shared = Derive(own->get(), ephemeral.get());
  if (!shared.ok()) return shared.status();
  absl::StatusOr<std::string> key_nonce =
      KeyAndNonce(*shared, sealed.ephemeral_public_key, RawPublic(own->get()));
  if (!key_nonce.ok()) return key_nonce.status();
  absl::StatusOr<std::string> plaintext =
      AesGcmOpen(key_nonce->substr(0, kKeyBytes), sealed.nonce,
                 sealed.ciphertext, associated_data);
  if (!plaintext.ok()) {
    return absl::DataLossError(
        "the sealed personal data does not open with this key: not sealed "
        "to it, or tampered");
  }
  return plaintext;
}

}  // namespace collections::security
