#include "services/app/case_commands.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/app/event_envelope.h"
#include "services/domain/case_state.h"
#include "services/domain/command_checks.h"
#include "services/domain/due_events.h"
#include "common/status_macros.h"

namespace collections::app {
namespace {

namespace v1 = ::collections::v1;
using ::collections::v1::CommandContext;
using ::collections::v1::EventPayload;

absl::Status CheckContext(const CommandContext& context) {
  COLLECTIONS_RETURN_IF_ERROR(domain::CheckRequestId(context.request_id()));
  if (!context.has_occurred_at()) {
    return absl::InvalidArgumentError(
        "context.occurred_at (when the act happened) is required");
  }
  const auto& at = context.occurred_at();
  // 1970-01-01 .. 9999-12-31, whole nanoseconds in range.
  if (at.seconds() < 0 || at.seconds() > 253402300799 || at.nanos() < 0 ||
      at.nanos() > 999999999) {
    return absl::InvalidArgumentError(
        "context.occurred_at is outside 1970-01-01..9999-12-31");
  }
  return domain::CheckRuleOverrides(context.overrides());
}

// The answer an earlier run of this request got, when its events are in the
// log: the same result, or the same refusal of a suppressed contact.
absl::StatusOr<std::optional<CaseCommandHandler::Result>> EarlierAnswer(
    storage::EventLog* log, const std::string& case_id,
    const std::string& stream, const std::string& request_id) {
  const std::string prefix = absl::StrCat(request_id, "/");
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<storage::EventLocation> first,
                               log->FindEvent(stream, absl::StrCat(prefix, 0)));
  if (!first.has_value()) return std::nullopt;
  COLLECTIONS_ASSIGN_OR_RETURN(
      std::vector<storage::RecordedEvent> events,
      log->ReadStream(stream, first->stream_version,
                      storage::ReadDirection::kForward,
                      CaseCommandHandler::kMaxEventsPerCommand));
  v1::CommandResult result;
  result.set_case_id(case_id);
  result.set_already_applied(true);
  std::optional<absl::Status> refusal;
  int n = 0;
  for (const auto& recorded : events) {
    if (recorded.event.event_id() != absl::StrCat(prefix, n)) break;
    ++n;
    result.set_case_version(recorded.event.stream_version());
    result.set_last_position(recorded.event.global_position());
    if (!refusal.has_value() &&
        recorded.event.payload().has_contact_suppressed_by_rule()) {
      refusal = domain::SuppressionRefusal(
          recorded.event.payload().contact_suppressed_by_rule());
    }
  }
  using Answer = std::optional<CaseCommandHandler::Result>;
  if (refusal.has_value()) return Answer(CaseCommandHandler::Result(*refusal));
  return Answer(CaseCommandHandler::Result(result));
}

}  // namespace

struct CaseCommandHandler::Command {
  std::string case_id;
  std::string stream;
  CommandContext context;
  Actor actor;
  bool opens_case = false;
  DecideFn decide;
  Done done;
  int attempts = 0;
  CaseCommandHandler* handler = nullptr;

  void Answer(Result result) {
    std::move(done)(std::move(result));
    handler->Finished(case_id);
  }
};

CaseCommandHandler::CaseCommandHandler(storage::EventLog* log,
                                       security::PersonalDataVault* vault)
    : log_(log),
      vault_(vault),
      states_(log, /*capacity=*/100000),
      retry_thread_([this] { RunRetries(); }) {}

CaseCommandHandler::~CaseCommandHandler() {
  {
    absl::MutexLock lock(&retry_mu_);
    retry_mu_.Await(absl::Condition(
        +[](int64_t* in_flight) { return *in_flight == 0; }, &in_flight_));
    stopping_ = true;
  }
  retry_thread_.join();
}

void CaseCommandHandler::Retry(absl::AnyInvocable<void() &&> attempt) {
  absl::MutexLock lock(&retry_mu_);
  retries_.push_back(std::move(attempt));
}

void CaseCommandHandler::RunRetries() {
  for (;;) {
    absl::AnyInvocable<void() &&> next;
    {
      absl::MutexLock lock(&retry_mu_);
      retry_mu_.Await(absl::Condition(
          +[](CaseCommandHandler* self)
               ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->retry_mu_) {
                 return self->stopping_ || !self->retries_.empty();
               },
          this));
      if (retries_.empty()) return;  // stopping, and nothing left to answer
      next = std::move(retries_.front());
      retries_.pop_front();
    }
    std::move(next)();
  }
}

