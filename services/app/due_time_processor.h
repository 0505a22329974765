// DueTimeProcessor: appends the events whose time has come (domain/
// due_events.h) to every open case, for a given instant. The server runs it
// periodically with its clock's time; an operator runs it for an instant of
// their choice (ProcessDueEvents). Running it twice for the same instant,
// or for an earlier one, appends nothing new.
//
// Cases come from the case standing projection's open-case index, once it
// has applied everything committed when the run starts (so a case opened
// just before a run is in it); each case is then processed on its current
// state in the log.
//
// Thread safety: RunOnce may be called concurrently (appends to one case are
// serialised by the expected version); Start/Stop from one owner.
#ifndef COLLECTIONS_SERVICES_APP_DUE_TIME_PROCESSOR_H_
#define COLLECTIONS_SERVICES_APP_DUE_TIME_PROCESSOR_H_

#include <functional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "services/app/case_commands.h"
#include "services/projections/managed_projection.h"
#include "storage/event_log.h"
#include "storage/projection_store.h"

namespace collections::app {

class DueTimeProcessor {
 public:
  DueTimeProcessor(CaseCommands* commands, storage::EventLog* log,
                   storage::ProjectionStore* store,
                   const projections::ManagedProjection* standing,
                   const Clock* clock)
      : commands_(commands),
        log_(log),
        store_(store),
        standing_(standing),
        clock_(clock) {}
  ~DueTimeProcessor() { Stop(); }

  struct Report {
    uint32_t cases_examined = 0;
    uint32_t cases_changed = 0;
    uint32_t events_appended = 0;
    uint64_t last_position = 0;
  };
  // Processes every open case (or only `case_id` when given) for `as_of`.
  // INVALID_ARGUMENT for an instant after the clock's now; NOT_FOUND for an
  // unknown case_id; UNAVAILABLE when the case standing does not catch up
  // with the log within kProjectionWait; the first append error otherwise
  // (the other cases are still processed).
  absl::StatusOr<Report> RunOnce(absl::Time as_of,
                                 const std::string& case_id = "");

  static constexpr absl::Duration kProjectionWait = absl::Seconds(10);

  // The processor's clock: the instant a run without one is for.
  absl::Time Now() const { return clock_->Now(); }

  // Also runs `work` for each run over all cases (not for one case): other
  // due work, such as deferred erasures falling due. Set before Start.
  void AlsoOnEachRun(std::function<absl::Status(absl::Time)> work) {
    also_ = std::move(work);
  }

  // Runs RunOnce(clock now) every `interval` on a thread of its own until
  // Stop. Errors are logged to stderr and retried on the next tick.
  void Start(absl::Duration interval);
  void Stop();

 private:
  CaseCommands* const commands_;
  storage::EventLog* const log_;
  storage::ProjectionStore* const store_;
  const projections::ManagedProjection* const standing_;
  const Clock* const clock_;
  std::function<absl::Status(absl::Time)> also_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_DUE_TIME_PROCESSOR_H_
