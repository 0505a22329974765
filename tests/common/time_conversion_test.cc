// The one time conversion: exact to the nanosecond both ways, before and
// after the epoch; "never" (InfinitePast) as the unset Timestamp.
#include "common/time_conversion.h"

#include "gtest/gtest.h"

namespace collections {
namespace {

TEST(TimeConversionTest, RoundTripIsNanosecondExact) {
  for (absl::Time t :
       {absl::UnixEpoch(), absl::FromUnixNanos(1795000000123456789),
        absl::FromUnixNanos(-1500000001)}) {
    const google::protobuf::Timestamp ts = ToTimestamp(t);
    EXPECT_GE(ts.nanos(), 0);
    EXPECT_LT(ts.nanos(), 1000000000);
    EXPECT_EQ(ToTime(ts), t);
  }
  const google::protobuf::Timestamp ts =
      ToTimestamp(absl::FromUnixNanos(1795000000123456789));
  EXPECT_EQ(ts.seconds(), 1795000000);
  EXPECT_EQ(ts.nanos(), 123456789);
}

TEST(TimeConversionTest, BeforeTheEpochSecondsRoundDown) {
  // -1.5 s is -2 s + 0.5 s: nanos stay non-negative.
  const google::protobuf::Timestamp ts =
      ToTimestamp(absl::FromUnixMillis(-1500));
  EXPECT_EQ(ts.seconds(), -2);
  EXPECT_EQ(ts.nanos(), 500000000);
}

TEST(TimeConversionTest, InfinitePastIsTheUnsetTimestamp) {
  const google::protobuf::Timestamp ts = ToTimestamp(absl::InfinitePast());
  EXPECT_EQ(ts.seconds(), 0);
  EXPECT_EQ(ts.nanos(), 0);
}

}  // namespace
}  // namespace collections
