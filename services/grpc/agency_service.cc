#include "services/grpc/agency_service.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/status_details.h"
#include "services/grpc/caller.h"
#include "services/grpc/status_conversion.h"

namespace collections::grpc_api {

namespace v1 = ::collections::v1;

grpc::Status AgencyService::PlaceWithAgency(
    grpc::ServerContext* context, const v1::HandToAgencyRequest* request,
    v1::PlaceWithAgencyResponse* response) {
  absl::StatusOr<collections::v1::Actor> actor = guard_->Admit(
      *context, "collections.v1.AgencyHandoff/PlaceWithAgency", request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  app::AgencyHandoff::PlaceResult placed =
      handoff_->PlaceAndWait(*request, *actor);
  if (!placed.ok()) return ToGrpcStatus(placed.status());
  *response = *std::move(placed);
  return grpc::Status::OK;
}

grpc::Status AgencyService::GetPlacementPackage(
    grpc::ServerContext* context, const v1::GetPlacementPackageRequest* request,
    v1::PlacementPackage* response) {
  absl::StatusOr<v1::Actor> actor = guard_->Admit(
      *context, "collections.v1.AgencyHandoff/GetPlacementPackage", request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  absl::Status allowed = guard_->access().CheckCase(*actor, request->case_id());
  if (!allowed.ok()) return ToGrpcStatus(allowed);
  absl::StatusOr<v1::PlacementPackage> package =
      handoff_->Package(request->case_id(), request->package_id(),
                        app::AgencyAccess::AgencyOf(*actor));
  if (!package.ok()) return ToGrpcStatus(package.status());
  *response = *std::move(package);
  return grpc::Status::OK;
}

grpc::Status AgencyService::ExportDelivery(
    grpc::ServerContext* context, const v1::ExportDeliveryRequest* request,
    grpc::ServerWriter<v1::DeliveryPart>* writer) {
  absl::StatusOr<v1::Actor> actor = guard_->Admit(
      *context, "collections.v1.AgencyHandoff/ExportDelivery", request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  absl::Status allowed =
      guard_->access().CheckAgency(*actor, request->agency_id());
  if (!allowed.ok()) return ToGrpcStatus(allowed);
  absl::Status failed;
  absl::Status done =
      handoff_->Delivery(*request, [&](const v1::DeliveryPart& part) {
        if (context->IsCancelled()) return false;
        if (part.ByteSizeLong() > max_message_bytes_) {
          failed = absl::ResourceExhaustedError(absl::StrCat(
              "the package of the placement at position ",
              part.placement().position(), " is ", part.ByteSizeLong(),
              " bytes, above the ", max_message_bytes_,
              "-byte message limit; fetch it with GetPlacementPackage on a "
              "server with a larger --max_message_bytes"));
          SetErrorReason(failed, "MESSAGE_TOO_LARGE");
          MarkNotRetryable(failed);  // it will be as large next time
          return false;
        }
        return writer->Write(part);
      });
  if (!failed.ok()) return ToGrpcStatus(failed);
  return ToGrpcStatus(done);
}

grpc::Status AgencyService::ImportReturnFile(
    grpc::ServerContext* context, const v1::ImportReturnFileRequest* request,
    v1::ImportReturnFileResponse* response) {
  absl::StatusOr<v1::Actor> actor = guard_->Admit(
      *context, "collections.v1.AgencyHandoff/ImportReturnFile", request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  absl::StatusOr<v1::ImportReturnFileResponse> imported =
      handoff_->Import(*request, *actor, app::AgencyAccess::AgencyOf(*actor));
  if (!imported.ok()) return ToGrpcStatus(imported.status());
  *response = *std::move(imported);
  return grpc::Status::OK;
}

grpc::Status AgencyService::RegisterAgencyKey(
    grpc::ServerContext* context, const v1::RegisterAgencyKeyRequest* request,
    v1::RegisterAgencyKeyResponse* response) {
  absl::StatusOr<v1::Actor> actor = guard_->Admit(
      *context, "collections.v1.AgencyHandoff/RegisterAgencyKey", request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  absl::StatusOr<v1::RegisterAgencyKeyResponse> registered =
      handoff_->RegisterAgencyKey(*request, *actor, clock_->Now());
  if (!registered.ok()) return ToGrpcStatus(registered.status());
  *response = *std::move(registered);
  return grpc::Status::OK;
}

}  // namespace collections::grpc_api
