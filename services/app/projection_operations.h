// ProjectionOperations: the operator's view of the stored projections by
// name — status and lag, failures with their position, rebuilds and their
// progress — and the health verdict the server publishes (NOT_SERVING for
// queries while any projection has stopped on an event).
//
// Thread safety: safe to call concurrently; the projections must outlive it.
#ifndef COLLECTIONS_SERVICES_APP_PROJECTION_OPERATIONS_H_
#define COLLECTIONS_SERVICES_APP_PROJECTION_OPERATIONS_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "collections/v1/operations.pb.h"
#include "services/projections/managed_projection.h"

namespace collections::app {

class ProjectionOperations {
 public:
  // `projections` by name ("case_standing", "debtor_timeline").
  explicit ProjectionOperations(
      std::map<std::string, projections::ManagedProjection*> projections)
      : projections_(std::move(projections)) {}

  collections::v1::ListProjectionsResponse List() const;
  // NOT_FOUND for an unknown name; FAILED_PRECONDITION while one runs.
  absl::StatusOr<collections::v1::ProjectionStatus> Rebuild(
      const std::string& name);
  // OK while every projection runs; else the first failure.
  absl::Status Health() const;

 private:
  collections::v1::ProjectionStatus StatusOf(
      const std::string& name,
      const projections::ManagedProjection& projection) const;

  const std::map<std::string, projections::ManagedProjection*> projections_;
};

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_PROJECTION_OPERATIONS_H_
