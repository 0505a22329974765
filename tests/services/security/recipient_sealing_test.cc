// Sealing to a recipient's X25519 key: only that key opens it, a seed
// makes it reproducible, anything but an X25519 key is refused.
#include "services/security/recipient_sealing.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/x25519_keys.h"

namespace collections::security {
namespace {

using ::collections::testing::StatusIs;
using ::testing::HasSubstr;

using Pems = ::collections::testing::KeyPairPem;
Pems NewKey(const char* algorithm = "X25519") {
  return ::collections::testing::NewKeyPair(algorithm);
}

const std::string kSeed(32, 's');

TEST(RecipientSealingTest, OnlyTheRecipientsKeyOpensIt) {
  const Pems agency = NewKey(), other = NewKey();
  auto raw = X25519PublicKeyFromPem(agency.public_pem);
  ASSERT_TRUE(raw.ok()) << raw.status();
  EXPECT_EQ(raw->size(), 32u);
  EXPECT_EQ(PublicKeyFingerprint(*raw).size(), 64u);
  auto sealed = SealToRecipient(*raw, "Zoë, +31 6 1234", "ad", kSeed);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(sealed->ciphertext.find("Zo"), std::string::npos);
  auto opened = OpenAsRecipient(agency.private_pem, *sealed, "ad");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, "Zoë, +31 6 1234");
  EXPECT_THAT(OpenAsRecipient(other.private_pem, *sealed, "ad"),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(OpenAsRecipient(agency.private_pem, *sealed, "other ad"),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST(RecipientSealingTest, TheSameSeedSealsTheSameBytesAnotherDoesNot) {
  const Pems agency = NewKey();
  const std::string raw = *X25519PublicKeyFromPem(agency.public_pem);
  auto one = SealToRecipient(raw, "text", "ad", kSeed);
  auto two = SealToRecipient(raw, "text", "ad", kSeed);
  auto three = SealToRecipient(raw, "text", "ad", std::string(32, 't'));
  ASSERT_TRUE(one.ok() && two.ok() && three.ok());
  EXPECT_EQ(one->ciphertext, two->ciphertext);
  EXPECT_EQ(one->ephemeral_public_key, two->ephemeral_public_key);
  EXPECT_NE(one->ephemeral_public_key, three->ephemeral_public_key);
  EXPECT_THAT(SealToRecipient(raw, "text", "ad", "short"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RecipientSealingTest, OnlyX25519KeysAreAccepted) {
  EXPECT_THAT(
      X25519PublicKeyFromPem(NewKey("ED25519").public_pem),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not X25519")));
  EXPECT_THAT(X25519PublicKeyFromPem("-----BEGIN PUBLIC KEY-----\nx\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not a PEM public key")));
}

}  // namespace
}  // namespace collections::security