void CaseCommandHandler::Execute(const std::string& case_id,
                                 const CommandContext& context,
                                 const Actor& actor, bool opens_case,
                                 DecideFn decide, Done done) {
  absl::Status checked = CheckContext(context);
  if (checked.ok()) checked = domain::CheckId("case_id", case_id);
  if (!checked.ok()) {
    std::move(done)(std::move(checked));
    return;
  }
  auto command = std::make_shared<Command>();
  command->case_id = case_id;
  command->stream = domain::CaseStreamId(case_id);
  command->context = context;
  command->actor = actor;
  command->opens_case = opens_case;
  command->decide = std::move(decide);
  command->done = std::move(done);
  command->handler = this;
  {
    absl::MutexLock lock(&retry_mu_);
    ++in_flight_;
    auto [lane, idle] = lanes_.try_emplace(case_id);
    if (!idle) {  // another command on this case is in progress: queue
      lane->second.push_back(std::move(command));
      return;
    }
  }
  Attempt(std::move(command));
}

void CaseCommandHandler::Finished(const std::string& case_id) {
  absl::MutexLock lock(&retry_mu_);
  --in_flight_;
  auto lane = lanes_.find(case_id);
  if (lane == lanes_.end()) return;
  if (lane->second.empty()) {
    lanes_.erase(lane);
    return;
  }
  std::shared_ptr<Command> next = std::move(lane->second.front());
  lane->second.pop_front();
  // Not on the answering thread (it may be the log's): the retry thread.
  retries_.push_back([this, next]() mutable { Attempt(std::move(next)); });
}

void CaseCommandHandler::Attempt(std::shared_ptr<Command> c) {
  ++c->attempts;
  absl::StatusOr<std::optional<Result>> earlier =
      EarlierAnswer(log_, c->case_id, c->stream, c->context.request_id());
  if (!earlier.ok()) return c->Answer(earlier.status());
  if (earlier->has_value()) return c->Answer(std::move(**earlier));

  domain::CaseState state;
  if (!c->opens_case) {
    absl::StatusOr<domain::CaseState> loaded = states_.Load(c->case_id);
    if (!loaded.ok()) return c->Answer(loaded.status());
    state = *std::move(loaded);
    if (!state.exists) {
      return c->Answer(absl::NotFoundError(
          absl::StrCat("case ", c->case_id, " does not exist; open it first")));
    }
    if (c->context.has_expected_version() &&
        c->context.expected_version() != state.version) {
      return c->Answer(absl::AbortedError(
          absl::StrCat("case ", c->case_id, " is at version ", state.version,
                       ", not the expected ", c->context.expected_version(),
                       "; reload it and decide again")));
    }
  }

  domain::CommandInput input;
  input.at = ToTime(c->context.occurred_at());
  input.actor_id = c->actor.id();
  input.overrides.assign(c->context.overrides().begin(),
                         c->context.overrides().end());
  domain::DecisionOr decision = c->decide(state, input);
  if (!decision.ok()) return c->Answer(decision.status());
  if (decision->events.empty()) {
    return c->Answer(
        absl::FailedPreconditionError("the command changes nothing"));
  }

  std::vector<v1::Event> events;
  events.reserve(decision->events.size());
  for (size_t i = 0; i < decision->events.size(); ++i) {
    v1::Event event =
        MakeEvent(absl::StrCat(c->context.request_id(), "/", i), input.at,
                  c->actor, c->context.correlation_id(),
                  c->context.causation_id(), std::move(decision->events[i]));
    for (const auto& used : decision->overrides) *event.add_overrides() = used;
    events.push_back(std::move(event));
  }
  const storage::ExpectedVersion expected =
      c->opens_case ? storage::ExpectedVersion::NoStream()
                    : storage::ExpectedVersion::Exact(state.version);
  if (vault_ != nullptr) {
    // Sealed as stored: at the versions the expected version implies.
    const std::string& debtor_id =
        c->opens_case ? events.front().payload().case_opened().debtor_id()
                      : state.debtor_id;
    absl::Status sealed =
        vault_->Seal(debtor_id, c->stream, state.version + 1, events);
    if (!sealed.ok()) return c->Answer(std::move(sealed));
  }
  absl::Status refusal = decision->refusal;
  log_->AppendAsync(
      c->stream, expected, events,
      [this, c, refusal = std::move(refusal)](
          absl::StatusOr<storage::AppendResult> appended) mutable {
        if (!appended.ok()) {
          if (appended.status().code() != absl::StatusCode::kAborted)
            return c->Answer(appended.status());
          if (c->opens_case) {
            return c->Answer(absl::AlreadyExistsError(
                absl::StrCat("case ", c->case_id, " already exists")));
          }
          if (!c->context.has_expected_version() &&
              c->attempts < kMaxAttempts) {
            // The case moved since it was loaded: decide again on the new
            // state, off the log's thread.
            return Retry([this, c]() mutable { Attempt(std::move(c)); });
          }
          return c->Answer(appended.status());
        }
        if (!refusal.ok()) return c->Answer(std::move(refusal));
        v1::CommandResult result;
        result.set_case_id(c->case_id);
        result.set_case_version(appended->stream_version);
        result.set_last_position(appended->last_position);
        result.set_already_applied(appended->already_appended);
        c->Answer(std::move(result));
      });
}

