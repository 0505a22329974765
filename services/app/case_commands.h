// CaseCommands: the use cases behind the case commands of
// proto/collections/v1/case_commands.proto, one method each. A method checks
// the request's structure (services/domain/command_checks.h: INVALID_ARGUMENT
// naming the field), maps it to the domain's input (command_inputs.h) and
// writes the domain's decision (case_decisions.h) through the CaseWriter,
// which orders, decides, envelopes, seals and appends it (case_writer.h).
//
// Idempotency: the events of a request get ids derived from its request_id
// ("<request_id>/<n>"). A retry is recognised by the writer and answered
// with the first result (a refused contact with its recorded refusal).
//
// Errors (absl::Status; services/grpc maps them to gRPC codes):
//   INVALID_ARGUMENT    a malformed or incomplete request (names the field),
//                       or one that contradicts the case (currency, amounts)
//   NOT_FOUND           the case (or a letter, payment, dispute) does not exist
//   ALREADY_EXISTS      OpenCase for a taken case id; a reused promise,
//                       payment or letter id
//   FAILED_PRECONDITION "<RULE>: <reason>": a rule refused the act; a refused
//                       contact is still recorded (ContactSuppressedByRule);
//                       "the command changes nothing"
//   ABORTED             expected_version is stale; names the actual version
//   UNAVAILABLE         the log could not write; retry with the same request id
//
// Thread safety: safe to call concurrently. The writer must outlive this.
#ifndef COLLECTIONS_SERVICES_APP_CASE_COMMANDS_H_
#define COLLECTIONS_SERVICES_APP_CASE_COMMANDS_H_

#include <optional>
#include <string>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "collections/v1/case_commands.pb.h"
#include "collections/v1/events.pb.h"
#include "services/app/case_writer.h"
#include "services/domain/case_decisions.h"

namespace collections::app {

class CaseCommands {
 public:
  explicit CaseCommands(CaseWriter* writer) : writer_(writer) {}
  CaseCommands(const CaseCommands&) = delete;
  CaseCommands& operator=(const CaseCommands&) = delete;

  // Every command is asynchronous: `done` receives the result exactly once,
  // on the calling thread when the request is answered at once (bad input,
  // a refusal, a retry of an acknowledged request), otherwise on the event
  // log's thread once the events are durable and visible to queries. `done`
  // must be quick (it runs on the log's commit path). `actor` is the
  // authenticated caller, recorded on every event. Requests may be gone
  // once a command returns.
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
  // Records the placement as given; AgencyHandoff::Place cuts the package
  // first (the RPC HandToAgency goes there). `disclosure`, when set, is
  // recorded with it, in the same append: the package's personal data
  // going to the agency (GDPR art. 30).
  void HandToAgency(const collections::v1::HandToAgencyRequest& request,
                    const Actor& actor, Done done);
  void HandToAgencyWithDisclosure(
      const collections::v1::HandToAgencyRequest& request, const Actor& actor,
      Done done,
      std::optional<collections::v1::PersonalDataDisclosed> disclosure);
  void RecallFromAgency(const collections::v1::RecallFromAgencyRequest& request,
                        const Actor& actor, Done done);
  void WriteOff(const collections::v1::WriteOffRequest& request,
                const Actor& actor, Done done);
  void CloseCase(const collections::v1::CloseCaseRequest& request,
                 const Actor& actor, Done done);
  void ReversePayment(const collections::v1::ReversePaymentRequest& request,
                      const Actor& actor, Done done);
  void ApplyCreditNote(const collections::v1::ApplyCreditNoteRequest& request,
                       const Actor& actor, Done done);
  void AddClaimLine(const collections::v1::AddClaimLineRequest& request,
                    const Actor& actor, Done done);
  void AssessCollectionCosts(
      const collections::v1::AssessCollectionCostsRequest& request,
      const Actor& actor, Done done);
  void AccrueInterest(const collections::v1::AccrueInterestRequest& request,
                      const Actor& actor, Done done);
  void PlaceHold(const collections::v1::PlaceHoldRequest& request,
                 const Actor& actor, Done done);
  void ReleaseHold(const collections::v1::ReleaseHoldRequest& request,
                   const Actor& actor, Done done);
  void RecordLetterOutcome(
      const collections::v1::RecordLetterOutcomeRequest& request,
      const Actor& actor, Done done);
  void SendVerification(const collections::v1::SendVerificationRequest& request,
                        const Actor& actor, Done done);
  void RecordAgencyReport(
      const collections::v1::RecordAgencyReportRequest& request,
      const Actor& actor, Done done);
  void ClaimVatRelief(const collections::v1::ClaimVatReliefRequest& request,
                      const Actor& actor, Done done);

  // Appends the events due on one case by `as_of` (domain/due_events.h),
  // waiting for them to be durable. Idempotent: each due event has a fixed
  // id and is decided once. Returns how many events were appended (0 when
  // nothing was due) and the last position. NOT_FOUND for an unknown case.
  struct DueOutcome {
    uint32_t events = 0;
    uint64_t last_position = 0;
  };
  absl::StatusOr<DueOutcome> AppendDueEvents(const std::string& case_id,
                                             absl::Time as_of);

  // Runs one command and waits for its result (demo seeding, tools):
  //   commands.Await(&CaseCommands::LogCalls, request, actor)
  template <typename Request>
  Result Await(void (CaseCommands::*command)(const Request&, const Actor&,
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
  static constexpr int kMaxEventsPerCommand = CaseWriter::kMaxEvents;
  // The actor recorded on derived (due-time) events.
  static constexpr char kDueTimeActor[] = "due-time-processor";

 private:
  // A command's decision on the case's state, given the act's time, actor
  // and overrides.
  using Decide = absl::AnyInvocable<domain::DecisionOr(
      const domain::CaseState&, const domain::CommandInput&)>;

  // Checks the context and the case id, then writes `decide` on the case.
  void Submit(const std::string& case_id,
              const collections::v1::CommandContext& context,
              const Actor& actor, Decide decide, Done done);
  // The same for OpenCase: the case must not exist yet.
  void SubmitOpening(const std::string& case_id,
                     const collections::v1::CommandContext& context,
                     const Actor& actor, Decide decide, Done done);
  void Write(const std::string& case_id,
             const collections::v1::CommandContext& context, const Actor& actor,
             bool opens_case, Decide decide, Done done);

  CaseWriter* const writer_;
};

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_CASE_COMMANDS_H_
