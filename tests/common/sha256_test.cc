// SHA-256 against published vectors, and the leaf/chain constructions.
#include "common/sha256.h"

#include <string>

#include "gtest/gtest.h"

namespace collections {
namespace {

TEST(Sha256Test, MatchesFips180Vectors) {
  EXPECT_EQ(ToHex(Sha256Of("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ToHex(Sha256Of("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ToHex(Sha256Of(
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, IncrementalUpdatesEqualOneShot) {
  const std::string data(1000, 'x');
  Sha256 incremental;
  incremental.Update(data.substr(0, 3))
      .Update(data.substr(3, 500))
      .Update(data.substr(503));
  EXPECT_EQ(incremental.Finish(), Sha256Of(data));
}

TEST(Sha256Test, LeafHashIsRfc9162LeafOfTheRecord) {
  // RFC 9162 §2.1.1: the hash of the empty leaf is SHA-256(0x00).
  EXPECT_EQ(ToHex(LeafHash("")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_EQ(LeafHash("abc"), Sha256Of(std::string("\0abc", 4)));
}

TEST(Sha256Test, ChainHashBindsThePreviousChainAndTheLeaf) {
  Sha256Digest zero{};
  const Sha256Digest leaf = LeafHash("event");
  std::string input(1, '\x02');
  input += std::string(32, '\0');
  input += std::string(AsBytes(leaf));
  EXPECT_EQ(ChainHash(zero, leaf), Sha256Of(input));
  EXPECT_NE(ChainHash(zero, leaf), ChainHash(LeafHash("other"), leaf));
}

}  // namespace
}  // namespace collections
