// Ed25519 keys: signatures verify only with their key and message, the
// exported public key is the same key, and a key file is created once with
// owner-only access and refused when it holds anything else.
#include "services/audit/ed25519_keys.h"

#include <sys/stat.h>

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace collections::audit {
namespace {

using ::collections::testing::StatusIs;
using ::testing::HasSubstr;

TEST(Ed25519KeysTest, SignaturesVerifyOnlyWithTheirKeyAndMessage) {
  ASSERT_OK_AND_ASSIGN(SigningKey key, SigningKey::Generate());
  ASSERT_OK_AND_ASSIGN(SigningKey other, SigningKey::Generate());
  const std::string signature = key.Sign("the message");
  EXPECT_EQ(signature.size(), 64u);
  EXPECT_TRUE(key.public_key().Verify("the message", signature));
  EXPECT_FALSE(key.public_key().Verify("the messagE", signature));
  EXPECT_FALSE(other.public_key().Verify("the message", signature));
  // The exported public key is the same key.
  ASSERT_OK_AND_ASSIGN(VerifyingKey exported,
                       VerifyingKey::FromPem(key.public_key().Pem()));
  EXPECT_TRUE(exported.Verify("the message", signature));
  EXPECT_EQ(exported.Fingerprint(), key.public_key().Fingerprint());
  EXPECT_EQ(exported.Fingerprint().size(), 64u);
  EXPECT_THAT(VerifyingKey::FromPem("not a key"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not a PEM public key")));
  EXPECT_THAT(VerifyingKey::FromRaw("short"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("an Ed25519 public key is 32 bytes, not 5")));
}

TEST(Ed25519KeysTest, AKeyFileIsCreatedOnceWithOwnerOnlyAccess) {
  collections::testing::TempDir dir;
  const std::string path = dir.path() + "/signing_key.pem";
  EXPECT_EQ(SigningKey::LoadOrCreate(path, false).status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(SigningKey created,
                       SigningKey::LoadOrCreate(path, true));
  struct stat info;
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  ASSERT_OK_AND_ASSIGN(SigningKey loaded, SigningKey::LoadOrCreate(path, true));
  EXPECT_EQ(loaded.public_key().Fingerprint(),
            created.public_key().Fingerprint());
  std::ofstream(path) << "garbage";
  EXPECT_EQ(SigningKey::LoadOrCreate(path, true).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace collections::audit
