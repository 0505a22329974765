// What a command states about its act, in the domain's own terms: the inputs
// of the Decide functions (case_decisions.h). The app layer maps each request
// of proto/collections/v1/case_commands.proto to these; an act whose details
// are recorded as the caller stated them (a LetterIssued, a PromiseMade…)
// comes as its persisted event message (events.proto), which the domain
// speaks too. The domain never sees a request or response type.
//
// Plain values; thread safe to share once built.
#ifndef COLLECTIONS_SERVICES_DOMAIN_COMMAND_INPUTS_H_
#define COLLECTIONS_SERVICES_DOMAIN_COMMAND_INPUTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/time/time.h"
#include "collections/v1/events.pb.h"

namespace collections::domain {

// What every command brings besides its act: when it happened and who may
// have overridden which rule.
struct CommandInput {
  absl::Time at;         // when the act happened (business time)
  std::string actor_id;  // the author of any override
  std::vector<collections::v1::RuleOverride> overrides;  // rule + reason
};

// ReversePayment: which recorded payment is taken back, and why.
struct PaymentReversal {
  std::string payment_id;
  std::string reason;
};

// AgreePaymentPlan: the plan's terms; the schedule is the domain's
// (payment_schedule.h: equal installments, the remainder on the last).
struct PaymentPlanTerms {
  std::string plan_id;
  collections::v1::PlanFrequency frequency =
      collections::v1::PLAN_FREQUENCY_UNSPECIFIED;
  uint32_t installment_count = 0;  // 1..120
  // The debtor's calendar; required (CheckPaymentPlanTerms).
  std::optional<collections::v1::LocalDate> first_due_date;
  std::optional<collections::v1::Money> total;  // unset: the whole balance
  std::string signed_document_sha256;           // empty or 32 bytes
  uint32_t misses_allowed = 0;                  // 0: the rule pack's default
};

// RecordLetterOutcome: the post's answer about a letter.
using LetterOutcome = std::variant<collections::v1::LetterDelivered,
                                   collections::v1::LetterUndeliverable>;

// RecordAgencyReport (and each record of a return file): what the agency
// reports about a case placed with it.
using AgencyReport = std::variant<
    collections::v1::PlacementAcknowledged,
    collections::v1::AgencyPaymentReported,
    collections::v1::AgencyPaymentReversed,
    collections::v1::AgencyUpdateReceived, collections::v1::RecallObjected,
    collections::v1::RecallCompleted, collections::v1::ReturnedByAgency>;

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_COMMAND_INPUTS_H_
