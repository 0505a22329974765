#include "services/grpc/case_commands_service.h"

#include <string>
#include <type_traits>

#include "common/time_conversion.h"
#include "services/agency/return_file.h"
#include "services/grpc/caller.h"
#include "services/grpc/status_conversion.h"

namespace collections::grpc_api {

template <typename Request>
absl::StatusOr<collections::v1::Actor> CaseCommandsService::Admit(
    grpc::CallbackServerContext& context, const char* method,
    const Request& request, observability::TraceContext* trace) const {
  absl::StatusOr<collections::v1::Actor> actor =
      guard_->Admit(context, method, &request, trace);
  if (!actor.ok()) return actor;
  if constexpr (std::is_same_v<Request,
                               collections::v1::RecordAgencyReportRequest>) {
    absl::Status scoped = guard_->access().CheckCase(*actor, request.case_id());
    if (scoped.ok()) {
      scoped =
          guard_->access().CheckAgency(*actor, agency::AgencyIdOf(request));
    }
    if (!scoped.ok()) return scoped;
  }
  return actor;
}

template <typename Request>
grpc::ServerUnaryReactor* CaseCommandsService::Run(
    grpc::CallbackServerContext* context, const char* method,
    void (app::CaseCommands::*command)(const Request&,
                                       const app::CaseCommands::Actor&,
                                       app::CaseCommands::Done),
    const Request& request, collections::v1::CommandResult* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  observability::TraceContext trace;
  absl::StatusOr<collections::v1::Actor> actor =
      Admit(*context, method, request, &trace);
  if (!actor.ok()) {
    reactor->Finish(ToGrpcStatus(actor.status()));
    return reactor;
  }
  // The command reads the trace while it builds its events (on this thread).
  observability::ScopedTrace traced(&trace);
  (commands_->*command)(
      request, *actor, [reactor, response](app::CaseCommands::Result result) {
        if (!result.ok()) return reactor->Finish(ToGrpcStatus(result.status()));
        *response = *std::move(result);
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

grpc::ServerUnaryReactor* CaseCommandsService::OpenCase(
    grpc::CallbackServerContext* context,
    const collections::v1::OpenCaseRequest* request,
    collections::v1::CommandResult* response) {
  return Run(context, "collections.v1.CaseCommands/OpenCase",
             &app::CaseCommands::OpenCase, *request, response);
}

grpc::ServerUnaryReactor* CaseCommandsService::LogCalls(
    grpc::CallbackServerContext* context,
    const collections::v1::LogCallsRequest* request,
    collections::v1::CommandResult* response) {
  return Run(context, "collections.v1.CaseCommands/LogCalls",
             &app::CaseCommands::LogCalls, *request, response);
}

grpc::ServerUnaryReactor* CaseCommandsService::RecordPromise(
    grpc::CallbackServerContext* context,
    const collections::v1::RecordPromiseRequest* request,
    collections::v1::CommandResult* response) {
  return Run(context, "collections.v1.CaseCommands/RecordPromise",
             &app::CaseCommands::RecordPromise, *request, response);
}

grpc::ServerUnaryReactor* CaseCommandsService::RecordPayment(
    grpc::CallbackServerContext* context,
    const collections::v1::RecordPaymentRequest* request,
    collections::v1::CommandResult* response) {
  return Run(context, "collections.v1.CaseCommands/RecordPayment",
             &app::CaseCommands::RecordPayment, *request, response);
}

grpc::ServerUnaryReactor* CaseCommandsService::AgreePaymentPlan(
    grpc::CallbackServerContext* context,
    const collections::v1::AgreePaymentPlanRequest* request,
    collections::v1::CommandResult* response) {
  return Run(context, "collections.v1.CaseCommands/AgreePaymentPlan",
             &app::CaseCommands::AgreePaymentPlan, *request, response);
}

grpc::ServerUnaryReactor* CaseCommandsService::IssueLetter(
    grpc::CallbackServerContext* context,
    const collections::v1::IssueLetterRequest* request,
    collections::v1::CommandResult* response) {
  return Run(context, "collections.v1.CaseCommands/IssueLetter",
             &app::CaseCommands::IssueLetter, *request, response);
}

grpc::ServerUnaryReactor* CaseCommandsService::RaiseDispute(
    grpc::CallbackServerContext* context,
    const collections::v1::RaiseDisputeRequest* request,
    collections::v1::CommandResult* response) {
  return Run(context, "collections.v1.CaseCommands/RaiseDispute",
             &app::CaseCommands::RaiseDispute, *request, response);
}

grpc::ServerUnaryReactor* CaseCommandsService::ResolveDispute(
    grpc::CallbackServerContext* context,
    const collections::v1::ResolveDisputeRequest* request,
    collections::v1::CommandResult* response) {
  return Run(context, "collections.v1.CaseCommands/ResolveDispute",
             &app::CaseCommands::ResolveDispute, *request, response);
}

grpc::ServerUnaryReactor* CaseCommandsService::RecallFromAgency(
    grpc::CallbackServerContext* context,
    const collections::v1::RecallFromAgencyRequest* request,
    collections::v1::CommandResult* response) {
  return Run(context, "collections.v1.CaseCommands/RecallFromAgency",
             &app::CaseCommands::RecallFromAgency, *request, response);
}

grpc::ServerUnaryReactor* CaseCommandsService::WriteOff(
    grpc::CallbackServerContext* context,
    const collections::v1::WriteOffRequest* request,
    collections::v1::CommandResult* response) {
  return Run(context, "collections.v1.CaseCommands/WriteOff",
             &app::CaseCommands::WriteOff, *request, response);
}

grpc::ServerUnaryReactor* CaseCommandsService::CloseCase(
    grpc::CallbackServerContext* context,
    const collections::v1::CloseCaseRequest* request,
    collections::v1::CommandResult* response) {
  return Run(context, "collections.v1.CaseCommands/CloseCase",
             &app::CaseCommands::CloseCase, *request, response);
}

grpc::ServerUnaryReactor* CaseCommandsService::ReversePayment(
    grpc::CallbackServerContext* context,
    const collections::v1::ReversePaymentRequest* request,
    collections::v1::CommandResult* response) {
  return Run(context, "collections.v1.CaseCommands/ReversePayment",
             &app::CaseCommands::ReversePayment, *request, response);
}

grpc::ServerUnaryReactor* CaseCommandsService::ApplyCreditNote(
    grpc::CallbackServerContext* context,
    const collections::v1::ApplyCreditNoteRequest* request,
    collections::v1::CommandResult* response) {
  return Run(context, "collections.v1.CaseCommands/ApplyCreditNote",
             &app::CaseCommands::ApplyCreditNote, *request, response);
}

grpc::ServerUnaryReactor* CaseCommandsService::AddClaimLine(
    grpc::CallbackServerContext* context,
    const collections::v1::AddClaimLineRequest* request,
    collections::v1::CommandResult* response) {
  return Run(context, "collections.v1.CaseCommands/AddClaimLine",
             &app::CaseCommands::AddClaimLine, *request, response);
}

grpc::ServerUnaryReactor* CaseCommandsService::AssessCollectionCosts(
    grpc::CallbackServerContext* context,
    const collections::v1::AssessCollectionCostsRequest* request,
    collections::v1::CommandResult* response) {
  return Run(context, "collections.v1.CaseCommands/AssessCollectionCosts",
             &app::CaseCommands::AssessCollectionCosts, *request, response);
}

grpc::ServerUnaryReactor* CaseCommandsService::AccrueInterest(
    grpc::CallbackServerContext* context,
    const collections::v1::AccrueInterestRequest* request,
    collections::v1::CommandResult* response) {
  return Run(context, "collections.v1.CaseCommands/AccrueInterest",
             &app::CaseCommands::AccrueInterest, *request, response);
}

grpc::ServerUnaryReactor* CaseCommandsService::PlaceHold(
    grpc::CallbackServerContext* context,
    const collections::v1::PlaceHoldRequest* request,
    collections::v1::CommandResult* response) {
  return Run(context, "collections.v1.CaseCommands/PlaceHold",
             &app::CaseCommands::PlaceHold, *request, response);
}

grpc::ServerUnaryReactor* CaseCommandsService::ReleaseHold(
    grpc::CallbackServerContext* context,
    const collections::v1::ReleaseHoldRequest* request,
    collections::v1::CommandResult* response) {
  return Run(context, "collections.v1.CaseCommands/ReleaseHold",
             &app::CaseCommands::ReleaseHold, *request, response);
}

grpc::ServerUnaryReactor* CaseCommandsService::RecordLetterOutcome(
    grpc::CallbackServerContext* context,
    const collections::v1::RecordLetterOutcomeRequest* request,
    collections::v1::CommandResult* response) {
  return Run(context, "collections.v1.CaseCommands/RecordLetterOutcome",
             &app::CaseCommands::RecordLetterOutcome, *request, response);
}

grpc::ServerUnaryReactor* CaseCommandsService::SendVerification(
    grpc::CallbackServerContext* context,
    const collections::v1::SendVerificationRequest* request,
    collections::v1::CommandResult* response) {
  return Run(context, "collections.v1.CaseCommands/SendVerification",
             &app::CaseCommands::SendVerification, *request, response);
}

grpc::ServerUnaryReactor* CaseCommandsService::RecordAgencyReport(
    grpc::CallbackServerContext* context,
    const collections::v1::RecordAgencyReportRequest* request,
    collections::v1::CommandResult* response) {
  return Run(context, "collections.v1.CaseCommands/RecordAgencyReport",
             &app::CaseCommands::RecordAgencyReport, *request, response);
}

grpc::ServerUnaryReactor* CaseCommandsService::ClaimVatRelief(
    grpc::CallbackServerContext* context,
    const collections::v1::ClaimVatReliefRequest* request,
    collections::v1::CommandResult* response) {
  return Run(context, "collections.v1.CaseCommands/ClaimVatRelief",
             &app::CaseCommands::ClaimVatRelief, *request, response);
}

// The same placement as AgencyHandoff.PlaceWithAgency: the package is cut
// and its manifest hash recorded.
grpc::ServerUnaryReactor* CaseCommandsService::HandToAgency(
    grpc::CallbackServerContext* context,
    const collections::v1::HandToAgencyRequest* request,
    collections::v1::CommandResult* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  observability::TraceContext trace;
  absl::StatusOr<collections::v1::Actor> actor = Admit(
      *context, "collections.v1.CaseCommands/HandToAgency", *request, &trace);
  if (!actor.ok()) {
    reactor->Finish(ToGrpcStatus(actor.status()));
    return reactor;
  }
  observability::ScopedTrace traced(&trace);
  handoff_->Place(*request, *actor,
                  [reactor, response](app::AgencyHandoff::PlaceResult r) {
                    if (!r.ok())
                      return reactor->Finish(ToGrpcStatus(r.status()));
                    *response = std::move(*r->mutable_result());
                    reactor->Finish(grpc::Status::OK);
                  });
  return reactor;
}

grpc::ServerUnaryReactor* CaseCommandsService::ProcessDueEvents(
    grpc::CallbackServerContext* context,
    const collections::v1::ProcessDueEventsRequest* request,
    collections::v1::ProcessDueEventsResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<collections::v1::Actor> actor =
      Admit(*context, "collections.v1.CaseCommands/ProcessDueEvents", *request);
  if (!actor.ok()) {
    reactor->Finish(ToGrpcStatus(actor.status()));
    return reactor;
  }
  const absl::Time as_of =
      request->has_as_of() ? ToTime(request->as_of()) : due_time_->Now();
  absl::StatusOr<app::DueTimeProcessor::Report> report =
      due_time_->RunOnce(as_of, request->case_id());
  if (!report.ok()) {
    reactor->Finish(ToGrpcStatus(report.status()));
    return reactor;
  }
  response->set_cases_examined(report->cases_examined);
  response->set_cases_changed(report->cases_changed);
  response->set_events_appended(report->events_appended);
  response->set_last_position(report->last_position);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace collections::grpc_api
