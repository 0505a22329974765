#include "services/app/case_commands.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/domain/case_state.h"
#include "services/domain/command_checks.h"
#include "storage/status_macros.h"

namespace collections::app {
namespace {

using ::collections::v1::CommandContext;
using ::collections::v1::EventPayload;

// The event type name recorded in the envelope: the payload message's name.
std::string TypeName(const EventPayload& payload) {
  const auto* field = EventPayload::descriptor()->FindFieldByNumber(
      static_cast<int>(payload.kind_case()));
  return field == nullptr ? "" : field->message_type()->name();
}

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
  return absl::OkStatus();
}

template <typename Payload, typename Setter>
EventPayload Wrap(const Payload& detail, Setter set) {
  EventPayload payload;
  *set(&payload) = detail;
  return payload;
}

// What the caller of a command learns from the append's outcome.
CaseCommandHandler::Result ConcludeAppend(
    storage::EventLog* log, const std::string& case_id,
    const std::string& stream, bool opens_case,
    absl::StatusOr<storage::AppendResult> appended) {
  if (!appended.ok()) {
    if (appended.status().code() != absl::StatusCode::kAborted) {
      return appended.status();
    }
    if (opens_case) {
      return absl::AlreadyExistsError(absl::StrCat(
          "case ", case_id, " already exists (opened by another request)"));
    }
    // Only on this error path: tell a missing case from a stale version.
    COLLECTIONS_ASSIGN_OR_RETURN(std::optional<storage::StreamHead> head,
                                 log->GetStreamHead(stream));
    if (!head.has_value()) {
      return absl::NotFoundError(
          absl::StrCat("case ", case_id, " does not exist; open it first"));
    }
    return appended.status();
  }
  collections::v1::CommandResult result;
  result.set_case_id(case_id);
  result.set_case_version(appended->stream_version);
  result.set_last_position(appended->last_position);
  result.set_already_applied(appended->already_appended);
  return result;
}

}  // namespace

// Answers `done` with the status of `expr` and returns when it is not OK.
#define COLLECTIONS_CHECK_OR_ANSWER(expr)        \
  do {                                           \
    absl::Status check_status_ = (expr);         \
    if (!check_status_.ok()) {                   \
      std::move(done)(std::move(check_status_)); \
      return;                                    \
    }                                            \
  } while (false)

void CaseCommandHandler::Execute(const std::string& case_id,
                                 const CommandContext& context,
                                 const Actor& actor,
                                 std::vector<EventPayload> payloads,
                                 bool opens_case, Done done) {
  COLLECTIONS_CHECK_OR_ANSWER(CheckContext(context));
  COLLECTIONS_CHECK_OR_ANSWER(domain::CheckId("case_id", case_id));
  std::string stream = domain::CaseStreamId(case_id);

  // Every command but OpenCase needs the case to exist; the log checks that
  // atomically with the append (StreamExists, or an exact version >= 1), so
  // nothing is read before the append.
  storage::ExpectedVersion expected = storage::ExpectedVersion::NoStream();
  if (!opens_case) {
    expected = context.has_expected_version() && context.expected_version() > 0
                   ? storage::ExpectedVersion::Exact(context.expected_version())
                   : storage::ExpectedVersion::StreamExists();
  }

  std::vector<collections::v1::Event> events(payloads.size());
  for (size_t i = 0; i < payloads.size(); ++i) {
    collections::v1::Event& event = events[i];
    event.set_event_id(absl::StrCat(context.request_id(), "/", i));
    event.set_type(TypeName(payloads[i]));
    *event.mutable_occurred_at() = context.occurred_at();
    *event.mutable_actor() = actor;
    event.set_correlation_id(context.correlation_id());
    event.set_causation_id(context.causation_id());
    event.set_schema_version(1);
    *event.mutable_payload() = std::move(payloads[i]);
  }

  // The append copies the events; the callback owns what it reports on.
  log_->AppendAsync(
      stream, expected, events,
      [log = log_, case_id, stream, opens_case, done = std::move(done)](
          absl::StatusOr<storage::AppendResult> appended) mutable {
        std::move(done)(ConcludeAppend(log, case_id, stream, opens_case,
                                       std::move(appended)));
      });
}

