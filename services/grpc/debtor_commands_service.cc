#include "services/grpc/debtor_commands_service.h"

#include "services/grpc/status_conversion.h"

namespace collections::grpc_api {
namespace {

// Read-your-writes waits at most this long, whatever the deadline says.
constexpr absl::Duration kMaxWait = absl::Seconds(30);

}  // namespace

template <typename Request>
grpc::Status DebtorCommandsService::Run(
    grpc::ServerContext& context, const char* method,
    app::DebtorCommands::Result (app::DebtorCommands::*command)(
        const Request&, const app::DebtorCommands::Actor&),
    const Request& request, Result* response) {
  observability::TraceContext trace;
  absl::StatusOr<collections::v1::Actor> actor =
      guard_->Admit(context, method, &request, &trace);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  observability::ScopedTrace traced(&trace);
  app::DebtorCommands::Result result = (commands_->*command)(request, *actor);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

grpc::Status DebtorCommandsService::RegisterDebtor(
    grpc::ServerContext* context,
    const collections::v1::RegisterDebtorRequest* request, Result* response) {
  return Run(*context, "collections.v1.DebtorCommands/RegisterDebtor",
             &app::DebtorCommands::RegisterDebtor, *request, response);
}

grpc::Status DebtorCommandsService::AddContactPoint(
    grpc::ServerContext* context,
    const collections::v1::AddContactPointRequest* request, Result* response) {
  return Run(*context, "collections.v1.DebtorCommands/AddContactPoint",
             &app::DebtorCommands::AddContactPoint, *request, response);
}

grpc::Status DebtorCommandsService::InvalidateContactPoint(
    grpc::ServerContext* context,
    const collections::v1::InvalidateContactPointRequest* request,
    Result* response) {
  return Run(*context, "collections.v1.DebtorCommands/InvalidateContactPoint",
             &app::DebtorCommands::InvalidateContactPoint, *request, response);
}

grpc::Status DebtorCommandsService::RestrictCommunication(
    grpc::ServerContext* context,
    const collections::v1::RestrictCommunicationRequest* request,
    Result* response) {
  return Run(*context, "collections.v1.DebtorCommands/RestrictCommunication",
             &app::DebtorCommands::RestrictCommunication, *request, response);
}

grpc::Status DebtorCommandsService::LiftCommunicationRestriction(
    grpc::ServerContext* context,
    const collections::v1::LiftCommunicationRestrictionRequest* request,
    Result* response) {
  return Run(
      *context, "collections.v1.DebtorCommands/LiftCommunicationRestriction",
      &app::DebtorCommands::LiftCommunicationRestriction, *request, response);
}

grpc::Status DebtorCommandsService::NoticeRepresentation(
    grpc::ServerContext* context,
    const collections::v1::NoticeRepresentationRequest* request,
    Result* response) {
  return Run(*context, "collections.v1.DebtorCommands/NoticeRepresentation",
             &app::DebtorCommands::NoticeRepresentation, *request, response);
}

grpc::Status DebtorCommandsService::NoticeInsolvency(
    grpc::ServerContext* context,
    const collections::v1::NoticeInsolvencyRequest* request, Result* response) {
  return Run(*context, "collections.v1.DebtorCommands/NoticeInsolvency",
             &app::DebtorCommands::NoticeInsolvency, *request, response);
}

grpc::Status DebtorCommandsService::NoticeDeceased(
    grpc::ServerContext* context,
    const collections::v1::NoticeDeceasedRequest* request, Result* response) {
  return Run(*context, "collections.v1.DebtorCommands/NoticeDeceased",
             &app::DebtorCommands::NoticeDeceased, *request, response);
}

grpc::Status DebtorCommandsService::AssignSegment(
    grpc::ServerContext* context,
    const collections::v1::AssignSegmentRequest* request, Result* response) {
  return Run(*context, "collections.v1.DebtorCommands/AssignSegment",
             &app::DebtorCommands::AssignSegment, *request, response);
}

grpc::Status DebtorCommandsService::RecordConsent(
    grpc::ServerContext* context,
    const collections::v1::RecordConsentRequest* request, Result* response) {
  return Run(*context, "collections.v1.DebtorCommands/RecordConsent",
             &app::DebtorCommands::RecordConsent, *request, response);
}

grpc::Status DebtorCommandsService::GetDebtor(
    grpc::ServerContext* context,
    const collections::v1::GetDebtorRequest* request,
    collections::v1::DebtorProfile* response) {
  absl::StatusOr<collections::v1::Actor> actor = guard_->Admit(
      *context, "collections.v1.DebtorCommands/GetDebtor", request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  absl::StatusOr<collections::v1::DebtorProfile> profile =
      queries_->GetDebtor(*request, DeadlineOf(*context, kMaxWait));
  if (!profile.ok()) return ToGrpcStatus(profile.status());
  *response = *std::move(profile);
  return grpc::Status::OK;
}

}  // namespace collections::grpc_api
