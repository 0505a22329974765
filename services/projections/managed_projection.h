// ManagedProjection: one stored projection as the server runs it — a live
// runner on the active generation of its keyspace, and on request a rebuild
// from position zero into the next generation, beside the live one, swapped
// in when it has caught up, without stopping queries.
//
// Keyspaces are "<name>@<version>.<generation>"; the active generation is
// kept in the store's "meta" keyspace, so a restart resumes on the one that
// was live. A new projection version (changed code) starts at generation 1 of
// its own keyspace and builds from zero on first start.
//
// The swap: the rebuild catches up to the head while the live runner keeps
// serving; then the live runner stops, the rebuild applies the last few
// events, the meta record switches, and the new generation's runner follows
// the log in the old one's place. Queries read keyspace(), which changes
// atomically; the old generation is dropped after the switch.
//
// Thread safety: all methods may be called from any thread; Start/Stop by
// the owner. The log, store and clock must outlive it.
#ifndef COLLECTIONS_SERVICES_PROJECTIONS_MANAGED_PROJECTION_H_
#define COLLECTIONS_SERVICES_PROJECTIONS_MANAGED_PROJECTION_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/projections/projection_runner.h"

namespace collections::projections {

class ManagedProjection {
 public:
  // Makes a fresh projection instance (a rebuild gets its own, so no cache
  // carries over).
  using Factory = std::function<std::unique_ptr<StoredProjection>()>;

  ManagedProjection(storage::EventLog* log, storage::ProjectionStore* store,
                    Factory factory, const Clock* clock,
                    ProjectionRunner::Options options = {});
  ~ManagedProjection();  // Stop()

  // Opens the active generation, catches it up (blocking) and follows.
  absl::Status Start();
  void Stop();

  // The keyspace queries read now.
  std::string keyspace() const;
  ProjectionRunner::Status status() const;
  // The live generation's checkpoint (cheap: no log read).
  uint64_t checkpoint() const;
  // Waits until the live generation reaches `position` (across a swap).
  uint64_t WaitUntil(uint64_t position, absl::Time deadline) const;

  // Starts rebuilding into the next generation. FAILED_PRECONDITION while a
  // rebuild runs.
  absl::Status StartRebuild();
  struct RebuildProgress {
    bool running = false;
    uint64_t generation = 0;  // the one being built (or last built)
    uint64_t checkpoint = 0;  // how far it is
    uint64_t head = 0;
    absl::Status outcome;  // of the last finished rebuild
    uint64_t swaps = 0;    // rebuilds swapped in since Start
  };
  RebuildProgress rebuild_progress() const;
  // Waits for a running rebuild to finish; returns its outcome.
  absl::Status WaitForRebuild() const;

 private:
  std::string KeyspaceOf(uint64_t generation) const;
  absl::Status RunRebuild(uint64_t generation);
  // Drops every generation of this projection but `keep_generation`.
  absl::Status DropStale(uint64_t keep_generation);

  storage::EventLog* const log_;
  storage::ProjectionStore* const store_;
  const Factory factory_;
  const Clock* const clock_;
  const ProjectionRunner::Options options_;
  std::string base_;  // "<name>@<version>"

  mutable absl::Mutex mu_;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  std::unique_ptr<StoredProjection> live_projection_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<ProjectionRunner> live_ ABSL_GUARDED_BY(mu_);
  // The rebuild in progress, if any.
  std::unique_ptr<StoredProjection> rebuild_projection_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<ProjectionRunner> rebuild_ ABSL_GUARDED_BY(mu_);
  RebuildProgress progress_ ABSL_GUARDED_BY(mu_);
  std::thread rebuild_thread_;
};

}  // namespace collections::projections

#endif  // COLLECTIONS_SERVICES_PROJECTIONS_MANAGED_PROJECTION_H_
