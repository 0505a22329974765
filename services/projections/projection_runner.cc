#include "services/projections/projection_runner.h"

#include <memory>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "common/thread_name.h"
#include "common/time_conversion.h"

namespace collections::projections {

ProjectionRunner::ProjectionRunner(storage::EventLog* log,
                                   storage::ProjectionStore* store,
                                   StoredProjection* projection,
                                   std::string keyspace, const Clock* clock,
                                   Options options)
    : log_(log),
      store_(store),
      projection_(projection),
      clock_(clock),
      options_(options),
      keyspace_(std::move(keyspace)) {}

ProjectionRunner::~ProjectionRunner() { Stop(); }

void ProjectionRunner::Fail(uint64_t position, absl::Status status) {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return;
  failure_ = std::move(status);
  failed_position_ = position;
}

absl::Status ProjectionRunner::CommitBefore(
    const std::vector<SharedEvent>& events, uint64_t position,
    uint64_t checkpoint) {
  if (position - 1 <= checkpoint) return absl::OkStatus();
  COLLECTIONS_ASSIGN_OR_RETURN(
      std::unique_ptr<storage::ProjectionWrite> write,
      store_->BeginWrite(keyspace_, projection_->reads_own_writes()));
  for (const SharedEvent& recorded : events) {
    if (recorded->event.global_position() >= position) break;
    COLLECTIONS_RETURN_IF_ERROR(projection_->Apply(*recorded, *write));
  }
  absl::Status committed = projection_->Flush(*write);
  if (committed.ok()) committed = store_->Commit(*write, position - 1);
  if (!committed.ok()) {
    projection_->Reset();
    return committed;
  }
  absl::MutexLock lock(&mu_);
  checkpoint_ = position - 1;
  return absl::OkStatus();
}

absl::StatusOr<RecentEvents::Read> ProjectionRunner::ReadAfter(
    uint64_t checkpoint) {
  storage::LogRead read;
  read.from_position = checkpoint + 1;
  read.max_events = options_.events_per_commit;
  read.filter = projection_->filter();
  const bool unfiltered =
      read.filter.event_types.empty() && read.filter.stream_prefix.empty();
  if (options_.recent != nullptr && unfiltered) {
    return options_.recent->ReadFrom(read.from_position, read.max_events);
  }
  COLLECTIONS_ASSIGN_OR_RETURN(storage::LogReadResult result,
                               log_->ReadAll(read));
  RecentEvents::Read own;
  own.next_position = result.next_position;
  own.events.reserve(result.events.size());
  for (storage::RecordedEvent& event : result.events) {
    own.events.push_back(
        std::make_shared<const storage::RecordedEvent>(std::move(event)));
  }
  return own;
}

absl::Status ProjectionRunner::Step(bool* advanced) {
  *advanced = false;
  uint64_t checkpoint;
  {
    absl::MutexLock lock(&mu_);
    if (!failure_.ok()) return failure_;
    if (!loaded_) {
      absl::StatusOr<uint64_t> stored = store_->Checkpoint(keyspace_);
      if (!stored.ok()) return stored.status();
      checkpoint_ = *stored;
      loaded_ = true;
    }
    checkpoint = checkpoint_;
  }
  COLLECTIONS_ASSIGN_OR_RETURN(RecentEvents::Read result,
                               ReadAfter(checkpoint));
  const uint64_t reached = result.next_position - 1;
  if (reached <= checkpoint) return absl::OkStatus();

  COLLECTIONS_ASSIGN_OR_RETURN(
      std::unique_ptr<storage::ProjectionWrite> write,
      store_->BeginWrite(keyspace_, projection_->reads_own_writes()));
  uint64_t through = reached;
  for (const SharedEvent& shared : result.events) {
    const storage::RecordedEvent& recorded = *shared;
    const uint64_t position = recorded.event.global_position();
    absl::Status applied = projection_->Apply(recorded, *write);
    if (!applied.ok()) {
      absl::Status failure = absl::Status(
          applied.code(),
          absl::StrCat("projection ", keyspace_, " failed at position ",
                       position, " (", recorded.event.type(), " of ",
                       recorded.event.stream_id(), "): ", applied.message()));
      // The failed event may have half-written into `write`: drop the
      // write, re-apply the events before it and commit those, so the
      // projection stops exactly before the event it cannot apply.
      projection_->Reset();
      COLLECTIONS_RETURN_IF_ERROR(
          CommitBefore(result.events, position, checkpoint));
      Fail(position, failure);
      return failure;
    }
    if (write->pending_bytes() >= options_.max_commit_bytes &&
        position < reached) {
      through = position;  // commit here; the rest comes next round
      break;
    }
  }
  absl::Status committed = projection_->Flush(*write);
  if (committed.ok()) committed = store_->Commit(*write, through);
  if (!committed.ok()) {
    projection_->Reset();
    absl::MutexLock lock(&mu_);
    loaded_ = false;  // reload the checkpoint and redo from there
    return committed;
  }
  absl::MutexLock lock(&mu_);
  checkpoint_ = through;
  *advanced = true;
  return absl::OkStatus();
}

absl::Status ProjectionRunner::CatchUp() {
  const uint64_t target = log_->HeadPosition();
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (loaded_ && checkpoint_ >= target) return absl::OkStatus();
    }
    bool advanced = false;
    COLLECTIONS_RETURN_IF_ERROR(Step(&advanced));
    if (!advanced) {
      absl::MutexLock lock(&mu_);
      if (checkpoint_ >= target) return absl::OkStatus();
      // The head moved back (cannot happen) or the log is behind its head.
      return absl::InternalError(absl::StrCat(
          "projection ", keyspace_, " cannot reach position ", target));
    }
  }
}

