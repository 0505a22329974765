#include "storage/merkle.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace collections::storage::merkle {
namespace {

bool IsPowerOfTwo(uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

int Log2(uint64_t power_of_two) { return __builtin_ctzll(power_of_two); }

// PATH(m, D[begin:end]) of RFC 9162, appended to `out` bottom up.
absl::Status Path(NodeReader read, uint64_t m, uint64_t begin, uint64_t end,
                  std::vector<Sha256Digest>* out) {
  const uint64_t n = end - begin;
  if (n == 1) return absl::OkStatus();
  const uint64_t k = SplitPoint(n);
  if (m < k) {
    COLLECTIONS_RETURN_IF_ERROR(Path(read, m, begin, begin + k, out));
    COLLECTIONS_ASSIGN_OR_RETURN(Sha256Digest right,
                                 SubtreeHash(read, begin + k, end));
    out->push_back(right);
  } else {
    COLLECTIONS_RETURN_IF_ERROR(Path(read, m - k, begin + k, end, out));
    COLLECTIONS_ASSIGN_OR_RETURN(Sha256Digest left,
                                 SubtreeHash(read, begin, begin + k));
    out->push_back(left);
  }
  return absl::OkStatus();
}

// SUBPROOF(m, D[begin:end], whole) of RFC 9162, appended bottom up.
absl::Status SubProof(NodeReader read, uint64_t m, uint64_t begin, uint64_t end,
                      bool whole, std::vector<Sha256Digest>* out) {
  const uint64_t n = end - begin;
  if (m == n) {
    if (whole) return absl::OkStatus();
    COLLECTIONS_ASSIGN_OR_RETURN(Sha256Digest hash,
                                 SubtreeHash(read, begin, end));
    out->push_back(hash);
    return absl::OkStatus();
  }
  const uint64_t k = SplitPoint(n);
  if (m <= k) {
    COLLECTIONS_RETURN_IF_ERROR(
        SubProof(read, m, begin, begin + k, whole, out));
    COLLECTIONS_ASSIGN_OR_RETURN(Sha256Digest right,
                                 SubtreeHash(read, begin + k, end));
    out->push_back(right);
  } else {
    COLLECTIONS_RETURN_IF_ERROR(
        SubProof(read, m - k, begin + k, end, /*whole=*/false, out));
    COLLECTIONS_ASSIGN_OR_RETURN(Sha256Digest left,
                                 SubtreeHash(read, begin, begin + k));
    out->push_back(left);
  }
  return absl::OkStatus();
}

absl::Status Refuted(absl::string_view what) {
  return absl::FailedPreconditionError(what);
}

}  // namespace

Sha256Digest NodeHash(const Sha256Digest& left, const Sha256Digest& right) {
  return ::collections::NodeHash(left, right);
}

Sha256Digest EmptyRoot() { return Sha256Of(""); }

uint64_t SplitPoint(uint64_t n) {
  // The highest set bit of n − 1: for n = 5 … 8 that is 4.
  return uint64_t{1} << (63 - __builtin_clzll(n - 1));
}

absl::StatusOr<Frontier> Frontier::Load(uint64_t size, NodeReader read) {
  Frontier frontier;
  frontier.size_ = size;
  uint64_t start = 0;
  for (int level = 63; level >= 0; --level) {
    const uint64_t span = uint64_t{1} << level;
    if ((size & span) == 0) continue;
    COLLECTIONS_ASSIGN_OR_RETURN(Sha256Digest hash,
                                 read(NodeId{level, start >> level}));
    frontier.nodes_.push_back({level, hash});
    start += span;
  }
  return frontier;
}

Sha256Digest Frontier::Root() const {
  if (nodes_.empty()) return EmptyRoot();
  Sha256Digest root = nodes_.back().hash;
  for (size_t i = nodes_.size() - 1; i-- > 0;) {
    root = NodeHash(nodes_[i].hash, root);
  }
  return root;
}

absl::StatusOr<Sha256Digest> SubtreeHash(NodeReader read, uint64_t begin,
                                         uint64_t end) {
  const uint64_t n = end - begin;
  if (IsPowerOfTwo(n) && begin % n == 0) {
    const int level = Log2(n);
    return read(NodeId{level, begin >> level});
  }
  if (n < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("no subtree spans leaves ", begin, " to ", end));
  }
  const uint64_t k = SplitPoint(n);
  COLLECTIONS_ASSIGN_OR_RETURN(Sha256Digest left,
                               SubtreeHash(read, begin, begin + k));
  COLLECTIONS_ASSIGN_OR_RETURN(Sha256Digest right,
                               SubtreeHash(read, begin + k, end));
  return NodeHash(left, right);
}

