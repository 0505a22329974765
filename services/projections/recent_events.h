// RecentEvents: the log's newest events, read from the log and decoded once
// for every projection runner that follows it. Without it each runner read
// and parsed every new event itself (three runners: three RocksDB scans and
// three protobuf parses of each event); with it the first runner to reach
// a position reads it, and the others take the same decoded records.
//
// It keeps the `capacity` newest events it has read, as one window of
// consecutive positions. A read that starts inside the window is answered
// from it (and, at its end, continues from the log into it); a read from
// before the window (a runner far behind, a rebuild from zero) goes to the
// log and leaves the window as it is. Records are shared, never copied:
// they stay valid for as long as a reader holds them.
//
// Thread safety: all methods may be called from any thread. The log must
// outlive it.
#ifndef COLLECTIONS_SERVICES_PROJECTIONS_RECENT_EVENTS_H_
#define COLLECTIONS_SERVICES_PROJECTIONS_RECENT_EVENTS_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "storage/event_log.h"

namespace collections::projections {

using SharedEvent = std::shared_ptr<const storage::RecordedEvent>;

class RecentEvents {
 public:
  RecentEvents(storage::EventLog* log, size_t capacity)
      : log_(log), capacity_(capacity) {}
  RecentEvents(const RecentEvents&) = delete;
  RecentEvents& operator=(const RecentEvents&) = delete;

  struct Read {
    std::vector<SharedEvent> events;  // consecutive positions from the start
    uint64_t next_position = 1;       // one past the last event returned
  };
  // Up to `max_events` events (unfiltered) from `from_position` on; fewer
  // when the log has no more. Errors: the log's ReadAll errors.
  absl::StatusOr<Read> ReadFrom(uint64_t from_position, size_t max_events);

 private:
  // The window's part from `from` (inside it), at most `max_events`.
  Read FromWindow(uint64_t from, size_t max_events) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  storage::EventLog* const log_;
  const size_t capacity_;
  // Serializes reads from the log into the window, so two runners at its
  // end read the next events once.
  absl::Mutex tail_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex mu_;
  uint64_t first_position_ ABSL_GUARDED_BY(mu_) = 1;  // of window_.front()
  std::deque<SharedEvent> window_ ABSL_GUARDED_BY(mu_);
};

}  // namespace collections::projections

#endif  // COLLECTIONS_SERVICES_PROJECTIONS_RECENT_EVENTS_H_
