// Judging a data directory's integrity check: every kept head must carry
// the key's signature and match the root recomputed from the records, at
// least one head must be kept, and any problem the check found fails it.
#include "services/audit/log_verification.h"

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit/signed_tree_head.h"

namespace collections::audit {
namespace {

using ::testing::HasSubstr;

Sha256Digest Root(uint8_t fill) {
  Sha256Digest root;
  root.fill(fill);
  return root;
}

class LogVerificationTest : public ::testing::Test {
 protected:
  LogVerificationTest() : key_(*SigningKey::Generate()) {
    integrity_.events = 12;
    integrity_.streams = 3;
    integrity_.recomputed_roots[12] = Root(7);
    integrity_.tree_heads[12] =
        SignTreeHead(key_, 12, Root(7), absl::FromUnixSeconds(1795000000))
            .SerializeAsString();
  }
  std::string AllFailures(const VerificationReport& report) {
    return absl::StrJoin(report.failures, "\n");
  }

  SigningKey key_;
  storage::LogIntegrity integrity_;
};

TEST_F(LogVerificationTest, AKeptHeadThatMatchesVerifies) {
  const VerificationReport report =
      JudgeLogIntegrity(integrity_, key_.public_key());
  EXPECT_TRUE(report.ok()) << AllFailures(report);
  EXPECT_FALSE(report.holds.empty());
}

TEST_F(LogVerificationTest, EachFaultFailsIt) {
  // Another key signed nothing here.
  const SigningKey stranger = *SigningKey::Generate();
  EXPECT_FALSE(JudgeLogIntegrity(integrity_, stranger.public_key()).ok());
  // The records recompute to another root than the head signed.
  storage::LogIntegrity moved = integrity_;
  moved.recomputed_roots[12] = Root(8);
  EXPECT_FALSE(JudgeLogIntegrity(moved, key_.public_key()).ok());
  // A problem the check found.
  storage::LogIntegrity broken = integrity_;
  broken.problems.push_back("position 5: leaf hash does not match");
  const VerificationReport report =
      JudgeLogIntegrity(broken, key_.public_key());
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(AllFailures(report), HasSubstr("position 5"));
  // No head kept: nothing vouches for the log.
  storage::LogIntegrity headless = integrity_;
  headless.tree_heads.clear();
  headless.recomputed_roots.clear();
  EXPECT_FALSE(JudgeLogIntegrity(headless, key_.public_key()).ok());
  // Bytes that are no head.
  storage::LogIntegrity garbled = integrity_;
  garbled.tree_heads[12] = "not a head";
  EXPECT_FALSE(JudgeLogIntegrity(garbled, key_.public_key()).ok());
}

}  // namespace
}  // namespace collections::audit
