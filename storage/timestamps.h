// absl::Time to and from google.protobuf.Timestamp, nanosecond exact, for
// the log-assigned recorded_at.
#ifndef COLLECTIONS_STORAGE_TIMESTAMPS_H_
#define COLLECTIONS_STORAGE_TIMESTAMPS_H_

#include <cstdint>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace collections::storage {

inline google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t seconds = absl::ToUnixSeconds(t);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(seconds)) /
                                    absl::Nanoseconds(1)));
  return ts;
}

inline absl::Time FromTimestamp(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_TIMESTAMPS_H_
