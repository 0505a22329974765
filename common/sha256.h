// SHA-256 over OpenSSL's EVP interface, plus the hash constructions the log
// stores with every record.
//
//   leaf hash  (RFC 9162 §2.1.1):  SHA-256(0x00 || record bytes)
//   chain hash (ours):             SHA-256(0x02 || previous chain || leaf)
//                                  previous chain of a stream's first event
//                                  is 32 zero bytes.
//
// The 0x02 prefix keeps chain hashes out of the domain of RFC 9162's leaf
// (0x00) and interior node (0x01) hashes, so no chain value can be passed off
// as a Merkle node or leaf.
//
// Thread safety: Sha256 objects are not shared; the free functions are safe.
#ifndef COLLECTIONS_COMMON_SHA256_H_
#define COLLECTIONS_COMMON_SHA256_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept out of this header

namespace collections {

using Sha256Digest = std::array<uint8_t, 32>;

inline constexpr uint8_t kLeafHashPrefix = 0x00;
inline constexpr uint8_t kNodeHashPrefix = 0x01;
inline constexpr uint8_t kChainHashPrefix = 0x02;

// An incremental SHA-256. Movable, not copyable. Aborts only if OpenSSL
// cannot allocate a context (out of memory), a broken invariant.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&& other) noexcept;
  Sha256& operator=(Sha256&& other) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Sha256& Update(absl::string_view bytes);
  Sha256& Update(const Sha256Digest& digest);
  Sha256& UpdateByte(uint8_t byte);
  // Returns the digest. The object must not be used afterwards.
  Sha256Digest Finish();

 private:
  ::evp_md_ctx_st* ctx_;
};

Sha256Digest Sha256Of(absl::string_view bytes);

// SHA-256(0x00 || record).
Sha256Digest LeafHash(absl::string_view record);

// SHA-256(0x02 || previous || leaf).
Sha256Digest ChainHash(const Sha256Digest& previous, const Sha256Digest& leaf);

// SHA-256(0x01 || left || right): an RFC 9162 interior node.
Sha256Digest NodeHash(const Sha256Digest& left, const Sha256Digest& right);

// Lower-case hex, 64 characters.
std::string ToHex(const Sha256Digest& digest);

// The digest held by exactly 32 bytes; false for any other length.
bool DigestFromBytes(absl::string_view bytes, Sha256Digest* out);

inline absl::string_view AsBytes(const Sha256Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

}  // namespace collections

#endif  // COLLECTIONS_COMMON_SHA256_H_
