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
#include <vector>

#include "absl/status/statusor.h"
#include "collections/v1/case_commands.pb.h"
#include "collections/v1/events.pb.h"
#include "storage/event_log.h"

namespace collections::app {

class CaseCommandHandler {
 public:
  explicit CaseCommandHandler(storage::EventLog* log) : log_(log) {}

  // `actor` is the authenticated caller, recorded on every event.
  using Result = absl::StatusOr<collections::v1::CommandResult>;
  using Actor = collections::v1::Actor;
  Result OpenCase(const collections::v1::OpenCaseRequest& request,
                  const Actor& actor);
  Result LogCalls(const collections::v1::LogCallsRequest& request,
                  const Actor& actor);
  Result RecordPromise(const collections::v1::RecordPromiseRequest& request,
                       const Actor& actor);
  Result RecordPayment(const collections::v1::RecordPaymentRequest& request,
                       const Actor& actor);
  Result AgreePaymentPlan(
      const collections::v1::AgreePaymentPlanRequest& request,
      const Actor& actor);
  Result IssueLetter(const collections::v1::IssueLetterRequest& request,
                     const Actor& actor);
  Result RaiseDispute(const collections::v1::RaiseDisputeRequest& request,
                      const Actor& actor);
  Result ResolveDispute(const collections::v1::ResolveDisputeRequest& request,
                        const Actor& actor);
  Result HandToAgency(const collections::v1::HandToAgencyRequest& request,
                      const Actor& actor);
  Result RecallFromAgency(
      const collections::v1::RecallFromAgencyRequest& request,
      const Actor& actor);
  Result WriteOff(const collections::v1::WriteOffRequest& request,
                  const Actor& actor);
  Result CloseCase(const collections::v1::CloseCaseRequest& request,
                   const Actor& actor);

  // The most events one command may append (LogCalls batches).
  static constexpr int kMaxEventsPerCommand = 1000;

 private:
  // Appends `payloads` (already checked) as one atomic batch to the case.
  Result Execute(const std::string& case_id,
                 const collections::v1::CommandContext& context,
                 const Actor& actor,
                 std::vector<collections::v1::EventPayload> payloads,
                 bool opens_case);

  storage::EventLog* const log_;
};

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_CASE_COMMANDS_H_
