#include "services/projections/managed_projection.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"

namespace collections::projections {
namespace {

constexpr char kMetaKeyspace[] = "meta";

std::string ActiveKey(const std::string& base) {
  return absl::StrCat("active/", base);
}

}  // namespace

ManagedProjection::ManagedProjection(storage::EventLog* log,
                                     storage::ProjectionStore* store,
                                     Factory factory, const Clock* clock,
                                     ProjectionRunner::Options options)
    : log_(log),
      store_(store),
      factory_(std::move(factory)),
      clock_(clock),
      options_(options) {
  std::unique_ptr<StoredProjection> probe = factory_();
  base_ = absl::StrCat(probe->name(), "@", probe->version());
}

ManagedProjection::~ManagedProjection() { Stop(); }

std::string ManagedProjection::KeyspaceOf(uint64_t generation) const {
  return absl::StrCat(base_, ".", generation);
}

absl::Status ManagedProjection::Start() {
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<std::string> active,
                               store_->Get(kMetaKeyspace, ActiveKey(base_)));
  uint64_t generation = 1;
  if (active.has_value() && !absl::SimpleAtoi(*active, &generation)) {
    return absl::DataLossError(absl::StrCat("the active generation of ", base_,
                                            " reads \"", *active, "\""));
  }
  auto projection = factory_();
  auto runner = std::make_shared<ProjectionRunner>(
      log_, store_, projection.get(), KeyspaceOf(generation), clock_, options_);
  COLLECTIONS_RETURN_IF_ERROR(DropStale(generation));
  COLLECTIONS_RETURN_IF_ERROR(runner->CatchUp());
  runner->Start();
  absl::MutexLock lock(&mu_);
  generation_ = generation;
  live_projection_ = std::move(projection);
  live_ = std::move(runner);
  return absl::OkStatus();
}

void ManagedProjection::Stop() {
  if (rebuild_thread_.joinable()) rebuild_thread_.join();
  std::shared_ptr<ProjectionRunner> live;
  {
    absl::MutexLock lock(&mu_);
    live = live_;
  }
  if (live != nullptr) live->Stop();
}

std::string ManagedProjection::keyspace() const {
  absl::MutexLock lock(&mu_);
  return KeyspaceOf(generation_);
}

ProjectionRunner::Status ManagedProjection::status() const {
  std::shared_ptr<ProjectionRunner> live;
  {
    absl::MutexLock lock(&mu_);
    live = live_;
  }
  if (live == nullptr) return {};
  return live->status();
}

uint64_t ManagedProjection::checkpoint() const {
  std::shared_ptr<ProjectionRunner> live;
  {
    absl::MutexLock lock(&mu_);
    live = live_;
  }
  return live == nullptr ? 0 : live->checkpoint();
}

uint64_t ManagedProjection::WaitUntil(uint64_t position,
                                      absl::Time deadline) const {
  // In slices, so a swap during the wait moves on to the new runner.
  for (;;) {
    std::shared_ptr<ProjectionRunner> live;
    {
      absl::MutexLock lock(&mu_);
      live = live_;
    }
    if (live == nullptr) return 0;
    const absl::Time slice =
        std::min(deadline, absl::Now() + absl::Milliseconds(50));
    const uint64_t reached = live->WaitUntil(position, slice);
    if (reached >= position || absl::Now() >= deadline ||
        !live->status().failure.ok())
      return reached;
  }
}

absl::Status ManagedProjection::StartRebuild() {
  absl::MutexLock lock(&mu_);
  if (progress_.running) {
    return absl::FailedPreconditionError(
        absl::StrCat("a rebuild of ", base_, " into generation ",
                     progress_.generation, " is already running"));
  }
  if (rebuild_thread_.joinable()) rebuild_thread_.join();
  const uint64_t generation = generation_ + 1;
  progress_.running = true;
  progress_.generation = generation;
  progress_.checkpoint = 0;
  progress_.outcome = absl::OkStatus();
  rebuild_thread_ = std::thread([this, generation] {
    absl::Status outcome = RunRebuild(generation);
    absl::MutexLock done(&mu_);
    progress_.running = false;
    progress_.outcome = outcome;
    if (!outcome.ok()) {
      rebuild_.reset();
      rebuild_projection_.reset();
    }
  });
  return absl::OkStatus();
}