absl::StatusOr<CaseCommandHandler::DueOutcome>
CaseCommandHandler::AppendDueEvents(const std::string& case_id,
                                    absl::Time as_of) {
  const std::string stream = domain::CaseStreamId(case_id);
  Actor actor;
  actor.set_id(kDueTimeActor);
  actor.set_role("system");
  for (int attempt = 1;; ++attempt) {
    COLLECTIONS_ASSIGN_OR_RETURN(domain::CaseState state,
                                 states_.Load(case_id));
    if (!state.exists) {
      return absl::NotFoundError(absl::StrCat("case ", case_id, " not found"));
    }
    std::vector<domain::DueEvent> due = domain::DueEvents(state, as_of);
    if (due.empty()) return DueOutcome{0, state.last_position};
    std::vector<v1::Event> events;
    for (auto& item : due) {
      events.push_back(MakeEvent(std::move(item.event_id), item.occurred_at,
                                 actor, "due-time", "",
                                 std::move(item.payload)));
    }
    absl::StatusOr<storage::AppendResult> appended = log_->Append(
        stream, storage::ExpectedVersion::Exact(state.version), events);
    if (appended.ok()) {
      return DueOutcome{static_cast<uint32_t>(events.size()),
                        appended->last_position};
    }
    if (appended.status().code() != absl::StatusCode::kAborted ||
        attempt >= kMaxAttempts) {
      return appended.status();
    }
  }
}

// ------------------------------------------------------------- commands

void CaseCommandHandler::OpenCase(const v1::OpenCaseRequest& request,
                                  const Actor& actor, Done done) {
  absl::Status checked = domain::CheckCaseOpened(request.case_());
  if (!checked.ok()) return std::move(done)(std::move(checked));
  Execute(
      request.case_().case_id(), request.context(), actor,
      /*opens_case=*/true,
      [opened = request.case_()](const domain::CaseState&,
                                 const domain::CommandInput& input) {
        return domain::DecideOpenCase(opened, input);
      },
      std::move(done));
}

void CaseCommandHandler::LogCalls(const v1::LogCallsRequest& request,
                                  const Actor& actor, Done done) {
  if (request.calls().empty()) {
    return std::move(done)(
        absl::InvalidArgumentError("calls is empty: log at least one call"));
  }
  if (request.calls_size() > kMaxEventsPerCommand) {
    return std::move(done)(absl::InvalidArgumentError(
        absl::StrCat("calls has ", request.calls_size(), " entries; at most ",
                     kMaxEventsPerCommand, " per request")));
  }
  for (int i = 0; i < request.calls_size(); ++i) {
    absl::Status status = domain::CheckCallLogged(request.calls(i));
    if (!status.ok()) {
      return std::move(done)(absl::InvalidArgumentError(
          absl::StrCat("calls[", i, "]: ", status.message())));
    }
  }
  Execute(
      request.case_id(), request.context(), actor, false,
      [calls = request.calls()](const domain::CaseState& state,
                                const domain::CommandInput& input) {
        return domain::DecideLogCalls(state, calls, input);
      },
      std::move(done));
}

// The commands with one detail message: check it, then decide with it.
#define COLLECTIONS_DETAIL_COMMAND(Method, Request, Check, Decide, expr) \
  void CaseCommandHandler::Method(const v1::Request& request,            \
                                  const Actor& actor, Done done) {       \
    absl::Status checked = Check;                                        \
    if (!checked.ok()) return std::move(done)(std::move(checked));       \
    Execute(                                                             \
        request.case_id(), request.context(), actor, false,              \
        [detail = expr](const domain::CaseState& state,                  \
                        const domain::CommandInput& input) {             \
          return domain::Decide(state, detail, input);                   \
        },                                                               \
        std::move(done));                                                \
  }

