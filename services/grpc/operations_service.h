// gRPC Operations: projection status, lag and failures, rebuilds,
// forgetting a debtor, and backups, for operators (admins: see the
// permission table).
//
// Thread safety: as ProjectionOperations and Erasure.
#ifndef COLLECTIONS_SERVICES_GRPC_OPERATIONS_SERVICE_H_
#define COLLECTIONS_SERVICES_GRPC_OPERATIONS_SERVICE_H_

#include "collections/v1/operations.grpc.pb.h"
#include "common/clock.h"
#include "services/app/backup.h"
#include "services/app/erasure.h"
#include "services/app/projection_operations.h"
#include "services/grpc/caller.h"

namespace collections::grpc_api {

class OperationsService final : public collections::v1::Operations::Service {
 public:
  // Everything must outlive the service.
  OperationsService(app::ProjectionOperations* operations,
                    app::Erasure* erasure, app::Backup* backup,
                    const Clock* clock, const Guard* guard)
      : operations_(operations),
        erasure_(erasure),
        backup_(backup),
        clock_(clock),
        guard_(guard) {}

  grpc::Status ListProjections(
      grpc::ServerContext* context,
      const collections::v1::ListProjectionsRequest* request,
      collections::v1::ListProjectionsResponse* response) override;
  grpc::Status RebuildProjection(
      grpc::ServerContext* context,
      const collections::v1::RebuildProjectionRequest* request,
      collections::v1::ProjectionStatus* response) override;
  grpc::Status ForgetDebtor(
      grpc::ServerContext* context,
      const collections::v1::ForgetDebtorRequest* request,
      collections::v1::ForgetDebtorResponse* response) override;
  grpc::Status CreateBackup(
      grpc::ServerContext* context,
      const collections::v1::CreateBackupRequest* request,
      collections::v1::CreateBackupResponse* response) override;

 private:
  app::ProjectionOperations* const operations_;
  app::Erasure* const erasure_;
  app::Backup* const backup_;
  const Clock* const clock_;
  const Guard* const guard_;
};

}  // namespace collections::grpc_api

#endif  // COLLECTIONS_SERVICES_GRPC_OPERATIONS_SERVICE_H_
