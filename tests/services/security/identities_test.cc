// The identities file: certificates by name, tokens by their hash, and a
// clear refusal of every malformed line.
#include "services/security/identities.h"

#include <fstream>

#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"

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
  // An untyped line matches the CN or any SAN with that value.
  auto anna = identities->ForCertificate({"cn:Anna", "dns:anna.example.com"});
  ASSERT_TRUE(anna.ok() && anna->has_value());
  EXPECT_EQ((*anna)->id, "anna");
  EXPECT_EQ((*anna)->role, "collector");
  EXPECT_FALSE(identities->ForCertificate({"dns:mallory.example.com"})
                   .value()
                   .has_value());
  auto billing = identities->ForToken("s3cret");
  ASSERT_TRUE(billing.has_value());
  EXPECT_EQ(billing->role, "service");
  EXPECT_FALSE(identities->ForToken("s3cret "));
  EXPECT_FALSE(identities->ForToken(""));
}

// Typed names mean exactly that name of the certificate; a certificate
// whose names match two principals is refused, never mapped to the first.
TEST(IdentitiesTest, TypedNamesAndOnePrincipalPerCertificate) {
  auto identities = Identities::Parse(
      "cert uri:spiffe://collections.example/agency/noord incasso-noord "
      "agency:incasso-noord\n"
      "cert dns:noord.example.com noord-staff collector\n"
      "cert cn:Anna anna collector\n"
      "cert anna.example.com anna collector\n");
  ASSERT_TRUE(identities.ok()) << identities.status();
  auto agency = identities->ForCertificate(
      {"cn:Incasso Noord", "uri:spiffe://collections.example/agency/noord"});
  ASSERT_TRUE(agency.ok() && agency->has_value());
  EXPECT_EQ((*agency)->role, "agency:incasso-noord");
  // The same value as another type does not match a typed line.
  EXPECT_FALSE(
      identities->ForCertificate({"cn:noord.example.com"}).value().has_value());
  // Two names of one principal: fine.
  auto anna = identities->ForCertificate({"cn:Anna", "dns:anna.example.com"});
  ASSERT_TRUE(anna.ok() && anna->has_value());
  EXPECT_EQ((*anna)->id, "anna");
  // Names of two principals: refused, naming both.
  auto both = identities->ForCertificate(
      {"uri:spiffe://collections.example/agency/noord",
       "dns:noord.example.com"});
  EXPECT_EQ(both.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(both.status().message(),
              HasSubstr("matches two principals (incasso-noord"));
  EXPECT_FALSE(Identities::Parse("cert uri: anna collector\n").ok());
}

// A changed file is read again (at most once per interval); one that no
// longer parses leaves the last good identities in force.
TEST(IdentitiesTest, WatchedIdentitiesFollowTheFile) {
  testing::TempDir dir;
  const std::string path = dir.Sub("identities");
  std::ofstream(path) << "cert dns:anna.example.com anna collector\n";
  FakeClock clock(absl::FromUnixSeconds(1000));
  WatchedIdentities watched(Identities::Load(path).value(), path, &clock,
                            absl::Seconds(1));
  auto anna = [&] {
    return watched.Current()
        ->ForCertificate({"dns:anna.example.com"})
        .value()
        .has_value();
  };
  EXPECT_TRUE(anna());
  // Anna is removed: not seen before the interval, seen after it.
  std::ofstream(path, std::ios::trunc)
      << "cert dns:bob.example.com bob collector\n";
  EXPECT_TRUE(anna());
  clock.Advance(absl::Seconds(2));
  EXPECT_FALSE(anna());
  EXPECT_TRUE(watched.Current()
                  ->ForCertificate({"dns:bob.example.com"})
                  .value()
                  .has_value());
  // A broken file: bob stays.
  std::ofstream(path, std::ios::trunc) << "cert bob\n";
  clock.Advance(absl::Seconds(2));
  EXPECT_TRUE(watched.Current()
                  ->ForCertificate({"dns:bob.example.com"})
                  .value()
                  .has_value());
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
