// NATS nkeys (the user credentials of cluster mode's NATS connection): an
// Ed25519 key pair written as NATS writes it — base32 (RFC 4648, no
// padding) of a prefix byte, the 32-byte key and a CRC-16 (XMODEM,
// little-endian). A user's seed reads "SU…", its public key "U…". The
// NATS servers' configuration names the public key; the node keeps the
// seed in a file (--cluster_nats_nkey_seed_file) and proves it holds it by
// signing the server's nonce (libnats does that from the file).
//
// Thread safety: plain functions, no shared state.
#ifndef COLLECTIONS_STORAGE_NATS_NKEYS_H_
#define COLLECTIONS_STORAGE_NATS_NKEYS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace collections::storage {

struct NatsUserNKey {
  std::string seed;        // "SU…": the secret
  std::string public_key;  // "U…": what the servers' configuration names
};

// A fresh random user nkey (tests, and operators without NATS's nk tool).
absl::StatusOr<NatsUserNKey> NewNatsUserNKey();

// The public key of a user seed ("SU…", surrounding whitespace ignored).
// INVALID_ARGUMENT when it is not a user seed or its checksum is wrong.
absl::StatusOr<std::string> NatsUserPublicKeyOfSeed(absl::string_view seed);

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_NATS_NKEYS_H_
