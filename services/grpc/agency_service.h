// gRPC AgencyHandoff (proto/collections/v1/agency.proto) over
// app::AgencyHandoff, with the agency access rules: an agency caller gets
// only its own packages, deliveries and return files; placing a case is
// the creditor's act.
//
// Thread safety: as the use case; everything must outlive the service.
#ifndef COLLECTIONS_SERVICES_GRPC_AGENCY_SERVICE_H_
#define COLLECTIONS_SERVICES_GRPC_AGENCY_SERVICE_H_

#include <cstddef>

#include "collections/v1/agency.grpc.pb.h"
#include "common/clock.h"
#include "services/app/agency_handoff.h"
#include "services/grpc/caller.h"

namespace collections::grpc_api {

class AgencyService final : public collections::v1::AgencyHandoff::Service {
 public:
  AgencyService(app::AgencyHandoff* handoff, const Guard* guard,
                size_t max_message_bytes, const Clock* clock)
      : handoff_(handoff),
        guard_(guard),
        max_message_bytes_(max_message_bytes),
        clock_(clock) {}

  grpc::Status PlaceWithAgency(
      grpc::ServerContext* context,
      const collections::v1::HandToAgencyRequest* request,
      collections::v1::PlaceWithAgencyResponse* response) override;
  grpc::Status GetPlacementPackage(
      grpc::ServerContext* context,
      const collections::v1::GetPlacementPackageRequest* request,
      collections::v1::PlacementPackage* response) override;
  // One message per part; a placement whose package exceeds the message
  // limit fails the stream with RESOURCE_EXHAUSTED naming it.
  grpc::Status ExportDelivery(
      grpc::ServerContext* context,
      const collections::v1::ExportDeliveryRequest* request,
      grpc::ServerWriter<collections::v1::DeliveryPart>* writer) override;
  grpc::Status RegisterAgencyKey(
      grpc::ServerContext* context,
      const collections::v1::RegisterAgencyKeyRequest* request,
      collections::v1::RegisterAgencyKeyResponse* response) override;
  grpc::Status ImportReturnFile(
      grpc::ServerContext* context,
      const collections::v1::ImportReturnFileRequest* request,
      collections::v1::ImportReturnFileResponse* response) override;

 private:
  app::AgencyHandoff* const handoff_;
  const Guard* const guard_;
  const size_t max_message_bytes_;
  const Clock* const clock_;
};

}  // namespace collections::grpc_api

#endif  // COLLECTIONS_SERVICES_GRPC_AGENCY_SERVICE_H_
