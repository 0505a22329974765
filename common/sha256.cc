#include "common/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/strings/escaping.h"

namespace collections {
namespace {

// SHA-256 fetched once: EVP_sha256() makes OpenSSL 3 look the algorithm up
// again on every init, a measurable share of hashing 65 bytes.
const EVP_MD* Sha256Algorithm() {
  static const EVP_MD* const md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
  }();
  return md;
}

// SHA-256(prefix || a || b) for the fixed-size constructions (chain and
// tree nodes), hashed millions of times on the append path: a context per
// thread, reused, instead of one allocated per hash.
Sha256Digest HashOfTwo(uint8_t prefix, const Sha256Digest& a,
                       const Sha256Digest& b) {
  thread_local struct Context {
    Context() : ctx(EVP_MD_CTX_new()) {
      if (ctx == nullptr) std::abort();
    }
    ~Context() { EVP_MD_CTX_free(ctx); }
    EVP_MD_CTX* ctx;
  } context;
  Sha256Digest out;
  unsigned int len = 0;
  if (EVP_DigestInit_ex(context.ctx, Sha256Algorithm(), nullptr) != 1 ||
      EVP_DigestUpdate(context.ctx, &prefix, 1) != 1 ||
      EVP_DigestUpdate(context.ctx, a.data(), a.size()) != 1 ||
      EVP_DigestUpdate(context.ctx, b.data(), b.size()) != 1 ||
      EVP_DigestFinal_ex(context.ctx, out.data(), &len) != 1) {
    std::abort();  // cannot fail for SHA-256 short of memory corruption
  }
  return out;
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr ||
      EVP_DigestInit_ex(ctx_, Sha256Algorithm(), nullptr) != 1) {
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
  return HashOfTwo(kChainHashPrefix, previous, leaf);
}

Sha256Digest NodeHash(const Sha256Digest& left, const Sha256Digest& right) {
  return HashOfTwo(kNodeHashPrefix, left, right);
}

std::string ToHex(const Sha256Digest& digest) {
  return absl::BytesToHexString(AsBytes(digest));
}

bool DigestFromBytes(absl::string_view bytes, Sha256Digest* out) {
  if (bytes.size() != out->size()) return false;
  std::memcpy(out->data(), bytes.data(), bytes.size());
  return true;
}

}  // namespace collections
