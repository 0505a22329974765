// The identities file: certificates by name, tokens by their hash, and a
// clear refusal of every malformed line.
#include "services/security/identities.h"

#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace collections::security {
namespace {

using ::testing::HasSubstr;

std::string TokenLine(const std::string& token, const std::string& rest) {
  return "token sha256:" + ToHex(Sha256Of(token)) + " " + rest + "\n";
}

TEST(IdentitiesTest, FindsCertificatesByAnyNameAndTokensByHash) {
  auto identities = Identities::Parse(
      "# principals\n"
      "cert anna.example.com anna collector\n"
      "\n"
      "cert noord.example.com incasso-noord agency:incasso-noord\n" +
      TokenLine("s3cret", "billing service"));
  ASSERT_TRUE(identities.ok()) << identities.status();
  auto anna = identities->ForCertificate({"Anna", "anna.example.com"});
  ASSERT_TRUE(anna.has_value());
  EXPECT_EQ(anna->id, "anna");
  EXPECT_EQ(anna->role, "collector");
  EXPECT_FALSE(identities->ForCertificate({"mallory.example.com"}));
  auto billing = identities->ForToken("s3cret");
  ASSERT_TRUE(billing.has_value());
  EXPECT_EQ(billing->role, "service");
  EXPECT_FALSE(identities->ForToken("s3cret "));
  EXPECT_FALSE(identities->ForToken(""));
}

TEST(IdentitiesTest, RefusesMalformedLinesNamingThem) {
  const std::pair<std::string, std::string> cases[] = {
      {"cert a.example.com anna\n", "line 1: want: kind credential id role"},
      {"\ncert a anna root\n", "line 2: unknown role 'root'"},
      {"token plain-token billing service\n",
       "line 1: a token is listed as sha256:<64 lower-case hex digits>"},
      {"key a anna admin\n", "line 1: unknown kind 'key'"},
      {"cert a anna admin\ncert a bob admin\n",
       "line 2: this credential is listed already"},
  };
  for (const auto& [text, message] : cases) {
    auto parsed = Identities::Parse(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(parsed.status().message(), HasSubstr(message)) << text;
  }
  EXPECT_EQ(Identities::Load("/no/such/file").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace collections::security
