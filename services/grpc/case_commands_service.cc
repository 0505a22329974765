#include "services/grpc/case_commands_service.h"

#include <string>

#include "absl/time/clock.h"
#include "services/agency/return_file.h"
#include "services/grpc/caller.h"
#include "services/grpc/status_conversion.h"
#include "common/time_conversion.h"

namespace collections::grpc_api {
namespace {

void Answer(app::CaseCommandHandler::Result result,
            collections::v1::CommandResult* response,
            grpc::ServerUnaryReactor* reactor) {
  if (!result.ok()) {
    reactor->Finish(ToGrpcStatus(result.status()));
    return;
  }
  *response = *std::move(result);
  reactor->Finish(grpc::Status::OK);
}

}  // namespace

// The guard's admission, then the agency's scope: an agency reports only
// on the cases placed with it, as itself (other commands it may not call).
template <typename Request>
absl::StatusOr<collections::v1::Actor> CaseCommandsService::Admit(
    grpc::CallbackServerContext& context, const char* method,
    const Request& request) const {
  absl::StatusOr<collections::v1::Actor> actor =
      guard_->Admit(context, method, &request);
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

// Starts the command; its callback fills the response and finishes the call.
// gRPC keeps the request, response and context alive until Finish.
#define COLLECTIONS_DEFINE_COMMAND(Method, Request)                           \
  grpc::ServerUnaryReactor* CaseCommandsService::Method(                      \
      grpc::CallbackServerContext* context,                                   \
      const collections::v1::Request* request,                                \
      collections::v1::CommandResult* response) {                             \
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();            \
    absl::StatusOr<collections::v1::Actor> actor =                            \
        Admit(*context, "collections.v1.CaseCommands/" #Method, *request);    \
    if (!actor.ok()) {                                                        \
      reactor->Finish(ToGrpcStatus(actor.status()));                          \
      return reactor;                                                         \
    }                                                                         \
    handler_->Method(*request, *actor,                                        \
                     [reactor, response](app::CaseCommandHandler::Result r) { \
                       Answer(std::move(r), response, reactor);               \
                     });                                                      \
    return reactor;                                                           \
  }
COLLECTIONS_DEFINE_COMMAND(OpenCase, OpenCaseRequest)
COLLECTIONS_DEFINE_COMMAND(LogCalls, LogCallsRequest)
COLLECTIONS_DEFINE_COMMAND(RecordPromise, RecordPromiseRequest)
COLLECTIONS_DEFINE_COMMAND(RecordPayment, RecordPaymentRequest)
COLLECTIONS_DEFINE_COMMAND(AgreePaymentPlan, AgreePaymentPlanRequest)
COLLECTIONS_DEFINE_COMMAND(IssueLetter, IssueLetterRequest)
COLLECTIONS_DEFINE_COMMAND(RaiseDispute, RaiseDisputeRequest)
COLLECTIONS_DEFINE_COMMAND(ResolveDispute, ResolveDisputeRequest)
COLLECTIONS_DEFINE_COMMAND(RecallFromAgency, RecallFromAgencyRequest)
COLLECTIONS_DEFINE_COMMAND(WriteOff, WriteOffRequest)
COLLECTIONS_DEFINE_COMMAND(CloseCase, CloseCaseRequest)
COLLECTIONS_DEFINE_COMMAND(ReversePayment, ReversePaymentRequest)
COLLECTIONS_DEFINE_COMMAND(ApplyCreditNote, ApplyCreditNoteRequest)
COLLECTIONS_DEFINE_COMMAND(AssessCollectionCosts, AssessCollectionCostsRequest)
COLLECTIONS_DEFINE_COMMAND(AccrueInterest, AccrueInterestRequest)
COLLECTIONS_DEFINE_COMMAND(PlaceHold, PlaceHoldRequest)
COLLECTIONS_DEFINE_COMMAND(ReleaseHold, ReleaseHoldRequest)
COLLECTIONS_DEFINE_COMMAND(RecordLetterOutcome, RecordLetterOutcomeRequest)
COLLECTIONS_DEFINE_COMMAND(SendVerification, SendVerificationRequest)
COLLECTIONS_DEFINE_COMMAND(RecordAgencyReport, RecordAgencyReportRequest)
COLLECTIONS_DEFINE_COMMAND(ClaimVatRelief, ClaimVatReliefRequest)
#undef COLLECTIONS_DEFINE_COMMAND

// The same placement as AgencyHandoff.PlaceWithAgency: the package is cut
// and its manifest hash recorded.
grpc::ServerUnaryReactor* CaseCommandsService::HandToAgency(
    grpc::CallbackServerContext* context,
    const collections::v1::HandToAgencyRequest* request,
    collections::v1::CommandResult* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<collections::v1::Actor> actor =
      Admit(*context, "collections.v1.CaseCommands/HandToAgency", *request);
  if (!actor.ok()) {
    reactor->Finish(ToGrpcStatus(actor.status()));
    return reactor;
  }
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
  absl::Time as_of = due_time_->Now();
  if (request->has_as_of()) {
    as_of = ToTime(request->as_of());
  }
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
