#include "services/app/case_lanes.h"

#include <utility>

namespace collections::app {

void CaseLanes::Finished::operator()() && { lanes_->Done(case_id_); }

CaseLanes::CaseLanes() : thread_([this] { RunQueued(); }) {}

CaseLanes::~CaseLanes() {
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](int64_t* in_progress) { return *in_progress == 0; },
        &in_progress_));
    stopping_ = true;
  }
  thread_.join();
}

void CaseLanes::Run(const std::string& case_id, Work work) {
  {
    absl::MutexLock lock(&mu_);
    ++in_progress_;
    auto [lane, idle] = lanes_.try_emplace(case_id);
    if (!idle) {  // work on this case is in progress: wait behind it
      lane->second.push_back(std::move(work));
      return;
    }
  }
  std::move(work)(Finished(this, case_id));
}

void CaseLanes::Post(absl::AnyInvocable<void() &&> task) {
  absl::MutexLock lock(&mu_);
  ++in_progress_;
  ready_.push_back([this, task = std::move(task)]() mutable {
    std::move(task)();
    absl::MutexLock done(&mu_);
    --in_progress_;
  });
}

void CaseLanes::Done(const std::string& case_id) {
  absl::MutexLock lock(&mu_);
  --in_progress_;
  auto lane = lanes_.find(case_id);
  if (lane == lanes_.end()) return;
  if (lane->second.empty()) {
    lanes_.erase(lane);
    return;
  }
  Work next = std::move(lane->second.front());
  lane->second.pop_front();
  // Not on this thread (it may be the log's): the lanes' own thread.
  ready_.push_back([this, case_id, next = std::move(next)]() mutable {
    std::move(next)(Finished(this, case_id));
  });
}

void CaseLanes::RunQueued() {
  for (;;) {
    absl::AnyInvocable<void() &&> next;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](CaseLanes* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
            return self->stopping_ || !self->ready_.empty();
          },
          this));
      if (ready_.empty()) return;  // stopping, and nothing left to run
      next = std::move(ready_.front());
      ready_.pop_front();
    }
    std::move(next)();
  }
}

}  // namespace collections::app
