#include "services/grpc/case_queries_service.h"

#include "services/grpc/caller.h"
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

// The index of GetDebtorTimeline in the CaseQueries service definition (the
// generated Service registers methods in definition order).
int GetDebtorTimelineMethodIndex() {
  return collections::v1::GetDebtorTimelineRequest::descriptor()
      ->file()
      ->FindServiceByName("CaseQueries")
      ->FindMethodByName("GetDebtorTimeline")
      ->index();
}

}  // namespace

CaseQueriesService::CaseQueriesService(app::CaseQueryHandler* handler,
                                       const app::AgencyAccess* access)
    : handler_(handler), access_(access) {
  MarkMethodStreamed(
      GetDebtorTimelineMethodIndex(),
      new grpc::internal::StreamedUnaryHandler<
          collections::v1::GetDebtorTimelineRequest, grpc::ByteBuffer>(
          [this](grpc::ServerContext* context, TimelineStreamer* streamer) {
            return GetEncodedDebtorTimeline(context, streamer);
          }));
}

grpc::Status CaseQueriesService::GetCase(
    grpc::ServerContext* context,
    const collections::v1::GetCaseRequest* request,
    collections::v1::GetCaseResponse* response) {
  absl::Status allowed =
      access_->CheckCase(CallerOf(*context), request->case_id());
  if (!allowed.ok()) return ToGrpcStatus(allowed);
  return Reply(handler_->GetCase(*request, DeadlineOf(*context, kMaxWait)),
               response);
}

grpc::Status CaseQueriesService::GetCaseStanding(
    grpc::ServerContext* context,
    const collections::v1::GetCaseStandingRequest* request,
    collections::v1::CaseStanding* response) {
  absl::Status allowed =
      access_->CheckCase(CallerOf(*context), request->case_id());
  if (!allowed.ok()) return ToGrpcStatus(allowed);
  return Reply(
      handler_->GetCaseStanding(*request, DeadlineOf(*context, kMaxWait)),
      response);
}

grpc::Status CaseQueriesService::GetWorkQueue(
    grpc::ServerContext* context,
    const collections::v1::GetWorkQueueRequest* request,
    collections::v1::GetWorkQueueResponse* response) {
  if (grpc::Status denied = DenyAgencies(*access_, *context, "GetWorkQueue");
      !denied.ok()) {
    return denied;
  }
  return Reply(handler_->GetWorkQueue(*request, DeadlineOf(*context, kMaxWait)),
               response);
}

grpc::Status CaseQueriesService::GetPortfolioKpis(
    grpc::ServerContext* context,
    const collections::v1::GetPortfolioKpisRequest* request,
    collections::v1::PortfolioKpis* response) {
  if (grpc::Status denied =
          DenyAgencies(*access_, *context, "GetPortfolioKpis");
      !denied.ok()) {
    return denied;
  }
  return Reply(
      handler_->GetPortfolioKpis(*request, DeadlineOf(*context, kMaxWait)),
      response);
}

grpc::Status CaseQueriesService::GetEncodedDebtorTimeline(
    grpc::ServerContext* context, TimelineStreamer* streamer) {
  if (grpc::Status denied =
          DenyAgencies(*access_, *context, "GetEncodedDebtorTimeline");
      !denied.ok()) {
    return denied;
  }
  collections::v1::GetDebtorTimelineRequest request;
  if (!streamer->Read(&request)) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the request is not a GetDebtorTimelineRequest");
  }
  absl::StatusOr<std::string> encoded =
      handler_->GetDebtorTimeline(request, DeadlineOf(*context, kMaxWait));
  if (!encoded.ok()) return ToGrpcStatus(encoded.status());
  grpc::Slice slice(*encoded);
  if (!streamer->Write(grpc::ByteBuffer(&slice, 1))) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "the answer could not be sent");
  }
  return grpc::Status::OK;
}

grpc::Status CaseQueriesService::ListCases(
    grpc::ServerContext* context,
    const collections::v1::ListCasesRequest* request,
    collections::v1::ListCasesResponse* response) {
  if (grpc::Status denied = DenyAgencies(*access_, *context, "ListCases");
      !denied.ok()) {
    return denied;
  }
  return Reply(handler_->ListCases(*request, DeadlineOf(*context, kMaxWait)),
               response);
}

}  // namespace collections::grpc_api
