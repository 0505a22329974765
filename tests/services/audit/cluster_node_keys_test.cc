// The cluster's node keys file and the checks of a node's signature
// (services/audit/cluster_node_keys.h; issue 28, point 2).
#include "services/audit/cluster_node_keys.h"

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace collections::audit {
namespace {

TEST(ClusterNodeKeysTest, ParsesLinesCommentsAndRefusesMalformedOnes) {
  auto a = SigningKey::Generate();
  auto b = SigningKey::Generate();
  ASSERT_TRUE(a.ok() && b.ok());
  const std::string text = absl::StrCat(
      "# the cluster's nodes\n",
      ClusterNodeKeys::KeyLine("node-a", a->public_key()), "\n\n  ",
      ClusterNodeKeys::KeyLine("node-b.example", b->public_key()),
      "  # second\n");
  auto keys = ClusterNodeKeys::ParseKeys(text);
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ(keys->at("node-b.example").raw(), b->public_key().raw());

  for (const std::string& bad :
       {std::string("node-a"), absl::StrCat("node a ", std::string(64, '0')),
        absl::StrCat("node-a ", std::string(63, '0')),
        absl::StrCat("node-a ", std::string(64, 'g')),
        absl::StrCat("node/a ", std::string(64, '0')),
        absl::StrCat(ClusterNodeKeys::KeyLine("node-a", a->public_key()), "\n",
                     ClusterNodeKeys::KeyLine("node-a", b->public_key()))}) {
    auto parsed = ClusterNodeKeys::ParseKeys(bad);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
    EXPECT_NE(parsed.status().message().find("line"), absl::string_view::npos);
  }
}

TEST(ClusterNodeKeysTest, VerifiesOnlyTheNamedNodesOwnSignature) {
  auto a = SigningKey::Generate();
  auto b = SigningKey::Generate();
  ASSERT_TRUE(a.ok() && b.ok());
  auto auth = ClusterNodeKeys::FromKeys(
      "node-a", *a, {{"node-a", a->public_key()}, {"node-b", b->public_key()}});
  ASSERT_TRUE(auth.ok()) << auth.status();
  const std::string signature = (*auth)->Sign("payload");
  EXPECT_TRUE((*auth)->Verify("node-a", "payload", signature).ok());
  // Another payload, another node's name, a node not in the cluster.
  EXPECT_EQ((*auth)->Verify("node-a", "payloaD", signature).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ((*auth)->Verify("node-b", "payload", signature).code(),
            absl::StatusCode::kPermissionDenied);
  const absl::Status unknown = (*auth)->Verify("node-x", "payload", signature);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(unknown.message().find("not one of the cluster's nodes"),
            absl::string_view::npos);
  EXPECT_EQ(ClusterNodeKeys::FromKeys("bad id", *a, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ClusterNodeKeysTest, LoadCreatesTheNodeKeyAndReadsTheKeysFile) {
  collections::testing::TempDir dir;
  const std::string key_file = dir.Sub("node.pem");
  const std::string keys_file = dir.Sub("nodes.txt");
  EXPECT_EQ(
      ClusterNodeKeys::Load("node-a", key_file, keys_file).status().code(),
      absl::StatusCode::kNotFound);  // no keys file yet
  auto key = SigningKey::LoadOrCreate(key_file, /*create_if_missing=*/false);
  ASSERT_TRUE(key.ok()) << key.status();  // but the node key was made
  std::ofstream(keys_file) << ClusterNodeKeys::KeyLine("node-a",
                                                       key->public_key())
                           << "\n";
  auto loaded = ClusterNodeKeys::Load("node-a", key_file, keys_file);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE((*loaded)->Verify("node-a", "x", (*loaded)->Sign("x")).ok());
}

}  // namespace
}  // namespace collections::audit
