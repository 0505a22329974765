#include "services/app/case_standing.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/app/case_queries.h"
#include "services/domain/case_decisions.h"
#include "services/domain/claim_deadlines.h"
#include "services/domain/contact_rules.h"
#include "services/domain/debtor_profile.h"
#include "services/domain/rule_packs.h"
#include "services/domain/treatment.h"

namespace collections::app {
namespace {

namespace v1 = ::collections::v1;

// Whether a dry run lets the act through; a refusal's rule and reason.
v1::ActionAvailability Judge(std::string action,
                             const domain::DecisionOr& decision) {
  v1::ActionAvailability availability;
  availability.set_action(std::move(action));
  absl::Status status = decision.ok() ? decision->refusal : decision.status();
  availability.set_allowed(status.ok());
  if (!status.ok()) {
    const std::string message(status.message());
    const size_t colon = message.find(": ");
    if (status.code() == absl::StatusCode::kFailedPrecondition &&
        colon != std::string::npos) {
      availability.set_rule(message.substr(0, colon));
      availability.set_reason(message.substr(colon + 2));
    } else {
      availability.set_rule(absl::StatusCodeToString(status.code()));
      availability.set_reason(message);
    }
  }
  return availability;
}

v1::Money Money(const domain::CaseState& state, int64_t minor) {
  return domain::MoneyOf(minor, state.currency);
}

void AddActions(const domain::CaseState& state, absl::Time as_of,
                v1::CaseStanding& standing) {
  domain::CommandInput input;
  input.at = as_of;
  input.actor_id = "standing";
  const int64_t collectable = std::max<int64_t>(state.collectable_minor(), 1);

  google::protobuf::RepeatedPtrField<v1::CallLogged> calls;
  v1::CallLogged* call = calls.Add();
  call->set_direction(v1::CALL_DIRECTION_OUTBOUND);
  call->set_outcome(v1::CALL_OUTCOME_NO_ANSWER);
  call->set_time_zone(state.time_zone);
  call->set_zone_source(v1::ZONE_SOURCE_DEBTOR_RECORD);
  *standing.add_actions() =
      Judge("call", domain::DecideLogCalls(state, calls, input));

  for (v1::LetterLevel level :
       {v1::LETTER_LEVEL_REMINDER, v1::LETTER_LEVEL_DUNNING,
        v1::LETTER_LEVEL_FOURTEEN_DAY, v1::LETTER_LEVEL_FINAL_NOTICE,
        v1::LETTER_LEVEL_VALIDATION_NOTICE}) {
    v1::LetterIssued letter;
    letter.set_letter_id("standing-dry-run");
    letter.set_level(level);
    letter.set_channel(v1::LETTER_CHANNEL_POST);
    *letter.mutable_amount_stated() = Money(state, collectable);
    *standing.add_actions() =
        Judge(absl::StrCat("letter:", v1::LetterLevel_Name(level).substr(13)),
              domain::DecideIssueLetter(state, letter, input));
  }
  *standing.add_actions() =
      Judge("assess_costs", domain::DecideAssessCollectionCosts(state, input));
  *standing.add_actions() =
      Judge("accrue_interest",
            domain::DecideAccrueInterest(
                state, domain::ToLocalDate(state.DayOf(as_of)), input));
  domain::PaymentPlanTerms terms;
  terms.plan_id = "standing-dry-run";
  terms.frequency = v1::PLAN_FREQUENCY_MONTHLY;
  terms.installment_count = 1;
  terms.first_due_date = domain::ToLocalDate(state.DayOf(as_of));
  *standing.add_actions() =
      Judge("agree_plan", domain::DecideAgreePaymentPlan(state, terms, input));
  v1::HandedToAgency placement;
  placement.set_agency_id("standing-dry-run");
  placement.set_agency_registration("dry-run");
  placement.set_placement_type(v1::PLACEMENT_TYPE_CONTINGENCY);
  *standing.add_actions() = Judge(
      "hand_to_agency", domain::DecideHandToAgency(state, placement, input));
  v1::CaseClosed closure;
  closure.set_reason(v1::CLOSURE_REASON_PAID);
  *standing.add_actions() =
      Judge("close_paid", domain::DecideCloseCase(state, closure, input));
}

// The debtor-wide facts binding the case, each with its rule.
void AddDebtorBindings(const domain::CaseState& state, absl::Time as_of,
                       v1::CaseStanding& standing) {
  const v1::DebtorProfile& debtor = state.debtor;
  auto bind = [&](std::string rule, std::string effect,
                  const v1::DebtorFact& fact) {
    v1::DebtorBinding* binding = standing.add_debtor_bindings();
    binding->set_rule(std::move(rule));
    binding->set_effect(std::move(effect));
    *binding->mutable_fact() = fact;
  };
  const struct {
    v1::CaseHold hold;
    const char* rule;
    const char* effect;
  } holds[] = {
      {v1::CASE_HOLD_CEASE_COMMUNICATION, domain::rules::kCeaseCommunication,
       "communication ceased: only termination and remedy notices go out"},
      {v1::CASE_HOLD_LAWYER_REPRESENTED, domain::rules::kLawyerRepresented,
       "represented: contact the representative, not the debtor"},
      {v1::CASE_HOLD_INSOLVENCY, domain::rules::kInsolvency,
       "insolvent: collection stayed; file the claim"},
      {v1::CASE_HOLD_DECEASED, domain::rules::kDeceased,
       "deceased: claim against the estate"},
  };
  for (const auto& h : holds) {
    if (const v1::DebtorFact* fact = domain::DebtorHoldFact(debtor, h.hold))
      bind(h.rule, h.effect, *fact);
  }
  for (const v1::DebtorFact& restriction : debtor.restrictions()) {
    if (restriction.kind() == domain::kScopeAll) continue;
    bind(domain::rules::kChannelRestricted,
         absl::StrCat("no contact by ", restriction.kind()), restriction);
  }
  if (domain::DebtorConsentCovers(debtor, as_of)) {
    v1::DebtorFact consent;
    consent.set_kind("consent");
    consent.set_event_id(debtor.consent_event_id());
    *consent.mutable_recorded_at() = debtor.consent_given_at();
    bind("REG_F_1006_14_B3_CONSENT",
         absl::StrCat("more calls consented to until ",
                      absl::FormatTime(ToTime(debtor.consent_until())),
                      "; the 08:00-21:00 window still applies"),
         consent);
  }
  if (!debtor.segment().kind().empty()) {
    const domain::RulePack* pack =
        domain::FindRulePack(state.rule_pack, state.DayOf(as_of));
    if (pack != nullptr) {
      bind("TREATMENT_PATH",
           absl::StrCat(
               "treatment path ",
               domain::TreatmentLabel(domain::TreatmentOf(state, *pack))),
           debtor.segment());
    }
  }
}

}  // namespace

v1::CaseStanding StandingAt(const domain::CaseState& state, absl::Time as_of) {
  v1::CaseStanding standing;
  *standing.mutable_case_() = ToCaseView(state);
  *standing.mutable_as_of() = ToTimestamp(as_of);
  standing.set_as_of_position(state.last_position);
  if (!state.exists) return standing;
  const absl::CivilDay today = state.DayOf(as_of);

  std::optional<absl::CivilDay> earliest_due;
  std::optional<absl::CivilDay> vat_relief;
  if (state.owed.principal > 0) {
    for (const auto& invoice : state.invoices) {
      if (!earliest_due.has_value() || invoice.due < *earliest_due)
        earliest_due = invoice.due;
      const absl::CivilDay relief = domain::VatReliefDueDate(invoice.due);
      if (!invoice.vat_relief_claimed &&
          (!vat_relief.has_value() || relief < *vat_relief))
        vat_relief = relief;
    }
  }
  if (earliest_due.has_value() && today > *earliest_due &&
      state.outstanding_minor() > 0) {
    standing.set_days_past_due(static_cast<uint32_t>(today - *earliest_due));
  }
  if (vat_relief.has_value())
    *standing.mutable_vat_relief_date() = domain::ToLocalDate(*vat_relief);

  if (state.plan.has_value() && state.plan->active()) {
    const auto& plan = *state.plan;
    int64_t cumulative = 0;
    for (int i = 0; i < plan.agreed.installments_size(); ++i) {
      const auto& installment = plan.agreed.installments(i);
      const int64_t before = cumulative;
      cumulative += installment.amount().amount_minor();
      if (plan.paid[i] || plan.paid_minor >= cumulative) continue;
      v1::InstallmentStanding* next = standing.mutable_next_installment();
      next->set_number(installment.number());
      *next->mutable_due_date() = installment.due_date();
      *next->mutable_amount() = installment.amount();
      *next->mutable_paid() =
          Money(state, std::max<int64_t>(0, plan.paid_minor - before));
      next->set_missed(plan.missed[i]);
      break;
    }
  }

  AddActions(state, as_of, standing);
  AddDebtorBindings(state, as_of, standing);
  if (std::optional<domain::NextStep> next = domain::NextBestAction(state)) {
    v1::NextBestAction* action = standing.mutable_next_best_action();
    action->set_action(next->action);
    action->set_reason(next->reason);
    action->set_treatment_path(next->path);
    action->set_segment(next->segment);
    *action->mutable_due_at() = ToTimestamp(next->due_at);
  }
  // The next allowed call: now when allowed; otherwise when the contact
  // rules allow it (unset while a hold blocks calls).
  const v1::ActionAvailability& call = standing.actions(0);
  if (call.allowed()) {
    *standing.mutable_next_allowed_contact() = ToTimestamp(as_of);
  } else {
    const domain::RulePack* pack = domain::FindRulePack(state.rule_pack, today);
    const bool contact_rule = call.rule() == "REG_F_1006_6_B1" ||
                              call.rule() == "REG_F_1006_14_B2_I" ||
                              call.rule() == "REG_F_1006_14_B2_II";
    if (pack != nullptr && pack->contact_limits.has_value() && contact_rule) {
      const domain::ContactDecision decision = domain::CheckCallAttempt(
          as_of, state.zone, state.recent_calls, *pack->contact_limits);
      if (!decision.allowed)
        *standing.mutable_next_allowed_contact() =
            ToTimestamp(decision.next_allowed);
    }
  }
  return standing;
}

}  // namespace collections::app
