// LogFollower: feeds a CaseDirectory from the event log on a thread of its
// own: it catches up from position 1, then follows new commits as they are
// published (EventLog::WaitForPosition, no polling delay).
//
// A read error stops following and is reported by status(); queries that
// wait for a position then time out with their deadline rather than read a
// stale answer.
//
// Thread safety: Start/Stop from one owner thread; status() from any. The
// log and the directory must outlive the follower.
#ifndef COLLECTIONS_SERVICES_PROJECTIONS_LOG_FOLLOWER_H_
#define COLLECTIONS_SERVICES_PROJECTIONS_LOG_FOLLOWER_H_

#include <atomic>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "services/projections/case_directory.h"
#include "storage/event_log.h"

namespace collections::projections {

class LogFollower {
 public:
  LogFollower(storage::EventLog* log, CaseDirectory* directory);
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
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable absl::Mutex mu_;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace collections::projections

#endif  // COLLECTIONS_SERVICES_PROJECTIONS_LOG_FOLLOWER_H_
