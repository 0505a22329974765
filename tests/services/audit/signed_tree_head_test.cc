// Signed tree heads: a head verifies with its key and with nothing else,
// any change to what it commits to breaks it, and the signer keeps heads
// in the log.
#include "services/audit/signed_tree_head.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/merkle.h"
#include "storage/rocksdb_event_log.h"
#include "tests/testing/events.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace collections::audit {
namespace {

using ::collections::testing::MakeCalls;
using ::collections::testing::StatusIs;
using ::testing::HasSubstr;
namespace v1 = ::collections::v1;

// What a head whose signed content was changed gets.
auto BadSignature() {
  return StatusIs(
      absl::StatusCode::kFailedPrecondition,
      HasSubstr("the head's signature does not verify with the given key"));
}

TEST(SignedTreeHeadTest, AnyChangeToWhatTheHeadCommitsToIsRefused) {
  ASSERT_OK_AND_ASSIGN(SigningKey key, SigningKey::Generate());
  ASSERT_OK_AND_ASSIGN(SigningKey other, SigningKey::Generate());
  const Sha256Digest root = Sha256Of("root");
  const v1::SignedTreeHead head =
      SignTreeHead(key, 42, root, absl::FromUnixMillis(1795000000123));
  EXPECT_EQ(head.timestamp().nanos(), 123000000);
  EXPECT_TRUE(VerifyTreeHead(head, key.public_key()).ok());
  EXPECT_THAT(
      VerifyTreeHead(head, other.public_key()),
      StatusIs(
          absl::StatusCode::kFailedPrecondition,
          HasSubstr(absl::StrCat(
              "the head was signed by key ", key.public_key().Fingerprint(),
              ", not by the given key ", other.public_key().Fingerprint()))));

  v1::SignedTreeHead changed = head;
  changed.set_tree_size(43);
  EXPECT_THAT(VerifyTreeHead(changed, key.public_key()), BadSignature());
  changed = head;
  changed.mutable_root_hash()->at(0) ^= 1;
  EXPECT_THAT(VerifyTreeHead(changed, key.public_key()), BadSignature());
  changed = head;
  changed.mutable_timestamp()->set_seconds(head.timestamp().seconds() + 1);
  EXPECT_THAT(VerifyTreeHead(changed, key.public_key()), BadSignature());
  changed = head;
  changed.mutable_signature()->at(10) ^= 1;
  EXPECT_THAT(VerifyTreeHead(changed, key.public_key()), BadSignature());
}

TEST(TreeHeadSignerTest, SignsWhenTheLogMovedAndKeepsEveryHead) {
  collections::testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto log,
                       storage::OpenRocksDbEventLog({}, dir.path() + "/log"));
  ASSERT_OK_AND_ASSIGN(SigningKey key, SigningKey::Generate());
  FakeClock clock(absl::FromUnixSeconds(1795000000));
  TreeHeadSigner signer(log.get(), log.get(), key, &clock);

  ASSERT_OK_AND_ASSIGN(v1::SignedTreeHead empty, signer.SignLatest());
  EXPECT_EQ(empty.tree_size(), 0u);
  ASSERT_OK(log->Append("case-a", storage::ExpectedVersion::Any(),
                        MakeCalls("a", 3)));
  clock.Advance(absl::Seconds(5));
  ASSERT_OK_AND_ASSIGN(v1::SignedTreeHead three, signer.SignLatest());
  EXPECT_EQ(three.tree_size(), 3u);
  EXPECT_TRUE(VerifyTreeHead(three, key.public_key()).ok());
  EXPECT_EQ(*RootOf(three), *log->TreeRoot(3));
  // Nothing new: the same head, not a new signature.
  clock.Advance(absl::Seconds(5));
  ASSERT_OK_AND_ASSIGN(v1::SignedTreeHead again, signer.SignLatest());
  EXPECT_EQ(again.SerializeAsString(), three.SerializeAsString());
  // Both heads are kept and provably consistent.
  ASSERT_OK_AND_ASSIGN(auto kept_empty, signer.At(0));
  ASSERT_TRUE(kept_empty.has_value());
  ASSERT_OK_AND_ASSIGN(auto proof, log->ConsistencyProof(0, 3));
  EXPECT_TRUE(storage::merkle::VerifyConsistency(0, 3, *RootOf(*kept_empty),
                                                 *RootOf(three), proof)
                  .ok());
}

}  // namespace
}  // namespace collections::audit
