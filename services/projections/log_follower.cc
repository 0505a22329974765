#include "services/projections/log_follower.h"

#include <utility>

#include "absl/time/clock.h"
#include "services/domain/case_state.h"

namespace collections::projections {

LogFollower::LogFollower(storage::EventLog* log, CaseDirectory* directory,
                         std::vector<Projection*> others)
    : log_(log), directory_(directory), others_(std::move(others)) {}

LogFollower::~LogFollower() { Stop(); }

void LogFollower::Start() {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void LogFollower::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void LogFollower::CatchUp() {
  directory_->WaitUntilApplied(log_->HeadPosition(), absl::InfiniteFuture());
}

absl::Status LogFollower::status() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

void LogFollower::Run() {
  uint64_t next = directory_->applied_position() + 1;
  storage::LogRead read;
  read.max_events = 1000;
  read.filter.stream_prefix = domain::kCaseStreamPrefix;
  while (!stop_) {
    read.from_position = next;
    absl::StatusOr<storage::LogReadResult> result = log_->ReadAll(read);
    if (!result.ok()) {
      absl::MutexLock lock(&mu_);
      status_ = result.status();
      return;
    }
    for (const storage::RecordedEvent& recorded : result->events) {
      for (Projection* projection : others_) projection->Apply(recorded.event);
      directory_->Apply(recorded.event);
    }
    if (result->next_position > next) {
      directory_->AdvanceTo(result->next_position - 1);
      next = result->next_position;
      continue;
    }
    // Caught up: sleep until the next commit, waking now and then to notice
    // Stop().
    log_->WaitForPosition(next, absl::Now() + absl::Milliseconds(100));
  }
}

}  // namespace collections::projections
