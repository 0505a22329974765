#include "services/grpc/agency_service.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "services/grpc/caller.h"
#include "services/grpc/status_conversion.h"

namespace collections::grpc_api {

namespace v1 = ::collections::v1;

grpc::Status AgencyService::PlaceWithAgency(
    grpc::ServerContext* context, const v1::HandToAgencyRequest* request,
    v1::PlaceWithAgencyResponse* response) {
  if (grpc::Status denied = DenyAgencies(*access_, *context, "PlaceWithAgency");
      !denied.ok()) {
    return denied;
  }
  app::AgencyHandoff::PlaceResult placed =
      handoff_->PlaceAndWait(*request, CallerOf(*context));
  if (!placed.ok()) return ToGrpcStatus(placed.status());
  *response = *std::move(placed);
  return grpc::Status::OK;
}

grpc::Status AgencyService::GetPlacementPackage(
    grpc::ServerContext* context, const v1::GetPlacementPackageRequest* request,
    v1::PlacementPackage* response) {
  absl::Status allowed =
      access_->CheckCase(CallerOf(*context), request->case_id());
  if (!allowed.ok()) return ToGrpcStatus(allowed);
  absl::StatusOr<v1::PlacementPackage> package =
      handoff_->Package(request->case_id(), request->package_id());
  if (!package.ok()) return ToGrpcStatus(package.status());
  *response = *std::move(package);
  return grpc::Status::OK;
}

grpc::Status AgencyService::ExportDelivery(
    grpc::ServerContext* context, const v1::ExportDeliveryRequest* request,
    grpc::ServerWriter<v1::DeliveryPart>* writer) {
  absl::Status allowed =
      access_->CheckAgency(CallerOf(*context), request->agency_id());
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
  const v1::Actor caller = CallerOf(*context);
  absl::StatusOr<v1::ImportReturnFileResponse> imported =
      handoff_->Import(*request, caller, app::AgencyAccess::AgencyOf(caller));
  if (!imported.ok()) return ToGrpcStatus(imported.status());
  *response = *std::move(imported);
  return grpc::Status::OK;
}

}  // namespace collections::grpc_api
