#include "services/app/case_commands.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_details.h"
#include "common/status_macros.h"
#include "common/time_conversion.h"
#include "services/agency/return_file.h"
#include "services/domain/command_checks.h"
#include "services/domain/due_events.h"

namespace collections::app {
namespace {

namespace v1 = ::collections::v1;
using ::collections::v1::CommandContext;

v1::CommandResult ResultOf(const std::string& case_id, const Written& written) {
  v1::CommandResult result;
  result.set_case_id(case_id);
  result.set_case_version(written.case_version);
  result.set_last_position(written.last_position);
  result.set_already_applied(written.already_applied);
  return result;
}

// The requests whose act is not an event message as it stands, mapped to
// the domain's inputs (services/domain/command_inputs.h).
domain::PaymentReversal ReversalOf(const v1::ReversePaymentRequest& request) {
  return {request.payment_id(), request.reason()};
}

domain::PaymentPlanTerms TermsOf(const v1::PaymentPlanTerms& terms) {
  domain::PaymentPlanTerms mapped;
  mapped.plan_id = terms.plan_id();
  mapped.frequency = terms.frequency();
  mapped.installment_count = terms.installment_count();
  if (terms.has_first_due_date())
    mapped.first_due_date = terms.first_due_date();
  if (terms.has_total()) mapped.total = terms.total();
  mapped.signed_document_sha256 = terms.signed_document_sha256();
  mapped.misses_allowed = terms.misses_allowed();
  return mapped;
}

absl::StatusOr<domain::LetterOutcome> OutcomeOf(
    const v1::RecordLetterOutcomeRequest& request) {
  if (request.has_delivered()) return request.delivered();
  if (request.has_undeliverable()) return request.undeliverable();
  return absl::InvalidArgumentError(
      "outcome (delivered or undeliverable) is required");
}

}  // namespace

void CaseCommands::Submit(const std::string& case_id,
                          const CommandContext& context, const Actor& actor,
                          Decide decide, Done done) {
  Write(case_id, context, actor, /*opens_case=*/false, std::move(decide),
        std::move(done));
}

void CaseCommands::SubmitOpening(const std::string& case_id,
                                 const CommandContext& context,
                                 const Actor& actor, Decide decide, Done done) {
  Write(case_id, context, actor, /*opens_case=*/true, std::move(decide),
        std::move(done));
}

void CaseCommands::Write(const std::string& case_id,
                         const CommandContext& context, const Actor& actor,
                         bool opens_case, Decide decide, Done done) {
  absl::Status checked = domain::CheckCommandContext(context);
  if (checked.ok()) checked = domain::CheckId("case_id", case_id);
  if (!checked.ok()) return std::move(done)(std::move(checked));

  domain::CommandInput input;
  input.at = ToTime(context.occurred_at());
  input.actor_id = actor.id();
  input.overrides.assign(context.overrides().begin(),
                         context.overrides().end());
  CaseWrite write;
  write.case_id = case_id;
  write.envelope.request_id = context.request_id();
  write.envelope.occurred_at = input.at;
  write.envelope.actor = actor;
  write.envelope.correlation_id = context.correlation_id();
  write.envelope.causation_id = context.causation_id();
  AttachCurrentTrace(write.envelope);
  write.opens_case = opens_case;
  // OpenCase ignores expected_version: a case that exists is ALREADY_EXISTS.
  if (!opens_case && context.has_expected_version())
    write.expected_version = context.expected_version();
  write.decide =
      [decide = std::move(decide), input = std::move(input)](
          const domain::CaseState& state) mutable -> absl::StatusOr<Draft> {
    COLLECTIONS_ASSIGN_OR_RETURN(domain::Decision decision,
                                 decide(state, input));
    if (decision.events.empty()) {
      return absl::FailedPreconditionError("the command changes nothing");
    }
    return DraftOf(std::move(decision));
  };
  writer_->Write(std::move(write),
                 [case_id, done = std::move(done)](
                     absl::StatusOr<Written> written) mutable {
                   if (!written.ok()) {
                     // Every refusal names its case (ErrorInfo metadata), so
                     // a caller with many in flight routes it unparsed.
                     absl::Status refused = written.status();
                     AddErrorMetadata(refused, "case_id", case_id);
                     return std::move(done)(std::move(refused));
                   }
                   std::move(done)(ResultOf(case_id, *written));
                 });
}

absl::StatusOr<CaseCommands::DueOutcome> CaseCommands::AppendDueEvents(
    const std::string& case_id, absl::Time as_of) {
  CaseWrite write;
  write.case_id = case_id;
  write.envelope.occurred_at = as_of;
  write.envelope.actor.set_id(kDueTimeActor);
  write.envelope.actor.set_role("system");
  write.envelope.correlation_id = "due-time";
  write.decide = [as_of](const domain::CaseState& state) {
    Draft draft;
    for (domain::DueEvent& due : domain::DueEvents(state, as_of)) {
      draft.events.push_back(DraftEvent{
          std::move(due.payload), std::move(due.event_id), due.occurred_at});
    }
    return absl::StatusOr<Draft>(std::move(draft));
  };
  COLLECTIONS_ASSIGN_OR_RETURN(Written written,
                               writer_->WriteAndWait(std::move(write)));
  return DueOutcome{written.events, written.last_position};
}

// ------------------------------------------------------------- commands
// Each: the request's structure, then the domain's decision on the case.

void CaseCommands::OpenCase(const v1::OpenCaseRequest& request,
                            const Actor& actor, Done done) {
  absl::Status checked = domain::CheckCaseOpened(request.case_());
  if (!checked.ok()) return std::move(done)(std::move(checked));
  SubmitOpening(
      request.case_().case_id(), request.context(), actor,
      [opened = request.case_()](const domain::CaseState&,
                                 const domain::CommandInput& input) {
        return domain::DecideOpenCase(opened, input);
      },
      std::move(done));
}

void CaseCommands::LogCalls(const v1::LogCallsRequest& request,
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
  Submit(
      request.case_id(), request.context(), actor,
      [calls = request.calls()](const domain::CaseState& state,
                                const domain::CommandInput& input) {
        return domain::DecideLogCalls(state, calls, input);
      },
      std::move(done));
}

void CaseCommands::RecordPromise(const v1::RecordPromiseRequest& request,
                                 const Actor& actor, Done done) {
  absl::Status checked = domain::CheckPromiseMade(request.promise());
  if (!checked.ok()) return std::move(done)(std::move(checked));
  Submit(
      request.case_id(), request.context(), actor,
      [promise = request.promise()](const domain::CaseState& state,
                                    const domain::CommandInput& input) {
        return domain::DecideRecordPromise(state, promise, input);
      },
      std::move(done));
}

void CaseCommands::RecordPayment(const v1::RecordPaymentRequest& request,
                                 const Actor& actor, Done done) {
  absl::Status checked = domain::CheckPaymentReceived(request.payment());
  if (!checked.ok()) return std::move(done)(std::move(checked));
  Submit(
      request.case_id(), request.context(), actor,
      [payment = request.payment()](const domain::CaseState& state,
                                    const domain::CommandInput& input) {
        return domain::DecideRecordPayment(state, payment, input);
      },
      std::move(done));
}

void CaseCommands::AgreePaymentPlan(const v1::AgreePaymentPlanRequest& request,
                                    const Actor& actor, Done done) {
  domain::PaymentPlanTerms terms = TermsOf(request.terms());
  absl::Status checked = domain::CheckPaymentPlanTerms(terms);
  if (!checked.ok()) return std::move(done)(std::move(checked));
  Submit(
      request.case_id(), request.context(), actor,
      [terms = std::move(terms)](const domain::CaseState& state,
                                 const domain::CommandInput& input) {
        return domain::DecideAgreePaymentPlan(state, terms, input);
      },
      std::move(done));
}

void CaseCommands::IssueLetter(const v1::IssueLetterRequest& request,
                               const Actor& actor, Done done) {
  absl::Status checked = domain::CheckLetterIssued(request.letter());
  if (!checked.ok()) return std::move(done)(std::move(checked));
  Submit(
      request.case_id(), request.context(), actor,
      [letter = request.letter()](const domain::CaseState& state,
                                  const domain::CommandInput& input) {
        return domain::DecideIssueLetter(state, letter, input);
      },
      std::move(done));
}

void CaseCommands::RaiseDispute(const v1::RaiseDisputeRequest& request,
                                const Actor& actor, Done done) {
  absl::Status checked = domain::CheckDisputeRaised(request.dispute());
  if (!checked.ok()) return std::move(done)(std::move(checked));
  Submit(
      request.case_id(), request.context(), actor,
      [dispute = request.dispute()](const domain::CaseState& state,
                                    const domain::CommandInput& input) {
        return domain::DecideRaiseDispute(state, dispute, input);
      },
      std::move(done));
}

void CaseCommands::ResolveDispute(const v1::ResolveDisputeRequest& request,
                                  const Actor& actor, Done done) {
  absl::Status checked = domain::CheckDisputeResolved(request.resolution());
  if (!checked.ok()) return std::move(done)(std::move(checked));
  Submit(
      request.case_id(), request.context(), actor,
      [resolution = request.resolution()](const domain::CaseState& state,
                                          const domain::CommandInput& input) {
        return domain::DecideResolveDispute(state, resolution, input);
      },
      std::move(done));
}

void CaseCommands::HandToAgency(const v1::HandToAgencyRequest& request,
                                const Actor& actor, Done done) {
  HandToAgencyWithDisclosure(request, actor, std::move(done), std::nullopt);
}

void CaseCommands::HandToAgencyWithDisclosure(
    const v1::HandToAgencyRequest& request, const Actor& actor, Done done,
    std::optional<v1::PersonalDataDisclosed> disclosure) {
  absl::Status checked = domain::CheckHandedToAgency(request.placement());
  if (!checked.ok()) return std::move(done)(std::move(checked));
  Submit(
      request.case_id(), request.context(), actor,
      [placement = request.placement(), disclosure = std::move(disclosure)](
          const domain::CaseState& state,
          const domain::CommandInput& input) -> domain::DecisionOr {
        domain::DecisionOr decided =
            domain::DecideHandToAgency(state, placement, input);
        if (decided.ok() && decided->refusal.ok() && disclosure.has_value()) {
          v1::EventPayload disclosed;
          *disclosed.mutable_personal_data_disclosed() = *disclosure;
          decided->events.push_back(std::move(disclosed));
        }
        return decided;
      },
      std::move(done));
}

void CaseCommands::RecallFromAgency(const v1::RecallFromAgencyRequest& request,
                                    const Actor& actor, Done done) {
  absl::Status checked = domain::CheckRecallRequested(request.recall());
  if (!checked.ok()) return std::move(done)(std::move(checked));
  Submit(
      request.case_id(), request.context(), actor,
      [recall = request.recall()](const domain::CaseState& state,
                                  const domain::CommandInput& input) {
        return domain::DecideRecallFromAgency(state, recall, input);
      },
      std::move(done));
}

void CaseCommands::WriteOff(const v1::WriteOffRequest& request,
                            const Actor& actor, Done done) {
  absl::Status checked = domain::CheckWriteOffApproved(request.write_off());
  if (!checked.ok()) return std::move(done)(std::move(checked));
  Submit(
      request.case_id(), request.context(), actor,
      [write_off = request.write_off()](const domain::CaseState& state,
                                        const domain::CommandInput& input) {
        return domain::DecideWriteOff(state, write_off, input);
      },
      std::move(done));
}

void CaseCommands::CloseCase(const v1::CloseCaseRequest& request,
                             const Actor& actor, Done done) {
  absl::Status checked = domain::CheckCaseClosed(request.closure());
  if (!checked.ok()) return std::move(done)(std::move(checked));
  Submit(
      request.case_id(), request.context(), actor,
      [closure = request.closure()](const domain::CaseState& state,
                                    const domain::CommandInput& input) {
        return domain::DecideCloseCase(state, closure, input);
      },
      std::move(done));
}

void CaseCommands::ReversePayment(const v1::ReversePaymentRequest& request,
                                  const Actor& actor, Done done) {
  domain::PaymentReversal reversal = ReversalOf(request);
  absl::Status checked = domain::CheckReversePayment(reversal);
  if (!checked.ok()) return std::move(done)(std::move(checked));
  Submit(
      request.case_id(), request.context(), actor,
      [reversal = std::move(reversal)](const domain::CaseState& state,
                                       const domain::CommandInput& input) {
        return domain::DecideReversePayment(state, reversal, input);
      },
      std::move(done));
}

void CaseCommands::ApplyCreditNote(const v1::ApplyCreditNoteRequest& request,
                                   const Actor& actor, Done done) {
  absl::Status checked = domain::CheckCreditNote(request.credit_note());
  if (!checked.ok()) return std::move(done)(std::move(checked));
  Submit(
      request.case_id(), request.context(), actor,
      [note = request.credit_note()](const domain::CaseState& state,
                                     const domain::CommandInput& input) {
        return domain::DecideApplyCreditNote(state, note, input);
      },
      std::move(done));
}

void CaseCommands::AddClaimLine(const v1::AddClaimLineRequest& request,
                                const Actor& actor, Done done) {
  Submit(
      request.case_id(), request.context(), actor,
      [line = request.line()](const domain::CaseState& state,
                              const domain::CommandInput& input) {
        return domain::DecideAddClaimLine(state, line, input);
      },
      std::move(done));
}

void CaseCommands::AssessCollectionCosts(
    const v1::AssessCollectionCostsRequest& request, const Actor& actor,
    Done done) {
  Submit(
      request.case_id(), request.context(), actor,
      [](const domain::CaseState& state, const domain::CommandInput& input) {
        return domain::DecideAssessCollectionCosts(state, input);
      },
      std::move(done));
}

void CaseCommands::AccrueInterest(const v1::AccrueInterestRequest& request,
                                  const Actor& actor, Done done) {
  absl::Status checked =
      domain::CheckDate("up_to", request.has_up_to(), request.up_to());
  if (!checked.ok()) return std::move(done)(std::move(checked));
  Submit(
      request.case_id(), request.context(), actor,
      [up_to = request.up_to()](const domain::CaseState& state,
                                const domain::CommandInput& input) {
        return domain::DecideAccrueInterest(state, up_to, input);
      },
      std::move(done));
}

void CaseCommands::PlaceHold(const v1::PlaceHoldRequest& request,
                             const Actor& actor, Done done) {
  absl::Status checked =
      domain::CheckHold("hold", request.hold().hold(), request.hold().reason());
  if (!checked.ok()) return std::move(done)(std::move(checked));
  Submit(
      request.case_id(), request.context(), actor,
      [hold = request.hold()](const domain::CaseState& state,
                              const domain::CommandInput& input) {
        return domain::DecidePlaceHold(state, hold, input);
      },
      std::move(done));
}

void CaseCommands::ReleaseHold(const v1::ReleaseHoldRequest& request,
                               const Actor& actor, Done done) {
  absl::Status checked = domain::CheckHold("release", request.release().hold(),
                                           request.release().reason());
  if (!checked.ok()) return std::move(done)(std::move(checked));
  Submit(
      request.case_id(), request.context(), actor,
      [release = request.release()](const domain::CaseState& state,
                                    const domain::CommandInput& input) {
        return domain::DecideReleaseHold(state, release, input);
      },
      std::move(done));
}

void CaseCommands::RecordLetterOutcome(
    const v1::RecordLetterOutcomeRequest& request, const Actor& actor,
    Done done) {
  absl::StatusOr<domain::LetterOutcome> outcome = OutcomeOf(request);
  absl::Status checked = outcome.status();
  if (checked.ok()) checked = domain::CheckLetterOutcome(*outcome);
  if (!checked.ok()) return std::move(done)(std::move(checked));
  Submit(
      request.case_id(), request.context(), actor,
      [outcome = *std::move(outcome)](const domain::CaseState& state,
                                      const domain::CommandInput& input) {
        return domain::DecideLetterOutcome(state, outcome, input);
      },
      std::move(done));
}

void CaseCommands::SendVerification(const v1::SendVerificationRequest& request,
                                    const Actor& actor, Done done) {
  absl::Status checked = domain::CheckVerificationSent(request.verification());
  if (!checked.ok()) return std::move(done)(std::move(checked));
  Submit(
      request.case_id(), request.context(), actor,
      [verification = request.verification()](
          const domain::CaseState& state, const domain::CommandInput& input) {
        return domain::DecideSendVerification(state, verification, input);
      },
      std::move(done));
}

void CaseCommands::RecordAgencyReport(
    const v1::RecordAgencyReportRequest& request, const Actor& actor,
    Done done) {
  absl::StatusOr<domain::AgencyReport> report = agency::AgencyReportOf(request);
  absl::Status checked = report.status();
  if (checked.ok()) checked = domain::CheckAgencyReport(*report);
  if (!checked.ok()) return std::move(done)(std::move(checked));
  Submit(
      request.case_id(), request.context(), actor,
      [report = *std::move(report)](const domain::CaseState& state,
                                    const domain::CommandInput& input) {
        return domain::DecideAgencyReport(state, report, input);
      },
      std::move(done));
}

void CaseCommands::ClaimVatRelief(const v1::ClaimVatReliefRequest& request,
                                  const Actor& actor, Done done) {
  absl::Status checked = domain::CheckVatReliefClaimed(request.claim());
  if (!checked.ok()) return std::move(done)(std::move(checked));
  Submit(
      request.case_id(), request.context(), actor,
      [claim = request.claim()](const domain::CaseState& state,
                                const domain::CommandInput& input) {
        return domain::DecideClaimVatRelief(state, claim, input);
      },
      std::move(done));
}

}  // namespace collections::app
