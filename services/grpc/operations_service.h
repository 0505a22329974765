// gRPC Operations: projection status, lag and failures, and rebuilds, for
// operators (access control comes with the security issue).
//
// Thread safety: as ProjectionOperations.
#ifndef COLLECTIONS_SERVICES_GRPC_OPERATIONS_SERVICE_H_
#define COLLECTIONS_SERVICES_GRPC_OPERATIONS_SERVICE_H_

#include "collections/v1/operations.grpc.pb.h"
#include "services/app/agency_access.h"
#include "services/app/projection_operations.h"

namespace collections::grpc_api {

class OperationsService final : public collections::v1::Operations::Service {
 public:
  // Closed to agencies. Both must outlive the service.
  OperationsService(app::ProjectionOperations* operations,
                    const app::AgencyAccess* access)
      : operations_(operations), access_(access) {}

  grpc::Status ListProjections(
      grpc::ServerContext* context,
      const collections::v1::ListProjectionsRequest* request,
      collections::v1::ListProjectionsResponse* response) override;
  grpc::Status RebuildProjection(
      grpc::ServerContext* context,
      const collections::v1::RebuildProjectionRequest* request,
      collections::v1::ProjectionStatus* response) override;

 private:
  app::ProjectionOperations* const operations_;
  const app::AgencyAccess* const access_;
};

}  // namespace collections::grpc_api

#endif  // COLLECTIONS_SERVICES_GRPC_OPERATIONS_SERVICE_H_
