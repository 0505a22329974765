// The gatekeeper: who is calling (token, certificate, or in development
// what the caller claims, never over TLS), how often, whether the role may
// call the method, and whether the request is within limits.
#include "services/security/gatekeeper.h"

#include "collections/v1/case_commands.pb.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"

namespace collections::security {
namespace {

using ::collections::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kLogCalls[] = "collections.v1.CaseCommands/LogCalls";

Identities Principals() {
  auto identities = Identities::Parse(
      "cert anna.example.com anna collector\n"
      "token sha256:" +
      ToHex(Sha256Of("t0ken")) + " billing service\n");
  EXPECT_TRUE(identities.ok());
  return *std::move(identities);
}

TEST(GatekeeperTest, TokensAndCertificatesNameTheCallerClaimsDoNot) {
  GatekeeperOptions options;
  options.identities = Principals();
  Gatekeeper gate(std::move(options));

  Credentials by_cert;
  by_cert.certificate_names = {"dns:anna.example.com"};
  by_cert.claimed_id = "mallory";  // forged: ignored
  by_cert.claimed_role = "admin";
  auto anna = gate.Admit(by_cert, kLogCalls, nullptr);
  ASSERT_TRUE(anna.ok()) << anna.status();
  EXPECT_EQ(anna->id(), "anna");
  EXPECT_EQ(anna->role(), "collector");

  Credentials by_token;
  by_token.bearer_token = "t0ken";
  auto billing = gate.Admit(by_token, kLogCalls, nullptr);
  ASSERT_TRUE(billing.ok());
  EXPECT_EQ(billing->id(), "billing");

  by_token.bearer_token = "guess";
  EXPECT_EQ(gate.Admit(by_token, kLogCalls, nullptr).status().code(),
            absl::StatusCode::kUnauthenticated);
  Credentials stranger;
  stranger.certificate_names = {"dns:mallory.example.com"};
  EXPECT_THAT(gate.Admit(stranger, kLogCalls, nullptr).status().message(),
              HasSubstr("dns:mallory.example.com) is not a known identity"));
  Credentials claims_only;
  claims_only.claimed_id = "mallory";
  claims_only.claimed_role = "admin";
  EXPECT_THAT(gate.Admit(claims_only, kLogCalls, nullptr).status().message(),
              HasSubstr("no credentials"));

  // Authenticated, but the role lacks the permission.
  EXPECT_EQ(gate.Admit(by_cert, "collections.v1.Operations/RebuildProjection",
                       nullptr)
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  // And the request is checked.
  collections::v1::LogCallsRequest request;
  request.set_case_id(std::string(1000, 'x'));
  EXPECT_EQ(gate.Admit(by_cert, kLogCalls, &request).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(GatekeeperTest, DevelopmentModeTakesClaimsButOnlyKnownRoles) {
  GatekeeperOptions options;
  options.plaintext_development = true;
  Gatekeeper gate(std::move(options));
  Credentials claims;
  claims.claimed_id = "dev";
  claims.claimed_role = "auditor";
  auto dev = gate.Admit(claims, "collections.v1.Audit/ListAuditTrail", nullptr);
  ASSERT_TRUE(dev.ok());
  EXPECT_EQ(dev->id(), "dev");
  EXPECT_EQ(gate.Admit(claims, kLogCalls, nullptr).status().code(),
            absl::StatusCode::kPermissionDenied);
  claims.claimed_role = "root";
  EXPECT_EQ(gate.Admit(claims, kLogCalls, nullptr).status().code(),
            absl::StatusCode::kUnauthenticated);
  auto anonymous = gate.Admit(Credentials(), kLogCalls, nullptr);
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(anonymous->role(), "admin");
}

TEST(GatekeeperTest, EachCallerHasItsOwnRateLimit) {
  FakeClock clock(absl::FromUnixSeconds(1767225600));
  GatekeeperOptions options;
  options.plaintext_development = true;
  options.rate_limit_per_second = 2;
  options.rate_limit_burst = 3;
  options.clock = &clock;
  Gatekeeper gate(std::move(options));
  Credentials a, b;
  a.claimed_id = "a";
  b.claimed_id = "b";
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(gate.Admit(a, kLogCalls, nullptr).ok());
  const absl::Status limited = gate.Admit(a, kLogCalls, nullptr).status();
  EXPECT_EQ(limited.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(limited.message(), HasSubstr("retry in 500 ms"));
  EXPECT_TRUE(gate.Admit(b, kLogCalls, nullptr).ok());  // b is not a
  clock.Advance(absl::Milliseconds(500));               // one token back
  EXPECT_TRUE(gate.Admit(a, kLogCalls, nullptr).ok());
  EXPECT_THAT(gate.Admit(a, kLogCalls, nullptr),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("retry in 500 ms")));
}

// Issue 25: calls that fail authentication are limited per peer host, so
// guessing tokens costs time too.
TEST(GatekeeperTest, UnauthenticatedCallsAreLimitedPerPeerHost) {
  FakeClock clock(absl::FromUnixSeconds(1767225600));
  GatekeeperOptions options;  // TLS mode: no claims taken
  options.rate_limit_per_second = 1;
  options.rate_limit_burst = 2;
  options.clock = &clock;
  Gatekeeper gate(std::move(options));
  Credentials guess;
  guess.bearer_token = "guess";
  guess.peer = "ipv4:10.0.0.7:51234";
  for (int i = 0; i < 2; ++i) {
    EXPECT_THAT(gate.Admit(guess, kLogCalls, nullptr),
                StatusIs(absl::StatusCode::kUnauthenticated));
  }
  // Another port of the same host spends from the same bucket.
  guess.peer = "ipv4:10.0.0.7:60000";
  EXPECT_THAT(gate.Admit(guess, kLogCalls, nullptr),
              StatusIs(absl::StatusCode::kResourceExhausted));
  Credentials other = guess;
  other.peer = "ipv4:10.0.0.8:51234";
  EXPECT_THAT(gate.Admit(other, kLogCalls, nullptr),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

}  // namespace
}  // namespace collections::security
