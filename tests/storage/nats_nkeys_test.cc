// NATS user nkeys (storage/nats_nkeys.h): a fresh key's seed and public key
// have NATS's shapes ("SU…", 58 characters; "U…", 56), the public key is
// derived back from the seed, and a damaged seed or a public key given as a
// seed is refused. (That a real nats-server accepts them is shown by
// nats_security_test.cc.)
#include "storage/nats_nkeys.h"

#include <string>

#include "gtest/gtest.h"

namespace collections::storage {
namespace {

TEST(NatsNKeysTest, SeedsAndPublicKeysRoundTrip) {
  auto nkey = NewNatsUserNKey();
  ASSERT_TRUE(nkey.ok()) << nkey.status();
  EXPECT_EQ(nkey->seed.substr(0, 2), "SU");
  EXPECT_EQ(nkey->seed.size(), 58u);
  EXPECT_EQ(nkey->public_key[0], 'U');
  EXPECT_EQ(nkey->public_key.size(), 56u);
  auto derived = NatsUserPublicKeyOfSeed(nkey->seed + "\n");
  ASSERT_TRUE(derived.ok()) << derived.status();
  EXPECT_EQ(*derived, nkey->public_key);
  std::string damaged = nkey->seed;
  damaged[10] = damaged[10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(NatsUserPublicKeyOfSeed(damaged).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NatsUserPublicKeyOfSeed(nkey->public_key).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace collections::storage
