// Token buckets per caller, on an injected clock: a burst is admitted, the
// next call is RESOURCE_EXHAUSTED until the bucket refills, callers do not
// share buckets, and a rate of zero means no limit.
#include "services/security/rate_limiter.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"

namespace collections::security {
namespace {

using ::collections::testing::StatusIs;

const absl::Time kStart = absl::FromUnixSeconds(1795000000);

TEST(RateLimiterTest, AdmitsABurstThenRefusesUntilRefilled) {
  FakeClock clock(kStart);
  RateLimiter limiter(/*per_second=*/1, /*burst=*/2, &clock);
  EXPECT_TRUE(limiter.Admit("dialer").ok());
  EXPECT_TRUE(limiter.Admit("dialer").ok());
  EXPECT_THAT(limiter.Admit("dialer"),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_TRUE(limiter.Admit("letters").ok());  // a bucket of its own
  clock.Advance(absl::Seconds(1));
  EXPECT_TRUE(limiter.Admit("dialer").ok());
  EXPECT_THAT(limiter.Admit("dialer"),
              StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST(RateLimiterTest, ARateOfZeroAdmitsEverything) {
  FakeClock clock(kStart);
  RateLimiter limiter(0, 1, &clock);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.Admit("any").ok());
}

}  // namespace
}  // namespace collections::security