absl::Status ManagedProjection::RunRebuild(uint64_t generation) {
  const std::string keyspace = KeyspaceOf(generation);
  // Earlier generations (and a leftover attempt at this one) go now: any
  // query that read the previous swap's old generation has long finished.
  COLLECTIONS_RETURN_IF_ERROR(DropStale(generation - 1));
  COLLECTIONS_RETURN_IF_ERROR(store_->Drop(keyspace));
  auto projection = factory_();
  auto runner = std::make_shared<ProjectionRunner>(
      log_, store_, projection.get(), keyspace, clock_, options_);
  {
    absl::MutexLock lock(&mu_);
    rebuild_ = runner;
  }
  // Catch up while the live generation keeps serving; repeat while the log
  // grows faster than a round.
  for (int round = 0; round < 100; ++round) {
    COLLECTIONS_RETURN_IF_ERROR(runner->CatchUp());
    const ProjectionRunner::Status status = runner->status();
    {
      absl::MutexLock lock(&mu_);
      progress_.checkpoint = status.checkpoint;
      progress_.head = status.head;
    }
    if (status.lag_positions < options_.events_per_commit) break;
  }
  // The swap: stop the live runner, finish the last events, switch.
  std::shared_ptr<ProjectionRunner> old;
  uint64_t old_generation;
  {
    absl::MutexLock lock(&mu_);
    old = live_;
    old_generation = generation_;
  }
  if (old != nullptr) old->Stop();
  absl::Status finished = runner->CatchUp();
  if (finished.ok()) {
    COLLECTIONS_ASSIGN_OR_RETURN(std::unique_ptr<storage::ProjectionWrite> meta,
                                 store_->BeginWrite(kMetaKeyspace));
    meta->Put(ActiveKey(base_), absl::StrCat(generation));
    finished = store_->Commit(*meta, 0);
  }
  if (!finished.ok()) {
    if (old != nullptr) old->Start();  // keep serving the old generation
    return finished;
  }
  runner->Start();
  {
    absl::MutexLock lock(&mu_);
    live_ = runner;
    live_projection_ = std::move(projection);
    generation_ = generation;
    rebuild_.reset();
    progress_.checkpoint = runner->checkpoint();
    ++progress_.swaps;
  }
  (void)old_generation;  // kept for queries still reading it; see DropStale
  return absl::OkStatus();
}

absl::Status ManagedProjection::DropStale(uint64_t keep_generation) {
  COLLECTIONS_ASSIGN_OR_RETURN(std::vector<std::string> names,
                               store_->Projections());
  const std::string prefix = absl::StrCat(base_, ".");
  for (const std::string& name : names) {
    if (name.rfind(prefix, 0) != 0 || name == KeyspaceOf(keep_generation))
      continue;
    COLLECTIONS_RETURN_IF_ERROR(store_->Drop(name));
  }
  return absl::OkStatus();
}

ManagedProjection::RebuildProgress ManagedProjection::rebuild_progress() const {
  std::shared_ptr<ProjectionRunner> rebuild;
  RebuildProgress progress;
  {
    absl::MutexLock lock(&mu_);
    rebuild = rebuild_;
    progress = progress_;
  }
  if (rebuild != nullptr) {
    const ProjectionRunner::Status status = rebuild->status();
    progress.checkpoint = status.checkpoint;
    progress.head = status.head;
  }
  return progress;
}

absl::Status ManagedProjection::WaitForRebuild() const {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](const RebuildProgress* progress) { return !progress->running; },
      &progress_));
  return progress_.outcome;
}

}  // namespace collections::projections
