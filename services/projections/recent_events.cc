#include "services/projections/recent_events.h"

#include <utility>

#include "common/status_macros.h"

namespace collections::projections {

RecentEvents::Read RecentEvents::FromWindow(uint64_t from,
                                            size_t max_events) const {
  Read read;
  read.next_position = from;
  for (size_t i = from - first_position_;
       i < window_.size() && read.events.size() < max_events; ++i) {
    read.events.push_back(window_[i]);
    ++read.next_position;
  }
  return read;
}

absl::StatusOr<RecentEvents::Read> RecentEvents::ReadFrom(
    uint64_t from_position, size_t max_events) {
  {
    absl::ReaderMutexLock lock(&mu_);
    const uint64_t end = first_position_ + window_.size();
    if (from_position >= first_position_ && from_position < end) {
      return FromWindow(from_position, max_events);
    }
  }
  // At the window's end (or outside it): read the log. One reader at a
  // time, so the events after the window are read once; the next one finds
  // them in the window.
  absl::MutexLock tail(&tail_mu_);
  uint64_t end;
  {
    absl::ReaderMutexLock lock(&mu_);
    end = first_position_ + window_.size();
    if (from_position >= first_position_ && from_position < end) {
      return FromWindow(from_position, max_events);
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
  // Unfiltered, so the events are consecutive: they extend the window when
  // they start at its end, or start a new window when the window is empty
  // or was left behind (a runner ahead of the others after a restart).
  const bool extends = from_position == end;
  const bool replaces = from_position > end || (end == first_position_);
  if ((extends || replaces) && !read.events.empty()) {
    absl::MutexLock lock(&mu_);
    if (!extends) {
      window_.clear();
      first_position_ = from_position;
    }
    for (const SharedEvent& event : read.events) window_.push_back(event);
    while (window_.size() > capacity_) {
      window_.pop_front();
      ++first_position_;
    }
  }
  return read;
}

}  // namespace collections::projections
