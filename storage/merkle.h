// The RFC 9162 Merkle tree over the event log, as pure algorithms: the
// log stores the tree's completed nodes and a verifier that has only a
// bundle and a public key recomputes roots from proofs. Nothing here
// touches a database; node reads come through a NodeReader.
//
//   leaf       SHA-256(0x00 || record)                  (sha256.h LeafHash)
//   node       SHA-256(0x01 || left || right)
//   empty tree SHA-256("")
//   MTH(D[n])  splits at k, the largest power of two below n (RFC 9162 §2.1.1)
//
// A *complete node* (level L, index i) is the root of the 2^L leaves
// i·2^L … (i+1)·2^L − 1; level 0 are the leaves themselves. Every subtree
// a proof needs is either complete or, on the tree's right edge, a fold of
// at most log2(n) complete nodes, so any proof is O(log n) node reads.
//
// Leaf indexes are 0-based here (RFC 9162); log position p is leaf p − 1.
//
// Thread safety: free functions are safe; a Frontier is not shared.
#ifndef COLLECTIONS_STORAGE_MERKLE_H_
#define COLLECTIONS_STORAGE_MERKLE_H_

#include <cstdint>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/sha256.h"

namespace collections::storage::merkle {

struct NodeId {
  int level = 0;
  uint64_t index = 0;
  bool operator==(const NodeId& other) const {
    return level == other.level && index == other.index;
  }
};

// SHA-256(0x01 || left || right).
Sha256Digest NodeHash(const Sha256Digest& left, const Sha256Digest& right);

// SHA-256 of the empty string: the root of the empty tree.
Sha256Digest EmptyRoot();

// The largest power of two strictly below n (n ≥ 2).
uint64_t SplitPoint(uint64_t n);

// Reads a complete node. NOT_FOUND / DATA_LOSS / UNAVAILABLE pass through.
using NodeReader = absl::FunctionRef<absl::StatusOr<Sha256Digest>(NodeId)>;

// The right edge of a growing tree: the complete subtrees whose sizes are
// the set bits of the tree size, largest (leftmost) first. Appending a leaf
// merges equal neighbours, each merge completing one node.
class Frontier {
 public:
  Frontier() = default;

  // The frontier of a tree of `size` leaves from its stored complete
  // nodes: one read per set bit of `size`.
  static absl::StatusOr<Frontier> Load(uint64_t size, NodeReader read);

  uint64_t size() const { return size_; }

  // Appends a leaf hash; `completed(NodeId, hash)` is called for each node
  // of level ≥ 1 this completes (on average one per leaf), bottom up.
  template <typename OnCompleted>
  void Append(const Sha256Digest& leaf, OnCompleted&& completed) {
    nodes_.push_back({0, leaf});
    ++size_;
    while (nodes_.size() >= 2 &&
           nodes_[nodes_.size() - 2].level == nodes_.back().level) {
      const Entry right = nodes_.back();
      nodes_.pop_back();
      Entry& left = nodes_.back();
      left.hash = NodeHash(left.hash, right.hash);
      ++left.level;
      completed(NodeId{left.level, (size_ >> left.level) - 1}, left.hash);
    }
  }

  // MTH of the leaves appended so far.
  Sha256Digest Root() const;

 private:
  struct Entry {
    int level;
    Sha256Digest hash;
  };
  uint64_t size_ = 0;
  std::vector<Entry> nodes_;  // leftmost (largest) first
};

// MTH(D[begin:end]) for 0 ≤ begin < end, built from complete nodes
// (`begin` must be where an RFC 9162 subtree starts, as in every proof).
absl::StatusOr<Sha256Digest> SubtreeHash(NodeReader read, uint64_t begin,
                                         uint64_t end);

// MTH of the first `size` leaves (EmptyRoot for 0).
absl::StatusOr<Sha256Digest> RootHash(NodeReader read, uint64_t size);

// PATH(index, D[size]) of RFC 9162 §2.1.3.1. INVALID_ARGUMENT unless
// index < size.
absl::StatusOr<std::vector<Sha256Digest>> InclusionProof(NodeReader read,
                                                         uint64_t index,
                                                         uint64_t size);

// PROOF(old_size, D[new_size]) of RFC 9162 §2.1.4.1. INVALID_ARGUMENT
// unless old_size ≤ new_size. Empty when old_size is 0 or equal.
absl::StatusOr<std::vector<Sha256Digest>> ConsistencyProof(NodeReader read,
                                                           uint64_t old_size,
                                                           uint64_t new_size);

// RFC 9162 §2.1.3.2. OK when `proof` shows leaf `index` with hash `leaf` in
// the tree of `size` leaves whose root is `root`; otherwise
// FAILED_PRECONDITION saying what did not hold.
absl::Status VerifyInclusion(uint64_t index, uint64_t size,
                             const Sha256Digest& leaf,
                             absl::Span<const Sha256Digest> proof,
                             const Sha256Digest& root);

// RFC 9162 §2.1.4.2, with its trivial cases: sizes equal (roots equal, no
// proof) and an empty first tree (no proof). OK or FAILED_PRECONDITION.
absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size,
                               const Sha256Digest& old_root,
                               const Sha256Digest& new_root,
                               absl::Span<const Sha256Digest> proof);

}  // namespace collections::storage::merkle

#endif  // COLLECTIONS_STORAGE_MERKLE_H_
