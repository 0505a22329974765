// RecentEvents: the log's newest events, decoded once for every projection
// runner that follows it. The log feeds it each group it makes durable
// (storage/committed_events.h: the events the appends carried, never read
// back), so runners at the head read nothing from storage; without a feed
// (a log that cannot, events committed before it began) the first runner
// to reach a position reads it from the log, and the others take the same
// decoded records.
//
// It keeps the `capacity` newest events, as one window of consecutive
// positions. A read that starts inside the window is answered from it (and,
// at its end, continues from the log into it); a read from before the
// window (a runner far behind, a rebuild from zero) goes to the log and
// leaves the window as it is. A read never returns an event beyond the
// log's HeadPosition (the feed comes just before the head moves). Records
// are shared, never copied: they stay valid for as long as a reader holds
// them.
//
// Thread safety: all methods may be called from any thread. The log must
// outlive it; stop the log's feed (FeedCommittedEvents(nullptr)) before
// destroying it.
#ifndef COLLECTIONS_SERVICES_PROJECTIONS_RECENT_EVENTS_H_
#define COLLECTIONS_SERVICES_PROJECTIONS_RECENT_EVENTS_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "storage/committed_events.h"
#include "storage/event_log.h"

namespace collections::projections {

using SharedEvent = std::shared_ptr<const storage::RecordedEvent>;

class RecentEvents final : public storage::CommittedEventsSink {
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

  // CommittedEventsSink: the log's newest durable events extend the window
  // (or, after a gap, start it anew).
  void Committed(std::vector<SharedEvent> events) override;

 private:
  // Adds `events` (consecutive, from `first`) at the window's end: those
  // already in it are skipped; after a gap the window starts anew. The
  // oldest events beyond `keep` move to `evicted`, for the caller to
  // release outside the lock.
  void Extend(uint64_t first, std::vector<SharedEvent> events, size_t keep,
              std::vector<SharedEvent>* evicted)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Moves the oldest events beyond `keep` to `evicted`.
  void Evict(size_t keep, std::vector<SharedEvent>* evicted)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Readers' share of the work: trims the window to `capacity_`, releasing
  // the evicted events on the reader's thread, not the log's.
  void Trim() ABSL_LOCKS_EXCLUDED(mu_);

  // The window's part from `from` (inside it), at most `max_events`.
  Read FromWindow(uint64_t from, size_t max_events, uint64_t head) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  storage::EventLog* const log_;
  // Readers trim the window to capacity_; the feed, on the log's own
  // thread, only past twice that (when no reader trims: runners stopped),
  // so releasing old events (their protobuf destructors: ~3% of the
  // server's CPU under 100-event writes) stays off the log's pipeline.
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
