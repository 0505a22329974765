// CaseCommandHandler: the use cases behind every case command. Each checks
// the request's structure (services/domain/command_checks.h), loads the
// case's folded state, lets the domain decide (services/domain/
// case_decisions.h) and appends the decided events with the case's version
// as the expected version, so nothing decided on a stale state is written.
//
// Idempotency: the events of a request get ids derived from its request_id
// ("<request_id>/<n>"). A retry is recognised in the log's durable id index
// before anything is decided and answered with the first result (a refused
// contact answers with its recorded refusal again), appending nothing.
//
// Concurrency: commands on one case are decided one after another (a
// per-case lane: the next waits until the previous one's append is
// answered), so they never race each other for a version; commands on
// different cases run in parallel. When the case still moved between load
// and append (the due-time processor appended) and the caller did not pin
// expected_version, the command is decided again on the new state, up to
// kMaxAttempts times.
//
// Errors (absl::Status; services/grpc maps them to gRPC codes):
//   INVALID_ARGUMENT    a malformed or incomplete request (names the field),
//                       or one that contradicts the case (currency, amounts)
//   NOT_FOUND           the case (or a letter, payment, dispute) does not exist
//   ALREADY_EXISTS      OpenCase for a taken case id; a reused promise,
//                       payment or letter id
//   FAILED_PRECONDITION "<RULE>: <reason>": a rule refused the act; a refused
//                       contact is still recorded (ContactSuppressedByRule)
//   ABORTED             expected_version is stale; names the actual version
//   UNAVAILABLE         the log could not write; retry with the same request id
//
// Thread safety: safe to call concurrently. The log must outlive the handler.
#ifndef COLLECTIONS_SERVICES_APP_CASE_COMMANDS_H_
#define COLLECTIONS_SERVICES_APP_CASE_COMMANDS_H_

#include <deque>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "collections/v1/case_commands.pb.h"
#include "collections/v1/events.pb.h"
#include "services/app/case_state_cache.h"
#include "services/domain/case_decisions.h"
#include "services/security/personal_data_vault.h"
#include "storage/event_log.h"

namespace collections::app {

class CaseCommandHandler {
 public:
  // `vault` (optional) seals the personal data of every event before it is
  // appended (services/security/personal_data_vault.h).
  explicit CaseCommandHandler(storage::EventLog* log,
                              security::PersonalDataVault* vault = nullptr);
  // Waits until every command started has been answered (retries
  // included); the log must still be open.
  ~CaseCommandHandler();
  CaseCommandHandler(const CaseCommandHandler&) = delete;
  CaseCommandHandler& operator=(const CaseCommandHandler&) = delete;

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
#define COLLECTIONS_COMMAND(Method, Request)                               \
  void Method(const collections::v1::Request& request, const Actor& actor, \
              Done done);
  COLLECTIONS_COMMAND(OpenCase, OpenCaseRequest)
  COLLECTIONS_COMMAND(LogCalls, LogCallsRequest)
  COLLECTIONS_COMMAND(RecordPromise, RecordPromiseRequest)
  COLLECTIONS_COMMAND(RecordPayment, RecordPaymentRequest)
  COLLECTIONS_COMMAND(AgreePaymentPlan, AgreePaymentPlanRequest)
  COLLECTIONS_COMMAND(IssueLetter, IssueLetterRequest)
  COLLECTIONS_COMMAND(RaiseDispute, RaiseDisputeRequest)
  COLLECTIONS_COMMAND(ResolveDispute, ResolveDisputeRequest)
  COLLECTIONS_COMMAND(HandToAgency, HandToAgencyRequest)
  COLLECTIONS_COMMAND(RecallFromAgency, RecallFromAgencyRequest)
  COLLECTIONS_COMMAND(WriteOff, WriteOffRequest)
  COLLECTIONS_COMMAND(CloseCase, CloseCaseRequest)
  COLLECTIONS_COMMAND(ReversePayment, ReversePaymentRequest)
  COLLECTIONS_COMMAND(ApplyCreditNote, ApplyCreditNoteRequest)
  COLLECTIONS_COMMAND(AssessCollectionCosts, AssessCollectionCostsRequest)
  COLLECTIONS_COMMAND(AccrueInterest, AccrueInterestRequest)
  COLLECTIONS_COMMAND(PlaceHold, PlaceHoldRequest)
  COLLECTIONS_COMMAND(ReleaseHold, ReleaseHoldRequest)
  COLLECTIONS_COMMAND(RecordLetterOutcome, RecordLetterOutcomeRequest)
  COLLECTIONS_COMMAND(SendVerification, SendVerificationRequest)
  COLLECTIONS_COMMAND(RecordAgencyReport, RecordAgencyReportRequest)
  COLLECTIONS_COMMAND(ClaimVatRelief, ClaimVatReliefRequest)
#undef COLLECTIONS_COMMAND

  // Appends the events due on one case by `as_of` (domain/due_events.h),
  // waiting for them to be durable. Idempotent. Returns how many events
  // were appended (0 when nothing was due) and the last position.
  struct DueOutcome {
    uint32_t events = 0;
    uint64_t last_position = 0;
  };
  absl::StatusOr<DueOutcome> AppendDueEvents(const std::string& case_id,
                                             absl::Time as_of);

  // The case folded from the log, as commands see it (exists is false for
  // an unknown case). For seeding and tools that act on the standing.
  absl::StatusOr<domain::CaseState> LoadCase(const std::string& case_id) {
    return states_.Load(case_id);
  }

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
  // Decide-and-append attempts when the case moves concurrently.
  static constexpr int kMaxAttempts = 5;
  // The actor recorded on derived (due-time) events.
  static constexpr char kDueTimeActor[] = "due-time-processor";

 private:
  using DecideFn = absl::AnyInvocable<domain::DecisionOr(
      const domain::CaseState&, const domain::CommandInput&)>;
  struct Command;  // one command's request-independent copy

  // Checks the envelope, then runs the command's first attempt.
  void Execute(const std::string& case_id,
               const collections::v1::CommandContext& context,
               const Actor& actor, bool opens_case, DecideFn decide, Done done);
  void Attempt(std::shared_ptr<Command> command);
  // Called once a command is answered: starts the next one of its lane.
  void Finished(const std::string& case_id);
  // Hands a retry to the retry thread (never run on the log's thread).
  void Retry(absl::AnyInvocable<void() &&> attempt);
  void RunRetries();

  storage::EventLog* const log_;
  security::PersonalDataVault* const vault_;
  CaseStateCache states_;
  absl::Mutex retry_mu_;
  std::deque<absl::AnyInvocable<void() &&>> retries_ ABSL_GUARDED_BY(retry_mu_);
  bool stopping_ ABSL_GUARDED_BY(retry_mu_) = false;
  // Commands started and not yet answered.
  int64_t in_flight_ ABSL_GUARDED_BY(retry_mu_) = 0;
  // Per case with a command in progress: the commands waiting behind it.
  absl::flat_hash_map<std::string, std::deque<std::shared_ptr<Command>>> lanes_
      ABSL_GUARDED_BY(retry_mu_);
  std::thread retry_thread_;
};

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_CASE_COMMANDS_H_
