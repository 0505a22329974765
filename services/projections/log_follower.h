// LogFollower: feeds projections from the event log on a thread of its own:
// it catches up from position 1, then follows new commits as they are
// published (EventLog::WaitForPosition, no polling delay).
//
// Each event goes to the other projections first and to the CaseDirectory
// last, so once the directory's applied_position() reaches P every
// projection reflects P: queries wait on the directory alone.
//
// A read error stops following and is reported by status(); queries that
// wait for a position then time out with their deadline rather than read a
// stale answer.
//
// Thread safety: Start/Stop from one owner thread; status() from any. The
// log and the projections must outlive the follower.
#ifndef COLLECTIONS_SERVICES_PROJECTIONS_LOG_FOLLOWER_H_
#define COLLECTIONS_SERVICES_PROJECTIONS_LOG_FOLLOWER_H_

#include <atomic>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "services/projections/case_directory.h"
#include "services/projections/projection.h"
#include "storage/event_log.h"

namespace collections::projections {

class LogFollower {
 public:
  // `others` are applied in order before `directory`.
  LogFollower(storage::EventLog* log, CaseDirectory* directory,
              std::vector<Projection*> others = {});
  ~LogFollower();  // stops
  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;

  void Start();
  // Returns once the thread has ended; idempotent.
  void Stop();
  // Blocks until the directory has applied everything committed when called.
  void CatchUp();
  absl::Status status() const;

 private:
  void Run();

  storage::EventLog* const log_;
  CaseDirectory* const directory_;
  const std::vector<Projection*> others_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable absl::Mutex mu_;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace collections::projections

#endif  // COLLECTIONS_SERVICES_PROJECTIONS_LOG_FOLLOWER_H_
