// FakeClock: a Clock (common/clock.h) that only moves when a test tells it
// to, so anything that reads "now" (lag in seconds, rate limits, signed
// heads, retention) is deterministic in tests.
//
// Thread safety: all methods may be called concurrently.
#ifndef COLLECTIONS_TESTS_TESTING_FAKE_CLOCK_H_
#define COLLECTIONS_TESTS_TESTING_FAKE_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace collections {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Set(absl::Time t) {
    absl::MutexLock lock(&mu_);
    now_ = t;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace collections

#endif  // COLLECTIONS_TESTS_TESTING_FAKE_CLOCK_H_
