// Secret files are created owner-only and never over an existing one, and
// refused when others could read them (issue 25).
#include "common/secret_files.h"

#include <sys/stat.h>

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace collections {
namespace {

using ::collections::testing::StatusIs;
using ::testing::HasSubstr;

TEST(SecretFilesTest, CreatedOwnerOnlyNeverOverAnExistingOne) {
  testing::TempDir dir;
  const std::string path = dir.Sub("master.key");
  absl::StatusOr<std::optional<std::string>> missing =
      ReadSecretFile(path, "master key");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  ASSERT_TRUE(CreateSecretFile(path, "secret-1\n", "master key").ok());
  struct stat info;
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_THAT(CreateSecretFile(path, "secret-2\n", "master key"),
              StatusIs(absl::StatusCode::kAlreadyExists));
  absl::StatusOr<std::optional<std::string>> read =
      ReadSecretFile(path, "master key");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->value_or(""), "secret-1\n");  // the first stays
}

TEST(SecretFilesTest, AFileOthersMayReadIsRefused) {
  testing::TempDir dir;
  const std::string path = dir.Sub("signing.pem");
  std::ofstream(path) << "key";
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  EXPECT_THAT(ReadSecretFile(path, "signing key"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("mode 0644): chmod 600")));
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  EXPECT_TRUE(ReadSecretFile(path, "signing key").ok());
}

}  // namespace
}  // namespace collections
