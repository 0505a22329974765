#include "services/grpc/operations_service.h"

#include "services/grpc/caller.h"
#include "services/grpc/status_conversion.h"

namespace collections::grpc_api {

grpc::Status OperationsService::ListProjections(
    grpc::ServerContext* context,
    const collections::v1::ListProjectionsRequest* request,
    collections::v1::ListProjectionsResponse* response) {
  absl::StatusOr<collections::v1::Actor> actor = guard_->Admit(
      *context, "collections.v1.Operations/ListProjections", request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  *response = operations_->List();
  return grpc::Status::OK;
}

grpc::Status OperationsService::RebuildProjection(
    grpc::ServerContext* context,
    const collections::v1::RebuildProjectionRequest* request,
    collections::v1::ProjectionStatus* response) {
  absl::StatusOr<collections::v1::Actor> actor = guard_->Admit(
      *context, "collections.v1.Operations/RebuildProjection", request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  absl::StatusOr<collections::v1::ProjectionStatus> status =
      operations_->Rebuild(request->name());
  if (!status.ok()) return ToGrpcStatus(status.status());
  *response = *std::move(status);
  return grpc::Status::OK;
}

grpc::Status OperationsService::ForgetDebtor(
    grpc::ServerContext* context,
    const collections::v1::ForgetDebtorRequest* request,
    collections::v1::ForgetDebtorResponse* response) {
  absl::StatusOr<collections::v1::Actor> actor = guard_->Admit(
      *context, "collections.v1.Operations/ForgetDebtor", request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  absl::StatusOr<collections::v1::ForgetDebtorResponse> forgotten =
      erasure_->Forget(*request, *actor, clock_->Now());
  if (!forgotten.ok()) return ToGrpcStatus(forgotten.status());
  *response = *std::move(forgotten);
  return grpc::Status::OK;
}

grpc::Status OperationsService::CreateBackup(
    grpc::ServerContext* context,
    const collections::v1::CreateBackupRequest* request,
    collections::v1::CreateBackupResponse* response) {
  absl::StatusOr<collections::v1::Actor> actor = guard_->Admit(
      *context, "collections.v1.Operations/CreateBackup", request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  absl::StatusOr<collections::v1::CreateBackupResponse> created =
      backup_->Create(request->directory());
  if (!created.ok()) return ToGrpcStatus(created.status());
  *response = *std::move(created);
  return grpc::Status::OK;
}

}  // namespace collections::grpc_api
