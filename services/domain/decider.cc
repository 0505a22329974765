#include "services/domain/decider.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_details.h"
#include "services/domain/debtor_profile.h"
#include "services/domain/treatment.h"

namespace collections::domain {

absl::Status RuleRefusal(absl::string_view rule, absl::string_view reason) {
  return RuleRefusedError(rule, reason);
}

Decider::Decider(const CaseState& state, const CommandInput& input)
    : state_(state),
      input_(input),
      today_(state.DayOf(input.at)),
      stage_(state.stage) {}

absl::Status Decider::BeginAllowingClosed() {
  pack_ = FindRulePack(state_.rule_pack, today_);
  if (pack_ == nullptr) {
    return RuleRefusal(
        rules::kNotInRulePack,
        absl::StrCat("rule pack \"", state_.rule_pack, "\" is not in force on ",
                     absl::FormatCivilTime(today_),
                     "; known packs: ", absl::StrJoin(RulePackIds(), ", ")));
  }
  return absl::OkStatus();
}

absl::Status Decider::Begin() {
  absl::Status status = BeginAllowingClosed();
  if (!status.ok()) return status;
  if (state_.stage == CaseStage::kClosed) {
    return RuleRefusal(
        rules::kCaseClosed,
        absl::StrCat("case ", state_.case_id, " is closed (",
                     v1::ClosureReason_Name(state_.closure_reason), ")"));
  }
  return absl::OkStatus();
}

bool Decider::Overridden(absl::string_view rule) {
  if (!pack_->overridable_rules.contains(rule)) return false;
  for (const auto& requested : input_.overrides) {
    if (requested.rule() != rule) continue;
    for (const auto& used : decision_.overrides) {
      if (used.rule() == rule) return true;
    }
    v1::RuleOverride used = requested;
    used.set_author(input_.actor_id);
    decision_.overrides.push_back(std::move(used));
    return true;
  }
  return false;
}

absl::Status Decider::Require(bool ok, absl::string_view rule,
                              absl::string_view reason) {
  if (ok || Overridden(rule)) return absl::OkStatus();
  for (const auto& requested : input_.overrides) {
    if (requested.rule() == rule) {
      return RuleRefusal(rule,
                         absl::StrCat(reason, " (rule pack ", pack_->version,
                                      " does not allow overriding it)"));
    }
  }
  return RuleRefusal(rule, reason);
}

absl::Status Decider::CheckCurrency(absl::string_view field,
                                    const v1::Money& money) const {
  if (money.currency() == state_.currency) return absl::OkStatus();
  return InvalidFieldError(
      field, absl::StrCat(field, " is in ", money.currency(),
                          " but the case is in ", state_.currency));
}

v1::Money Decider::Money(int64_t minor) const {
  return MoneyOf(minor, state_.currency);
}

void Decider::MoveTo(CaseStage to, const std::string& reason) {
  if (to == stage_) return;
  v1::EventPayload payload;
  auto* changed = payload.mutable_case_stage_changed();
  changed->set_from(ToProtoStage(stage_));
  changed->set_to(ToProtoStage(to));
  changed->set_reason(reason);
  Emit(std::move(payload));
  stage_ = to;
}

void Decider::Suppress(absl::string_view channel,
                       absl::string_view contact_point, absl::string_view rule,
                       absl::string_view reason, absl::Time next_allowed) {
  v1::EventPayload payload;
  auto* suppressed = payload.mutable_contact_suppressed_by_rule();
  suppressed->set_channel(std::string(channel));
  suppressed->set_contact_point_id(std::string(contact_point));
  suppressed->set_rule(std::string(rule));
  suppressed->set_reason(std::string(reason));
  if (next_allowed != absl::InfinitePast() &&
      next_allowed != absl::InfiniteFuture()) {
    *suppressed->mutable_next_allowed_at() = ToTimestamp(next_allowed);
  }
  if (decision_.refusal.ok())
    decision_.refusal = SuppressionRefusal(*suppressed);
  Emit(std::move(payload));
}

absl::Status SuppressionRefusal(const v1::ContactSuppressedByRule& suppressed) {
  std::string message = suppressed.reason();
  std::string next_allowed;
  if (suppressed.has_next_allowed_at()) {
    const absl::Time next = ToTime(suppressed.next_allowed_at());
    absl::StrAppend(
        &message, "; next attempt allowed from ",
        absl::FormatTime(absl::RFC3339_sec, next, absl::UTCTimeZone()));
    // RFC 3339 in UTC with "Z", as google.protobuf.Timestamp's JSON form.
    next_allowed =
        absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", next, absl::UTCTimeZone());
  }
  absl::Status refusal = RuleRefusal(suppressed.rule(), message);
  // What a dialer needs to reschedule without reading the message.
  AddErrorMetadata(refusal, "channel", suppressed.channel());
  if (!next_allowed.empty())
    AddErrorMetadata(refusal, "next_allowed_at", next_allowed);
  return refusal;
}

// 12 CFR 1006.34(a)(1)(i)(B): the validation information within five days
// after the initial communication.
std::optional<absl::CivilDay> ValidationNoticeDue(const CaseState& state,
                                                  const RulePack& pack) {
  if (!pack.validation_notice || state.validation_notice_sent ||
      !state.first_communication_at.has_value())
    return std::nullopt;
  return state.DayOf(*state.first_communication_at) + kValidationNoticeDays;
}

Block ValidationOverdueBlock(const CaseState& state, const RulePack& pack,
                             absl::CivilDay today) {
  const std::optional<absl::CivilDay> due = ValidationNoticeDue(state, pack);
  if (!due.has_value() || today <= *due) return {};
  return {rules::kValidationOverdue,
          absl::StrCat("the validation notice was due by ",
                       absl::FormatCivilTime(*due), ", ", kValidationNoticeDays,
                       " days after the initial communication: send it "
                       "before collecting further")};
}

Block InHouseContactBlock(const CaseState& state, const RulePack& pack) {
  if (state.HasHold(v1::CASE_HOLD_PLACED_WITH_AGENCY)) {
    return {rules::kPlacedWithAgency,
            absl::StrCat("the case is placed with agency ", state.agency_id,
                         "; in-house contact is suppressed until it is "
                         "recalled or returned")};
  }
  // A hold the debtor's profile places (debtor_profile.h) names the debtor
  // event that recorded it, so each case shows why it is held.
  const auto from_debtor = [&](v1::CaseHold hold, absl::string_view what) {
    const v1::DebtorFact* fact = DebtorHoldFact(state.debtor, hold);
    return fact == nullptr
               ? std::string()
               : absl::StrCat("; recorded on debtor ", state.debtor_id, " by ",
                              DescribeDebtorFact(*fact, what));
  };
  if (state.HasHold(v1::CASE_HOLD_CEASE_COMMUNICATION)) {
    const v1::DebtorFact* cease =
        DebtorHoldFact(state.debtor, v1::CASE_HOLD_CEASE_COMMUNICATION);
    const bool in_writing = cease == nullptr || cease->in_writing();
    return {rules::kCeaseCommunication,
            absl::StrCat("the debtor asked", in_writing ? " in writing" : "",
                         " that communication cease",
                         from_debtor(v1::CASE_HOLD_CEASE_COMMUNICATION,
                                     "communication restricted: all"))};
  }
  if (state.HasHold(v1::CASE_HOLD_LAWYER_REPRESENTED)) {
    return {rules::kLawyerRepresented,
            absl::StrCat("the debtor is represented by a lawyer: contact "
                         "the lawyer",
                         from_debtor(v1::CASE_HOLD_LAWYER_REPRESENTED,
                                     "representation noticed"))};
  }
  if (state.HasHold(v1::CASE_HOLD_DECEASED)) {
    return {
        rules::kDeceased,
        absl::StrCat("the debtor is deceased: contact the estate",
                     from_debtor(v1::CASE_HOLD_DECEASED, "deceased noticed"))};
  }
  if (state.HasHold(v1::CASE_HOLD_INSOLVENCY)) {
    return {rules::kInsolvency,
            absl::StrCat(
                "the debtor is insolvent: collection is stayed; "
                "file the claim with the administrator",
                from_debtor(v1::CASE_HOLD_INSOLVENCY, "insolvency noticed"))};
  }
  for (const auto& dispute : state.open_disputes) {
    if (dispute.in_writing && !dispute.verification_sent &&
        pack.written_dispute_needs_verification) {
      return {rules::kVerificationPending,
              absl::StrCat("dispute ", dispute.dispute_id,
                           " was raised in writing: collection stops until "
                           "verification is sent")};
    }
  }
  return {};
}

absl::Status RequireNoHardshipHold(Decider& d) {
  const CaseState& state = d.state();
  return d.Require(
      !OnHardshipHold(state, d.pack()), rules::kHardshipHold,
      absl::StrCat("the debtor's segment ", state.debtor.segment().kind(),
                   " puts escalation on hardship hold (treatment path ",
                   TreatmentLabel(TreatmentOf(state, d.pack())),
                   "): offer a payment plan, or override with a reason"));
}

}  // namespace collections::domain