COLLECTIONS_DETAIL_COMMAND(RecordPromise, RecordPromiseRequest,
                           domain::CheckPromiseMade(request.promise()),
                           DecideRecordPromise, request.promise())
COLLECTIONS_DETAIL_COMMAND(RecordPayment, RecordPaymentRequest,
                           domain::CheckPaymentReceived(request.payment()),
                           DecideRecordPayment, request.payment())
COLLECTIONS_DETAIL_COMMAND(AgreePaymentPlan, AgreePaymentPlanRequest,
                           domain::CheckPaymentPlanTerms(request.terms()),
                           DecideAgreePaymentPlan, request.terms())
COLLECTIONS_DETAIL_COMMAND(IssueLetter, IssueLetterRequest,
                           domain::CheckLetterIssued(request.letter()),
                           DecideIssueLetter, request.letter())
COLLECTIONS_DETAIL_COMMAND(RaiseDispute, RaiseDisputeRequest,
                           domain::CheckDisputeRaised(request.dispute()),
                           DecideRaiseDispute, request.dispute())
COLLECTIONS_DETAIL_COMMAND(ResolveDispute, ResolveDisputeRequest,
                           domain::CheckDisputeResolved(request.resolution()),
                           DecideResolveDispute, request.resolution())
COLLECTIONS_DETAIL_COMMAND(HandToAgency, HandToAgencyRequest,
                           domain::CheckHandedToAgency(request.placement()),
                           DecideHandToAgency, request.placement())
COLLECTIONS_DETAIL_COMMAND(RecallFromAgency, RecallFromAgencyRequest,
                           domain::CheckRecallRequested(request.recall()),
                           DecideRecallFromAgency, request.recall())
COLLECTIONS_DETAIL_COMMAND(WriteOff, WriteOffRequest,
                           domain::CheckWriteOffApproved(request.write_off()),
                           DecideWriteOff, request.write_off())
COLLECTIONS_DETAIL_COMMAND(CloseCase, CloseCaseRequest,
                           domain::CheckCaseClosed(request.closure()),
                           DecideCloseCase, request.closure())
COLLECTIONS_DETAIL_COMMAND(ReversePayment, ReversePaymentRequest,
                           domain::CheckReversePayment(request),
                           DecideReversePayment, request)
COLLECTIONS_DETAIL_COMMAND(ApplyCreditNote, ApplyCreditNoteRequest,
                           domain::CheckCreditNote(request.credit_note()),
                           DecideApplyCreditNote, request.credit_note())
COLLECTIONS_DETAIL_COMMAND(AccrueInterest, AccrueInterestRequest,
                           domain::CheckDate("up_to", request.has_up_to(),
                                             request.up_to()),
                           DecideAccrueInterest, request.up_to())
COLLECTIONS_DETAIL_COMMAND(PlaceHold, PlaceHoldRequest,
                           domain::CheckHold("hold", request.hold().hold(),
                                             request.hold().reason()),
                           DecidePlaceHold, request.hold())
COLLECTIONS_DETAIL_COMMAND(ReleaseHold, ReleaseHoldRequest,
                           domain::CheckHold("release",
                                             request.release().hold(),
                                             request.release().reason()),
                           DecideReleaseHold, request.release())
COLLECTIONS_DETAIL_COMMAND(RecordLetterOutcome, RecordLetterOutcomeRequest,
                           domain::CheckLetterOutcome(request),
                           DecideLetterOutcome, request)
COLLECTIONS_DETAIL_COMMAND(
    SendVerification, SendVerificationRequest,
    domain::CheckVerificationSent(request.verification()),
    DecideSendVerification, request.verification())
COLLECTIONS_DETAIL_COMMAND(RecordAgencyReport, RecordAgencyReportRequest,
                           domain::CheckAgencyReport(request),
                           DecideAgencyReport, request)
COLLECTIONS_DETAIL_COMMAND(ClaimVatRelief, ClaimVatReliefRequest,
                           domain::CheckVatReliefClaimed(request.claim()),
                           DecideClaimVatRelief, request.claim())

#undef COLLECTIONS_DETAIL_COMMAND

void CaseCommandHandler::AssessCollectionCosts(
    const v1::AssessCollectionCostsRequest& request, const Actor& actor,
    Done done) {
  Execute(
      request.case_id(), request.context(), actor, false,
      [](const domain::CaseState& state, const domain::CommandInput& input) {
        return domain::DecideAssessCollectionCosts(state, input);
      },
      std::move(done));
}

}  // namespace collections::app
