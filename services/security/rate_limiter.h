// Per-caller rate limits: a token bucket per caller id, refilled at
// `per_second` up to `burst`. A call that finds the bucket empty is refused
// with RESOURCE_EXHAUSTED saying when to retry. Time comes from the
// injected clock; buckets idle for a minute are dropped so the table stays
// small.
//
// Thread safety: Admit may be called concurrently.
#ifndef COLLECTIONS_SERVICES_SECURITY_RATE_LIMITER_H_
#define COLLECTIONS_SERVICES_SECURITY_RATE_LIMITER_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace collections::security {

class RateLimiter {
 public:
  // per_second ≤ 0: no limit.
  RateLimiter(double per_second, double burst, const Clock* clock);

  absl::Status Admit(const std::string& caller);

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time refilled;
  };
  const double per_second_;
  const double burst_;
  const Clock* const clock_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
  absl::Time swept_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace collections::security

#endif  // COLLECTIONS_SERVICES_SECURITY_RATE_LIMITER_H_
