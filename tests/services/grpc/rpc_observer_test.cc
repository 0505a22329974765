// Which calls the RPC observer logs under each policy. (The lines
// themselves, on a running server: tests/integration/rpc_log_test.cc.)
#include "services/grpc/rpc_observer.h"

#include "gtest/gtest.h"

namespace collections::grpc_api {
namespace {

TEST(RpcObserverTest, PolicyDecidesWhichCallsAreLogged) {
  RpcObserverOptions options;
  options.slow_call = absl::Milliseconds(100);
  const absl::Duration quick = absl::Milliseconds(2);
  const absl::Duration slow = absl::Milliseconds(500);

  options.policy = RpcLogPolicy::kAll;
  EXPECT_TRUE(ShouldLogRpc(options, /*ok=*/true, quick, false));

  options.policy = RpcLogPolicy::kNone;
  EXPECT_FALSE(ShouldLogRpc(options, /*ok=*/false, slow, false));

  options.policy = RpcLogPolicy::kFailures;
  EXPECT_FALSE(ShouldLogRpc(options, /*ok=*/true, quick, false));
  EXPECT_TRUE(ShouldLogRpc(options, /*ok=*/false, quick, false));
  EXPECT_TRUE(ShouldLogRpc(options, /*ok=*/true, slow, false));
  // A subscription is long by design: not "slow".
  EXPECT_FALSE(ShouldLogRpc(options, /*ok=*/true, slow, true));
  EXPECT_TRUE(ShouldLogRpc(options, /*ok=*/false, slow, true));
}

TEST(RpcObserverTest, MadeUpMethodsShareOneLabel) {
  EXPECT_EQ(MethodLabel("/collections.v1.CaseQueries/GetCase"),
            "/collections.v1.CaseQueries/GetCase");
  EXPECT_EQ(MethodLabel("/grpc.health.v1.Health/Check"),
            "/grpc.health.v1.Health/Check");
  EXPECT_EQ(MethodLabel("/collections.v1.CaseQueries/NoSuchMethod"),
            "/unknown/unknown");
  EXPECT_EQ(MethodLabel("/collections.v1.NoSuchService/GetCase"),
            "/unknown/unknown");
  EXPECT_EQ(MethodLabel("/evil.Service/x-123456"), "/unknown/unknown");
  EXPECT_EQ(MethodLabel("no slash at all"), "/unknown/unknown");
}

}  // namespace
}  // namespace collections::grpc_api