absl::StatusOr<Sha256Digest> RootHash(NodeReader read, uint64_t size) {
  if (size == 0) return EmptyRoot();
  return SubtreeHash(read, 0, size);
}

absl::StatusOr<std::vector<Sha256Digest>> InclusionProof(NodeReader read,
                                                         uint64_t index,
                                                         uint64_t size) {
  if (index >= size) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf ", index, " is not in a tree of ", size, " leaves"));
  }
  std::vector<Sha256Digest> proof;
  COLLECTIONS_RETURN_IF_ERROR(Path(read, index, 0, size, &proof));
  return proof;
}

absl::StatusOr<std::vector<Sha256Digest>> ConsistencyProof(NodeReader read,
                                                           uint64_t old_size,
                                                           uint64_t new_size) {
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("a tree of ", old_size,
                     " leaves cannot be a prefix of one of ", new_size));
  }
  std::vector<Sha256Digest> proof;
  if (old_size == 0 || old_size == new_size) return proof;
  COLLECTIONS_RETURN_IF_ERROR(
      SubProof(read, old_size, 0, new_size, /*whole=*/true, &proof));
  return proof;
}

absl::Status VerifyInclusion(uint64_t index, uint64_t size,
                             const Sha256Digest& leaf,
                             absl::Span<const Sha256Digest> proof,
                             const Sha256Digest& root) {
  if (index >= size) {
    return Refuted(
        absl::StrCat("leaf ", index, " is not in a tree of ", size, " leaves"));
  }
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Sha256Digest r = leaf;
  for (const Sha256Digest& p : proof) {
    if (sn == 0) return Refuted("the inclusion proof is too long");
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Refuted("the inclusion proof is too short");
  if (r != root) {
    return Refuted("the inclusion proof does not lead to the root hash");
  }
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size,
                               const Sha256Digest& old_root,
                               const Sha256Digest& new_root,
                               absl::Span<const Sha256Digest> proof) {
  if (old_size > new_size) {
    return Refuted(absl::StrCat("a tree of ", old_size,
                                " leaves cannot grow into one of ", new_size));
  }
  if (old_size == new_size) {
    if (!proof.empty()) return Refuted("equal sizes need an empty proof");
    if (old_root != new_root) return Refuted("equal sizes, different roots");
    return absl::OkStatus();
  }
  if (old_size == 0) {
    if (!proof.empty()) return Refuted("an empty tree needs an empty proof");
    return absl::OkStatus();
  }
  if (proof.empty()) return Refuted("the consistency proof is empty");
  std::vector<Sha256Digest> path;
  path.reserve(proof.size() + 1);
  if (IsPowerOfTwo(old_size)) path.push_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Sha256Digest fr = path[0];
  Sha256Digest sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Sha256Digest& c = path[i];
    if (sn == 0) return Refuted("the consistency proof is too long");
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Refuted("the consistency proof is too short");
  if (fr != old_root) {
    return Refuted("the consistency proof does not lead to the old root");
  }
  if (sr != new_root) {
    return Refuted("the consistency proof does not lead to the new root");
  }
  return absl::OkStatus();
}

}  // namespace collections::storage::merkle
