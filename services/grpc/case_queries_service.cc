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

// Admitted to `method` on the request's case (an agency: only its own).
template <typename Request>
absl::Status CaseQueriesService::AdmitToCase(grpc::ServerContext& context,
                                             const char* method,
                                             const Request& request) const {
  absl::StatusOr<collections::v1::Actor> actor =
      guard_->Admit(context, method, &request);
  if (!actor.ok()) return actor.status();
  return guard_->access().CheckCase(*actor, request.case_id());
}

CaseQueriesService::CaseQueriesService(app::CaseQueryHandler* handler,
                                       const Guard* guard)
    : handler_(handler), guard_(guard) {
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
      AdmitToCase(*context, "collections.v1.CaseQueries/GetCase", *request);
  if (!allowed.ok()) return ToGrpcStatus(allowed);
  return Reply(handler_->GetCase(*request, DeadlineOf(*context, kMaxWait)),
               response);
}

grpc::Status CaseQueriesService::GetCaseStanding(
    grpc::ServerContext* context,
    const collections::v1::GetCaseStandingRequest* request,
    collections::v1::CaseStanding* response) {
  absl::Status allowed = AdmitToCase(
      *context, "collections.v1.CaseQueries/GetCaseStanding", *request);
  if (!allowed.ok()) return ToGrpcStatus(allowed);
  return Reply(
      handler_->GetCaseStanding(*request, DeadlineOf(*context, kMaxWait)),
      response);
}

grpc::Status CaseQueriesService::GetWorkQueue(
    grpc::ServerContext* context,
    const collections::v1::GetWorkQueueRequest* request,
    collections::v1::GetWorkQueueResponse* response) {
  absl::StatusOr<collections::v1::Actor> actor = guard_->Admit(
      *context, "collections.v1.CaseQueries/GetWorkQueue", request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  return Reply(handler_->GetWorkQueue(*request, DeadlineOf(*context, kMaxWait)),
               response);
}

grpc::Status CaseQueriesService::GetPortfolioKpis(
    grpc::ServerContext* context,
    const collections::v1::GetPortfolioKpisRequest* request,
    collections::v1::PortfolioKpis* response) {
  absl::StatusOr<collections::v1::Actor> actor = guard_->Admit(
      *context, "collections.v1.CaseQueries/GetPortfolioKpis", request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  return Reply(
      handler_->GetPortfolioKpis(*request, DeadlineOf(*context, kMaxWait)),
      response);
}

grpc::Status CaseQueriesService::GetDebtor(
    grpc::ServerContext* context,
    const collections::v1::GetDebtorRequest* request,
    collections::v1::DebtorProfile* response) {
  absl::StatusOr<collections::v1::Actor> actor =
      guard_->Admit(*context, "collections.v1.CaseQueries/GetDebtor", request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  return Reply(handler_->GetDebtor(*request, DeadlineOf(*context, kMaxWait)),
               response);
}

grpc::Status CaseQueriesService::GetEncodedDebtorTimeline(
    grpc::ServerContext* context, TimelineStreamer* streamer) {
  collections::v1::GetDebtorTimelineRequest request;
  if (!streamer->Read(&request)) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the request is not a GetDebtorTimelineRequest");
  }
  absl::StatusOr<collections::v1::Actor> actor = guard_->Admit(
      *context, "collections.v1.CaseQueries/GetDebtorTimeline", &request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
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
  absl::StatusOr<collections::v1::Actor> actor =
      guard_->Admit(*context, "collections.v1.CaseQueries/ListCases", request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  return Reply(handler_->ListCases(*request, DeadlineOf(*context, kMaxWait)),
               response);
}

}  // namespace collections::grpc_api
