#include "services/grpc/case_queries_service.h"

#include "services/grpc/status_conversion.h"

namespace collections::grpc_api {
namespace {

// Read-your-writes waits at most this long, whatever the deadline says.
constexpr absl::Duration kMaxWait = absl::Seconds(30);

template <typename Response>
grpc::Status Reply(absl::StatusOr<Response> result, Response* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status CaseQueriesService::GetCase(
    grpc::ServerContext* context,
    const collections::v1::GetCaseRequest* request,
    collections::v1::GetCaseResponse* response) {
  return Reply(handler_->GetCase(*request, DeadlineOf(*context, kMaxWait)),
               response);
}

grpc::Status CaseQueriesService::GetDebtorTimeline(
    grpc::ServerContext* context,
    const collections::v1::GetDebtorTimelineRequest* request,
    collections::v1::GetDebtorTimelineResponse* response) {
  return Reply(
      handler_->GetDebtorTimeline(*request, DeadlineOf(*context, kMaxWait)),
      response);
}

grpc::Status CaseQueriesService::ListCases(
    grpc::ServerContext* context,
    const collections::v1::ListCasesRequest* request,
    collections::v1::ListCasesResponse* response) {
  return Reply(handler_->ListCases(*request, DeadlineOf(*context, kMaxWait)),
               response);
}

}  // namespace collections::grpc_api
