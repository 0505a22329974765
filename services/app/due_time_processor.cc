#include "services/app/due_time_processor.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/observability/json_log.h"
#include "services/projections/case_standing_projection.h"

namespace collections::app {

absl::StatusOr<DueTimeProcessor::Report> DueTimeProcessor::RunOnce(
    absl::Time as_of, const std::string& case_id) {
  if (as_of > clock_->Now()) {
    return absl::InvalidArgumentError(
        "as_of is in the future: due events are appended only for instants "
        "that have passed");
  }
  const uint64_t committed = log_->HeadPosition();
  if (standing_->WaitUntil(committed, absl::Now() + kProjectionWait) <
      committed) {
    return absl::UnavailableError(
        absl::StrCat("the case standing has not caught up with log position ",
                     committed, "; try again"));
  }
  Report report;
  absl::Status first_error;
  auto process = [&](const std::string& id) {
    ++report.cases_examined;
    absl::StatusOr<CaseCommands::DueOutcome> outcome =
        commands_->AppendDueEvents(id, as_of);
    if (!outcome.ok()) {
      if (first_error.ok()) {
        first_error = absl::Status(
            outcome.status().code(),
            absl::StrCat("case ", id, ": ", outcome.status().message()));
      }
      return;
    }
    if (outcome->events > 0) {
      ++report.cases_changed;
      report.events_appended += outcome->events;
      report.last_position =
          std::max(report.last_position, outcome->last_position);
    }
  };
  if (!case_id.empty()) {
    process(case_id);
  } else {
    std::string after;
    for (;;) {
      absl::StatusOr<std::vector<std::string>> page =
          projections::ListOpenCaseIds(*store_, standing_->keyspace(), after,
                                       500);
      if (!page.ok()) return page.status();
      for (const std::string& id : *page) process(id);
      if (page->size() < 500) break;
      after = page->back();
    }
  }
  if (case_id.empty() && also_ && first_error.ok()) first_error = also_(as_of);
  if (!first_error.ok()) return first_error;
  return report;
}

void DueTimeProcessor::Start(absl::Duration interval) {
  thread_ = std::thread([this, interval] {
    for (;;) {
      {
        absl::MutexLock lock(&mu_);
        auto stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
          return stopping_;
        };
        if (mu_.AwaitWithTimeout(absl::Condition(&stopping), interval)) return;
      }
      absl::StatusOr<Report> report = RunOnce(clock_->Now());
      if (!report.ok()) {
        observability::JsonLog::Stderr()->Error(
            "due-time processing failed",
            {{"status", report.status().ToString()}});
      }
    }
  });
}

void DueTimeProcessor::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace collections::app
