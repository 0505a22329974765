// gRPC Audit: signed tree heads, proofs, evidence bundles and the audit
// trail (proto/collections/v1/audit.proto) over app::AuditQueries.
//
// Thread safety: as AuditQueries.
#ifndef COLLECTIONS_SERVICES_GRPC_AUDIT_SERVICE_H_
#define COLLECTIONS_SERVICES_GRPC_AUDIT_SERVICE_H_

#include <cstddef>

#include "collections/v1/audit.grpc.pb.h"
#include "services/app/audit_queries.h"
#include "services/grpc/caller.h"

namespace collections::grpc_api {

class AuditService final : public collections::v1::Audit::Service {
 public:
  // A bundle larger than `max_message_bytes` is refused with
  // RESOURCE_EXHAUSTED rather than failing in transport.
  // Agencies may fetch the public key only. Both must outlive the service.
  AuditService(app::AuditQueries* queries, const Guard* guard,
               size_t max_message_bytes)
      : queries_(queries),
        guard_(guard),
        max_message_bytes_(max_message_bytes) {}

  grpc::Status GetSignedTreeHead(
      grpc::ServerContext* context,
      const collections::v1::GetSignedTreeHeadRequest* request,
      collections::v1::SignedTreeHead* response) override;
  grpc::Status GetPublicKey(grpc::ServerContext* context,
                            const collections::v1::GetPublicKeyRequest* request,
                            collections::v1::PublicKey* response) override;
  grpc::Status GetInclusionProof(
      grpc::ServerContext* context,
      const collections::v1::GetInclusionProofRequest* request,
      collections::v1::InclusionProof* response) override;
  grpc::Status GetConsistencyProof(
      grpc::ServerContext* context,
      const collections::v1::GetConsistencyProofRequest* request,
      collections::v1::ConsistencyProof* response) override;
  grpc::Status GetEvidenceBundle(
      grpc::ServerContext* context,
      const collections::v1::GetEvidenceBundleRequest* request,
      collections::v1::EvidenceBundle* response) override;
  grpc::Status ListAuditTrail(
      grpc::ServerContext* context,
      const collections::v1::ListAuditTrailRequest* request,
      collections::v1::ListAuditTrailResponse* response) override;

 private:
  app::AuditQueries* const queries_;
  const Guard* const guard_;
  const size_t max_message_bytes_;
};

}  // namespace collections::grpc_api

#endif  // COLLECTIONS_SERVICES_GRPC_AUDIT_SERVICE_H_
