#include "services/projections/recent_events.h"

#include <utility>

#include "common/status_macros.h"

namespace collections::projections {

RecentEvents::Read RecentEvents::FromWindow(uint64_t from, size_t max_events,
                                            uint64_t head) const {
  Read read;
  read.next_position = from;
  for (size_t i = from - first_position_;
       i < window_.size() && read.events.size() < max_events &&
       read.next_position <= head;
       ++i) {
    read.events.push_back(window_[i]);
    ++read.next_position;
  }
  return read;
}

void RecentEvents::Evict(size_t keep, std::vector<SharedEvent>* evicted) {
  while (window_.size() > keep) {
    evicted->push_back(std::move(window_.front()));
    window_.pop_front();
    ++first_position_;
  }
}

void RecentEvents::Extend(uint64_t first, std::vector<SharedEvent> events,
                          size_t keep, std::vector<SharedEvent>* evicted) {
  if (events.empty()) return;
  const uint64_t end = first_position_ + window_.size();
  if (first > end || window_.empty()) {  // after a gap: start anew
    for (SharedEvent& event : window_) evicted->push_back(std::move(event));
    window_.clear();
    first_position_ = first;
  } else if (first < end) {  // partly known already
    const uint64_t known = end - first;
    if (known >= events.size()) return;
    events.erase(events.begin(), events.begin() + known);
  }
  for (SharedEvent& event : events) window_.push_back(std::move(event));
  Evict(keep, evicted);
}

void RecentEvents::Trim() {
  std::vector<SharedEvent> evicted;  // released after the lock
  {
    absl::ReaderMutexLock lock(&mu_);
    if (window_.size() <= capacity_) return;
  }
  absl::MutexLock lock(&mu_);
  Evict(capacity_, &evicted);
}

void RecentEvents::Committed(std::vector<SharedEvent> events) {
  if (events.empty()) return;
  const uint64_t first = events.front()->event.global_position();
  std::vector<SharedEvent> evicted;  // released after the lock
  absl::MutexLock lock(&mu_);
  Extend(first, std::move(events), 2 * capacity_, &evicted);
}

absl::StatusOr<RecentEvents::Read> RecentEvents::ReadFrom(
    uint64_t from_position, size_t max_events) {
  // Fed events may lie beyond the head for a moment: never handed out
  // before the log says they are committed.
  const uint64_t head = log_->HeadPosition();
  Trim();
  if (from_position > head) {
    Read nothing;
    nothing.next_position = from_position;
    return nothing;
  }
  {
    absl::ReaderMutexLock lock(&mu_);
    const uint64_t end = first_position_ + window_.size();
    if (from_position >= first_position_ && from_position < end) {
      return FromWindow(from_position, max_events, head);
    }
  }
  // At the window's end (or outside it): read the log. One reader at a
  // time, so the events after the window are read once; the next one finds
  // them in the window.
  absl::MutexLock tail(&tail_mu_);
  {
    absl::ReaderMutexLock lock(&mu_);
    const uint64_t end = first_position_ + window_.size();
    if (from_position >= first_position_ && from_position < end) {
      return FromWindow(from_position, max_events, head);
    }
  }
  storage::LogRead request;
  request.from_position = from_position;
  request.max_events = max_events;
  COLLECTIONS_ASSIGN_OR_RETURN(storage::LogReadResult result,
                               log_->ReadAll(request));
  Read read;
  read.next_position = result.next_position;
  read.events.reserve(result.events.size());
  for (storage::RecordedEvent& event : result.events) {
    read.events.push_back(
        std::make_shared<const storage::RecordedEvent>(std::move(event)));
  }
  // Unfiltered, so the events are consecutive. They extend the window when
  // they reach past its end from inside it or at it (the feed may have
  // added some meanwhile), or start a new window when the window is empty
  // or was left behind (a runner ahead of the others after a restart). A
  // read from before the window leaves it as it is.
  std::vector<SharedEvent> evicted;  // released after the lock
  if (!read.events.empty()) {
    absl::MutexLock lock(&mu_);
    if (window_.empty() || from_position >= first_position_) {
      Extend(from_position, read.events, capacity_, &evicted);
    }
  }
  return read;
}

}  // namespace collections::projections
