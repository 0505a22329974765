// gRPC CaseCommands: request → CaseCommands (services/app/case_commands.h)
// → response. Each RPC admits the caller (caller.h: authentication, rate
// limit, permission, and for an agency its own cases), hands the request to
// the use case of the same name, and finishes the call with its result.
//
// A callback service: no thread waits while a command's events wait for
// their group commit. The use case finishes the call from the event log's
// thread once the append is durable, so thousands of commands can be in
// flight on a handful of threads.
//
// Thread safety: as the use cases. Everything given must outlive the
// service.
#ifndef COLLECTIONS_SERVICES_GRPC_CASE_COMMANDS_SERVICE_H_
#define COLLECTIONS_SERVICES_GRPC_CASE_COMMANDS_SERVICE_H_

#include "collections/v1/case_commands.grpc.pb.h"
#include "services/app/agency_handoff.h"
#include "services/app/case_commands.h"
#include "services/app/due_time_processor.h"
#include "services/grpc/arena_messages.h"
#include "services/grpc/caller.h"

namespace collections::grpc_api {

class CaseCommandsService final
    : public collections::v1::CaseCommands::CallbackService {
 public:
  CaseCommandsService(app::CaseCommands* commands,
                      app::DueTimeProcessor* due_time,
                      app::AgencyHandoff* handoff, const Guard* guard)
      : commands_(commands),
        due_time_(due_time),
        handoff_(handoff),
        guard_(guard) {
    SetMessageAllocatorFor_LogCalls(&log_calls_messages_);
  }

  grpc::ServerUnaryReactor* OpenCase(
      grpc::CallbackServerContext* context,
      const collections::v1::OpenCaseRequest* request,
      collections::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* LogCalls(
      grpc::CallbackServerContext* context,
      const collections::v1::LogCallsRequest* request,
      collections::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* RecordPromise(
      grpc::CallbackServerContext* context,
      const collections::v1::RecordPromiseRequest* request,
      collections::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* RecordPayment(
      grpc::CallbackServerContext* context,
      const collections::v1::RecordPaymentRequest* request,
      collections::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* AgreePaymentPlan(
      grpc::CallbackServerContext* context,
      const collections::v1::AgreePaymentPlanRequest* request,
      collections::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* IssueLetter(
      grpc::CallbackServerContext* context,
      const collections::v1::IssueLetterRequest* request,
      collections::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* RaiseDispute(
      grpc::CallbackServerContext* context,
      const collections::v1::RaiseDisputeRequest* request,
      collections::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* ResolveDispute(
      grpc::CallbackServerContext* context,
      const collections::v1::ResolveDisputeRequest* request,
      collections::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* HandToAgency(
      grpc::CallbackServerContext* context,
      const collections::v1::HandToAgencyRequest* request,
      collections::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* RecallFromAgency(
      grpc::CallbackServerContext* context,
      const collections::v1::RecallFromAgencyRequest* request,
      collections::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* WriteOff(
      grpc::CallbackServerContext* context,
      const collections::v1::WriteOffRequest* request,
      collections::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* CloseCase(
      grpc::CallbackServerContext* context,
      const collections::v1::CloseCaseRequest* request,
      collections::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* ReversePayment(
      grpc::CallbackServerContext* context,
      const collections::v1::ReversePaymentRequest* request,
      collections::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* ApplyCreditNote(
      grpc::CallbackServerContext* context,
      const collections::v1::ApplyCreditNoteRequest* request,
      collections::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* AddClaimLine(
      grpc::CallbackServerContext* context,
      const collections::v1::AddClaimLineRequest* request,
      collections::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* AssessCollectionCosts(
      grpc::CallbackServerContext* context,
      const collections::v1::AssessCollectionCostsRequest* request,
      collections::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* AccrueInterest(
      grpc::CallbackServerContext* context,
      const collections::v1::AccrueInterestRequest* request,
      collections::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* PlaceHold(
      grpc::CallbackServerContext* context,
      const collections::v1::PlaceHoldRequest* request,
      collections::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* ReleaseHold(
      grpc::CallbackServerContext* context,
      const collections::v1::ReleaseHoldRequest* request,
      collections::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* RecordLetterOutcome(
      grpc::CallbackServerContext* context,
      const collections::v1::RecordLetterOutcomeRequest* request,
      collections::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* SendVerification(
      grpc::CallbackServerContext* context,
      const collections::v1::SendVerificationRequest* request,
      collections::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* RecordAgencyReport(
      grpc::CallbackServerContext* context,
      const collections::v1::RecordAgencyReportRequest* request,
      collections::v1::CommandResult* response) override;
  grpc::ServerUnaryReactor* ClaimVatRelief(
      grpc::CallbackServerContext* context,
      const collections::v1::ClaimVatReliefRequest* request,
      collections::v1::CommandResult* response) override;

  // Runs on the calling gRPC thread until every case is processed (an
  // operator's call; the periodic run has its own thread).
  grpc::ServerUnaryReactor* ProcessDueEvents(
      grpc::CallbackServerContext* context,
      const collections::v1::ProcessDueEventsRequest* request,
      collections::v1::ProcessDueEventsResponse* response) override;

 private:
  // Admits the caller of `method` (see Admit), then calls `command` of the
  // use cases with the request and the caller; its result finishes the
  // call. gRPC keeps the request, response and context alive until then.
  template <typename Request>
  grpc::ServerUnaryReactor* Run(
      grpc::CallbackServerContext* context, const char* method,
      void (app::CaseCommands::*command)(const Request&,
                                         const app::CaseCommands::Actor&,
                                         app::CaseCommands::Done),
      const Request& request, collections::v1::CommandResult* response);

  // The guard's admission, then the agency's scope: an agency reports only
  // on the cases placed with it, as itself.
  template <typename Request>
  absl::StatusOr<collections::v1::Actor> Admit(
      grpc::CallbackServerContext& context, const char* method,
      const Request& request,
      observability::TraceContext* trace = nullptr) const;

  app::CaseCommands* const commands_;
  app::DueTimeProcessor* const due_time_;
  app::AgencyHandoff* const handoff_;
  const Guard* const guard_;
  // The calls with the most fields per request (a dialer's batch of calls)
  // parse onto an arena (arena_messages.h).
  ArenaMessages<collections::v1::LogCallsRequest,
                collections::v1::CommandResult>
      log_calls_messages_;
};

}  // namespace collections::grpc_api

#endif  // COLLECTIONS_SERVICES_GRPC_CASE_COMMANDS_SERVICE_H_
