// LogTree: the event log's RFC 9162 Merkle tree (storage/merkle.h) and the
// signed tree heads kept with it: what the audit layer proves the log with.
// One of the three parts of a durable log (storage/durable_event_log.h);
// the core, appends and reads, is storage/event_log.h.
//
// Leaf p − 1 of the tree is SHA-256(0x00 || record) of log position p (the
// RecordedEvent's leaf_hash). Every appended batch carries the tree nodes its
// events complete, so the tree of any size up to the log's head is there
// without lag.
//
// Errors of TreeRoot, the two proofs and SaveTreeHead:
//   OUT_OF_RANGE         a tree size above the log's acknowledged head
//                        (EventLog::HeadPosition);
//   FAILED_PRECONDITION  a log kept without its tree (the RocksDB log opened
//                        with EventLogOptions::merkle_tree off, a benchmark's
//                        baseline);
//   DATA_LOSS            a stored node is missing or malformed;
//   UNAVAILABLE          I/O error (the tree-head reads too).
//
// Thread safety: all methods are safe to call concurrently, with appends in
// flight. The tree must outlive every call.
#ifndef COLLECTIONS_STORAGE_LOG_TREE_H_
#define COLLECTIONS_STORAGE_LOG_TREE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/sha256.h"

namespace collections::storage {

class LogTree {
 public:
  virtual ~LogTree() = default;

  // --- Roots and proofs ---

  // The root of the tree of the first `tree_size` events (the empty tree's
  // root, SHA-256(""), for 0).
  virtual absl::StatusOr<Sha256Digest> TreeRoot(uint64_t tree_size) = 0;

  // The audit path of `position` in the tree of `tree_size` events
  // (INVALID_ARGUMENT unless 1 ≤ position ≤ tree_size).
  virtual absl::StatusOr<std::vector<Sha256Digest>> InclusionProof(
      uint64_t position, uint64_t tree_size) = 0;

  // The proof that the tree of `old_size` is a prefix of that of
  // `new_size` (INVALID_ARGUMENT unless old_size ≤ new_size).
  virtual absl::StatusOr<std::vector<Sha256Digest>> ConsistencyProof(
      uint64_t old_size, uint64_t new_size) = 0;

  // --- Signed tree heads, kept with the log (bytes opaque to it) ---

  // Stores `head` for `tree_size` durably (replacing one of that size).
  // `head` is copied before the call returns.
  virtual absl::Status SaveTreeHead(uint64_t tree_size,
                                    absl::string_view head) = 0;

  // The head kept for exactly `tree_size`, or nullopt when none is.
  virtual absl::StatusOr<std::optional<std::string>> ReadTreeHead(
      uint64_t tree_size) = 0;

  // The kept head with the largest tree size, or nullopt when none is.
  virtual absl::StatusOr<std::optional<std::string>> LatestTreeHead() = 0;
};

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_LOG_TREE_H_
