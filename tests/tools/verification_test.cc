// The offline checks collections-verify and collectionsctl share, on a
// real event log: a data directory verifies against the key that signed
// its heads, not against another; unreadable input is told apart.
#include "tools/verify/verification.h"

#include <fstream>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit/signed_tree_head.h"
#include "storage/rocksdb_event_log.h"
#include "tests/testing/events.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace collections::verify {
namespace {

using ::collections::testing::StatusIs;
using ::testing::HasSubstr;

class VerificationTest : public ::testing::Test {
 protected:
  // A log of 30 events in 3 streams with a signed head, closed.
  void SetUp() override {
    auto signing = audit::SigningKey::Generate();
    ASSERT_TRUE(signing.ok());
    public_pem_ = signing->public_key().Pem();
    auto log = storage::OpenRocksDbEventLog({}, dir_.Sub("data"));
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE((*log)
                      ->Append("case-" + std::to_string(i),
                               storage::ExpectedVersion::Any(),
                               testing::MakeCalls("e" + std::to_string(i), 10))
                      .ok());
    }
    audit::TreeHeadSigner signer(log->get(), log->get(), *std::move(signing),
                                 Clock::Real());
    ASSERT_TRUE(signer.SignLatest().ok());
  }

  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = dir_.Sub(name);
    std::ofstream(path) << text;
    return path;
  }

  testing::TempDir dir_;
  std::string public_pem_;
};

TEST_F(VerificationTest, DataDirVerifiesAgainstItsSigningKeyOnly) {
  auto key = LoadVerifyingKey(WriteFile("key.pem", public_pem_));
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(VerifyDataDir(dir_.Sub("data"), *key, /*json=*/false), kVerified);

  auto other = audit::SigningKey::Generate();
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(VerifyDataDir(dir_.Sub("data"), other->public_key(), true),
            kNotVerified);
}

TEST_F(VerificationTest, UnreadableInputIsTold) {
  auto key = LoadVerifyingKey(WriteFile("key.pem", public_pem_));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(VerifyBundleFile(WriteFile("junk.bundle", "\xff\xff not a bundle"),
                             *key, false),
            kUnreadable);
  EXPECT_EQ(VerifyPackageDir(dir_.Sub("no-such-package"), *key, false),
            kUnreadable);
  EXPECT_EQ(VerifyDataDir(dir_.Sub("no-such-data"), *key, false), kUnreadable);
}

TEST_F(VerificationTest, KeyFileProblemsNameTheFile) {
  const std::string missing = dir_.Sub("missing.pem");
  EXPECT_THAT(
      LoadVerifyingKey(missing),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("cannot read the public key file '" + missing + "'")));
  const std::string garbage = WriteFile("garbage.pem", "not a key");
  EXPECT_THAT(LoadVerifyingKey(garbage),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(garbage + ": not a PEM public key")));
}

TEST(PrintReportTest, ReturnsVerifiedOnlyWithoutFailures) {
  audit::VerificationReport report;
  report.holds.push_back("the head is signed");
  EXPECT_EQ(PrintReport(report, /*json=*/true), kVerified);
  report.failures.push_back("event 7 is not in the tree");
  EXPECT_EQ(PrintReport(report, /*json=*/false), kNotVerified);
}

}  // namespace
}  // namespace collections::verify
