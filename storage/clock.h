// Clock: where server time comes from. Code that needs "now" takes a Clock so
// tests can inject a fake one; domain rules never read a clock at all (time
// comes in with the command).
//
// Thread safety: implementations must be safe to call from any thread.
#ifndef COLLECTIONS_STORAGE_CLOCK_H_
#define COLLECTIONS_STORAGE_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace collections {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;

  // The process-wide wall clock. Never destroyed.
  static Clock* Real();
};

// The wall clock (absl::Now()).
class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

inline Clock* Clock::Real() {
  static RealClock* const kClock = new RealClock();
  return kClock;
}

// A clock that only moves when told to. For tests and replays.
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

#endif  // COLLECTIONS_STORAGE_CLOCK_H_
