// Clock: where server time comes from. Code that needs "now" takes a Clock so
// tests can inject a fake one (tests/testing/fake_clock.h); domain rules
// never read a clock at all (time comes in with the command).
//
// Thread safety: implementations must be safe to call from any thread.
#ifndef COLLECTIONS_COMMON_CLOCK_H_
#define COLLECTIONS_COMMON_CLOCK_H_

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

}  // namespace collections

#endif  // COLLECTIONS_COMMON_CLOCK_H_
