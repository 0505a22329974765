// Signed tree heads: a tree size, its root hash and a time, signed with the
// server's Ed25519 key. A head commits the server to the whole log up to
// that size: any event's inclusion and any later head's consistency can be
// proven against it, and verified with the public key alone.
//
// The signature covers TreeHeadSigningInput, a fixed byte layout, never a
// protobuf encoding (which is not canonical):
//   "collections.v1.SignedTreeHead\n" || tree_size:u64 BE ||
//   timestamp_unix_millis:u64 BE || root_hash (32 bytes)
#ifndef COLLECTIONS_SERVICES_AUDIT_SIGNED_TREE_HEAD_H_
#define COLLECTIONS_SERVICES_AUDIT_SIGNED_TREE_HEAD_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "collections/v1/audit.pb.h"
#include "common/clock.h"
#include "common/sha256.h"
#include "services/audit/ed25519_keys.h"
#include "storage/event_log.h"
#include "storage/log_tree.h"

namespace collections::audit {

std::string TreeHeadSigningInput(uint64_t tree_size, const Sha256Digest& root,
                                 int64_t timestamp_unix_millis);

// A head of `tree_size` with `root`, signed at `at` (kept to the
// millisecond).
collections::v1::SignedTreeHead SignTreeHead(const SigningKey& key,
                                             uint64_t tree_size,
                                             const Sha256Digest& root,
                                             absl::Time at);

// OK when `head` is well formed, names `key`'s fingerprint and carries its
// valid signature; FAILED_PRECONDITION saying which check failed.
absl::Status VerifyTreeHead(const collections::v1::SignedTreeHead& head,
                            const VerifyingKey& key);

// The root hash a head carries, or FAILED_PRECONDITION when malformed.
absl::StatusOr<Sha256Digest> RootOf(
    const collections::v1::SignedTreeHead& head);

// Signs the log's heads and keeps them in the log (LogTree::SaveTreeHead),
// so old heads stay provable against new ones.
//
// Thread safety: all methods may be called concurrently.
class TreeHeadSigner {
 public:
  // `log` (its head position), `tree` (the same log's tree: roots and kept
  // heads) and `clock` must outlive the signer.
  TreeHeadSigner(storage::EventLog* log, storage::LogTree* tree, SigningKey key,
                 const Clock* clock);

  // The newest kept head, after signing the log's current head if it moved
  // past that one (or none is kept yet). An empty log has a head of size 0.
  absl::StatusOr<collections::v1::SignedTreeHead> SignLatest();
  // The newest kept head, if any.
  absl::StatusOr<std::optional<collections::v1::SignedTreeHead>> Latest();
  // The kept head of exactly `tree_size`, if any.
  absl::StatusOr<std::optional<collections::v1::SignedTreeHead>> At(
      uint64_t tree_size);

  const SigningKey& key() const { return key_; }

 private:
  storage::EventLog* const log_;
  storage::LogTree* const tree_;
  const SigningKey key_;
  const Clock* const clock_;
  absl::Mutex sign_mu_;  // one signing at a time: heads only grow
};

}  // namespace collections::audit

#endif  // COLLECTIONS_SERVICES_AUDIT_SIGNED_TREE_HEAD_H_
