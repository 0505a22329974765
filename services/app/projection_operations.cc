#include "services/app/projection_operations.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace collections::app {

collections::v1::ProjectionStatus ProjectionOperations::StatusOf(
    const std::string& name,
    const projections::ManagedProjection& projection) const {
  const projections::ProjectionRunner::Status status = projection.status();
  collections::v1::ProjectionStatus out;
  out.set_name(name);
  out.set_keyspace(projection.keyspace());
  out.set_checkpoint(status.checkpoint);
  out.set_head(status.head);
  out.set_lag_positions(status.lag_positions);
  out.set_lag_millis(
      static_cast<uint64_t>(absl::ToInt64Milliseconds(status.lag)));
  out.set_failed(!status.failure.ok());
  out.set_failed_position(status.failed_position);
  if (!status.failure.ok()) out.set_failure(status.failure.ToString());
  const projections::ManagedProjection::RebuildProgress progress =
      projection.rebuild_progress();
  collections::v1::RebuildProgress* rebuild = out.mutable_rebuild();
  rebuild->set_running(progress.running);
  rebuild->set_generation(progress.generation);
  rebuild->set_checkpoint(progress.checkpoint);
  rebuild->set_head(progress.head);
  // Before its first round a running rebuild knows no head yet: 0%.
  rebuild->set_percent(
      progress.head == 0
          ? (progress.running ? 0 : 100)
          : static_cast<uint32_t>(progress.checkpoint * 100 / progress.head));
  rebuild->set_last_outcome(progress.outcome.ToString());
  rebuild->set_swaps(progress.swaps);
  return out;
}

collections::v1::ListProjectionsResponse ProjectionOperations::List() const {
  collections::v1::ListProjectionsResponse response;
  for (const auto& [name, projection] : projections_) {
    *response.add_projections() = StatusOf(name, *projection);
  }
  return response;
}

absl::StatusOr<collections::v1::ProjectionStatus> ProjectionOperations::Rebuild(
    const std::string& name) {
  auto it = projections_.find(name);
  if (it == projections_.end()) {
    std::vector<std::string> names;
    for (const auto& [known, projection] : projections_) names.push_back(known);
    return absl::NotFoundError(absl::StrCat(
        "no projection \"", name, "\"; known: ", absl::StrJoin(names, ", ")));
  }
  absl::Status started = it->second->StartRebuild();
  if (!started.ok()) return started;
  return StatusOf(name, *it->second);
}

absl::Status ProjectionOperations::Health() const {
  for (const auto& [name, projection] : projections_) {
    const absl::Status failure = projection->status().failure;
    if (!failure.ok()) {
      return absl::UnavailableError(
          absl::StrCat("projection ", name, " stopped: ", failure.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace collections::app
