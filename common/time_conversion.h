// The one conversion between absl::Time and google.protobuf.Timestamp, used
// by every layer (business times, recorded_at, signed heads, CLI flags).
//
// Nanosecond exact both ways, before and after the epoch: nanos is always in
// [0, 1e9), seconds rounded toward negative infinity. absl::InfinitePast()
// (a "never" in folded state) becomes the unset Timestamp; any other instant
// outside Timestamp's range is not representable and is a caller's bug.
//
// Pure functions; thread safe.
#ifndef COLLECTIONS_COMMON_TIME_CONVERSION_H_
#define COLLECTIONS_COMMON_TIME_CONVERSION_H_

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace collections {

google::protobuf::Timestamp ToTimestamp(absl::Time t);
absl::Time ToTime(const google::protobuf::Timestamp& ts);

}  // namespace collections

#endif  // COLLECTIONS_COMMON_TIME_CONVERSION_H_