void ProjectionRunner::Run() {
  while (!stop_.load()) {
    bool advanced = false;
    absl::Status status = Step(&advanced);
    if (!status.ok()) {
      {
        absl::MutexLock lock(&mu_);
        if (!failure_.ok()) return;  // stopped at a failed event
      }
      // A read or commit error (I/O): retried after a pause; the lag in
      // status() shows it meanwhile.
      absl::SleepFor(options_.follow_wait);
      continue;
    }
    if (advanced) continue;
    uint64_t checkpoint;
    {
      absl::MutexLock lock(&mu_);
      checkpoint = checkpoint_;
    }
    // A wait bound in real time (the clock is for lag, which may be faked).
    const uint64_t head = log_->WaitForPosition(
        checkpoint + 1, absl::Now() + options_.follow_wait);
    if (head > checkpoint && options_.gather_wait > absl::ZeroDuration() &&
        head < checkpoint + options_.gather_events && !stop_.load() &&
        waiters_.load() == 0) {
      log_->WaitForPosition(checkpoint + options_.gather_events,
                            absl::Now() + options_.gather_wait);
    }
  }
}

void ProjectionRunner::Start() {
  stop_.store(false);
  thread_ = std::thread([this] {
    // "p:case_standing@2" is cut to "p:case_standing".
    NameThisThread(absl::StrCat("p:", keyspace_));
    Run();
  });
}

void ProjectionRunner::Stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

uint64_t ProjectionRunner::checkpoint() const {
  absl::MutexLock lock(&mu_);
  return checkpoint_;
}

ProjectionRunner::Status ProjectionRunner::status() const {
  Status status;
  {
    absl::MutexLock lock(&mu_);
    status.checkpoint = checkpoint_;
    status.failure = failure_;
    status.failed_position = failed_position_;
  }
  status.head = log_->HeadPosition();
  status.lag_positions =
      status.head > status.checkpoint ? status.head - status.checkpoint : 0;
  if (status.lag_positions > 0) {
    storage::LogRead read;
    read.from_position = status.checkpoint + 1;
    read.max_events = 1;
    absl::StatusOr<storage::LogReadResult> next = log_->ReadAll(read);
    if (next.ok() && !next->events.empty()) {
      const absl::Time at = ToTime(next->events[0].event.recorded_at());
      status.lag = std::max(absl::ZeroDuration(), clock_->Now() - at);
    }
  }
  return status;
}

uint64_t ProjectionRunner::WaitUntil(uint64_t position,
                                     absl::Time deadline) const {
  ++waiters_;
  absl::Cleanup done = [this] { --waiters_; };
  absl::MutexLock lock(&mu_);
  auto reached = [this, position]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return checkpoint_ >= position || !failure_.ok();
  };
  mu_.AwaitWithDeadline(absl::Condition(&reached), deadline);
  return checkpoint_;
}

}  // namespace collections::projections
