// CaseCommandHandler: the use cases behind every case command. Each checks
// the request's structure (services/domain/command_checks.h), turns the act
// into events and appends them to the case's stream with the caller's
// expected version.
//
// Idempotency: the events of a request get ids derived from its request_id
// ("<request_id>/<n>"), so a retry is recognised by the event log's durable
// id index and answered with the first result, appending nothing.
//
// Errors (absl::Status; services/grpc maps them to gRPC codes):
//   INVALID_ARGUMENT   a malformed or incomplete request (names the field)
//   NOT_FOUND          the case does not exist (every command but OpenCase)
//   ALREADY_EXISTS     OpenCase for a case id that is taken by another request
//   ABORTED            expected_version is stale; names the actual version
//   FAILED_PRECONDITION a request id reused for a different number of events
//   UNAVAILABLE        the log could not write; retry with the same request id
//
// Thread safety: safe to call concurrently. The log must outlive the handler.
#ifndef COLLECTIONS_SERVICES_APP_CASE_COMMANDS_H_
#define COLLECTIONS_SERVICES_APP_CASE_COMMANDS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "collections/v1/case_commands.pb.h"
#include "collections/v1/events.pb.h"
#include "storage/event_log.h"

namespace collections::app {

class CaseCommandHandler {
 public:
  explicit CaseCommandHandler(storage::EventLog* log) : log_(log) {}

  // Every command is asynchronous: `done` receives the result exactly once,
  // on the calling thread when the request is refused at once (bad input, a
  // retry of an acknowledged request), otherwise on the event log's thread
  // once the events are durable and visible to queries. `done` must be quick
  // (it runs on the log's commit path). `actor` is the authenticated caller,
  // recorded on every event. Requests may be gone once a command returns.
  using Result = absl::StatusOr<collections::v1::CommandResult>;
  using Done = absl::AnyInvocable<void(Result) &&>;
  using Actor = collections::v1::Actor;
  void OpenCase(const collections::v1::OpenCaseRequest& request,
                const Actor& actor, Done done);
  void LogCalls(const collections::v1::LogCallsRequest& request,
                const Actor& actor, Done done);
  void RecordPromise(const collections::v1::RecordPromiseRequest& request,
                     const Actor& actor, Done done);
  void RecordPayment(const collections::v1::RecordPaymentRequest& request,
                     const Actor& actor, Done done);
  void AgreePaymentPlan(const collections::v1::AgreePaymentPlanRequest& request,
                        const Actor& actor, Done done);
  void IssueLetter(const collections::v1::IssueLetterRequest& request,
                   const Actor& actor, Done done);
  void RaiseDispute(const collections::v1::RaiseDisputeRequest& request,
                    const Actor& actor, Done done);
  void ResolveDispute(const collections::v1::ResolveDisputeRequest& request,
                      const Actor& actor, Done done);
  void HandToAgency(const collections::v1::HandToAgencyRequest& request,
                    const Actor& actor, Done done);
  void RecallFromAgency(const collections::v1::RecallFromAgencyRequest& request,
                        const Actor& actor, Done done);
  void WriteOff(const collections::v1::WriteOffRequest& request,
                const Actor& actor, Done done);
  void CloseCase(const collections::v1::CloseCaseRequest& request,
                 const Actor& actor, Done done);

  // Runs one command and waits for its result (demo seeding, tools):
  //   handler.Await(&CaseCommandHandler::LogCalls, request, actor)
  template <typename Request>
  Result Await(void (CaseCommandHandler::*command)(const Request&, const Actor&,
                                                   Done),
               const Request& request, const Actor& actor) {
    Result result;
    absl::Notification finished;
    (this->*command)(request, actor, [&](Result outcome) {
      result = std::move(outcome);
      finished.Notify();
    });
    finished.WaitForNotification();
    return result;
  }

  // The most events one command may append (LogCalls batches).
  static constexpr int kMaxEventsPerCommand = 1000;

 private:
  // Appends `payloads` (already checked) as one atomic batch to the case.
  void Execute(const std::string& case_id,
               const collections::v1::CommandContext& context,
               const Actor& actor,
               std::vector<collections::v1::EventPayload> payloads,
               bool opens_case, Done done);

  storage::EventLog* const log_;
};

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_CASE_COMMANDS_H_