void CaseCommandHandler::OpenCase(
    const collections::v1::OpenCaseRequest& request, const Actor& actor,
    Done done) {
  COLLECTIONS_CHECK_OR_ANSWER(domain::CheckCaseOpened(request.case_()));
  Execute(request.case_().case_id(), request.context(), actor,
          {Wrap(request.case_(),
                [](EventPayload* p) { return p->mutable_case_opened(); })},
          /*opens_case=*/true, std::move(done));
}

void CaseCommandHandler::LogCalls(
    const collections::v1::LogCallsRequest& request, const Actor& actor,
    Done done) {
  if (request.calls().empty()) {
    std::move(done)(
        absl::InvalidArgumentError("calls is empty: log at least one call"));
    return;
  }
  if (request.calls_size() > kMaxEventsPerCommand) {
    std::move(done)(absl::InvalidArgumentError(
        absl::StrCat("calls has ", request.calls_size(), " entries; at most ",
                     kMaxEventsPerCommand, " per request")));
    return;
  }
  std::vector<EventPayload> payloads;
  payloads.reserve(request.calls_size());
  for (int i = 0; i < request.calls_size(); ++i) {
    absl::Status status = domain::CheckCallLogged(request.calls(i));
    if (!status.ok()) {
      std::move(done)(absl::InvalidArgumentError(
          absl::StrCat("calls[", i, "]: ", status.message())));
      return;
    }
    payloads.push_back(Wrap(request.calls(i), [](EventPayload* p) {
      return p->mutable_call_logged();
    }));
  }
  Execute(request.case_id(), request.context(), actor, std::move(payloads),
          false, std::move(done));
}

// The single-event commands: check the detail, wrap it, append it.
#define COLLECTIONS_SINGLE_EVENT_COMMAND(Method, Request, field, Check,    \
                                         mutable_payload)                  \
  void CaseCommandHandler::Method(const collections::v1::Request& request, \
                                  const Actor& actor, Done done) {         \
    COLLECTIONS_CHECK_OR_ANSWER(domain::Check(request.field()));           \
    Execute(request.case_id(), request.context(), actor,                   \
            {Wrap(request.field(),                                         \
                  [](EventPayload* p) { return p->mutable_payload(); })},  \
            false, std::move(done));                                       \
  }

COLLECTIONS_SINGLE_EVENT_COMMAND(RecordPromise, RecordPromiseRequest, promise,
                                 CheckPromiseMade, mutable_promise_made)
COLLECTIONS_SINGLE_EVENT_COMMAND(RecordPayment, RecordPaymentRequest, payment,
                                 CheckPaymentReceived, mutable_payment_received)
COLLECTIONS_SINGLE_EVENT_COMMAND(AgreePaymentPlan, AgreePaymentPlanRequest,
                                 plan, CheckPaymentPlanAgreed,
                                 mutable_payment_plan_agreed)
COLLECTIONS_SINGLE_EVENT_COMMAND(IssueLetter, IssueLetterRequest, letter,
                                 CheckLetterIssued, mutable_letter_issued)
COLLECTIONS_SINGLE_EVENT_COMMAND(RaiseDispute, RaiseDisputeRequest, dispute,
                                 CheckDisputeRaised, mutable_dispute_raised)
COLLECTIONS_SINGLE_EVENT_COMMAND(ResolveDispute, ResolveDisputeRequest,
                                 resolution, CheckDisputeResolved,
                                 mutable_dispute_resolved)
COLLECTIONS_SINGLE_EVENT_COMMAND(HandToAgency, HandToAgencyRequest, placement,
                                 CheckHandedToAgency, mutable_handed_to_agency)
COLLECTIONS_SINGLE_EVENT_COMMAND(RecallFromAgency, RecallFromAgencyRequest,
                                 recall, CheckRecallRequested,
                                 mutable_recall_requested)
COLLECTIONS_SINGLE_EVENT_COMMAND(WriteOff, WriteOffRequest, write_off,
                                 CheckWriteOffApproved,
                                 mutable_write_off_approved)
COLLECTIONS_SINGLE_EVENT_COMMAND(CloseCase, CloseCaseRequest, closure,
                                 CheckCaseClosed, mutable_case_closed)

#undef COLLECTIONS_SINGLE_EVENT_COMMAND
#undef COLLECTIONS_CHECK_OR_ANSWER

}  // namespace collections::app
