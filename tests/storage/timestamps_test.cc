// recorded_at's conversions: exact to the nanosecond both ways, before and
// after the epoch.
#include "storage/timestamps.h"

#include "gtest/gtest.h"

namespace collections::storage {
namespace {

TEST(TimestampsTest, RoundTripIsNanosecondExact) {
  for (absl::Time t :
       {absl::UnixEpoch(), absl::FromUnixNanos(1795000000123456789),
        absl::FromUnixNanos(-1500000001)}) {
    const google::protobuf::Timestamp ts = ToTimestamp(t);
    EXPECT_GE(ts.nanos(), 0);
    EXPECT_LT(ts.nanos(), 1000000000);
    EXPECT_EQ(FromTimestamp(ts), t);
  }
  const google::protobuf::Timestamp ts =
      ToTimestamp(absl::FromUnixNanos(1795000000123456789));
  EXPECT_EQ(ts.seconds(), 1795000000);
  EXPECT_EQ(ts.nanos(), 123456789);
}

}  // namespace
}  // namespace collections::storage
