#include "storage/nats_nkeys.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdint>
#include <memory>

#include "absl/strings/ascii.h"

namespace collections::storage {
namespace {

constexpr char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr uint8_t kPrefixSeed = 18 << 3;  // 'S'
constexpr uint8_t kPrefixUser = 20 << 3;  // 'U'

// CRC-16/XMODEM (polynomial 0x1021, initial 0), as nkeys computes it.
uint16_t Crc16(const std::string& bytes) {
  uint16_t crc = 0;
  for (unsigned char byte : bytes) {
    crc ^= static_cast<uint16_t>(byte) << 8;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021)
                           : static_cast<uint16_t>(crc << 1);
  }
  return crc;
}

std::string Base32(const std::string& bytes) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kBase32[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kBase32[(buffer << (5 - bits)) & 31]);
  return out;
}

bool FromBase32(absl::string_view text, std::string* bytes) {
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int value;
    if (c >= 'A' && c <= 'Z') {
      value = c - 'A';
    } else if (c >= '2' && c <= '7') {
      value = c - '2' + 26;
    } else {
      return false;
    }
    buffer = (buffer << 5) | static_cast<uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      bytes->push_back(static_cast<char>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  return true;
}

// The key with its prefix bytes and checksum, base32.
std::string Encode(const std::string& prefix, const std::string& key) {
  std::string raw = prefix + key;
  const uint16_t crc = Crc16(raw);
  raw.push_back(static_cast<char>(crc & 0xff));
  raw.push_back(static_cast<char>(crc >> 8));
  return Base32(raw);
}

std::string UserSeedPrefix() {
  return {static_cast<char>(kPrefixSeed | (kPrefixUser >> 5)),
          static_cast<char>((kPrefixUser & 31) << 3)};
}

absl::StatusOr<std::string> PublicOfRawSeed(const std::string& seed) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_private_key(
          EVP_PKEY_ED25519, nullptr,
          reinterpret_cast<const unsigned char*>(seed.data()), seed.size()),
      &EVP_PKEY_free);
  std::string raw(32, '\0');
  size_t length = raw.size();
  if (key == nullptr ||
      EVP_PKEY_get_raw_public_key(key.get(),
                                  reinterpret_cast<unsigned char*>(raw.data()),
                                  &length) != 1 ||
      length != 32) {
    return absl::InternalError("nkey: cannot derive the Ed25519 public key");
  }
  return Encode(std::string(1, static_cast<char>(kPrefixUser)), raw);
}

}  // namespace

absl::StatusOr<NatsUserNKey> NewNatsUserNKey() {
  std::string seed(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(seed.data()), 32) != 1)
    return absl::InternalError("nkey: no randomness");
  NatsUserNKey nkey;
  nkey.seed = Encode(UserSeedPrefix(), seed);
  absl::StatusOr<std::string> public_key = PublicOfRawSeed(seed);
  if (!public_key.ok()) return public_key.status();
  nkey.public_key = *std::move(public_key);
  return nkey;
}

absl::StatusOr<std::string> NatsUserPublicKeyOfSeed(absl::string_view seed) {
  seed = absl::StripAsciiWhitespace(seed);
  std::string raw;
  if (!FromBase32(seed, &raw) || raw.size() != 2 + 32 + 2) {
    return absl::InvalidArgumentError("nkey: not a NATS user seed (SU…)");
  }
  const std::string body = raw.substr(0, 34);
  const uint16_t crc =
      static_cast<uint16_t>(static_cast<unsigned char>(raw[34]) |
                            (static_cast<unsigned char>(raw[35]) << 8));
  if (body.substr(0, 2) != UserSeedPrefix()) {
    return absl::InvalidArgumentError("nkey: not a NATS user seed (SU…)");
  }
  if (Crc16(body) != crc) {
    return absl::InvalidArgumentError("nkey: the seed's checksum is wrong");
  }
  return PublicOfRawSeed(body.substr(2));
}

}  // namespace collections::storage
