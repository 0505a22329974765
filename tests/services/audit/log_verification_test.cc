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
  const VerificationReport unsigned_here =
      JudgeLogIntegrity(integrity_, stranger.public_key());
  EXPECT_FALSE(unsigned_here.ok());
  EXPECT_THAT(AllFailures(unsigned_here),
              HasSubstr("the kept head of tree size 12: the head was signed "
                        "by key " +
                        key_.public_key().Fingerprint()));
  // The records recompute to another root than the head signed.
  storage::LogIntegrity moved = integrity_;
  moved.recomputed_roots[12] = Root(8);
  const VerificationReport changed =
      JudgeLogIntegrity(moved, key_.public_key());
  EXPECT_FALSE(changed.ok());
  EXPECT_THAT(AllFailures(changed),
              HasSubstr("the records of positions 1..12 do not give the root "
                        "the server signed for tree size 12"));
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
  const VerificationReport unvouched =
      JudgeLogIntegrity(headless, key_.public_key());
  EXPECT_FALSE(unvouched.ok());
  EXPECT_THAT(AllFailures(unvouched),
              HasSubstr("no signed tree head is kept: nothing ties the log to "
                        "the key"));
  // Bytes that are no head.
  storage::LogIntegrity garbled = integrity_;
  garbled.tree_heads[12] = "not a head";
  const VerificationReport unparsed =
      JudgeLogIntegrity(garbled, key_.public_key());
  EXPECT_FALSE(unparsed.ok());
  EXPECT_THAT(AllFailures(unparsed),
              HasSubstr("the kept head of tree size 12 does not parse"));
}

}  // namespace
}  // namespace collections::audit
