// The RFC 9162 tree against published vectors: the Certificate Transparency
// reference leaves and roots, and the inclusion and consistency proofs of
// transparency-dev/merkle (proof/verify_test.go), valid and corrupted.
#include "storage/merkle.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace collections::storage::merkle {
namespace {

Sha256Digest D(absl::string_view hex) {
  Sha256Digest digest;
  const std::string bytes = absl::HexStringToBytes(hex);
  EXPECT_TRUE(DigestFromBytes(bytes, &digest)) << hex;
  return digest;
}

// The reference leaves (data, not hashes) and the root of each size 1..8.
const std::vector<std::string>& ReferenceLeaves() {
  static const auto* leaves = new std::vector<std::string>{
      "",
      absl::HexStringToBytes("00"),
      absl::HexStringToBytes("10"),
      absl::HexStringToBytes("2021"),
      absl::HexStringToBytes("3031"),
      absl::HexStringToBytes("40414243"),
      absl::HexStringToBytes("5051525354555657"),
      absl::HexStringToBytes("606162636465666768696a6b6c6d6e6f")};
  return *leaves;
}
const char* const kRoots[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

Sha256Digest Root(uint64_t size) { return D(kRoots[size - 1]); }

// A tree held in memory: every complete node, as the log stores them.
class MemoryTree {
 public:
  void Append(const Sha256Digest& leaf) {
    nodes_[{0, frontier_.size()}] = leaf;
    frontier_.Append(leaf, [this](NodeId id, const Sha256Digest& hash) {
      nodes_[{id.level, id.index}] = hash;
    });
  }
  absl::StatusOr<Sha256Digest> Read(NodeId id) const {
    auto it = nodes_.find({id.level, id.index});
    if (it == nodes_.end()) {
      return absl::NotFoundError(
          absl::StrCat("no node ", id.level, "/", id.index));
    }
    return it->second;
  }
  auto reader() const {
    return [this](NodeId id) { return Read(id); };
  }
  const Frontier& frontier() const { return frontier_; }

 private:
  Frontier frontier_;
  std::map<std::pair<int, uint64_t>, Sha256Digest> nodes_;
};

MemoryTree ReferenceTree() {
  MemoryTree tree;
  for (const std::string& leaf : ReferenceLeaves()) tree.Append(LeafHash(leaf));
  return tree;
}

TEST(MerkleTest, SplitPointIsTheLargestPowerOfTwoBelow) {
  EXPECT_EQ(SplitPoint(2), 1u);
  EXPECT_EQ(SplitPoint(3), 2u);
  EXPECT_EQ(SplitPoint(4), 2u);
  EXPECT_EQ(SplitPoint(5), 4u);
  EXPECT_EQ(SplitPoint(8), 4u);
  EXPECT_EQ(SplitPoint(9), 8u);
  EXPECT_EQ(SplitPoint(1000), 512u);
  EXPECT_EQ(SplitPoint((uint64_t{1} << 40) + 1), uint64_t{1} << 40);
}

TEST(MerkleTest, RootsMatchTheReferenceForEverySize) {
  EXPECT_EQ(ToHex(EmptyRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  MemoryTree tree;
  for (size_t n = 1; n <= ReferenceLeaves().size(); ++n) {
    tree.Append(LeafHash(ReferenceLeaves()[n - 1]));
    EXPECT_EQ(ToHex(tree.frontier().Root()), kRoots[n - 1]) << n;
    auto from_nodes = RootHash(tree.reader(), n);
    ASSERT_TRUE(from_nodes.ok()) << from_nodes.status();
    EXPECT_EQ(ToHex(*from_nodes), kRoots[n - 1]) << n;
    // A frontier reloaded from the stored nodes has the same root.
    auto loaded = Frontier::Load(n, tree.reader());
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ(loaded->Root(), tree.frontier().Root());
  }
}

struct ProofVector {
  uint64_t a, b;  // leaf (1-based) and size, or the two sizes
  std::vector<const char*> proof;
};

// transparency-dev/merkle proof/verify_test.go: inclusionProofs.
const ProofVector kInclusion[] = {
    {1,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6,
     8,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {3,
     3,
     {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {2,
     5,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {1, 1, {}},
};

// transparency-dev/merkle proof/verify_test.go: consistencyProofs.
const ProofVector kConsistency[] = {
    {1, 1, {}},
    {1,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6,
     8,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2,
     5,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6,
     7,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

std::vector<Sha256Digest> Digests(const std::vector<const char*>& hex) {
  std::vector<Sha256Digest> out;
  for (const char* h : hex) out.push_back(D(h));
  return out;
}

const Sha256Digest kSomeHash =
    D("abacaba000000000000000000000000000000000000000000060061e00123456");

TEST(MerkleTest, InclusionProofsMatchThePublishedVectors) {
  const MemoryTree tree = ReferenceTree();
  for (const ProofVector& v : kInclusion) {
    const uint64_t index = v.a - 1;
    const std::vector<Sha256Digest> want = Digests(v.proof);
    auto proof = InclusionProof(tree.reader(), index, v.b);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_EQ(*proof, want) << "leaf " << index << " size " << v.b;
    const Sha256Digest leaf = LeafHash(ReferenceLeaves()[index]);
    EXPECT_TRUE(VerifyInclusion(index, v.b, leaf, want, Root(v.b)).ok());
  }
}

// The corruptions of verify_test.go's corruptInclusionProof: each must fail.
TEST(MerkleTest, CorruptedInclusionProofsAreRefused) {
  for (const ProofVector& v : kInclusion) {
    const uint64_t index = v.a - 1, size = v.b;
    const std::vector<Sha256Digest> proof = Digests(v.proof);
    const Sha256Digest root = Root(size);
    const Sha256Digest leaf = LeafHash(ReferenceLeaves()[index]);
    auto refused = [&](uint64_t i, uint64_t n, const Sha256Digest& l,
                       const std::vector<Sha256Digest>& p,
                       const Sha256Digest& r, const std::string& what) {
      EXPECT_FALSE(VerifyInclusion(i, n, l, p, r).ok())
          << what << " (leaf " << index << ", size " << size << ")";
    };
    refused(index - 1, size, leaf, proof, root, "index - 1");
    refused(index + 1, size, leaf, proof, root, "index + 1");
    refused(index ^ 2, size, leaf, proof, root, "index ^ 2");
    refused(index, size * 2, leaf, proof, root, "size * 2");
    refused(index, size / 2, leaf, proof, root, "size / 2");
    refused(index, size, LeafHash("WrongLeaf"), proof, root, "wrong leaf");
    refused(index, size, leaf, proof, EmptyRoot(), "empty root");
    refused(index, size, leaf, proof, kSomeHash, "random root");
    auto with = [&](std::vector<Sha256Digest> p) { return p; };
    std::vector<Sha256Digest> longer = with(proof);
    longer.push_back(root);
    refused(index, size, leaf, longer, root, "trailing root");
    std::vector<Sha256Digest> preceded = with(proof);
    preceded.insert(preceded.begin(), root);
    refused(index, size, leaf, preceded, root, "preceding root");
    for (size_t i = 0; i < proof.size(); ++i) {
      std::vector<Sha256Digest> flipped = with(proof);
      flipped[i][0] ^= 8;
      refused(index, size, leaf, flipped, root, absl::StrCat("bit of ", i));
    }
    if (!proof.empty()) {
      refused(index, size, leaf,
              std::vector<Sha256Digest>(proof.begin(), proof.end() - 1), root,
              "removed component");
    }
    if (proof.size() > 1) {
      std::vector<Sha256Digest> inserted = with(proof);
      inserted.insert(inserted.begin() + 1, kSomeHash);
      refused(index, size, leaf, inserted, root, "inserted component");
    }
  }
}

TEST(MerkleTest, ConsistencyProofsMatchThePublishedVectors) {
  const MemoryTree tree = ReferenceTree();
  for (const ProofVector& v : kConsistency) {
    const std::vector<Sha256Digest> want = Digests(v.proof);
    auto proof = ConsistencyProof(tree.reader(), v.a, v.b);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_EQ(*proof, want) << v.a << " → " << v.b;
    EXPECT_TRUE(VerifyConsistency(v.a, v.b, Root(v.a), Root(v.b), want).ok())
        << v.a << " → " << v.b;
  }
}

TEST(MerkleTest, CorruptedConsistencyProofsAreRefused) {
  for (const ProofVector& v : kConsistency) {
    const std::vector<Sha256Digest> proof = Digests(v.proof);
    if (proof.empty()) continue;  // as verify_test.go: non-trivial ones
    const uint64_t m = v.a, n = v.b;
    const Sha256Digest r1 = Root(m), r2 = Root(n);
    auto refused = [&](uint64_t a, uint64_t b, const Sha256Digest& x,
                       const Sha256Digest& y,
                       const std::vector<Sha256Digest>& p,
                       const std::string& what) {
      EXPECT_FALSE(VerifyConsistency(a, b, x, y, p).ok())
          << what << " (" << m << " → " << n << ")";
    };
    refused(m - 1, n, r1, r2, proof, "size1 - 1");
    refused(m + 1, n, r1, r2, proof, "size1 + 1");
    refused(m ^ 2, n, r1, r2, proof, "size1 ^ 2");
    refused(m, n * 2, r1, r2, proof, "size2 * 2");
    refused(m, n / 2, r1, r2, proof, "size2 / 2");
    refused(m, n, kSomeHash, r2, proof, "wrong root1");
    refused(m, n, r1, kSomeHash, proof, "wrong root2");
    refused(m, n, r2, r1, proof, "swapped roots");
    refused(m, n, r1, r2, {}, "empty proof");
    auto with = [&](std::vector<Sha256Digest> p) { return p; };
    for (const Sha256Digest& extra : {r1, r2}) {
      std::vector<Sha256Digest> longer = with(proof);
      longer.push_back(extra);
      refused(m, n, r1, r2, longer, "trailing root");
      std::vector<Sha256Digest> preceded = with(proof);
      preceded.insert(preceded.begin(), extra);
      refused(m, n, r1, r2, preceded, "preceding root");
    }
    std::vector<Sha256Digest> doubled = with(proof);
    doubled.insert(doubled.begin(), proof[0]);
    refused(m, n, r1, r2, doubled, "preceding proof[0]");
    refused(m, n, r1, r2,
            std::vector<Sha256Digest>(proof.begin(), proof.end() - 1),
            "truncated proof");
    for (size_t i = 0; i < proof.size(); ++i) {
      std::vector<Sha256Digest> flipped = with(proof);
      flipped[i][0] ^= 16;
      refused(m, n, r1, r2, flipped, absl::StrCat("bit of ", i));
    }
  }
}

// verify_test.go's TestVerifyConsistency trivial cases.
TEST(MerkleTest, TrivialConsistencyCases) {
  const Sha256Digest a = LeafHash("don't care 1"), b = LeafHash("don't care 2");
  const std::vector<Sha256Digest> none, one = {EmptyRoot()};
  EXPECT_FALSE(VerifyConsistency(0, 0, a, b, none).ok());
  EXPECT_FALSE(VerifyConsistency(1, 1, a, b, none).ok());
  EXPECT_TRUE(VerifyConsistency(0, 0, a, a, none).ok());
  EXPECT_TRUE(VerifyConsistency(0, 1, a, b, none).ok());
  EXPECT_TRUE(VerifyConsistency(1, 1, b, b, none).ok());
  EXPECT_FALSE(VerifyConsistency(1, 0, a, b, none).ok());
  EXPECT_FALSE(VerifyConsistency(2, 1, a, b, none).ok());
  EXPECT_FALSE(VerifyConsistency(1, 2, a, b, none).ok());
  EXPECT_FALSE(VerifyConsistency(0, 0, EmptyRoot(), EmptyRoot(), one).ok());
  EXPECT_FALSE(VerifyConsistency(0, 1, EmptyRoot(), EmptyRoot(), one).ok());
  EXPECT_FALSE(VerifyConsistency(1, 1, EmptyRoot(), EmptyRoot(), one).ok());
  // verify_test.go's TestVerifyInclusion probes: no index fits these sizes.
  for (auto [index, size] :
       std::vector<std::pair<uint64_t, uint64_t>>{{0, 0}, {1, 0}, {2, 1}}) {
    EXPECT_FALSE(VerifyInclusion(index, size, kSomeHash, {}, EmptyRoot()).ok());
  }
}

// Beyond the vectors: every proof in every tree up to 40 leaves verifies
// against the frontier's root, and the generator refuses bad arguments.
TEST(MerkleTest, EveryProofOfSmallTreesVerifies) {
  MemoryTree tree;
  std::vector<Sha256Digest> roots = {EmptyRoot()};
  std::vector<Sha256Digest> leaves;
  for (int i = 0; i < 40; ++i) {
    leaves.push_back(LeafHash(absl::StrCat("leaf ", i)));
    tree.Append(leaves.back());
    roots.push_back(tree.frontier().Root());
  }
  for (uint64_t n = 1; n <= 40; ++n) {
    for (uint64_t i = 0; i < n; ++i) {
      auto proof = InclusionProof(tree.reader(), i, n);
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(VerifyInclusion(i, n, leaves[i], *proof, roots[n]).ok())
          << i << " in " << n;
      EXPECT_FALSE(
          VerifyInclusion(i, n, leaves[(i + 1) % 40], *proof, roots[n]).ok());
    }
    for (uint64_t m = 0; m <= n; ++m) {
      auto proof = ConsistencyProof(tree.reader(), m, n);
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(VerifyConsistency(m, n, roots[m], roots[n], *proof).ok())
          << m << " → " << n;
      if (m > 0 && m < n) {
        EXPECT_FALSE(
            VerifyConsistency(m, n, roots[m - 1], roots[n], *proof).ok());
      }
    }
  }
  EXPECT_EQ(InclusionProof(tree.reader(), 5, 5).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsistencyProof(tree.reader(), 6, 5).status().code(),
            absl::StatusCode::kInvalidArgument);
  // A node the store lacks is reported, not papered over.
  MemoryTree partial;
  EXPECT_EQ(RootHash(partial.reader(), 3).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace collections::storage::merkle
