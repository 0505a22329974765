#include "services/grpc/audit_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_details.h"
#include "services/grpc/caller.h"
#include "services/grpc/status_conversion.h"

namespace collections::grpc_api {
namespace {

namespace v1 = ::collections::v1;

// Moves an answer into the response, or converts its error.
template <typename T>
grpc::Status Answer(absl::StatusOr<T> result, T* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status AuditService::GetSignedTreeHead(
    grpc::ServerContext* context, const v1::GetSignedTreeHeadRequest* request,
    v1::SignedTreeHead* response) {
  absl::StatusOr<collections::v1::Actor> actor = guard_->Admit(
      *context, "collections.v1.Audit/GetSignedTreeHead", request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  return Answer(queries_->SignedHead(request->fresh()), response);
}

grpc::Status AuditService::GetPublicKey(grpc::ServerContext* context,
                                        const v1::GetPublicKeyRequest* request,
                                        v1::PublicKey* response) {
  // Every role holds it, agencies too: it is what verifies their packages.
  absl::StatusOr<collections::v1::Actor> actor =
      guard_->Admit(*context, "collections.v1.Audit/GetPublicKey", request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  *response = queries_->PublicKey();
  return grpc::Status::OK;
}

grpc::Status AuditService::GetInclusionProof(
    grpc::ServerContext* context, const v1::GetInclusionProofRequest* request,
    v1::InclusionProof* response) {
  absl::StatusOr<collections::v1::Actor> actor = guard_->Admit(
      *context, "collections.v1.Audit/GetInclusionProof", request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  return Answer(queries_->Inclusion(*request), response);
}

grpc::Status AuditService::GetConsistencyProof(
    grpc::ServerContext* context, const v1::GetConsistencyProofRequest* request,
    v1::ConsistencyProof* response) {
  absl::StatusOr<collections::v1::Actor> actor = guard_->Admit(
      *context, "collections.v1.Audit/GetConsistencyProof", request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  return Answer(queries_->Consistency(*request), response);
}

grpc::Status AuditService::GetEvidenceBundle(
    grpc::ServerContext* context, const v1::GetEvidenceBundleRequest* request,
    v1::EvidenceBundle* response) {
  absl::StatusOr<collections::v1::Actor> actor = guard_->Admit(
      *context, "collections.v1.Audit/GetEvidenceBundle", request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  absl::StatusOr<v1::EvidenceBundle> bundle = queries_->Bundle(*request);
  if (bundle.ok() && bundle->ByteSizeLong() > max_message_bytes_) {
    absl::Status too_large = absl::ResourceExhaustedError(absl::StrCat(
        "the bundle is ", bundle->ByteSizeLong(), " bytes, more than the ",
        max_message_bytes_,
        "-byte message limit; ask for one case at a time, or start the "
        "server with a larger --max_message_bytes"));
    SetErrorReason(too_large, "MESSAGE_TOO_LARGE");
    MarkNotRetryable(too_large);  // the same request will be as large
    return ToGrpcStatus(too_large);
  }
  return Answer(std::move(bundle), response);
}

grpc::Status AuditService::ListAuditTrail(
    grpc::ServerContext* context, const v1::ListAuditTrailRequest* request,
    v1::ListAuditTrailResponse* response) {
  absl::StatusOr<collections::v1::Actor> actor =
      guard_->Admit(*context, "collections.v1.Audit/ListAuditTrail", request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  return Answer(queries_->Trail(*request), response);
}

}  // namespace collections::grpc_api
