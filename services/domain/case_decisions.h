// Decide: a command judged against the case's folded state. Each function
// returns the events the act becomes, or a refusal naming the rule that
// blocked it. Pure: the state, the command and its business time come in;
// nothing is read from a clock, a disk or the network.
//
// Outcomes:
//   OK Decision, refusal OK      append `events`;
//   OK Decision, refusal set     append `events` (evidence of a suppressed
//                                contact, ContactSuppressedByRule) and answer
//                                with `refusal` (FAILED_PRECONDITION);
//   INVALID_ARGUMENT             the command contradicts the case (currency,
//                                unknown invoice, amount above the balance);
//   FAILED_PRECONDITION          "<RULE>: <reason>": a rule of the case's
//                                pack or the lifecycle refuses the act;
//   NOT_FOUND / ALREADY_EXISTS   an unknown or duplicate promise, payment,
//                                letter or dispute id.
//
// Overrides: a command may name rules to override with a reason
// (CommandInput::overrides). Where the pack allows it, a refusing rule named
// there lets the act through and the override, its author and reason are
// returned in Decision::overrides to be recorded on the events.
//
// The case must exist (the caller answers NOT_FOUND otherwise), except for
// DecideOpenCase. Structural checks (command_checks.h) come first.
#ifndef COLLECTIONS_SERVICES_DOMAIN_CASE_DECISIONS_H_
#define COLLECTIONS_SERVICES_DOMAIN_CASE_DECISIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collections/v1/events.pb.h"
#include "services/domain/case_state.h"
#include "services/domain/command_inputs.h"

namespace collections::domain {

struct Decision {
  std::vector<collections::v1::EventPayload> events;
  std::vector<collections::v1::RuleOverride> overrides;  // used, with author
  absl::Status refusal;  // see the header comment
};
using DecisionOr = absl::StatusOr<Decision>;

namespace v1 = ::collections::v1;

// The refusal a suppressed contact answers with: FAILED_PRECONDITION
// "<rule>: <reason>; next attempt allowed from <time>". A retried command
// rebuilds its answer from the recorded event with this.
absl::Status SuppressionRefusal(const v1::ContactSuppressedByRule& suppressed);

DecisionOr DecideOpenCase(const v1::CaseOpened& opened,
                          const CommandInput& input);
DecisionOr DecideLogCalls(
    const CaseState& state,
    const google::protobuf::RepeatedPtrField<v1::CallLogged>& calls,
    const CommandInput& input);
DecisionOr DecideIssueLetter(const CaseState& state,
                             const v1::LetterIssued& letter,
                             const CommandInput& input);
DecisionOr DecideLetterOutcome(const CaseState& state,
                               const LetterOutcome& outcome,
                               const CommandInput& input);
DecisionOr DecideRecordPromise(const CaseState& state,
                               const v1::PromiseMade& promise,
                               const CommandInput& input);
DecisionOr DecideRecordPayment(const CaseState& state,
                               const v1::PaymentReceived& payment,
                               const CommandInput& input);
DecisionOr DecideReversePayment(const CaseState& state,
                                const PaymentReversal& reversal,
                                const CommandInput& input);
// An invoice added to the case (ClaimLineAdded). INVALID_ARGUMENT for a
// line that is incomplete or in another currency; ALREADY_EXISTS when the
// case has an invoice of that number; CASE_CLOSED on a closed case.
DecisionOr DecideAddClaimLine(const CaseState& state,
                              const collections::v1::ClaimLine& line,
                              const CommandInput& input);

DecisionOr DecideApplyCreditNote(const CaseState& state,
                                 const v1::CreditNoteApplied& credit_note,
                                 const CommandInput& input);
DecisionOr DecideAgreePaymentPlan(const CaseState& state,
                                  const PaymentPlanTerms& terms,
                                  const CommandInput& input);
DecisionOr DecideAssessCollectionCosts(const CaseState& state,
                                       const CommandInput& input);
DecisionOr DecideAccrueInterest(const CaseState& state,
                                const v1::LocalDate& up_to,
                                const CommandInput& input);
DecisionOr DecideWriteOff(const CaseState& state,
                          const v1::WriteOffApproved& write_off,
                          const CommandInput& input);
DecisionOr DecideClaimVatRelief(const CaseState& state,
                                const v1::VatReliefClaimed& claim,
                                const CommandInput& input);
DecisionOr DecidePlaceHold(const CaseState& state, const v1::HoldPlaced& hold,
                           const CommandInput& input);
DecisionOr DecideReleaseHold(const CaseState& state,
                             const v1::HoldReleased& release,
                             const CommandInput& input);
DecisionOr DecideRaiseDispute(const CaseState& state,
                              const v1::DisputeRaised& dispute,
                              const CommandInput& input);
DecisionOr DecideResolveDispute(const CaseState& state,
                                const v1::DisputeResolved& resolution,
                                const CommandInput& input);
DecisionOr DecideSendVerification(const CaseState& state,
                                  const v1::VerificationSent& verification,
                                  const CommandInput& input);
DecisionOr DecideHandToAgency(const CaseState& state,
                              const v1::HandedToAgency& placement,
                              const CommandInput& input);
DecisionOr DecideRecallFromAgency(const CaseState& state,
                                  const v1::RecallRequested& recall,
                                  const CommandInput& input);
DecisionOr DecideAgencyReport(const CaseState& state,
                              const AgencyReport& report,
                              const CommandInput& input);
DecisionOr DecideCloseCase(const CaseState& state,
                           const v1::CaseClosed& closure,
                           const CommandInput& input);

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_CASE_DECISIONS_H_
