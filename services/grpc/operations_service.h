// gRPC Operations: projection status, lag and failures, and rebuilds, for
// operators (access control comes with the security issue).
//
// Thread safety: as ProjectionOperations.
#ifndef COLLECTIONS_SERVICES_GRPC_OPERATIONS_SERVICE_H_
#define COLLECTIONS_SERVICES_GRPC_OPERATIONS_SERVICE_H_

#include "collections/v1/operations.grpc.pb.h"
#include "services/grpc/caller.h"
#include "services/app/projection_operations.h"

namespace collections::grpc_api {

class OperationsService final : public collections::v1::Operations::Service {
 public:
  // Closed to agencies. Both must outlive the service.
  OperationsService(app::ProjectionOperations* operations,
                    const Guard* guard)
      : operations_(operations), guard_(guard) {}

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
  const Guard* const guard_;
};

}  // namespace collections::grpc_api

#endif  // COLLECTIONS_SERVICES_GRPC_OPERATIONS_SERVICE_H_
