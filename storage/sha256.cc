#include "storage/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/strings/escaping.h"

namespace collections::storage {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
    std::abort();  // out of memory: nothing sensible to return
  }
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

Sha256::Sha256(Sha256&& other) noexcept
    : ctx_(std::exchange(other.ctx_, nullptr)) {}

Sha256& Sha256::operator=(Sha256&& other) noexcept {
  if (this != &other) {
    EVP_MD_CTX_free(ctx_);
    ctx_ = std::exchange(other.ctx_, nullptr);
  }
  return *this;
}

Sha256& Sha256::Update(absl::string_view bytes) {
  EVP_DigestUpdate(ctx_, bytes.data(), bytes.size());
  return *this;
}

Sha256& Sha256::Update(const Sha256Digest& digest) {
  EVP_DigestUpdate(ctx_, digest.data(), digest.size());
  return *this;
}

Sha256& Sha256::UpdateByte(uint8_t byte) {
  EVP_DigestUpdate(ctx_, &byte, 1);
  return *this;
}

Sha256Digest Sha256::Finish() {
  Sha256Digest out;
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_, out.data(), &len);
  return out;
}

Sha256Digest Sha256Of(absl::string_view bytes) {
  return Sha256().Update(bytes).Finish();
}

Sha256Digest LeafHash(absl::string_view record) {
  return Sha256().UpdateByte(kLeafHashPrefix).Update(record).Finish();
}

Sha256Digest ChainHash(const Sha256Digest& previous, const Sha256Digest& leaf) {
  return Sha256()
      .UpdateByte(kChainHashPrefix)
      .Update(previous)
      .Update(leaf)
      .Finish();
}

std::string ToHex(const Sha256Digest& digest) {
  return absl::BytesToHexString(AsBytes(digest));
}

bool DigestFromBytes(absl::string_view bytes, Sha256Digest* out) {
  if (bytes.size() != out->size()) return false;
  std::memcpy(out->data(), bytes.data(), bytes.size());
  return true;
}

}  // namespace collections::storage
