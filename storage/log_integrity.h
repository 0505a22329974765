// An offline integrity check of an event log data directory: everything a
// verifier can recompute from the stored bytes alone, without trusting any
// stored hash, index or tree node. Opens the database read-only (a running
// server may hold it; the check then sees the state at its open).
//
// Checks, each failure naming the position it is about:
//   - positions run 1..N without a gap;
//   - each record decodes and names its own position (a record moved to
//     another position, or two swapped, is caught here);
//   - each record hashes to its stored leaf hash;
//   - per stream, versions run 1, 2, 3 … and each chain hash recomputes;
//   - the Merkle tree recomputed from the records' own leaf hashes equals
//     every stored node (so a rewritten record with a rewritten leaf hash is
//     still found, at the first node above it);
// and returns the recomputed root at every size a tree head was kept for,
// with the heads' bytes, for the audit layer to check their signatures.
#ifndef COLLECTIONS_STORAGE_LOG_INTEGRITY_H_
#define COLLECTIONS_STORAGE_LOG_INTEGRITY_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/sha256.h"

namespace collections::storage {

struct LogIntegrity {
  uint64_t events = 0;                // records read
  uint64_t streams = 0;               // distinct streams
  std::vector<std::string> problems;  // empty when every check held
  // tree size → the root recomputed from the records (for kept heads only)
  std::map<uint64_t, Sha256Digest> recomputed_roots;
  // tree size → the kept signed head's bytes
  std::map<uint64_t, std::string> tree_heads;
};

// At most this many problems are listed (the first ones, by position).
inline constexpr size_t kMaxIntegrityProblems = 100;

// Errors only when the directory cannot be read at all (NOT_FOUND,
// UNAVAILABLE); damage is reported in problems.
absl::StatusOr<LogIntegrity> CheckLogIntegrity(absl::string_view dir);

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_LOG_INTEGRITY_H_
