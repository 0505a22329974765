// gRPC CaseCommands: request → CaseCommandHandler → response. The caller's
// identity comes from call metadata (x-actor-id, x-actor-role) until the
// security issue replaces it with authenticated identities.
//
// A callback service: no thread waits while a command's events wait for
// their group commit. The handler finishes the call from the event log's
// thread once the append is durable, so thousands of commands can be in
// flight on a handful of threads.
//
// Thread safety: as the handler. The handler must outlive the service.
#ifndef COLLECTIONS_SERVICES_GRPC_CASE_COMMANDS_SERVICE_H_
#define COLLECTIONS_SERVICES_GRPC_CASE_COMMANDS_SERVICE_H_

#include "collections/v1/case_commands.grpc.pb.h"
#include "services/app/agency_handoff.h"
#include "services/app/case_commands.h"
#include "services/app/due_time_processor.h"
#include "services/grpc/caller.h"

namespace collections::grpc_api {

class CaseCommandsService final
    : public collections::v1::CaseCommands::CallbackService {
 public:
  // Everything must outlive the service.
  CaseCommandsService(app::CaseCommandHandler* handler,
                      app::DueTimeProcessor* due_time,
                      app::AgencyHandoff* handoff, const Guard* guard)
      : handler_(handler),
        due_time_(due_time),
        handoff_(handoff),
        guard_(guard) {}

#define COLLECTIONS_DECLARE_COMMAND(Method, Request)                         \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* context,     \
                                   const collections::v1::Request* request,  \
                                   collections::v1::CommandResult* response) \
      override;
  COLLECTIONS_DECLARE_COMMAND(OpenCase, OpenCaseRequest)
  COLLECTIONS_DECLARE_COMMAND(LogCalls, LogCallsRequest)
  COLLECTIONS_DECLARE_COMMAND(RecordPromise, RecordPromiseRequest)
  COLLECTIONS_DECLARE_COMMAND(RecordPayment, RecordPaymentRequest)
  COLLECTIONS_DECLARE_COMMAND(AgreePaymentPlan, AgreePaymentPlanRequest)
  COLLECTIONS_DECLARE_COMMAND(IssueLetter, IssueLetterRequest)
  COLLECTIONS_DECLARE_COMMAND(RaiseDispute, RaiseDisputeRequest)
  COLLECTIONS_DECLARE_COMMAND(ResolveDispute, ResolveDisputeRequest)
  COLLECTIONS_DECLARE_COMMAND(HandToAgency, HandToAgencyRequest)
  COLLECTIONS_DECLARE_COMMAND(RecallFromAgency, RecallFromAgencyRequest)
  COLLECTIONS_DECLARE_COMMAND(WriteOff, WriteOffRequest)
  COLLECTIONS_DECLARE_COMMAND(CloseCase, CloseCaseRequest)
  COLLECTIONS_DECLARE_COMMAND(ReversePayment, ReversePaymentRequest)
  COLLECTIONS_DECLARE_COMMAND(ApplyCreditNote, ApplyCreditNoteRequest)
  COLLECTIONS_DECLARE_COMMAND(AssessCollectionCosts,
                              AssessCollectionCostsRequest)
  COLLECTIONS_DECLARE_COMMAND(AccrueInterest, AccrueInterestRequest)
  COLLECTIONS_DECLARE_COMMAND(PlaceHold, PlaceHoldRequest)
  COLLECTIONS_DECLARE_COMMAND(ReleaseHold, ReleaseHoldRequest)
  COLLECTIONS_DECLARE_COMMAND(RecordLetterOutcome, RecordLetterOutcomeRequest)
  COLLECTIONS_DECLARE_COMMAND(SendVerification, SendVerificationRequest)
  COLLECTIONS_DECLARE_COMMAND(RecordAgencyReport, RecordAgencyReportRequest)
  COLLECTIONS_DECLARE_COMMAND(ClaimVatRelief, ClaimVatReliefRequest)
#undef COLLECTIONS_DECLARE_COMMAND

  // Runs on the calling gRPC thread until every case is processed (an
  // operator's call; the periodic run has its own thread).
  grpc::ServerUnaryReactor* ProcessDueEvents(
      grpc::CallbackServerContext* context,
      const collections::v1::ProcessDueEventsRequest* request,
      collections::v1::ProcessDueEventsResponse* response) override;

 private:
  template <typename Request>
  absl::StatusOr<collections::v1::Actor> Admit(
      grpc::CallbackServerContext& context, const char* method,
      const Request& request) const;

  app::CaseCommandHandler* const handler_;
  app::DueTimeProcessor* const due_time_;
  app::AgencyHandoff* const handoff_;
  const Guard* const guard_;
};

}  // namespace collections::grpc_api

#endif  // COLLECTIONS_SERVICES_GRPC_CASE_COMMANDS_SERVICE_H_
