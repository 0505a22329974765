#include "services/security/rate_limiter.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/status_details.h"

namespace collections::security {

RateLimiter::RateLimiter(double per_second, double burst, const Clock* clock)
    : per_second_(per_second), burst_(std::max(1.0, burst)), clock_(clock) {}

absl::Status RateLimiter::Admit(const std::string& caller) {
  if (per_second_ <= 0) return absl::OkStatus();
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  if (now - swept_ > absl::Minutes(1)) {
    // Idle buckets are full again: dropping them changes nothing.
    absl::erase_if(buckets_, [&](const auto& entry) {
      return now - entry.second.refilled > absl::Minutes(1);
    });
    swept_ = now;
  }
  auto [it, added] = buckets_.try_emplace(caller, Bucket{burst_, now});
  Bucket& bucket = it->second;
  if (!added) {
    const double elapsed = absl::ToDoubleSeconds(now - bucket.refilled);
    bucket.tokens =
        std::min(burst_, bucket.tokens + std::max(0.0, elapsed) * per_second_);
    bucket.refilled = now;
  }
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return absl::OkStatus();
  }
  const double wait_ms = std::ceil((1.0 - bucket.tokens) / per_second_ * 1000);
  absl::Status limited = absl::ResourceExhaustedError(
      absl::StrCat("caller ", caller, " is over its limit of ", per_second_,
                   " calls/s (burst ", burst_, "); retry in ", wait_ms, " ms"));
  SetErrorReason(limited, "RATE_LIMITED");
  SetRetryDelay(limited, absl::Milliseconds(wait_ms));
  return limited;
}

}  // namespace collections::security
