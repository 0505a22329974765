#include "services/grpc/case_commands_service.h"

#include <string>

#include "services/grpc/status_conversion.h"

namespace collections::grpc_api {
namespace {

std::string Metadata(const grpc::ServerContextBase& context, const char* key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(key);
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

collections::v1::Actor ActorOf(const grpc::ServerContextBase& context) {
  collections::v1::Actor actor;
  actor.set_id(Metadata(context, "x-actor-id"));
  actor.set_role(Metadata(context, "x-actor-role"));
  if (actor.id().empty()) actor.set_id("anonymous");
  if (actor.role().empty()) actor.set_role("service");
  return actor;
}

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

// Starts the command; its callback fills the response and finishes the call.
// gRPC keeps the request, response and context alive until Finish.
#define COLLECTIONS_DEFINE_COMMAND(Method, Request)                           \
  grpc::ServerUnaryReactor* CaseCommandsService::Method(                      \
      grpc::CallbackServerContext* context,                                   \
      const collections::v1::Request* request,                                \
      collections::v1::CommandResult* response) {                             \
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();            \
    handler_->Method(*request, ActorOf(*context),                             \
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
COLLECTIONS_DEFINE_COMMAND(HandToAgency, HandToAgencyRequest)
COLLECTIONS_DEFINE_COMMAND(RecallFromAgency, RecallFromAgencyRequest)
COLLECTIONS_DEFINE_COMMAND(WriteOff, WriteOffRequest)
COLLECTIONS_DEFINE_COMMAND(CloseCase, CloseCaseRequest)
#undef COLLECTIONS_DEFINE_COMMAND

}  // namespace collections::grpc_api
