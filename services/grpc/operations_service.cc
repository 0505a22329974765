#include "services/grpc/operations_service.h"

#include "services/grpc/caller.h"
#include "services/grpc/status_conversion.h"

namespace collections::grpc_api {

grpc::Status OperationsService::ListProjections(
    grpc::ServerContext* context,
    const collections::v1::ListProjectionsRequest* request,
    collections::v1::ListProjectionsResponse* response) {
  if (grpc::Status denied = DenyAgencies(*access_, *context, "ListProjections");
      !denied.ok()) {
    return denied;
  }
  *response = operations_->List();
  return grpc::Status::OK;
}

grpc::Status OperationsService::RebuildProjection(
    grpc::ServerContext* context,
    const collections::v1::RebuildProjectionRequest* request,
    collections::v1::ProjectionStatus* response) {
  if (grpc::Status denied =
          DenyAgencies(*access_, *context, "RebuildProjection");
      !denied.ok()) {
    return denied;
  }
  absl::StatusOr<collections::v1::ProjectionStatus> status =
      operations_->Rebuild(request->name());
  if (!status.ok()) return ToGrpcStatus(status.status());
  *response = *std::move(status);
  return grpc::Status::OK;
}

}  // namespace collections::grpc_api
