#include "services/app/event_feed.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace collections::app {
namespace {

absl::StatusOr<uint32_t> Limit(absl::string_view field, uint32_t requested) {
  if (requested == 0) return EventFeed::kDefaultLimit;
  if (requested > EventFeed::kMaxLimit) {
    return absl::InvalidArgumentError(absl::StrCat(field, " ", requested,
                                                   " is above the maximum of ",
                                                   EventFeed::kMaxLimit));
  }
  return requested;
}

storage::LogFilter ToFilter(const collections::v1::EventFilter& filter) {
  storage::LogFilter out;
  out.event_types.assign(filter.event_types().begin(),
                         filter.event_types().end());
  out.stream_prefix = filter.stream_prefix();
  return out;
}

}  // namespace

absl::StatusOr<collections::v1::Event> EventFeed::Reveal(
    storage::RecordedEvent recorded) {
  if (vault_ != nullptr) {
    COLLECTIONS_RETURN_IF_ERROR(vault_->Reveal(recorded.event));
  }
  return std::move(recorded.event);
}

absl::StatusOr<collections::v1::ReadStreamResponse> EventFeed::ReadStream(
    const collections::v1::ReadStreamRequest& request) {
  COLLECTIONS_ASSIGN_OR_RETURN(uint32_t limit, Limit("limit", request.limit()));
  const bool backward =
      request.direction() == collections::v1::READ_DIRECTION_BACKWARD;
  uint64_t from = request.from_version();
  if (backward && from == 0) from = UINT64_MAX;
  COLLECTIONS_ASSIGN_OR_RETURN(
      std::vector<storage::RecordedEvent> events,
      log_->ReadStream(request.stream_id(), from,
                       backward ? storage::ReadDirection::kBackward
                                : storage::ReadDirection::kForward,
                       limit));
  collections::v1::ReadStreamResponse response;
  for (auto& recorded : events) {
    COLLECTIONS_ASSIGN_OR_RETURN(*response.add_events(),
                                 Reveal(std::move(recorded)));
  }
  return response;
}

absl::StatusOr<collections::v1::ReadLogResponse> EventFeed::ReadLog(
    const collections::v1::ReadLogRequest& request) {
  COLLECTIONS_ASSIGN_OR_RETURN(uint32_t limit, Limit("limit", request.limit()));
  storage::LogRead read;
  read.from_position =
      request.from_position() == 0 ? 1 : request.from_position();
  read.max_events = limit;
  read.filter = ToFilter(request.filter());
  COLLECTIONS_ASSIGN_OR_RETURN(storage::LogReadResult result,
                               log_->ReadAll(read));
  collections::v1::ReadLogResponse response;
  // A byte budget as well as a count: a page of large events stops early
  // (at least one event), and next_position resumes at the first left out.
  uint64_t next_position = result.next_position;
  size_t bytes = 0;
  for (auto& recorded : result.events) {
    if (response.events_size() > 0 && bytes >= kReadLogPageBytes) {
      next_position = recorded.event.global_position();
      break;
    }
    collections::v1::Event* event = response.add_events();
    COLLECTIONS_ASSIGN_OR_RETURN(*event, Reveal(std::move(recorded)));
    bytes += event->ByteSizeLong();
  }
  response.set_next_position(next_position);
  response.set_head_position(result.head_position);
  return response;
}

absl::StatusOr<EventFeed::Cursor> EventFeed::Subscribe(
    const collections::v1::SubscribeRequest& request) {
  COLLECTIONS_ASSIGN_OR_RETURN(uint32_t max_batch,
                               Limit("max_batch", request.max_batch()));
  if (request.after_position() == UINT64_MAX) {
    return absl::InvalidArgumentError("after_position is out of range");
  }
  Cursor cursor;
  cursor.next_position = request.after_position() + 1;
  cursor.filter = ToFilter(request.filter());
  cursor.max_batch = max_batch;
  cursor.registration = std::make_shared<Registration>(this);
  {
    absl::MutexLock lock(&subscriptions_mu_);
    subscriptions_[cursor.registration.get()] = cursor.next_position;
  }
  return cursor;
}

// Removes its subscription from the figures when the last cursor copy goes.
class EventFeed::Registration {
 public:
  explicit Registration(EventFeed* feed) : feed_(feed) {}
  ~Registration() {
    absl::MutexLock lock(&feed_->subscriptions_mu_);
    feed_->subscriptions_.erase(this);
  }

 private:
  EventFeed* const feed_;
};

EventFeed::SubscriptionFigures EventFeed::Subscriptions() const {
  const uint64_t head = log_->HeadPosition();
  SubscriptionFigures figures;
  absl::MutexLock lock(&subscriptions_mu_);
  figures.active = subscriptions_.size();
  for (const auto& [registration, next_position] : subscriptions_) {
    const uint64_t lag = head >= next_position ? head - next_position + 1 : 0;
    figures.max_lag = std::max(figures.max_lag, lag);
    figures.total_lag += lag;
  }
  return figures;
}

absl::StatusOr<std::optional<collections::v1::SubscribeResponse>>
EventFeed::Next(Cursor& cursor, absl::Time wait_deadline) {
  if (log_->HeadPosition() < cursor.next_position) {
    log_->WaitForPosition(cursor.next_position, wait_deadline);
  }
  storage::LogRead read;
  read.from_position = cursor.next_position;
  read.max_events = cursor.max_batch;
  read.max_scanned = 10000;  // bounds the time between checkpoints
  read.filter = cursor.filter;
  COLLECTIONS_ASSIGN_OR_RETURN(storage::LogReadResult result,
                               log_->ReadAll(read));
  if (result.next_position <= cursor.next_position) return std::nullopt;
  collections::v1::SubscribeResponse response;
  for (auto& recorded : result.events) {
    COLLECTIONS_ASSIGN_OR_RETURN(*response.add_events(),
                                 Reveal(std::move(recorded)));
  }
  cursor.next_position = result.next_position;
  if (cursor.registration != nullptr) {
    absl::MutexLock lock(&subscriptions_mu_);
    subscriptions_[cursor.registration.get()] = cursor.next_position;
  }
  response.set_position(result.next_position - 1);
  response.set_caught_up(response.position() >= result.head_position);
  return response;
}

}  // namespace collections::app
